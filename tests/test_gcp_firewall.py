"""GCP firewall: exactly the channel matrix into the VMs, service accounts inside the cluster, never anywhere on 22 or 3389."""

from __future__ import annotations

import ipaddress

import pytest

from config.channels import PortRange
from tdce.planner import Plan
from tests.support import of_type, plan_of, plan_variant

FIREWALL = "gcp:compute/firewall:Firewall"
ANYWHERE = {"0.0.0.0/0", "::/0"}
RULE_PREFIX = "tdce-firewall-"
# Google's IAP TCP forwarding range (cloud.google.com/iap/docs/using-tcp-forwarding).
IAP = "35.235.240.0/20"
# SSH on, from admin CIDRs of both IP versions, plus SSH to the workers: the rules the example stacks leave out.
ADMIN_ACCESS = {"access.ssh": True, "access.adminCidrs": ["203.0.113.10/32", "2001:db8::/48"], "access.workerSsh": True}

# (rule name, target, tcp ports, source service account or source ranges); ports from the vendor's GCP
# table (000_8bca743440dfe33c.txt section 5) and 001_ec271c3ff40761d0.txt 4.10 for RDP to the workers.
GCP_PROD = {
    ("signal-from-workers", "server", "20001", ("workers",)),
    ("data-from-workers", "server", "20002", ("workers",)),
    ("management-from-users", "server", "25001", ("198.51.100.0/24",)),
    ("web-from-users", "server", "443", ("198.51.100.0/24",)),
    ("ssh-from-admins", "server", "22", (IAP,)),
    ("interconnect-from-workers", "workers", "1024-65535", ("workers",)),
}
GCP_RESTORE = {
    ("signal-from-workers", "server", "20001", ("workers",)),
    ("data-from-workers", "server", "20002", ("workers",)),
    ("management-from-users", "server", "25001", ("198.51.100.0/24", "203.0.113.0/24")),
    ("web-from-users", "server", "443", ("198.51.100.0/24", "203.0.113.0/24")),
    ("worker-rdp-from-server", "workers", "3389", ("server",)),
}


@pytest.fixture(scope="module")
def admin_access_plan() -> Plan:
    return plan_variant("gcp-restore", ADMIN_ACCESS)


def allow_rules(plan: Plan) -> list:
    return [rule for rule in of_type(plan, FIREWALL) if rule.inputs.get("allows")]


def rows(plan: Plan) -> set[tuple]:
    roles = {plan.outputs["serverIdentity"]: "server", plan.outputs["workerIdentity"]: "workers"}
    found = set()
    for rule in allow_rules(plan):
        inputs = rule.inputs
        assert inputs["direction"] == "INGRESS"
        ((allow,),) = [inputs["allows"]]
        assert allow["protocol"] == "tcp"
        (ports,) = allow["ports"]
        (target,) = inputs["targetServiceAccounts"]
        sources = tuple(roles[a] for a in inputs.get("sourceServiceAccounts", [])) or tuple(inputs["sourceRanges"])
        found.add((rule.name.removeprefix(RULE_PREFIX), roles[target], ports, sources))
    return found


def test_gcp_prod_firewall_is_exactly_the_table():
    assert rows(plan_of("gcp-prod")) == GCP_PROD


def test_gcp_restore_firewall_is_exactly_the_table():
    assert rows(plan_of("gcp-restore")) == GCP_RESTORE


def test_admin_access_adds_ssh_from_iap_and_the_admin_cidrs_each_ip_version_in_its_own_rule(admin_access_plan):
    assert rows(admin_access_plan) - GCP_RESTORE == {
        ("ssh-from-admins", "server", "22", (IAP, "203.0.113.10/32")),
        ("ssh-from-admins-ipv6", "server", "22", ("2001:db8::/48",)),
        ("worker-ssh-from-server", "workers", "22", ("server",)),
    }


@pytest.mark.parametrize("stack", ["gcp-prod", "gcp-restore"])
def test_no_rule_uses_network_tags(stack):
    for rule in of_type(plan_of(stack), FIREWALL):
        assert "sourceTags" not in rule.inputs and "targetTags" not in rule.inputs, rule.name


def covers(port_text: str, number: int) -> bool:
    first, _, last = port_text.partition("-")
    return PortRange(number, number).within(PortRange(int(first), int(last or first)))


@pytest.mark.parametrize("stack", ["gcp-prod", "gcp-restore", "admin-access"])
@pytest.mark.parametrize("number", [22, 3389])
def test_nothing_reaches_ssh_or_rdp_from_the_whole_internet(stack, number, admin_access_plan):
    plan = admin_access_plan if stack == "admin-access" else plan_of(stack)
    for rule in allow_rules(plan):
        if any(covers(port, number) for allow in rule.inputs["allows"] for port in allow["ports"]):
            ranges = set(rule.inputs.get("sourceRanges", []))
            # A rule without any source admits everyone.
            assert ranges or rule.inputs.get("sourceServiceAccounts"), rule.name
            assert not ranges & ANYWHERE, rule.name
            assert all(ipaddress.ip_network(cidr).prefixlen > 0 for cidr in ranges), rule.name


@pytest.mark.parametrize("stack", ["gcp-prod", "gcp-restore"])
def test_a_deny_all_ingress_rule_sits_below_every_allow_rule(stack):
    rules = of_type(plan_of(stack), FIREWALL)
    (deny,) = [rule for rule in rules if rule.inputs.get("denies") and rule.inputs["direction"] == "INGRESS"]
    assert deny.name == f"{RULE_PREFIX}deny-all-ingress"
    assert deny.inputs["direction"] == "INGRESS"
    assert deny.inputs["denies"] == [{"protocol": "all"}]
    assert deny.inputs["sourceRanges"] == ["0.0.0.0/0"]
    assert all(rule.inputs.get("priority", 1000) < deny.inputs["priority"] for rule in allow_rules(plan_of(stack)))


def test_switching_ssh_and_interconnect_off_removes_exactly_their_rules():
    before = {rule.name for rule in of_type(plan_of("gcp-prod"), FIREWALL)}
    after = {
        rule.name for rule in of_type(plan_variant("gcp-prod", {"access.ssh": False, "access.interconnect": False}), FIREWALL)
    }
    assert before - after == {f"{RULE_PREFIX}ssh-from-admins", f"{RULE_PREFIX}interconnect-from-workers"}
    assert after < before

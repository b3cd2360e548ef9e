"""GCP firewall: exactly the channel matrix into the VMs, service accounts inside the cluster, never anywhere on 22 or 3389."""

from __future__ import annotations

import ipaddress

import pytest

from config.channels import PortRange, Role
from config.exposure import enabled_ingress
from config.settings import GCP_IAP_RANGE
from tdce.planner import Plan
from tests.support import plan_of, plan_variant

FIREWALL = "gcp:compute/firewall:Firewall"
ANYWHERE = {"0.0.0.0/0", "::/0"}
VM_ROLES = (Role.SERVER, Role.WORKERS)
RULE_PREFIX = "tdce-firewall-"
# SSH on, from admin CIDRs of both IP versions, plus SSH to the workers: the rules the example stacks leave out.
ADMIN_ACCESS = {"access.ssh": True, "access.adminCidrs": ["203.0.113.10/32", "2001:db8::/48"], "access.workerSsh": True}


@pytest.fixture(scope="module")
def admin_access_plan() -> Plan:
    return plan_variant("gcp-restore", ADMIN_ACCESS)


def allow_rules(plan: Plan) -> list:
    return [rule for rule in plan.by_type(FIREWALL) if rule.inputs.get("allows")]


def accounts(plan: Plan) -> dict[Role, str]:
    return {Role.SERVER: plan.outputs["serverServiceAccount"], Role.WORKERS: plan.outputs["workerServiceAccount"]}


def expected_rules(plan: Plan) -> dict[str, tuple]:
    """From the channel matrix and the stack's settings: channel → (ports, source kind, sources, target)."""
    emails = accounts(plan)
    expected = {}
    for open_channel in enabled_ingress(plan.settings):
        channel = open_channel.channel
        if channel.target not in VM_ROLES:
            continue
        ports = sorted(str(ports) for ports in open_channel.ports)
        if any(role in VM_ROLES for role in channel.sources):
            source = ("service-accounts", sorted(emails[role] for role in channel.sources if role in VM_ROLES))
        else:
            source = ("ranges", sorted(open_channel.source_cidrs))
        expected[channel.name] = (ports, *source, emails[channel.target])
    return expected


def deployed_rules(plan: Plan) -> dict[str, tuple]:
    """The plan's allow rules in the same shape, IPv4 and IPv6 rules of one channel merged."""
    deployed: dict[str, tuple] = {}
    for rule in allow_rules(plan):
        inputs = rule.inputs
        channel = rule.name.removeprefix(RULE_PREFIX).removesuffix("-ipv6")
        ports = sorted(port for allow in inputs["allows"] for port in allow["ports"])
        assert [allow["protocol"] for allow in inputs["allows"]] == ["tcp"]
        (target,) = inputs["targetServiceAccounts"]
        if "sourceServiceAccounts" in inputs:
            source = ("service-accounts", sorted(inputs["sourceServiceAccounts"]))
        else:
            earlier = deployed.get(channel, (None, None, []))[2]
            source = ("ranges", sorted(earlier + inputs["sourceRanges"]))
        deployed[channel] = (ports, *source, target)
    return deployed


@pytest.mark.parametrize("stack", ["gcp-prod", "gcp-restore"])
def test_firewall_opens_exactly_the_matrix_channels_into_the_vms(stack):
    plan = plan_of(stack)
    assert deployed_rules(plan) == expected_rules(plan)


def test_firewall_with_admin_access_opens_exactly_the_matrix_channels_too(admin_access_plan):
    assert deployed_rules(admin_access_plan) == expected_rules(admin_access_plan)


def test_ssh_comes_from_iap_and_the_admin_cidrs_each_ip_version_in_its_own_rule(admin_access_plan):
    rules = {rule.name: rule.inputs for rule in allow_rules(admin_access_plan)}
    assert rules[f"{RULE_PREFIX}ssh"]["sourceRanges"] == [GCP_IAP_RANGE, "203.0.113.10/32"]
    assert rules[f"{RULE_PREFIX}ssh-ipv6"]["sourceRanges"] == ["2001:db8::/48"]


@pytest.mark.parametrize("stack", ["gcp-prod", "gcp-restore"])
def test_no_rule_uses_network_tags(stack):
    for rule in plan_of(stack).by_type(FIREWALL):
        assert "sourceTags" not in rule.inputs and "targetTags" not in rule.inputs, rule.name


def covers(port_text: str, number: int) -> bool:
    first, _, last = port_text.partition("-")
    return PortRange(int(first), int(last or first)).contains(PortRange(number, number))


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
    rules = plan_of(stack).by_type(FIREWALL)
    (deny,) = [rule for rule in rules if rule.inputs.get("denies") and rule.inputs["direction"] == "INGRESS"]
    assert deny.name == f"{RULE_PREFIX}deny-all-ingress"
    assert deny.inputs["direction"] == "INGRESS"
    assert deny.inputs["denies"] == [{"protocol": "all"}]
    assert deny.inputs["sourceRanges"] == ["0.0.0.0/0"]
    assert all(rule.inputs.get("priority", 1000) < deny.inputs["priority"] for rule in allow_rules(plan_of(stack)))


def test_switching_ssh_and_interconnect_off_removes_exactly_their_rules():
    before = {rule.name for rule in plan_of("gcp-prod").by_type(FIREWALL)}
    after = {
        rule.name for rule in plan_variant("gcp-prod", {"access.ssh": False, "access.interconnect": False}).by_type(FIREWALL)
    }
    assert before - after == {f"{RULE_PREFIX}ssh", f"{RULE_PREFIX}interconnect"}
    assert after < before

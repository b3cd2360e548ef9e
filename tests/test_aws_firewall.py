"""AWS security groups: exactly the channel matrix for the stack's settings, as separate rules, and egress no wider than it."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from config.channels import CHANNELS, CHANNELS_BY_NAME, MANAGEMENT, Role
from config.exposure import enabled_ingress
from tdce.planner import Plan
from tests.support import plan_of, plan_variant

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ANYWHERE = "0.0.0.0/0"
OPTIONAL = {"access.ssh": True, "access.interconnect": True, "access.workerSsh": True, "access.workerRdp": True}


@cache
def prod_with_every_option() -> Plan:
    return plan_variant(
        "aws-prod",
        {
            **OPTIONAL,
            "access.managementPort": MANAGEMENT.alternative_ports[0].first,
            "access.adminCidrs": ["203.0.113.10/32", "2001:db8:10::/48"],
            "access.userCidrs": ["198.51.100.0/24", "2001:db8::/32"],
            "workerSecrets": ["tdce/license-key"],
        },
    )


@cache
def dev_without_options() -> Plan:
    return plan_variant("aws-dev", {path: False for path in OPTIONAL})


@cache
def prod_with_open_egress() -> Plan:
    return plan_variant("aws-prod", {"access.openEgress": True, "access.licenseServer": False})


PLANS = {
    "aws-prod": lambda: plan_of("aws-prod"),
    "aws-dev": lambda: plan_of("aws-dev"),
    "aws-prod, every option on": prod_with_every_option,
    "aws-dev, every option off": dev_without_options,
}


def group_names(plan: Plan) -> dict[str, str]:
    """Security group ID → the role it stands for: as the stack outputs name them, and the secrets endpoint's."""
    groups = {plan.outputs["serverSecurityGroupId"]: Role.SERVER.value, plan.outputs["workerSecurityGroupId"]: Role.WORKERS.value}
    for endpoint in plan.by_type(ENDPOINT):
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            groups.update(dict.fromkeys(endpoint.inputs["securityGroupIds"], Role.SECRETS_ENDPOINT.value))
    return groups


def source_of(rule: dict, groups: dict[str, str]) -> tuple[str, str]:
    if "referencedSecurityGroupId" in rule:
        return ("group", groups[rule["referencedSecurityGroupId"]])
    if "prefixListId" in rule:
        return ("prefix-list", rule["prefixListId"])
    return ("cidr", rule.get("cidrIpv4") or rule["cidrIpv6"])


def recorded_ingress(plan: Plan) -> Counter:
    groups = group_names(plan)
    return Counter(
        (
            groups[r.inputs["securityGroupId"]],
            r.inputs["ipProtocol"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
            *source_of(r.inputs, groups),
        )
        for r in plan.by_type(INGRESS)
    )


def matrix_ingress(plan: Plan) -> Counter:
    expected: Counter = Counter()
    for open_channel in enabled_ingress(plan.settings):
        channel = open_channel.channel
        sources = [("group", role.value) for role in channel.sources if role.inside_cluster]
        sources += [("cidr", cidr) for cidr in open_channel.source_cidrs]
        for ports in open_channel.ports:
            for source in sources:
                expected[(channel.target.value, channel.protocol, ports.first, ports.last, *source)] += 1
    return expected


@pytest.mark.parametrize("label", PLANS)
def test_groups_admit_exactly_the_channel_matrix_for_the_stack(label):
    plan = PLANS[label]()
    assert recorded_ingress(plan) == matrix_ingress(plan)


def channels_opened(plan: Plan) -> set[str]:
    return {rule.inputs["description"].split(" ", 1)[0] for rule in plan.by_type(INGRESS)}


def test_optional_channels_open_when_switched_on_and_close_when_off():
    optional = {"ssh", "worker-ssh", "worker-rdp", "interconnect"}
    assert optional <= channels_opened(prod_with_every_option())
    assert not optional & channels_opened(dev_without_options())
    assert {"ssh", "worker-ssh", "interconnect"} <= channels_opened(plan_of("aws-dev"))
    assert not optional & channels_opened(plan_of("aws-prod"))


def names(plan: Plan, type_token: str) -> set[str]:
    return {r.name for r in plan.by_type(type_token)}


def test_rule_names_are_stable_and_say_what_they_admit():
    assert names(plan_of("aws-prod"), INGRESS) == {
        "tdce-firewall-signal",
        "tdce-firewall-data",
        "tdce-firewall-management-198-51-100-0-24",
        "tdce-firewall-management-203-0-113-0-24",
        "tdce-firewall-web-198-51-100-0-24",
        "tdce-firewall-web-203-0-113-0-24",
    }
    assert "tdce-firewall-ssh-2001-db8-10---48" in names(prod_with_every_option(), INGRESS)


def test_ipv6_cidrs_become_ipv6_rules():
    rules = {r.name: r.inputs for r in prod_with_every_option().by_type(INGRESS)}
    assert rules["tdce-firewall-ssh-2001-db8-10---48"]["cidrIpv6"] == "2001:db8:10::/48"
    assert "cidrIpv4" not in rules["tdce-firewall-management-2001-db8---32"]


def test_worker_channels_name_groups_never_cidrs():
    for plan in (plan_of("aws-dev"), prod_with_every_option()):
        groups = group_names(plan)
        for rule in plan.by_type(INGRESS):
            target = groups[rule.inputs["securityGroupId"]]
            if target == Role.WORKERS.value or rule.name.endswith(("-signal", "-data")):
                assert set(rule.inputs) & {"cidrIpv4", "cidrIpv6"} == set(), rule.name


def test_every_rule_has_a_description_naming_its_channel():
    for rule in [*prod_with_every_option().by_type(INGRESS), *prod_with_every_option().by_type(EGRESS)]:
        assert rule.inputs["description"], rule.name
    for rule in prod_with_every_option().by_type(INGRESS):
        assert rule.inputs["description"].split(" ", 1)[0] in {c.name for c in CHANNELS}


def test_no_security_group_carries_inline_rules():
    for plan in (plan_of("aws-prod"), plan_of("aws-dev")):
        for group in plan.by_type("aws:ec2/securityGroup:SecurityGroup"):
            assert not group.inputs.get("ingress") and not group.inputs.get("egress"), group.name
            assert group.inputs["description"].startswith("TDCE ")


def test_default_security_group_of_the_vpc_is_closed():
    (default,) = plan_of("aws-prod").by_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default.inputs.get("ingress") and not default.inputs.get("egress")


def egress_of(plan: Plan) -> Counter:
    groups = group_names(plan)
    # The one prefix list in the VPC is its S3 gateway endpoint's.
    (gateway,) = [e for e in plan.by_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert gateway.inputs["serviceName"].endswith(".s3")

    def peer(rule: dict) -> tuple[str, str]:
        kind, value = source_of(rule, groups)
        return kind, "s3" if kind == "prefix-list" else value

    return Counter(
        (
            groups[r.inputs["securityGroupId"]],
            r.inputs["ipProtocol"],
            r.inputs.get("fromPort"),
            r.inputs.get("toPort"),
            *peer(r.inputs),
        )
        for r in plan.by_type(EGRESS)
    )


def out(group: str, channel: str, kind: str, peer: str) -> Counter:
    found = CHANNELS_BY_NAME[channel]
    return Counter((group, found.protocol, p.first, p.last, kind, peer) for p in found.ports)


def test_egress_is_the_channels_each_group_starts_and_nothing_wider():
    expected = (
        out("server", "license", "cidr", ANYWHERE)
        | out("server", "cloud-api", "cidr", ANYWHERE)
        | out("server", "storage", "prefix-list", "s3")
        | out("workers", "signal", "group", "server")
        | out("workers", "data", "group", "server")
        | out("workers", "storage", "prefix-list", "s3")
        # Workers call AWS APIs (Secrets Manager, vendor 4.17) and HTTPS data sources over the cloud-api port.
        | out("workers", "cloud-api", "cidr", ANYWHERE)
    )
    assert egress_of(plan_of("aws-prod")) == expected


def test_optional_channels_open_egress_between_the_groups_too():
    expected_extra = (
        out("server", "worker-ssh", "group", "workers")
        + out("server", "worker-rdp", "group", "workers")
        + out("workers", "interconnect", "group", "workers")
        + out("server", "secrets-endpoint", "group", "secrets-endpoint")
        + out("workers", "secrets-endpoint", "group", "secrets-endpoint")
    )
    assert egress_of(prod_with_every_option()) - egress_of(plan_of("aws-prod")) == expected_extra
    assert not egress_of(dev_without_options()) & expected_extra


def test_license_channel_off_drops_its_own_ports_from_server_egress():
    plan = plan_variant("aws-prod", {"access.licenseServer": False})
    license_only = out("server", "license", "cidr", ANYWHERE) - out("server", "cloud-api", "cidr", ANYWHERE)
    assert license_only
    assert not egress_of(plan) & license_only
    assert egress_of(plan) & out("server", "cloud-api", "cidr", ANYWHERE)


def test_open_egress_replaces_the_channel_list_with_one_rule_per_group():
    everything = Counter({("server", "-1", None, None, "cidr", ANYWHERE): 1, ("workers", "-1", None, None, "cidr", ANYWHERE): 1})
    assert egress_of(prod_with_open_egress()) == everything
    assert recorded_ingress(prod_with_open_egress()) == recorded_ingress(plan_of("aws-prod"))

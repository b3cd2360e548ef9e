"""AWS security groups: the rule specs as separate rule resources, one per CIDR, against literal tables.

Ports are the vendor's (000_8bca743440dfe33c.txt: signal 20001, data 20002, management 25001,
web 443, SSH 22, license 80/443 outbound; 001_ec271c3ff40761d0.txt 4.10: worker SSH 22, RDP 3389).
A row is (rule name, group, protocol, from port, to port, peer): the peer is a group's role,
a CIDR, or `s3` for the S3 gateway endpoint's prefix list.
"""

from __future__ import annotations

from functools import cache

import pytest

from tdce.planner import Plan
from tests.support import of_type, plan_of, plan_variant

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
PREFIX = "tdce-firewall-"
OPTIONAL = {"access.ssh": True, "access.interconnect": True, "access.workerSsh": True, "access.workerRdp": True}

AWS_PROD_INGRESS = {
    ("signal-from-workers", "server", "tcp", 20001, 20001, "workers"),
    ("data-from-workers", "server", "tcp", 20002, 20002, "workers"),
    ("management-from-198-51-100-0-24", "server", "tcp", 25001, 25001, "198.51.100.0/24"),
    ("management-from-203-0-113-0-24", "server", "tcp", 25001, 25001, "203.0.113.0/24"),
    ("web-from-198-51-100-0-24", "server", "tcp", 443, 443, "198.51.100.0/24"),
    ("web-from-203-0-113-0-24", "server", "tcp", 443, 443, "203.0.113.0/24"),
}
AWS_PROD_EGRESS = {
    ("server-to-anywhere-80", "server", "tcp", 80, 80, "0.0.0.0/0"),
    ("server-to-anywhere-443", "server", "tcp", 443, 443, "0.0.0.0/0"),
    ("server-to-object-storage-443", "server", "tcp", 443, 443, "s3"),
    ("workers-to-server-20001", "workers", "tcp", 20001, 20001, "server"),
    ("workers-to-server-20002", "workers", "tcp", 20002, 20002, "server"),
    ("workers-to-anywhere-443", "workers", "tcp", 443, 443, "0.0.0.0/0"),
    ("workers-to-object-storage-443", "workers", "tcp", 443, 443, "s3"),
}


@cache
def prod_with_every_option() -> Plan:
    return plan_variant(
        "aws-prod",
        {
            **OPTIONAL,
            "access.managementPort": 25002,
            "access.adminCidrs": ["203.0.113.10/32", "2001:db8:10::/48"],
            "access.userCidrs": ["198.51.100.0/24", "2001:db8::/32"],
            "workerSecrets": ["tdce/license-key"],
        },
    )


def group_roles(plan: Plan) -> dict[str, str]:
    """Security group ID → the role it guards, by the group's name."""
    return {group.id: group.name.removeprefix(PREFIX) for group in of_type(plan, GROUP)}


def rows(plan: Plan, type_token: str) -> set[tuple]:
    roles = group_roles(plan)
    (s3,) = [e for e in of_type(plan, ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert s3.inputs["serviceName"].endswith(".s3")
    found = set()
    for rule in of_type(plan, type_token):
        inputs = rule.inputs
        if "referencedSecurityGroupId" in inputs:
            peer = roles[inputs["referencedSecurityGroupId"]]
        elif "prefixListId" in inputs:
            peer = "s3"
        else:
            peer = inputs.get("cidrIpv4") or inputs["cidrIpv6"]
        found.add(
            (
                rule.name.removeprefix(PREFIX),
                roles[inputs["securityGroupId"]],
                inputs["ipProtocol"],
                inputs.get("fromPort"),
                inputs.get("toPort"),
                peer,
            )
        )
    return found


def test_aws_prod_ingress_is_exactly_the_table():
    assert rows(plan_of("aws-prod"), INGRESS) == AWS_PROD_INGRESS


def test_aws_prod_egress_is_exactly_the_table():
    assert rows(plan_of("aws-prod"), EGRESS) == AWS_PROD_EGRESS


def test_every_option_adds_exactly_its_rules_including_ipv6_ones():
    plan = prod_with_every_option()
    ingress = rows(plan, INGRESS)
    assert ingress - AWS_PROD_INGRESS == {
        ("management-from-198-51-100-0-24", "server", "tcp", 25002, 25002, "198.51.100.0/24"),
        ("management-from-2001-db8---32", "server", "tcp", 25002, 25002, "2001:db8::/32"),
        ("web-from-2001-db8---32", "server", "tcp", 443, 443, "2001:db8::/32"),
        ("ssh-from-203-0-113-10-32", "server", "tcp", 22, 22, "203.0.113.10/32"),
        ("ssh-from-2001-db8-10---48", "server", "tcp", 22, 22, "2001:db8:10::/48"),
        ("worker-ssh-from-server", "workers", "tcp", 22, 22, "server"),
        ("worker-rdp-from-server", "workers", "tcp", 3389, 3389, "server"),
        ("interconnect-from-workers", "workers", "tcp", 1024, 65535, "workers"),
        ("secrets-endpoint-from-server", "secrets-endpoint", "tcp", 443, 443, "server"),
        ("secrets-endpoint-from-workers", "secrets-endpoint", "tcp", 443, 443, "workers"),
    }
    assert rows(plan, EGRESS) - AWS_PROD_EGRESS == {
        ("server-to-workers-22", "server", "tcp", 22, 22, "workers"),
        ("server-to-workers-3389", "server", "tcp", 3389, 3389, "workers"),
        ("workers-to-workers-1024-65535", "workers", "tcp", 1024, 65535, "workers"),
        ("server-to-secrets-endpoint-443", "server", "tcp", 443, 443, "secrets-endpoint"),
        ("workers-to-secrets-endpoint-443", "workers", "tcp", 443, 443, "secrets-endpoint"),
    }


def test_ipv6_cidrs_become_ipv6_rules():
    rules = {r.name: r.inputs for r in of_type(prod_with_every_option(), INGRESS)}
    assert rules["tdce-firewall-ssh-from-2001-db8-10---48"]["cidrIpv6"] == "2001:db8:10::/48"
    assert "cidrIpv4" not in rules["tdce-firewall-management-from-2001-db8---32"]


def test_open_egress_replaces_the_channel_list_with_one_rule_per_machine_group():
    plan = plan_variant("aws-prod", {"access.openEgress": True})
    assert rows(plan, EGRESS) == {
        ("server-to-anywhere-all", "server", "-1", None, None, "0.0.0.0/0"),
        ("workers-to-anywhere-all", "workers", "-1", None, None, "0.0.0.0/0"),
    }
    assert rows(plan, INGRESS) == AWS_PROD_INGRESS


def test_aurora_groups_and_their_rules():
    plan = plan_of("aws-aurora")
    assert {g.name for g in of_type(plan, GROUP)} == {
        f"{PREFIX}{role}" for role in ("server", "workers", "database", "secret-rotation", "secrets-endpoint", "rds-endpoint")
    }
    ingress = rows(plan, INGRESS)
    assert {
        ("database-from-server", "database", "tcp", 5432, 5432, "server"),
        ("database-from-secret-rotation", "database", "tcp", 5432, 5432, "secret-rotation"),
        ("secrets-endpoint-from-secret-rotation", "secrets-endpoint", "tcp", 443, 443, "secret-rotation"),
        # The rotation function reads the cluster's address from the RDS API, and nothing else reaches it.
        ("rds-endpoint-from-secret-rotation", "rds-endpoint", "tcp", 443, 443, "secret-rotation"),
    } <= ingress
    assert {row for row in ingress if row[1] == "rds-endpoint"} == {
        ("rds-endpoint-from-secret-rotation", "rds-endpoint", "tcp", 443, 443, "secret-rotation")
    }
    assert {
        ("secret-rotation-to-database-5432", "secret-rotation", "tcp", 5432, 5432, "database"),
        ("secret-rotation-to-secrets-endpoint-443", "secret-rotation", "tcp", 443, 443, "secrets-endpoint"),
        ("secret-rotation-to-rds-endpoint-443", "secret-rotation", "tcp", 443, 443, "rds-endpoint"),
        ("server-to-database-5432", "server", "tcp", 5432, 5432, "database"),
    } <= rows(plan, EGRESS)


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev", "aws-aurora", "aws-restore"])
def test_rule_names_are_unique(stack):
    plan = plan_of(stack)
    names = [r.name for r in of_type(plan, INGRESS) + of_type(plan, EGRESS)]
    assert len(names) == len(set(names))


def test_every_rule_has_a_description_naming_its_channels():
    for rule in of_type(prod_with_every_option(), INGRESS) + of_type(prod_with_every_option(), EGRESS):
        described = rule.inputs["description"]
        assert described.split(" ", 1)[0].rstrip(",") in {
            "signal", "data", "management", "web", "ssh", "worker-ssh", "worker-rdp", "interconnect",
            "license", "cloud-api", "external-data", "storage", "secrets-endpoint", "rds-endpoint",
        }, described  # fmt: skip


def test_no_security_group_carries_inline_rules():
    for plan in (plan_of("aws-prod"), plan_of("aws-dev"), plan_of("aws-aurora")):
        for group in of_type(plan, GROUP):
            assert not group.inputs.get("ingress") and not group.inputs.get("egress"), group.name
            assert group.inputs["description"].startswith("TDCE ")


def test_default_security_group_of_the_vpc_is_closed():
    (default,) = of_type(plan_of("aws-prod"), "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default.inputs.get("ingress") and not default.inputs.get("egress")


def test_each_machine_group_carries_its_role_tag_so_the_pack_can_place_it_without_a_pool():
    # config/tags.py role values, written out: the dashboard's workers get the worker group from the
    # deployment document, so no launch template of the plan holds it.
    expected = {
        "server": "server",
        "workers": "worker-pool",
        "database": "database",
        "secrets-endpoint": None,
        "secret-rotation": None,
        "rds-endpoint": None,
    }
    plan = plan_of("aws-aurora")
    found = {group.name.removeprefix(PREFIX): group.inputs["tags"].get("tdce:role") for group in of_type(plan, GROUP)}
    assert found == {name: expected[name] for name in found}
    assert {"server", "workers", "database"} <= set(found)
    assert {group.inputs["tags"]["tdce:stack"] for group in of_type(plan, GROUP)} == {"aws-aurora"}

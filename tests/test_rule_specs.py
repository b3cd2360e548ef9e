"""The rule derivation (`config/rules.py`) against literal tables written from the vendor's port tables.

Ports come from 000_8bca743440dfe33c.txt (signal 20001, data 20002, management 25001 or 25002,
web 443, SSH 22, interconnect 1024-65535, license 80 and 443 outbound), 001_ec271c3ff40761d0.txt
4.10 (worker SSH 22 and RDP 3389 from the server group) and PostgreSQL's 5432 for Aurora.
A row is (direction, group, peer, protocol, ports, channels); a peer is a role's group, or the
CIDRs it admits.
"""

from __future__ import annotations

import pytest

from config.resolved import resolve
from config.rules import RuleSpec
from tests.support import stack_values, with_setting

AWS_PROD_USERS = ("198.51.100.0/24", "203.0.113.0/24")
ANYWHERE = ("0.0.0.0/0",)
# Google's IAP TCP forwarding range (cloud.google.com/iap/docs/using-tcp-forwarding).
IAP = "35.235.240.0/20"

AWS_PROD = {
    ("ingress", "server", "workers", "tcp", "20001", ("signal",)),
    ("ingress", "server", "workers", "tcp", "20002", ("data",)),
    ("ingress", "server", AWS_PROD_USERS, "tcp", "25001", ("management",)),
    ("ingress", "server", AWS_PROD_USERS, "tcp", "443", ("web",)),
    ("egress", "server", ANYWHERE, "tcp", "80", ("license",)),
    # One rule serves both channels: AWS refuses two identical rules.
    ("egress", "server", ANYWHERE, "tcp", "443", ("license", "cloud-api")),
    ("egress", "server", "object-storage", "tcp", "443", ("storage",)),
    ("egress", "workers", "server", "tcp", "20001", ("signal",)),
    ("egress", "workers", "server", "tcp", "20002", ("data",)),
    ("egress", "workers", ANYWHERE, "tcp", "443", ("external-data",)),
    ("egress", "workers", "object-storage", "tcp", "443", ("storage",)),
}

AWS_AURORA_EXTRA = {
    ("ingress", "database", "server", "tcp", "5432", ("database",)),
    ("ingress", "database", "secret-rotation", "tcp", "5432", ("database",)),
    ("ingress", "secrets-endpoint", "server", "tcp", "443", ("secrets-endpoint",)),
    ("ingress", "secrets-endpoint", "workers", "tcp", "443", ("secrets-endpoint",)),
    ("ingress", "secrets-endpoint", "secret-rotation", "tcp", "443", ("secrets-endpoint",)),
    ("egress", "server", "database", "tcp", "5432", ("database",)),
    ("egress", "server", "secrets-endpoint", "tcp", "443", ("secrets-endpoint",)),
    ("egress", "workers", "secrets-endpoint", "tcp", "443", ("secrets-endpoint",)),
    ("egress", "secret-rotation", "database", "tcp", "5432", ("database",)),
    ("egress", "secret-rotation", "secrets-endpoint", "tcp", "443", ("secrets-endpoint",)),
    # The RDS API's interface endpoint, for the rotation function alone.
    ("ingress", "rds-endpoint", "secret-rotation", "tcp", "443", ("rds-endpoint",)),
    ("egress", "secret-rotation", "rds-endpoint", "tcp", "443", ("rds-endpoint",)),
}

GCP_PROD = {
    ("ingress", "server", "workers", "tcp", "20001", ("signal",)),
    ("ingress", "server", "workers", "tcp", "20002", ("data",)),
    ("ingress", "server", ("198.51.100.0/24",), "tcp", "25001", ("management",)),
    ("ingress", "server", ("198.51.100.0/24",), "tcp", "443", ("web",)),
    ("ingress", "server", (IAP,), "tcp", "22", ("ssh",)),
    ("ingress", "workers", "workers", "tcp", "1024-65535", ("interconnect",)),
    ("egress", "server", ANYWHERE, "tcp", "80", ("license",)),
    ("egress", "server", ANYWHERE, "tcp", "443", ("license", "cloud-api")),
    ("egress", "server", "object-storage", "tcp", "443", ("storage",)),
    # Cloud SQL has no firewall group on GCP: only the server's way out to it.
    ("egress", "server", "database", "tcp", "5432", ("database",)),
    ("egress", "workers", "server", "tcp", "20001", ("signal",)),
    ("egress", "workers", "server", "tcp", "20002", ("data",)),
    ("egress", "workers", "workers", "tcp", "1024-65535", ("interconnect",)),
    ("egress", "workers", ANYWHERE, "tcp", "443", ("external-data",)),
    ("egress", "workers", "object-storage", "tcp", "443", ("storage",)),
}


def row(rule: RuleSpec) -> tuple:
    peer = rule.peer.cidrs if rule.peer.by_cidr else rule.peer.label
    return (rule.direction.value, rule.group.value, peer, rule.protocol, rule.ports_label, rule.channels)


def rows_of(stack: str, **changes) -> set[tuple]:
    values, secret_keys = stack_values(stack)
    for path, value in changes.items():
        values = with_setting(values, path, value)
    rules = resolve(f"{stack}-rules", values, secret_keys).rules
    found = [row(rule) for rule in rules]
    assert len(found) == len(set(found)), "each rule appears once"
    return set(found)


def test_aws_prod_rules():
    assert rows_of("aws-prod") == AWS_PROD


def test_aurora_adds_the_database_and_endpoint_rules_and_nothing_else():
    assert rows_of("aws-aurora") - rows_of("aws-prod", **{"access.userCidrs": ["198.51.100.0/24"]}) == AWS_AURORA_EXTRA


def test_gcp_prod_rules():
    assert rows_of("gcp-prod") == GCP_PROD


def test_every_optional_channel_on_adds_exactly_its_rules():
    admin = "203.0.113.10/32"
    on = rows_of(
        "aws-prod",
        **{"access.ssh": True, "access.workerSsh": True, "access.workerRdp": True, "access.interconnect": True},
    )
    assert on - AWS_PROD == {
        ("ingress", "server", (admin,), "tcp", "22", ("ssh",)),
        ("ingress", "workers", "server", "tcp", "22", ("worker-ssh",)),
        ("ingress", "workers", "server", "tcp", "3389", ("worker-rdp",)),
        ("ingress", "workers", "workers", "tcp", "1024-65535", ("interconnect",)),
        ("egress", "server", "workers", "tcp", "22", ("worker-ssh",)),
        ("egress", "server", "workers", "tcp", "3389", ("worker-rdp",)),
        ("egress", "workers", "workers", "tcp", "1024-65535", ("interconnect",)),
    }
    assert AWS_PROD <= on


def test_the_alternative_management_port_moves_the_management_rule_only():
    moved = rows_of("aws-prod", **{"access.managementPort": 25002})
    assert moved ^ AWS_PROD == {
        ("ingress", "server", AWS_PROD_USERS, "tcp", "25001", ("management",)),
        ("ingress", "server", AWS_PROD_USERS, "tcp", "25002", ("management",)),
    }


def test_license_server_off_leaves_port_80_closed_and_443_for_the_cloud_api():
    without = rows_of("aws-prod", **{"access.licenseServer": False})
    assert AWS_PROD - without == {
        ("egress", "server", ANYWHERE, "tcp", "80", ("license",)),
        ("egress", "server", ANYWHERE, "tcp", "443", ("license", "cloud-api")),
    }
    assert without - AWS_PROD == {("egress", "server", ANYWHERE, "tcp", "443", ("cloud-api",))}


def test_open_egress_replaces_the_machines_egress_with_one_rule_each():
    opened = rows_of("aws-prod", **{"access.openEgress": True})
    assert {r for r in opened if r[0] == "egress"} == {
        ("egress", "server", ANYWHERE, "all", "all", ("open-egress",)),
        ("egress", "workers", ANYWHERE, "all", "all", ("open-egress",)),
    }
    assert {r for r in opened if r[0] == "ingress"} == {r for r in AWS_PROD if r[0] == "ingress"}


def test_worker_secrets_bring_the_secrets_endpoint_without_the_database():
    rows = rows_of("aws-prod", workerSecrets=["tdce/license-key"])
    assert rows - AWS_PROD == {
        ("ingress", "secrets-endpoint", "server", "tcp", "443", ("secrets-endpoint",)),
        ("ingress", "secrets-endpoint", "workers", "tcp", "443", ("secrets-endpoint",)),
        ("egress", "server", "secrets-endpoint", "tcp", "443", ("secrets-endpoint",)),
        ("egress", "workers", "secrets-endpoint", "tcp", "443", ("secrets-endpoint",)),
    }


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_ipv6_user_cidrs_are_admitted_alongside_ipv4(stack):
    cidrs = ["198.51.100.0/24", "2001:db8::/32"]
    rows = rows_of(stack, **{"access.userCidrs": cidrs})
    assert ("ingress", "server", tuple(cidrs), "tcp", "443", ("web",)) in rows

"""What mutation testing found unchecked in the matrix the pack reads: port bounds, direction, state, initiator."""

from __future__ import annotations

import json

import pytest

from config.channels import CHANNELS_BY_NAME, HIGHEST_PORT, PortRange
from tdce.cli import main
from tests.support import plan_of

# From the vendor's tables (000_8bca743440dfe33c.txt; 001_ec271c3ff40761d0.txt 4.9 "direction of initiation").
INITIATED_BY = {
    "signal": "workers",
    "data": "workers",
    "management": "users",
    "web": "users",
    "ssh": "admins",
    "worker-ssh": "server",
    "worker-rdp": "server",
    "interconnect": "workers",
    "license": "server",
    "cloud-api": "server",
    "external-data": "workers",
    "storage": "workers",
    "database": "server",
    "secrets-endpoint": "server",
    # The rotation function calls the RDS API to find the cluster (aws-samples' rotation code).
    "rds-endpoint": "secret-rotation",
}
# Ingress lands on the deployment's own machines and services; the rest leaves the cluster (DESIGN.md matrix).
DIRECTION = {
    name: "ingress" for name in ("signal", "data", "management", "web", "ssh", "worker-ssh", "worker-rdp", "interconnect")
}
DIRECTION |= {"database": "ingress", "secrets-endpoint": "ingress", "rds-endpoint": "ingress"}
DIRECTION |= {name: "egress" for name in ("license", "cloud-api", "external-data", "storage")}
# aws-prod's config/Pulumi.aws-prod.yaml: ssh, worker access and interconnect off, no database, license on.
AWS_PROD_ENABLED = {
    name: True for name in ("signal", "data", "management", "web", "license", "cloud-api", "external-data", "storage")
}
AWS_PROD_ENABLED |= {
    name: False for name in ("ssh", "worker-ssh", "worker-rdp", "interconnect", "database", "secrets-endpoint", "rds-endpoint")
}


@pytest.mark.parametrize("first, last", [(0, 0), (0, 10), (5, 4), (1, HIGHEST_PORT + 1), (-1, 22)])
def test_port_zero_inverted_and_out_of_range_spans_are_refused(first, last):
    with pytest.raises(ValueError, match="bad port range"):
        PortRange(first, last)


@pytest.mark.parametrize("first, last", [(1, 1), (22, 22), (1024, HIGHEST_PORT), (HIGHEST_PORT, HIGHEST_PORT)])
def test_the_edges_of_the_port_space_are_accepted(first, last):
    assert (PortRange(first, last).first, PortRange(first, last).last) == (first, last)


def test_each_channel_is_initiated_by_the_vendors_side():
    assert {name: channel.initiated_by.value for name, channel in CHANNELS_BY_NAME.items()} == INITIATED_BY


def test_plan_json_carries_each_channels_direction_state_and_initiator(tmp_path, monkeypatch):
    monkeypatch.setattr("tdce.planner.plan_stack", lambda stack, config_dir: plan_of(stack))
    out = tmp_path / "plan.json"
    assert main(["plan", "aws-prod", "--no-policy", "--json", str(out)]) == 0
    channels = {c["name"]: c for c in json.loads(out.read_text())["channels"]}
    assert {name: c["direction"] for name, c in channels.items()} == DIRECTION
    assert {name: c["enabled"] for name, c in channels.items()} == AWS_PROD_ENABLED
    assert {name: c["initiatedBy"] for name, c in channels.items()} == INITIATED_BY

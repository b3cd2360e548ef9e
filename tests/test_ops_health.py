"""`tdce health`: the server's status checks, TCP to its web and management ports, and worker groups at their desired size.

Ports are tried against listeners on 127.0.0.1 only: one open (a server socket on an ephemeral
port), one closed (an ephemeral port taken and released).
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tdce.ops.clients import AwsClients
from tdce.ops.health import run_health, server_ports
from tdce.ops.report import EXIT_FAILED, EXIT_OK, Status, exit_code
from tests.ops_support import LOOPBACK, alter_answer, check_named, deploy, prod_settings

# The moto `aws` fixture (fake credentials, loopback-only sockets) and `open_port`.
pytest_plugins = ["tests.ops_support"]

STACK = "aws-prod"
# aws-prod's pools; health compares each one's group with its desired count.
POOLS = {"linux-ondemand": 2, "linux-spot": 1}


@pytest.fixture
def closed_port() -> int:
    with socket.create_server((LOOPBACK, 0)) as listener:
        return listener.getsockname()[1]


def _health(clients: AwsClients, ports: dict[str, int], **changes: Any) -> list:
    return run_health(STACK, prod_settings(changes or None), clients, host=LOOPBACK, ports=ports, timeout=1.0)


def test_healthy_stack_passes_every_check(aws: AwsClients, open_port: int) -> None:
    deploy(aws, STACK, pools=POOLS)
    checks = _health(aws, {"web": open_port, "management": open_port})
    assert [c for c in checks if c.status is not Status.PASS] == []
    assert exit_code(checks) == EXIT_OK
    assert "running; instance status ok, system status ok" in check_named(checks, "server").detail
    assert "2 of 2 desired in service" in check_named(checks, "pool linux-ondemand").detail


def test_closed_management_port_fails_while_the_open_web_port_passes(aws: AwsClients, open_port: int, closed_port: int) -> None:
    deploy(aws, STACK, pools=POOLS)
    checks = _health(aws, {"web": open_port, "management": closed_port})
    assert check_named(checks, f"web port {open_port}").status is Status.PASS
    closed = check_named(checks, f"management port {closed_port}")
    assert closed.status is Status.FAIL and f"{LOOPBACK}:{closed_port}" in closed.detail
    assert exit_code(checks) == EXIT_FAILED


def test_ports_come_from_the_channel_matrix_and_the_management_port_setting() -> None:
    # The vendor's ports: Web Access 443 (Required4) and the Management Channel 25001 (Required3),
    # 000_8bca743440dfe33c.txt; "TCP/25001 or TCP/25002", 001_ec271c3ff40761d0.txt 4.9 (docs/channels.md).
    assert server_ports(prod_settings()) == {"web": 443, "management": 25001}
    assert server_ports(prod_settings({"access.managementPort": 25002})) == {"web": 443, "management": 25002}


def test_stopped_server_fails(aws: AwsClients, open_port: int) -> None:
    deployed = deploy(aws, STACK, pools=POOLS)
    aws("ec2").stop_instances(InstanceIds=[deployed.server])
    check = check_named(_health(aws, {"web": open_port}), "server")
    assert check.status is Status.FAIL and "is stopped" in check.detail


def test_server_with_impaired_status_checks_fails(aws: AwsClients, open_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    deploy(aws, STACK, pools=POOLS)
    # moto reports every running instance's checks as ok; only that status in its answer is changed here.
    alter_answer(
        monkeypatch,
        aws("ec2"),
        "describe_instance_status",
        lambda a: a["InstanceStatuses"][0]["InstanceStatus"].update(Status="impaired"),
    )
    check = check_named(_health(aws, {"web": open_port}), "server")
    assert check.status is Status.FAIL and "instance status impaired" in check.detail


def test_missing_server_fails_and_names_the_tags(aws: AwsClients, open_port: int) -> None:
    check = check_named(_health(aws, {"web": open_port}), "server")
    assert check.status is Status.FAIL and "tdce:stack=aws-prod, tdce:role=server" in check.detail


def test_without_a_host_or_a_server_there_is_no_address_to_try(aws: AwsClients) -> None:
    checks = run_health(STACK, prod_settings(), aws, timeout=1.0)
    assert "no public IP" in check_named(checks, "web port 443").detail


def test_worker_group_short_of_its_desired_count_fails(aws: AwsClients, open_port: int) -> None:
    deployed = deploy(aws, STACK, pools=POOLS)
    scaling = aws("autoscaling")
    groups = scaling.describe_auto_scaling_groups(AutoScalingGroupNames=[deployed.groups["linux-ondemand"]])["AutoScalingGroups"]
    scaling.set_instance_health(InstanceId=groups[0]["Instances"][0]["InstanceId"], HealthStatus="Unhealthy")
    check = check_named(_health(aws, {"web": open_port}), "pool linux-ondemand")
    assert check.status is Status.FAIL and "1 of 2 desired in service" in check.detail


def test_pool_without_its_worker_group_fails(aws: AwsClients, open_port: int) -> None:
    deploy(aws, STACK, pools={"linux-ondemand": 2})
    check = check_named(_health(aws, {"web": open_port}), "pool linux-spot")
    assert check.status is Status.FAIL
    assert "tdce:pool=linux-spot" in check.detail and "found none" in check.detail

"""`tdce health`: the vendor's daily checks (001_ec271c3ff40761d0.txt 4.14) against a live stack.

The server's instance and status checks, TCP to the dashboard (web) and SDK (management) ports
on its public address, and whether every worker group runs the number of workers it wants.
"""

from __future__ import annotations

import socket
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from config.channels import MANAGEMENT, WEB
from config.settings import Settings
from config.tags import POOL_TAG, WORKER_POOL
from tdce.ops.clients import AwsClients
from tdce.ops.discovery import DiscoveryError, describe_tags, find_server, find_worker_groups, stack_tags, tags_of
from tdce.ops.limits import DEFAULT_PORT_TIMEOUT_SECONDS
from tdce.ops.report import Check, failed, passed, skipped


def server_ports(settings: Settings) -> dict[str, int]:
    """The ports users reach the server on, by channel name."""
    return {WEB.name: WEB.ports[0].first, MANAGEMENT.name: settings.access.management_port}


def run_health(
    stack: str,
    settings: Settings,
    clients: AwsClients,
    host: str | None = None,
    ports: Mapping[str, int] | None = None,
    timeout: float = DEFAULT_PORT_TIMEOUT_SECONDS,
) -> list[Check]:
    """`host` and `ports` replace the server's public IP and the matrix ports (a VPN address, or a test listener)."""
    checks: list[Check] = []
    server: dict[str, Any] | None = None
    try:
        server = find_server(clients, stack)
        checks.append(_server_status(server, clients))
    except DiscoveryError as error:
        checks.append(failed("server", str(error)))
    address = host or (server or {}).get("PublicIpAddress")
    for channel, port in (ports or server_ports(settings)).items():
        checks.append(tcp_check(f"{channel} port {port}", address, port, timeout))
    checks += _worker_groups(stack, settings, clients)
    return checks


def tcp_check(name: str, host: str | None, port: int, timeout: float) -> Check:
    if host is None:
        return failed(name, "the server has no public IP address to try")
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except TimeoutError:
        return failed(name, f"{host}:{port} did not answer within {timeout:g} s (is this machine inside tdce:access.userCidrs?)")
    except OSError as error:
        return failed(name, f"{host}:{port}: {error.strerror or error}")
    return passed(name, f"{host}:{port} accepted a connection in {(time.monotonic() - started) * 1000:.0f} ms")


def _server_status(server: dict[str, Any], clients: AwsClients) -> Check:
    instance_id = server["InstanceId"]
    statuses = clients("ec2").describe_instance_status(InstanceIds=[instance_id], IncludeAllInstances=True)["InstanceStatuses"]
    state = statuses[0]["InstanceState"]["Name"] if statuses else server["State"]["Name"]
    if state != "running":
        return failed("server", f"{instance_id} is {state}")
    instance = statuses[0]["InstanceStatus"]["Status"]
    system = statuses[0]["SystemStatus"]["Status"]
    detail = f"{instance_id} running; instance status {instance}, system status {system}"
    if instance == "ok" and system == "ok":
        return passed("server", detail)
    return failed("server", f"{detail} (just after a start they are 'initializing' for a few minutes)")


def _worker_groups(stack: str, settings: Settings, clients: AwsClients) -> list[Check]:
    by_pool: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for group in find_worker_groups(clients, stack):
        by_pool[tags_of(group).get(POOL_TAG, "?")].append(group)
    checks: list[Check] = []
    for pool in settings.workers:
        name, found = f"pool {pool.name}", by_pool.pop(pool.name, [])
        if len(found) == 1:
            checks.append(_group_counts(name, found[0]))
        else:
            tags = describe_tags(stack_tags(stack, WORKER_POOL, pool=pool.name))
            names = ", ".join(group["AutoScalingGroupName"] for group in found) or "none"
            checks.append(failed(name, f"expected one auto scaling group tagged {tags}, found {names}"))
    for pool_name, groups in by_pool.items():
        checks += [_group_counts(f"pool {pool_name} (not in tdce:workers)", group) for group in groups]
    return checks or [skipped("tdce:workers", "the stack has no worker pools")]


def _group_counts(name: str, group: dict[str, Any]) -> Check:
    desired = int(group["DesiredCapacity"])
    serving = sum(1 for i in group["Instances"] if i["LifecycleState"] == "InService" and i["HealthStatus"] == "Healthy")
    detail = f"{group['AutoScalingGroupName']}: {serving} of {desired} desired in service"
    return passed(name, detail) if serving == desired else failed(name, f"{detail} (instances may still be starting)")

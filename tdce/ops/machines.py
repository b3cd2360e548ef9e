"""The machines a stack runs (the server and every worker pool at its maximum) and what EC2 says about their types."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from config.errors import config_key
from config.loader import NAMESPACE
from config.settings import Settings
from tdce.ops.clients import AwsClients, error_code


@dataclass(frozen=True)
class Machine:
    label: str  # "server" or "pool linux-spot"
    path: tuple[str | int, ...]  # where its settings live: ("server",) or ("workers", 1)
    instance_type: str
    image: str | None
    count: int
    purchase: str

    def key(self, field: str) -> str:
        """The full setting key, e.g. `tdce:workers[1].instanceType`, for messages."""
        return config_key(NAMESPACE, (*self.path, field))


def machines(settings: Settings) -> list[Machine]:
    server = settings.server
    found = [Machine("server", ("server",), server.instance_type, server.image, 1, "on-demand")]
    for index, pool in enumerate(settings.workers):
        found.append(
            Machine(f"pool {pool.name}", ("workers", index), pool.instance_type, pool.image, pool.max_count, pool.purchase)
        )
    return found


def instance_types(clients: AwsClients, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """EC2's description of each type the region offers; types it does not offer are left out."""
    found: dict[str, dict[str, Any]] = {}
    # One call per type: a single unknown type fails a batched call for all of them.
    for name in sorted(set(names)):
        try:
            response = clients("ec2").describe_instance_types(InstanceTypes=[name])
        except ClientError as error:
            if error_code(error) == "InvalidInstanceType":
                continue
            raise
        found.update((info["InstanceType"], info) for info in response["InstanceTypes"])
    return found


def vcpus(info: dict[str, Any]) -> int:
    return int(info["VCpuInfo"]["DefaultVCpus"])


def architectures(info: dict[str, Any]) -> list[str]:
    return list(info["ProcessorInfo"]["SupportedArchitectures"])

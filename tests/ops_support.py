"""Shared moto fixtures and a fake deployed stack for the `tdce preflight`, `backup` and `health` tests (no tests here).

Everything runs inside moto's `mock_aws` with fake credentials, and sockets may only reach
127.0.0.1, so no test can touch a real AWS account or any other host.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import pytest

# moto reads its image catalogue when first imported, and builds it again in every EC2 backend it
# creates or resets (twice a test): its 74 stock images for a region cost a third of a second each
# time. The tests need two, Amazon Linux 2023 for x86_64 and for arm64, copied from moto's own
# eu-west-1 list into moto_images.json.
os.environ["MOTO_AMIS_PATH"] = str(Path(__file__).with_name("moto_images.json"))
from moto import mock_aws  # noqa: E402

from config.settings import Settings
from tdce.ops.clients import AwsClients
from tdce.ops.report import Check
from tests.support import settings_of, stack_values, with_setting

REGION = "eu-west-1"
ZONE = f"{REGION}a"
LOOPBACK = "127.0.0.1"
FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    # No instance-metadata credential lookups (they would dial 169.254.169.254).
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsClients]:
    """Clients for REGION against moto, with fake credentials and a socket guard."""
    for name in ("AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    real_connect = socket.create_connection

    def loopback_only(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        assert address[0] == LOOPBACK, f"a test tried to reach {address[0]}"
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", loopback_only)
    with mock_aws():
        yield _shared_clients()


@cache
def _shared_clients() -> AwsClients:
    # A new session reads botocore's service models again (EC2's alone is megabytes), and each new
    # client builds its class of a few hundred methods: one set for the whole run. moto answers at
    # botocore's send hook while a mock is active, whenever the client was made; each test's
    # `mock_aws` still starts from an empty account.
    return AwsClients(REGION, session=boto3.Session(region_name=REGION))


def tags(stack: str, role: str, pool: str | None = None) -> list[dict[str, str]]:
    """The tags the AWS components put on a resource of this role, as docs/operations.md's discovery table
    writes them: `tdce:stack=<stack>`, `tdce:role=<role>`, and on worker groups `tdce:pool=<pool name>`."""
    found = {"tdce:stack": stack, "tdce:role": role} | ({"tdce:pool": pool} if pool is not None else {})
    return [{"Key": key, "Value": value} for key, value in found.items()]


# moto does not check the image an instance or a group launches from, so the fake stack uses this one.
UNCHECKED_IMAGE = "ami-0000000000000000a"
# moto's stock image IDs come from data bundled with it, the same in every mock; look each up once.
_STOCK_IMAGES: dict[str, str] = {}


def image_id(clients: AwsClients, architecture: str = "x86_64") -> str:
    """One of the stock Amazon Linux 2023 images moto is given (moto_images.json), by architecture."""
    if architecture not in _STOCK_IMAGES:
        filters = [{"Name": "architecture", "Values": [architecture]}, {"Name": "name", "Values": ["al2023-ami-2023*"]}]
        images = clients("ec2").describe_images(Owners=["amazon"], Filters=filters)
        _STOCK_IMAGES[architecture] = images["Images"][0]["ImageId"]
    return _STOCK_IMAGES[architecture]


@dataclass
class FakeStack:
    """IDs of what `deploy` made, by role."""

    server: str | None = None
    volume: str | None = None
    cluster: str | None = None
    groups: dict[str, str] = field(default_factory=dict)


def run_server(clients: AwsClients, stack: str) -> str:
    reservation = clients("ec2").run_instances(
        ImageId=UNCHECKED_IMAGE,
        MinCount=1,
        MaxCount=1,
        InstanceType="m5.xlarge",
        Placement={"AvailabilityZone": ZONE},
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags(stack, "server")}],
    )
    return reservation["Instances"][0]["InstanceId"]


def create_volume(clients: AwsClients, stack: str, size_gb: int = 100) -> str:
    volume = clients("ec2").create_volume(
        Size=size_gb, AvailabilityZone=ZONE, TagSpecifications=[{"ResourceType": "volume", "Tags": tags(stack, "data-disk")}]
    )
    return volume["VolumeId"]


def create_cluster(
    clients: AwsClients,
    stack: str,
    identifier: str = "tdce-db",
    engine: str = "aurora-postgresql",
    version: str = "16.4",
    encrypted: bool = True,
) -> str:
    clients("rds").create_db_cluster(
        DBClusterIdentifier=identifier,
        Engine=engine,
        EngineVersion=version,
        StorageEncrypted=encrypted,
        MasterUsername="tdce",
        MasterUserPassword="NotARealPassword1",
        Tags=tags(stack, "database"),
    )
    return identifier


def create_worker_group(clients: AwsClients, stack: str, pool: str, desired: int) -> str:
    name = f"{stack}-{pool}"
    scaling = clients("autoscaling")
    scaling.create_launch_configuration(LaunchConfigurationName=name, ImageId=UNCHECKED_IMAGE, InstanceType="c5.xlarge")
    scaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchConfigurationName=name,
        MinSize=0,
        MaxSize=max(desired, 1),
        DesiredCapacity=desired,
        AvailabilityZones=[ZONE],
        Tags=[{**tag, "PropagateAtLaunch": True} for tag in tags(stack, "worker-pool", pool=pool)],
    )
    return name


def deploy(clients: AwsClients, stack: str, *, aurora: bool = False, pools: dict[str, int] | None = None) -> FakeStack:
    """What the AWS components leave behind, tagged as config/tags.py says, with the volume attached."""
    made = FakeStack(server=run_server(clients, stack), volume=create_volume(clients, stack))
    clients("ec2").attach_volume(VolumeId=made.volume, InstanceId=made.server, Device="/dev/sdf")
    if aurora:
        made.cluster = create_cluster(clients, stack)
    for pool, desired in (pools or {}).items():
        made.groups[pool] = create_worker_group(clients, stack, pool, desired)
    return made


def prod_settings(changes: dict[str, Any] | None = None, secret: dict[str, str] | None = None) -> Settings:
    """aws-prod's settings with some keys changed (`{"server.keyPair": "ops"}`) and secrets set."""
    values, secret_keys = stack_values("aws-prod")
    for path, value in (changes or {}).items():
        values = with_setting(values, path, value)
    for key, value in (secret or {}).items():
        values[f"tdce:{key}"] = value
    return settings_of(values, secret_keys | {f"tdce:{key}" for key in secret or {}})


# Quotas with room for aws-prod: 168 on-demand vCPUs (server 8 + 10 × 16) and 1800 spot (50 × 36).
ROOMY_QUOTAS = {"L-1216C47A": 1000.0, "L-34B43A08": 2000.0, "L-0263D0A3": 5.0}


def stub_ec2_quotas(monkeypatch: pytest.MonkeyPatch, clients: AwsClients, values: dict[str, float]) -> None:
    """moto 5.2 answers GetServiceQuota for service code `vpc` only, so the EC2 quota values are stubbed here."""

    def get_service_quota(ServiceCode: str, QuotaCode: str) -> dict[str, Any]:
        assert ServiceCode == "ec2"
        return {"Quota": {"ServiceCode": ServiceCode, "QuotaCode": QuotaCode, "Value": values[QuotaCode]}}

    monkeypatch.setattr(clients("service-quotas"), "get_service_quota", get_service_quota)


def check_named(checks: list[Check], name: str) -> Check:
    found = [check for check in checks if check.name == name]
    assert len(found) == 1, f"expected one check named {name!r}, got {[c.name for c in checks]}"
    return found[0]


def alter_answer(monkeypatch: pytest.MonkeyPatch, client: Any, method: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Let moto answer as usual, then change one thing in its answer (a state moto never reports)."""
    real = getattr(client, method)

    def altered(**params: Any) -> dict[str, Any]:
        answer = real(**params)
        change(answer)
        return answer

    monkeypatch.setattr(client, method, altered)


@pytest.fixture
def open_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections while the test runs."""
    with socket.create_server((LOOPBACK, 0)) as listener:
        yield listener.getsockname()[1]

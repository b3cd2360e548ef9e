"""`tdce preflight`: vCPU quotas cover every pool at maxCount plus the server; an Elastic IP is left for the server.

aws-prod needs 168 on-demand vCPUs (server m5.2xlarge 8 + linux-ondemand 10 × c5.4xlarge 16)
and 1800 spot vCPUs (linux-spot 50 × c5.9xlarge 36).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tdce.ops.capacity_checks import capacity_checks
from tdce.ops.clients import AwsClients
from tdce.ops.machines import instance_types, machines
from tdce.ops.report import Check, Status
from tests.ops_support import ROOMY_QUOTAS, check_named, prod_settings, stub_ec2_quotas

# The moto `aws` fixture, with fake credentials and loopback-only sockets.
pytest_plugins = ["tests.ops_support"]

ON_DEMAND = "on-demand vCPU quota (L-1216C47A)"
SPOT = "spot vCPU quota (L-34B43A08)"
ELASTIC_IPS = "Elastic IP quota (L-0263D0A3)"


def _checks(clients: AwsClients, changes: dict[str, Any] | None = None) -> list[Check]:
    settings = prod_settings(changes)
    types = instance_types(clients, (machine.instance_type for machine in machines(settings)))
    return capacity_checks(settings, clients, types)


def test_on_demand_quota_too_small_fails_with_the_vcpus_needed(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, {**ROOMY_QUOTAS, "L-1216C47A": 167})
    check = check_named(_checks(aws), ON_DEMAND)
    assert check.status is Status.FAIL
    assert "needs 168 vCPUs" in check.detail and "quota 167" in check.detail


def test_quota_exactly_covering_the_stack_passes(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, {**ROOMY_QUOTAS, "L-1216C47A": 168, "L-34B43A08": 1800})
    checks = _checks(aws)
    assert check_named(checks, ON_DEMAND).status is Status.PASS
    assert check_named(checks, SPOT).status is Status.PASS


def test_spot_quota_too_small_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, {**ROOMY_QUOTAS, "L-34B43A08": 1799})
    check = check_named(_checks(aws), SPOT)
    assert check.status is Status.FAIL and "needs 1800 vCPUs" in check.detail


def test_stack_without_spot_pools_skips_the_spot_quota(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)
    assert check_named(_checks(aws, {"workers[1].purchase": "on-demand"}), SPOT).status is Status.SKIPPED


def test_pools_outside_the_standard_families_are_not_counted(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, {**ROOMY_QUOTAS, "L-1216C47A": 8})
    checks = _checks(aws, {"workers[0].instanceType": "g5.xlarge"})
    assert check_named(checks, "tdce:workers[0].instanceType").status is Status.SKIPPED
    # Only the server's 8 vCPUs are left in the Standard on-demand quota.
    assert check_named(checks, ON_DEMAND).status is Status.PASS


def test_elastic_ip_quota_full_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, {**ROOMY_QUOTAS, "L-0263D0A3": 2})
    for _ in range(2):
        aws("ec2").allocate_address(Domain="vpc")
    check = check_named(_checks(aws), ELASTIC_IPS)
    assert check.status is Status.FAIL and "2 of 2 allocated" in check.detail


def test_elastic_ip_quota_with_room_for_one_more_passes(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, {**ROOMY_QUOTAS, "L-0263D0A3": 3})
    for _ in range(2):
        aws("ec2").allocate_address(Domain="vpc")
    assert check_named(_checks(aws), ELASTIC_IPS).status is Status.PASS


def test_quota_without_an_applied_value_falls_back_to_the_default(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    quotas = aws("service-quotas")

    def no_applied_value(**params: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "NoSuchResourceException", "Message": "no applied value"}}, "GetServiceQuota")

    def default(ServiceCode: str, QuotaCode: str) -> dict[str, Any]:
        return {"Quota": {"QuotaCode": QuotaCode, "Value": {"L-1216C47A": 5.0}.get(QuotaCode, 5000.0)}}

    # moto implements neither call for service code ec2; both answers are stubbed.
    monkeypatch.setattr(quotas, "get_service_quota", no_applied_value)
    monkeypatch.setattr(quotas, "get_aws_default_service_quota", default)
    check = check_named(_checks(aws), ON_DEMAND)
    assert check.status is Status.FAIL and "quota 5" in check.detail

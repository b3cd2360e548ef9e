"""`tdce preflight`: credentials, region, Aurora Serverless v2, and how failures of one check leave the others running."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tdce.ops.clients import AwsClients
from tdce.ops.preflight import run_preflight
from tdce.ops.report import EXIT_FAILED, EXIT_OK, Status, exit_code
from tests.ops_support import REGION, ROOMY_QUOTAS, check_named, prod_settings, stub_ec2_quotas

# The moto `aws` fixture, with fake credentials and loopback-only sockets.
pytest_plugins = ["tests.ops_support"]


def test_aws_prod_passes_preflight_in_an_account_with_room(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)
    checks = run_preflight(prod_settings(), aws)
    assert [c for c in checks if c.status is Status.FAIL] == []
    assert exit_code(checks) == EXIT_OK
    assert "123456789012" in check_named(checks, "credentials").detail
    assert check_named(checks, "tdce:region").status is Status.PASS
    assert check_named(checks, "tdce:workers[1].instanceType").detail.startswith("c5.9xlarge: 36 vCPUs")
    # aws-prod restores nothing, names no key pair and no images: those checks say why they did not run.
    assert check_named(checks, "tdce:restore.dataDiskSnapshotId").status is Status.SKIPPED
    assert check_named(checks, "tdce:server.keyPair").status is Status.SKIPPED


def test_missing_credentials_fail_the_first_check_and_skip_the_rest(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    checks = run_preflight(prod_settings(), AwsClients(REGION))
    assert [c.status for c in checks] == [Status.FAIL, Status.SKIPPED]
    assert "credentials" in checks[0].detail.lower()
    assert exit_code(checks) == EXIT_FAILED


def test_a_region_the_account_does_not_know_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    # The settings accept only real regions (config/cloud_locations.json); a GovCloud region is one a
    # commercial account's DescribeRegions does not list.
    clients = AwsClients("us-gov-west-1")
    listed = aws("ec2").describe_regions(AllRegions=True)
    commercial = {"Regions": [r for r in listed["Regions"] if not r["RegionName"].startswith("us-gov-")]}
    monkeypatch.setattr(clients("ec2"), "describe_regions", lambda **_: commercial)
    checks = run_preflight(prod_settings({"region": "us-gov-west-1", "zones": []}), clients)
    region = check_named(checks, "tdce:region")
    assert region.status is Status.FAIL and "us-gov-west-1" in region.detail
    assert checks[-1].status is Status.SKIPPED


def test_an_opt_in_region_not_enabled_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = aws("ec2").describe_regions(AllRegions=True)
    # moto reports every region as enabled; mark this one as an opt-in region the account has not enabled.
    for region in listed["Regions"]:
        if region["RegionName"] == REGION:
            region["OptInStatus"] = "not-opted-in"
    monkeypatch.setattr(aws("ec2"), "describe_regions", lambda **_: listed)
    region = check_named(run_preflight(prod_settings(), aws), "tdce:region")
    assert region.status is Status.FAIL and "opt-in" in region.detail


def _aurora() -> dict[str, Any]:
    return {"database.engine": "aurora"}


def test_aurora_serverless_v2_orderable_passes(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)
    asked: dict[str, Any] = {}

    def orderable(**params: Any) -> dict[str, Any]:
        asked.update(params)
        return {"OrderableDBInstanceOptions": [{"Engine": "aurora-postgresql", "DBInstanceClass": "db.serverless"}]}

    # moto's aurora-postgresql options list no db.serverless class at all, so the orderable answer is stubbed;
    # it has no DescribeDBEngineVersions either, so the versions offered are a literal list.
    monkeypatch.setattr(aws("rds"), "describe_orderable_db_instance_options", orderable)
    offered = [{"EngineVersion": v} for v in ("15.8", "16.1", "16.4", "16.10", "17.2")]

    class Versions:
        def paginate(self, **params: Any):
            assert params == {"Engine": "aurora-postgresql"}
            return [{"DBEngineVersions": offered}]

    monkeypatch.setattr(aws("rds"), "get_paginator", lambda name: Versions())
    check = check_named(run_preflight(prod_settings(_aurora()), aws), "tdce:database.engine")
    assert check.status is Status.PASS
    assert asked["Engine"] == "aurora-postgresql" and asked["DBInstanceClass"] == "db.serverless"
    # The default engineVersion is the major "16"; its newest minor, by number (16.10 after 16.4).
    assert asked["EngineVersion"] == "16.10"


def test_aurora_not_orderable_as_serverless_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)
    # moto's real answer: options for aurora-postgresql 15.2, none of them the db.serverless class.
    settings = prod_settings({**_aurora(), "database.aurora": {"engineVersion": "15.2"}})
    check = check_named(run_preflight(settings, aws), "tdce:database.engine")
    assert check.status is Status.FAIL
    assert "not orderable" in check.detail and "15.2" in check.detail


def test_local_database_skips_the_aurora_check(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)
    assert check_named(run_preflight(prod_settings(), aws), "tdce:database.engine").status is Status.SKIPPED


def test_a_refused_call_fails_its_group_and_the_other_checks_still_run(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)

    def denied(**_: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "UnauthorizedOperation", "Message": "not allowed"}}, "DescribeKeyPairs")

    monkeypatch.setattr(aws("ec2"), "describe_key_pairs", denied)
    checks = run_preflight(prod_settings({"server.keyPair": "ops"}), aws)
    refused = check_named(checks, "settings references")
    assert refused.status is Status.FAIL and "UnauthorizedOperation" in refused.detail
    assert check_named(checks, "on-demand vCPU quota (L-1216C47A)").status is Status.PASS

"""`tdce preflight`: the snapshots a restore names exist, are finished, and fit the disk and engine."""

from __future__ import annotations

import pytest

from tdce.ops.clients import AwsClients
from tdce.ops.preflight import run_preflight
from tdce.ops.report import Check, Status
from tdce.ops.restore_checks import restore_checks
from tests.ops_support import (
    ROOMY_QUOTAS,
    ZONE,
    alter_answer,
    check_named,
    create_cluster,
    prod_settings,
    stub_ec2_quotas,
)

# The moto `aws` fixture, with fake credentials and loopback-only sockets.
pytest_plugins = ["tests.ops_support"]

DISK_KEY = "tdce:restore.dataDiskSnapshotId"
DATABASE_KEY = "tdce:restore.databaseSnapshotIdentifier"
# aws-prod's data disk is 2048 GB.
PROD_DISK_GB = 2048


def _disk_snapshot(clients: AwsClients, size_gb: int) -> str:
    volume = clients("ec2").create_volume(Size=size_gb, AvailabilityZone=ZONE)
    return clients("ec2").create_snapshot(VolumeId=volume["VolumeId"])["SnapshotId"]


def _disk_check(clients: AwsClients, snapshot_id: str) -> Check:
    checks = restore_checks(prod_settings({"restore.dataDiskSnapshotId": snapshot_id}), clients)
    return next(check for check in checks if check.name == DISK_KEY)


def test_completed_snapshot_that_fits_the_data_disk_passes(aws: AwsClients) -> None:
    snapshot_id = _disk_snapshot(aws, PROD_DISK_GB)
    check = _disk_check(aws, snapshot_id)
    assert check.status is Status.PASS and snapshot_id in check.detail


def test_missing_disk_snapshot_fails(aws: AwsClients) -> None:
    check = _disk_check(aws, "snap-0123456789abcdef0")
    assert check.status is Status.FAIL and "not found" in check.detail


def test_disk_snapshot_larger_than_the_data_disk_fails(aws: AwsClients) -> None:
    check = _disk_check(aws, _disk_snapshot(aws, PROD_DISK_GB + 1))
    assert check.status is Status.FAIL
    assert f"{PROD_DISK_GB + 1} GiB" in check.detail and "tdce:server.dataDisk.sizeGb" in check.detail


def test_disk_snapshot_still_pending_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot_id = _disk_snapshot(aws, 100)
    # moto completes snapshots at once; only the state in its answer is changed here.
    alter_answer(
        monkeypatch, aws("ec2"), "describe_snapshots", lambda a: a["Snapshots"][0].update(State="pending", Progress="40%")
    )
    check = _disk_check(aws, snapshot_id)
    assert check.status is Status.FAIL and "pending (40%)" in check.detail


def test_no_disk_snapshot_set_skips_the_check(aws: AwsClients) -> None:
    checks = restore_checks(prod_settings(), aws)
    assert next(c for c in checks if c.name == DISK_KEY).status is Status.SKIPPED


def _database_check(clients: AwsClients, identifier: str) -> Check:
    changes = {"database.engine": "aurora", "restore.databaseSnapshotIdentifier": identifier}
    settings = prod_settings(changes, secret={"databaseUserPassword": "OldDeploymentPassword1"})
    return next(check for check in restore_checks(settings, clients) if check.name == DATABASE_KEY)


def _cluster_snapshot(
    clients: AwsClients, engine: str = "aurora-postgresql", version: str = "16.4", encrypted: bool = True
) -> str:
    cluster = create_cluster(clients, "old-stack", engine=engine, version=version, encrypted=encrypted)
    identifier = "tdce-old-stack-20261101-030000"
    clients("rds").create_db_cluster_snapshot(DBClusterSnapshotIdentifier=identifier, DBClusterIdentifier=cluster)
    return identifier


def test_available_aurora_postgresql_cluster_snapshot_passes(aws: AwsClients) -> None:
    check = _database_check(aws, _cluster_snapshot(aws))
    assert check.status is Status.PASS and "aurora-postgresql" in check.detail


@pytest.mark.parametrize(
    "version",
    ["12.7", "13.4", "11.9", "10.14"],
    ids=["a major Serverless v2 never ran", "13 before 13.6", "Serverless v1's 11", "Serverless v1's 10"],
)
def test_a_snapshot_of_a_version_serverless_v2_does_not_run_fails_whatever_engine_version_says(aws: AwsClients, version) -> None:
    # "Supported Regions and Aurora DB engines for Aurora Serverless v2": 13.6, 14.3, 15.2, 16.1, 17.4 and later.
    check = _database_check(aws, _cluster_snapshot(aws, version=version))
    assert check.status is Status.FAIL
    assert f"aurora-postgresql {version}, which Aurora Serverless v2 does not run" in check.detail


@pytest.mark.parametrize(("version", "status"), [("13.6", Status.PASS), ("14.3", Status.PASS), ("17.4", Status.PASS)])
def test_the_first_minor_serverless_v2_runs_passes(aws: AwsClients, version, status) -> None:
    assert _database_check(aws, _cluster_snapshot(aws, version=version)).status is status


@pytest.mark.parametrize(("version", "status"), [("16.2", Status.FAIL), ("16.3", Status.PASS), ("13.14", Status.FAIL)])
def test_a_snapshot_that_cannot_pause_fails_when_min_capacity_is_zero(aws: AwsClients, version, status) -> None:
    # Scaling to 0 ACUs: Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 and higher.
    changes = {"database.engine": "aurora", "database.aurora.minCapacity": 0, "restore.databaseSnapshotIdentifier": ""}
    changes["restore.databaseSnapshotIdentifier"] = _cluster_snapshot(aws, version=version)
    settings = prod_settings(changes, secret={"databaseUserPassword": "OldDeploymentPassword1"})
    check = next(check for check in restore_checks(settings, aws) if check.name == DATABASE_KEY)
    assert check.status is status, check.detail
    if status is Status.FAIL:
        assert "cannot pause" in check.detail and "minCapacity is 0" in check.detail


def test_an_unencrypted_cluster_snapshot_fails_before_it_becomes_a_cluster_the_next_up_replaces(aws: AwsClients) -> None:
    check = _database_check(aws, _cluster_snapshot(aws, encrypted=False))
    assert check.status is Status.FAIL and "is unencrypted" in check.detail and "--kms-key-id" in check.detail


def test_missing_cluster_snapshot_fails(aws: AwsClients) -> None:
    check = _database_check(aws, "tdce-never-taken")
    assert check.status is Status.FAIL and "tdce-never-taken not found" in check.detail


def test_cluster_snapshot_of_another_engine_fails(aws: AwsClients) -> None:
    check = _database_check(aws, _cluster_snapshot(aws, engine="aurora-mysql"))
    assert check.status is Status.FAIL and "aurora-mysql" in check.detail


def test_cluster_snapshot_still_creating_fails(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> None:
    identifier = _cluster_snapshot(aws)
    # moto makes cluster snapshots available at once; only the status in its answer is changed here.
    alter_answer(
        monkeypatch, aws("rds"), "describe_db_cluster_snapshots", lambda a: a["DBClusterSnapshots"][0].update(Status="creating")
    )
    check = _database_check(aws, identifier)
    assert check.status is Status.FAIL and "creating" in check.detail


def _restoring_preflight(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, identifier: str, orderable: bool
) -> tuple[Check, dict]:
    """The Aurora orderability check of a stack restoring `identifier`, and what it asked RDS."""
    stub_ec2_quotas(monkeypatch, clients, ROOMY_QUOTAS)
    asked: dict = {}

    def options(**params):
        asked.update(params)
        # moto lists no db.serverless class at all: the answer is stubbed, orderable or not.
        return {"OrderableDBInstanceOptions": [{"DBInstanceClass": "db.serverless"}] if orderable else []}

    monkeypatch.setattr(clients("rds"), "describe_orderable_db_instance_options", options)
    changes = {"database.engine": "aurora", "restore.databaseSnapshotIdentifier": identifier}
    settings = prod_settings(changes, secret={"databaseUserPassword": "OldDeploymentPassword1"})
    return check_named(run_preflight(settings, clients), "tdce:database.engine"), asked


def test_a_restore_is_checked_orderable_at_its_snapshot_s_version_not_engine_version(aws: AwsClients, monkeypatch) -> None:
    # aws-prod's engineVersion is the default major 16; the snapshot is 15.8, the version the cluster gets.
    check, asked = _restoring_preflight(aws, monkeypatch, _cluster_snapshot(aws, version="15.8"), orderable=True)
    assert check.status is Status.PASS and "15.8" in check.detail
    assert asked["EngineVersion"] == "15.8"


def test_a_restore_whose_snapshot_version_is_not_orderable_names_the_restore_key(aws: AwsClients, monkeypatch) -> None:
    check, _ = _restoring_preflight(aws, monkeypatch, _cluster_snapshot(aws, version="15.8"), orderable=False)
    assert check.status is Status.FAIL and "15.8" in check.detail and DATABASE_KEY in check.detail


def test_a_restore_of_a_missing_snapshot_leaves_orderability_to_the_restore_check(aws: AwsClients, monkeypatch) -> None:
    check, asked = _restoring_preflight(aws, monkeypatch, "tdce-never-taken", orderable=True)
    assert check.status is Status.SKIPPED and DATABASE_KEY in check.detail
    assert asked == {}

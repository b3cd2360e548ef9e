"""Preflight: the snapshots a restore names exist, are finished, and fit (vendor 001_ec271c3ff40761d0.txt 4.8)."""

from __future__ import annotations

import re

from config.database import PAUSING_FIRST_MINOR, SERVERLESS_V2_FIRST_MINOR, pauses, serverless_v2_runs
from config.settings import Settings
from tdce.ops.clients import AwsClients, listed
from tdce.ops.report import Check, failed, passed, skipped

DISK_KEY = "tdce:restore.dataDiskSnapshotId"
DATABASE_KEY = "tdce:restore.databaseSnapshotIdentifier"
SIZE_KEY = "tdce:server.dataDisk.sizeGb"
AURORA_ENGINE = "aurora-postgresql"


def restore_checks(settings: Settings, clients: AwsClients) -> list[Check]:
    return [_data_disk_snapshot(settings, clients), _database_snapshot(settings, clients)]


def _data_disk_snapshot(settings: Settings, clients: AwsClients) -> Check:
    snapshot_id = settings.restore.data_disk_snapshot_id
    if snapshot_id is None:
        return skipped(DISK_KEY, "not set: the data disk starts empty")
    found = listed(clients("ec2").describe_snapshots, "Snapshots", "InvalidSnapshot.NotFound", SnapshotIds=[snapshot_id])
    if not found:
        return failed(DISK_KEY, f"{snapshot_id} not found in {clients.region} (snapshots are regional: copy it here first)")
    snapshot = found[0]
    state, size, limit = snapshot["State"], int(snapshot["VolumeSize"]), settings.server.data_disk.size_gb
    if state != "completed":
        progress = snapshot.get("Progress", "?")
        return failed(DISK_KEY, f"{snapshot_id} is {state} ({progress}), not completed: wait for it, then run again")
    if size > limit:
        why = "a volume cannot be smaller than its snapshot"
        return failed(DISK_KEY, f"{snapshot_id} is {size} GiB, larger than {SIZE_KEY} ({limit}): {why}")
    return passed(DISK_KEY, f"{snapshot_id}: completed, {size} GiB ≤ {SIZE_KEY} ({limit})")


def database_snapshot(identifier: str, clients: AwsClients) -> dict | None:
    """The Aurora cluster snapshot a restore names, or None when this account and region have none."""
    # Snapshots shared from another account are named by ARN and listed only on request.
    shared = {"IncludeShared": True} if identifier.startswith("arn:") else {}
    found = listed(
        clients("rds").describe_db_cluster_snapshots,
        "DBClusterSnapshots",
        "DBClusterSnapshotNotFoundFault",
        DBClusterSnapshotIdentifier=identifier,
        **shared,
    )
    return found[0] if found else None


def _database_snapshot(settings: Settings, clients: AwsClients) -> Check:
    identifier = settings.restore.database_snapshot_identifier
    if identifier is None:
        why = "not set: the cluster starts empty" if settings.database.engine == "aurora" else "database.engine is not aurora"
        return skipped(DATABASE_KEY, why)
    snapshot = database_snapshot(identifier, clients)
    if snapshot is None:
        return failed(DATABASE_KEY, f"{identifier} not found in {clients.region} (snapshots are regional: copy it here first)")
    status, engine = snapshot["Status"], snapshot["Engine"]
    if status != "available":
        return failed(DATABASE_KEY, f"{identifier} is {status}, not available: wait for it, then run again")
    if engine != AURORA_ENGINE:
        return failed(DATABASE_KEY, f"{identifier} is a {engine} snapshot; the cluster is {AURORA_ENGINE}")
    if not snapshot.get("StorageEncrypted", False):
        # RestoreDBClusterFromSnapshot: "If the DB cluster snapshot ... isn't encrypted, then the restored
        # DB cluster isn't encrypted" unless a KmsKeyId is given, which the stack does not give; the
        # cluster asks for storage encryption, which forces a replacement (terraform-provider-aws,
        # rds cluster `storage_encrypted`, ForceNew) at the next `pulumi up`.
        return failed(
            DATABASE_KEY,
            f"{identifier} is unencrypted: a cluster restored from it would be too, and the next pulumi up would replace "
            "it to encrypt it. Restore it once with a KMS key (aws rds restore-db-cluster-from-snapshot --kms-key-id …), "
            "snapshot that cluster, and restore from the new snapshot",
        )
    # A restored cluster runs its snapshot's version; tdce:database.aurora.engineVersion is not sent.
    version = snapshot.get("EngineVersion", "")
    parsed = re.match(r"([0-9]+)\.([0-9]+)", version)
    major, minor = (int(parsed[1]), int(parsed[2])) if parsed else (0, 0)
    if not serverless_v2_runs(major, minor):
        firsts = ", ".join(f"{m}.{n}" for m, n in SERVERLESS_V2_FIRST_MINOR.items())
        return failed(
            DATABASE_KEY,
            f"{identifier} is {AURORA_ENGINE} {version or '(no version given)'}, which Aurora Serverless v2 does not run "
            f"({firsts} and later): a restored cluster keeps its snapshot's version, so upgrade a cluster restored "
            "from it outside this stack, then snapshot that",
        )
    if settings.database.aurora.min_capacity == 0 and not pauses(major, minor):
        return failed(
            DATABASE_KEY,
            f"{identifier} is {AURORA_ENGINE} {version}, which cannot pause ({major}.{PAUSING_FIRST_MINOR[major]} and later "
            "scale to 0 ACUs), and tdce:database.aurora.minCapacity is 0: raise it, or restore a later version",
        )
    return passed(DATABASE_KEY, f"{identifier}: available, {engine} {version}, which Aurora Serverless v2 runs")

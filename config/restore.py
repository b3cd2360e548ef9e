"""Rebuilding a deployment from snapshots (vendor 001_ec271c3ff40761d0.txt 4.8)."""

from __future__ import annotations

from datetime import datetime

from config.base import Finding, SettingsModel
from config.identifiers import AWS_CLUSTER_SNAPSHOT, AWS_SNAPSHOT_ID, GCP_NAME, matches


class RestoreSettings(SettingsModel):
    # The data disk is created from this snapshot: snap-… on AWS, a snapshot name on GCP.
    # Read only when the disk is created; changing it later never replaces the disk.
    data_disk_snapshot_id: str | None = None
    # Aurora: a cluster snapshot identifier or ARN to create the cluster from.
    database_snapshot_identifier: str | None = None
    # Cloud SQL: the instance to clone, and optionally the point in time (RFC 3339).
    cloudsql_source_instance: str | None = None
    cloudsql_point_in_time: datetime | None = None

    @property
    def restores_database(self) -> bool:
        return self.database_snapshot_identifier is not None or self.cloudsql_source_instance is not None

    def findings_for(self, cloud: str, engine: str) -> list[Finding]:
        found: list[Finding] = []
        disk = self.data_disk_snapshot_id
        if disk is not None:
            if cloud == "aws" and not matches(AWS_SNAPSHOT_ID, disk):
                found.append(
                    (("dataDiskSnapshotId",), f"must be an EBS snapshot ID such as 'snap-0123456789abcdef0', got {disk!r}")
                )
            if cloud == "gcp" and not matches(GCP_NAME, disk):
                found.append(
                    (("dataDiskSnapshotId",), f"must be a GCP snapshot name such as 'tdce-data-2026-11-01', got {disk!r}")
                )
        database = self.database_snapshot_identifier
        if database is not None:
            if engine != "aurora":
                found.append((("databaseSnapshotIdentifier",), f"only applies when database.engine is 'aurora', got {engine!r}"))
            elif not matches(AWS_CLUSTER_SNAPSHOT, database):
                found.append(
                    (
                        ("databaseSnapshotIdentifier",),
                        f"must be a DB cluster snapshot identifier or ARN such as 'tdce-prod-2026-11-01', got {database!r}",
                    )
                )
        source = self.cloudsql_source_instance
        if source is not None and engine != "cloudsql":
            found.append((("cloudsqlSourceInstance",), f"only applies when database.engine is 'cloudsql', got {engine!r}"))
        if self.cloudsql_point_in_time is not None and source is None:
            found.append((("cloudsqlPointInTime",), "needs cloudsqlSourceInstance: the instance to clone at that time"))
        return found

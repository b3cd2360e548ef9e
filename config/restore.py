"""Rebuilding a deployment from snapshots (vendor 001_ec271c3ff40761d0.txt 4.8)."""

from __future__ import annotations

import re
from datetime import datetime

from config import clock, locations
from config.base import Finding, SettingsModel
from config.database import APPLICATION_USER, APPLICATION_USER_NAMES
from config.identifiers import (
    AWS_CLUSTER_SNAPSHOT,
    AWS_CLUSTER_SNAPSHOT_ARN,
    AWS_SNAPSHOT_ID,
    CLOUD_SQL_INSTANCE_ID,
    CLOUD_SQL_MAX_QUALIFIED_LENGTH,
    GCP_NAME,
    matches,
)


class RestoreSettings(SettingsModel):
    # The data disk is created from this snapshot: snap-… on AWS, a snapshot name on GCP.
    # Read only when the disk is created; changing it later never replaces the disk.
    data_disk_snapshot_id: str | None = None
    # Aurora: a cluster snapshot identifier or ARN to create the cluster from.
    database_snapshot_identifier: str | None = None
    # Aurora: the user the old deployment's user secret names with the password given in
    # tdce:databaseUserPassword; rotation alternates it (config/database.py).
    database_user_name: str | None = None
    # Cloud SQL: the instance to clone, and optionally the point in time (RFC 3339).
    cloudsql_source_instance: str | None = None
    cloudsql_point_in_time: datetime | None = None

    @property
    def application_user(self) -> str:
        """The application user the new stack's user secret names: the restored one's, or a new cluster's."""
        return self.database_user_name or APPLICATION_USER

    def findings_for(self, cloud: str, engine: str, region: str, project: str | None) -> list[Finding]:
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
        found += self._aurora_findings(engine, region)
        found += self._cloud_sql_findings(engine, project)
        return found

    def _aurora_findings(self, engine: str, region: str) -> list[Finding]:
        return self._user_findings() + self._snapshot_findings(engine, region)

    def _user_findings(self) -> list[Finding]:
        user = self.database_user_name
        if user is None:
            return []
        if self.database_snapshot_identifier is None:
            return [
                (
                    ("databaseUserName",),
                    f"only applies with databaseSnapshotIdentifier: a new cluster's user is {APPLICATION_USER!r}",
                )
            ]
        if user not in APPLICATION_USER_NAMES:
            names = " or ".join(repr(name) for name in APPLICATION_USER_NAMES)
            return [
                (("databaseUserName",), f'must be {names}, the "username" of the old deployment\'s user secret, got {user!r}')
            ]
        return []

    def _snapshot_findings(self, engine: str, region: str) -> list[Finding]:
        database = self.database_snapshot_identifier
        key = ("databaseSnapshotIdentifier",)
        if database is None:
            return []
        if engine != "aurora":
            return [(key, f"only applies when database.engine is 'aurora', got {engine!r}")]
        if not matches(AWS_CLUSTER_SNAPSHOT, database):
            example = "'tdce-prod-2026-11-01'"
            return [(key, f"must be a DB cluster snapshot identifier or ARN such as {example}, got {database!r}")]
        arn = re.fullmatch(AWS_CLUSTER_SNAPSHOT_ARN, database)
        if arn is None:
            return []
        # RestoreDBClusterFromSnapshot restores from a snapshot in the cluster's own region: one from
        # another region (or partition) must first be copied there (CopyDBClusterSnapshot).
        expected = locations.partition(region)
        if expected is None:
            return []  # tdce:region itself is refused
        if arn.group("partition") != expected or arn.group("region") != region:
            where = f"{arn.group('partition')}:{arn.group('region')}"
            return [
                (key, f"must be a snapshot in the stack's region {expected}:{region} (copy it there first), got one in {where}")
            ]
        return []

    def _cloud_sql_findings(self, engine: str, project: str | None) -> list[Finding]:
        found: list[Finding] = []
        source = self.cloudsql_source_instance
        if source is not None:
            if engine != "cloudsql":
                found.append((("cloudsqlSourceInstance",), f"only applies when database.engine is 'cloudsql', got {engine!r}"))
            else:
                found += self._source_findings(source, project)
        moment = self.cloudsql_point_in_time
        if moment is not None:
            if source is None:
                found.append((("cloudsqlPointInTime",), "needs cloudsqlSourceInstance: the instance to clone at that time"))
            if moment.tzinfo is None:
                example = "'2026-11-01T03:00:00Z'"
                found.append((("cloudsqlPointInTime",), f"must carry its offset from UTC (RFC 3339) such as {example}"))
            elif moment > clock.utc_now():
                # A point-in-time clone replays the source's logs up to that moment, which has not happened yet.
                found.append((("cloudsqlPointInTime",), f"must not be in the future, got {moment.isoformat()}"))
        return found

    @staticmethod
    def _source_findings(source: str, project: str | None) -> list[Finding]:
        key = ("cloudsqlSourceInstance",)
        if ":" in source:
            # Cloud SQL "Clone instances": source and clone are in the same project, and instances.clone
            # names the source by its instance ID, not project:instance.
            return [(key, f"must be the instance ID alone (a clone stays in tdce:project), got {source!r}")]
        if not matches(CLOUD_SQL_INSTANCE_ID, source):
            why = "lowercase letters, digits and hyphens, starting with a letter"
            return [(key, f"must be a Cloud SQL instance ID ({why}) such as 'tdce-db-0a1b2c3', got {source!r}")]
        qualified = f"{project or ''}:{source}"
        if len(qualified) > CLOUD_SQL_MAX_QUALIFIED_LENGTH:
            limit = CLOUD_SQL_MAX_QUALIFIED_LENGTH
            return [(key, f"must keep project:instance within {limit} characters (Instance settings), got {len(qualified)}")]
        return []

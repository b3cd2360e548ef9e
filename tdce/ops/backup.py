"""`tdce backup`: snapshot a stack's data volume (and its Aurora cluster) and say how a new stack restores from them.

This is the vendor's manual migration backup (001_ec271c3ff40761d0.txt 4.8.1, 4.8.2) as one
command; scheduled backups are AWS Backup's job (`backup.enabled`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from config.database import APPLICATION_USER_NAMES
from config.settings import Settings
from config.tags import DATA_DISK, DATABASE, STACK_TAG
from tdce.ops.clients import AwsClients
from tdce.ops.discovery import find_data_volume, find_database_cluster

BACKUP_TIME_TAG = "tdce:backup-time"


@dataclass(frozen=True)
class Snapshot:
    role: str  # DATA_DISK or DATABASE, as the source is tagged
    source: str  # the volume ID or the cluster identifier
    snapshot_id: str
    state: str

    def as_json(self) -> dict[str, str]:
        return {"role": self.role, "source": self.source, "snapshotId": self.snapshot_id, "state": self.state}


@dataclass(frozen=True)
class Backup:
    stack: str
    snapshots: tuple[Snapshot, ...]
    notes: tuple[str, ...]


class PartialBackup(Exception):
    """A later snapshot was refused after an earlier one was made: `made` holds what exists now."""

    def __init__(self, made: Backup, refused: str, error: Exception):
        super().__init__(f"the {refused} snapshot was refused")
        self.made = made
        self.refused = refused
        self.error = error


def take_backup(stack: str, settings: Settings, clients: AwsClients, now: datetime | None = None) -> Backup:
    """Find everything first, so a stack that can't be found leaves nothing behind.

    When the database snapshot is refused after the disk's was made, raises PartialBackup with the disk's.
    """
    taken_at = (now or datetime.now(UTC)).astimezone(UTC)
    volume = find_data_volume(clients, stack)
    cluster = find_database_cluster(clients, stack) if settings.database.engine == "aurora" else None
    tags = {STACK_TAG: stack, BACKUP_TIME_TAG: taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "Name": backup_name(stack, taken_at)}
    notes = []
    if volume.get("State") == "in-use":
        notes.append(
            "The data volume is attached, so its snapshot is crash-consistent. For a clean copy the vendor stops the "
            "workers and the server first (001_ec271c3ff40761d0.txt 4.8.1)."
        )
    snapshots = [_snapshot_volume(clients, volume, tags)]
    if cluster is not None:
        try:
            snapshots.append(_snapshot_cluster(clients, cluster, tags))
        except (ClientError, BotoCoreError) as error:
            # The data-disk snapshot is kept, not deleted: it is a complete copy of the disk on its
            # own (a new stack can restore the disk from it), deleting it could fail too and leave
            # the user unsure what exists, and it is tagged with the stack and time, so it is
            # found and removed like any other backup. The caller names it.
            raise PartialBackup(Backup(stack, tuple(snapshots), tuple(notes)), DATABASE, error) from error
    return Backup(stack, tuple(snapshots), tuple(notes))


def backup_name(stack: str, taken_at: datetime) -> str:
    """Also the cluster snapshot identifier: a letter first, then letters, digits and single hyphens."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", stack).strip("-")
    return f"tdce-{cleaned}-{taken_at:%Y%m%d-%H%M%S}"


def restore_lines(backup: Backup) -> list[str]:
    """The `pulumi config set` lines that make a new stack restore from these snapshots."""
    lines = []
    for snapshot in backup.snapshots:
        key = "dataDiskSnapshotId" if snapshot.role == DATA_DISK else "databaseSnapshotIdentifier"
        lines.append(f"pulumi config set --path tdce:restore.{key} {snapshot.snapshot_id}")
    if any(snapshot.role == DATABASE for snapshot in backup.snapshots):
        # No value on the line: the CLI prompts for it, so the password never lands in shell history or here.
        lines.append(
            "pulumi config set --secret tdce:databaseUserPassword"
            f"  # prompts for the application-user password of {backup.stack}, from its user secret in Secrets Manager"
        )
        # The user that password belongs to: rotation alternates it (config/database.py), and only the
        # secret knows which holds it now. The CLI prompts for this one too ("If a value is not present on
        # the command line, pulumi will prompt for the value", `pulumi config set`).
        names = " or ".join(APPLICATION_USER_NAMES)
        lines.append(f'pulumi config set --path tdce:restore.databaseUserName  # prompts for the "username" beside it: {names}')
    return lines


def _aws_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _snapshot_volume(clients: AwsClients, volume: dict[str, Any], tags: dict[str, str]) -> Snapshot:
    created = clients("ec2").create_snapshot(
        VolumeId=volume["VolumeId"],
        Description=f"TDCE data disk of {tags[STACK_TAG]} at {tags[BACKUP_TIME_TAG]}",
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": _aws_tags(tags)}],
    )
    return Snapshot(DATA_DISK, volume["VolumeId"], created["SnapshotId"], created["State"])


def _snapshot_cluster(clients: AwsClients, cluster: dict[str, Any], tags: dict[str, str]) -> Snapshot:
    created = clients("rds").create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=tags["Name"],
        DBClusterIdentifier=cluster["DBClusterIdentifier"],
        Tags=_aws_tags(tags),
    )["DBClusterSnapshot"]
    return Snapshot(DATABASE, cluster["DBClusterIdentifier"], created["DBClusterSnapshotIdentifier"], created["Status"])

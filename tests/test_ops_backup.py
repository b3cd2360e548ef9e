"""`tdce backup`: snapshots tagged with the stack and time, a refusal when the stack's resources are ambiguous,
and `pulumi config set` lines that a new stack's settings accept."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

import pytest
from rich.console import Console

from config.errors import ConfigError
from config.loader import settings_from_config
from config.tags import DATA_DISK, DATABASE
from tdce.ops.backup import restore_lines, take_backup
from tdce.ops.clients import AwsClients
from tdce.ops.discovery import DiscoveryError
from tdce.ops.snapshot_wait import WaitPolicy, wait_for
from tests.ops_support import create_volume, deploy, prod_settings
from tests.support import stack_values, with_setting

# The moto `aws` fixture, with fake credentials and loopback-only sockets.
pytest_plugins = ["tests.ops_support"]

STACK = "aws-prod"
TAKEN_AT = datetime(2026, 11, 1, 3, 0, 0, tzinfo=UTC)
AURORA = {"database.engine": "aurora"}


def _stack_snapshots(clients: AwsClients) -> list[dict]:
    # moto's stock images come with snapshots of their own; only this stack's count.
    return clients("ec2").describe_snapshots(Filters=[{"Name": "tag:tdce:stack", "Values": [STACK]}])["Snapshots"]


def _tags(pairs: list[dict[str, str]]) -> dict[str, str]:
    return {pair["Key"]: pair["Value"] for pair in pairs}


def test_backup_snapshots_the_data_volume_tagged_with_stack_and_time(aws: AwsClients) -> None:
    deployed = deploy(aws, STACK)
    backup = take_backup(STACK, prod_settings(), aws, now=TAKEN_AT)
    assert [(s.role, s.source) for s in backup.snapshots] == [(DATA_DISK, deployed.volume)]
    snapshot = aws("ec2").describe_snapshots(SnapshotIds=[backup.snapshots[0].snapshot_id])["Snapshots"][0]
    assert snapshot["VolumeId"] == deployed.volume
    tags = _tags(snapshot["Tags"])
    # The tags docs/operations.md says a backup's snapshots carry: `tdce:stack` and `tdce:backup-time` (UTC).
    assert tags["tdce:stack"] == STACK and tags["tdce:backup-time"] == "2026-11-01T03:00:00Z"


def test_backup_with_aurora_also_snapshots_the_cluster_with_the_same_tags(aws: AwsClients) -> None:
    deployed = deploy(aws, STACK, aurora=True)
    backup = take_backup(STACK, prod_settings(AURORA), aws, now=TAKEN_AT)
    database = next(s for s in backup.snapshots if s.role == DATABASE)
    found = aws("rds").describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=database.snapshot_id)["DBClusterSnapshots"][0]
    assert found["DBClusterIdentifier"] == deployed.cluster
    tags = _tags(found["TagList"])
    # The tags docs/operations.md says a backup's snapshots carry: `tdce:stack` and `tdce:backup-time` (UTC).
    assert tags["tdce:stack"] == STACK and tags["tdce:backup-time"] == "2026-11-01T03:00:00Z"


def test_backup_of_an_attached_volume_warns_the_copy_is_crash_consistent(aws: AwsClients) -> None:
    deploy(aws, STACK)
    assert any("crash-consistent" in note for note in take_backup(STACK, prod_settings(), aws).notes)


def _applied(lines: list[str], values: dict[str, str], secret_keys: frozenset[str]) -> tuple[dict[str, str], frozenset[str]]:
    """Apply `pulumi config set` lines the way the CLI would, to a flat config map."""
    for line in lines:
        words = shlex.split(line, comments=True)
        assert words[:3] == ["pulumi", "config", "set"], line
        if "--secret" in words:
            # The line carries no value (the CLI prompts); a user types the old deployment's password.
            key = words[-1]
            values, secret_keys = {**values, key: "OldDeploymentPassword1"}, secret_keys | {key}
        elif len(words) == 5:
            # No value either: the user types the name beside that password in the old user secret.
            assert words[3] == "--path", line
            values = with_setting(values, words[4].removeprefix("tdce:"), "techila_clone")
        else:
            assert words[3] == "--path", line
            key, value = words[4], words[5]
            values = with_setting(values, key.removeprefix("tdce:"), value)
    return values, secret_keys


def test_printed_lines_make_a_new_local_database_stack_restore_the_data_disk(aws: AwsClients) -> None:
    deploy(aws, STACK)
    backup = take_backup(STACK, prod_settings(), aws)
    lines = restore_lines(backup)
    assert not any("--secret" in line for line in lines)
    values, secret_keys = _applied(lines, *stack_values(STACK))
    restored = settings_from_config(values, secret_keys)
    assert restored.restore.data_disk_snapshot_id == backup.snapshots[0].snapshot_id


def test_printed_lines_make_a_new_aurora_stack_restore_both_and_ask_for_the_password(aws: AwsClients) -> None:
    deploy(aws, STACK, aurora=True)
    backup = take_backup(STACK, prod_settings(AURORA), aws)
    lines = restore_lines(backup)
    values, secret_keys = stack_values(STACK)
    values = with_setting(values, "database.engine", "aurora")
    restored = settings_from_config(*_applied(lines, values, secret_keys))
    ids = {s.role: s.snapshot_id for s in backup.snapshots}
    assert restored.restore.data_disk_snapshot_id == ids[DATA_DISK]
    assert restored.restore.database_snapshot_identifier == ids[DATABASE]
    assert restored.database_user_password is not None
    assert restored.restore.application_user == "techila_clone"
    # Without the reminder line the new stack's settings are refused: the line is needed.
    with pytest.raises(ConfigError, match="databaseUserPassword"):
        settings_from_config(*_applied([line for line in lines if "--secret" not in line], values, secret_keys))


def test_password_reminder_line_carries_no_value(aws: AwsClients) -> None:
    deploy(aws, STACK, aurora=True)
    reminder = [line for line in restore_lines(take_backup(STACK, prod_settings(AURORA), aws)) if "--secret" in line]
    assert len(reminder) == 1
    assert shlex.split(reminder[0], comments=True) == ["pulumi", "config", "set", "--secret", "tdce:databaseUserPassword"]


def test_backup_refuses_when_the_stack_has_no_data_volume(aws: AwsClients) -> None:
    create_volume(aws, "another-stack")
    with pytest.raises(DiscoveryError, match="no data volume tagged tdce:stack=aws-prod, tdce:role=data-disk"):
        take_backup(STACK, prod_settings(), aws)
    assert _stack_snapshots(aws) == []


def test_backup_refuses_when_two_volumes_carry_the_data_disk_tags(aws: AwsClients) -> None:
    first, second = create_volume(aws, STACK), create_volume(aws, STACK)
    with pytest.raises(DiscoveryError) as refused:
        take_backup(STACK, prod_settings(), aws)
    assert "2 data volumes" in str(refused.value) and first in str(refused.value) and second in str(refused.value)
    assert _stack_snapshots(aws) == []


def test_aurora_backup_without_a_cluster_refuses_before_snapshotting_the_disk(aws: AwsClients) -> None:
    deploy(aws, STACK)
    with pytest.raises(DiscoveryError, match="no Aurora cluster tagged"):
        take_backup(STACK, prod_settings(AURORA), aws)
    assert _stack_snapshots(aws) == []


def test_waiting_reports_every_snapshot_finished(aws: AwsClients) -> None:
    deploy(aws, STACK, aurora=True)
    backup = take_backup(STACK, prod_settings(AURORA), aws)
    done = wait_for(backup.snapshots, aws, Console(quiet=True), WaitPolicy(delay_seconds=0.01, timeout_minutes=0.01))
    assert {s.role: s.state for s in done} == {DATA_DISK: "completed", DATABASE: "available"}

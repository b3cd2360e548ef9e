"""Wait for new snapshots with boto3's waiters, showing a progress bar; a first snapshot of a large disk takes hours."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from config.tags import DATA_DISK
from tdce.ops.backup import Snapshot
from tdce.ops.clients import AwsClients
from tdce.ops.limits import DEFAULT_SNAPSHOT_WAIT_MINUTES


@dataclass(frozen=True)
class WaitPolicy:
    delay_seconds: float = 15
    timeout_minutes: float = DEFAULT_SNAPSHOT_WAIT_MINUTES

    def __post_init__(self) -> None:
        # The command line refuses these first (tdce/ops/commands.py); here `int(inf)` would crash
        # after the snapshots were made, so a caller in code gets a plain ValueError at once.
        for name in ("delay_seconds", "timeout_minutes"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number above 0, got {value!r}")

    @property
    def max_attempts(self) -> int:
        return max(1, int(self.timeout_minutes * 60 // max(self.delay_seconds, 1)))


def wait_for(snapshots: tuple[Snapshot, ...], clients: AwsClients, console: Console, policy: WaitPolicy) -> tuple[Snapshot, ...]:
    """The snapshots once finished. A snapshot that fails or outlasts the policy raises botocore's WaiterError."""
    done: list[Snapshot] = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        for snapshot in snapshots:
            task = progress.add_task(f"{snapshot.role} {snapshot.snapshot_id}", total=1)
            done.append(_wait_one(snapshot, clients, policy))
            progress.update(task, completed=1)
    return tuple(done)


def _wait_one(snapshot: Snapshot, clients: AwsClients, policy: WaitPolicy) -> Snapshot:
    config = {"Delay": policy.delay_seconds, "MaxAttempts": policy.max_attempts}
    if snapshot.role == DATA_DISK:
        clients("ec2").get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot.snapshot_id], WaiterConfig=config)
        return replace(snapshot, state="completed")
    clients("rds").get_waiter("db_cluster_snapshot_available").wait(
        DBClusterSnapshotIdentifier=snapshot.snapshot_id, WaiterConfig=config
    )
    return replace(snapshot, state="available")

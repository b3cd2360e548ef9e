"""What `tdce preflight`, `tdce backup` and `tdce health` do when they run; their arguments are in tdce/ops/commands.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from rich.text import Text

from config.errors import ConfigError, Problem
from config.resolved import resolve_stack_file
from config.settings import Settings
from config.stack_file import CONFIG_DIR
from tdce.console import error_console, output_console
from tdce.ops.backup import Backup, PartialBackup, Snapshot, restore_lines, take_backup
from tdce.ops.clients import NO_CREDENTIALS, AwsClients, failure_text
from tdce.ops.discovery import DiscoveryError
from tdce.ops.health import run_health
from tdce.ops.preflight import run_preflight
from tdce.ops.report import EXIT_FAILED, EXIT_OK, print_json, report_checks, table
from tdce.ops.snapshot_wait import WaitPolicy, wait_for

# The operations with a GCP form (tdce/ops/gcp_commands.py); the others work on AWS stacks only.
GCP_COMMANDS = ("preflight", "teardown")


def on_gcp(args: argparse.Namespace) -> int | None:
    """The exit code of a GCP stack's command, or None for an AWS stack (or a command with no GCP form)."""
    settings = resolve_stack_file(args.stack, Path(args.config_dir)).settings
    if settings.cloud != "gcp" or args.command not in GCP_COMMANDS:
        return None
    # Google's client libraries take seconds to import: only a GCP stack's command loads them.
    from tdce.ops.gcp_commands import run_gcp_command

    return run_gcp_command(args, settings)


def load_aws_settings(command: str, stack: str, config_dir: Path = CONFIG_DIR) -> Settings:
    settings = resolve_stack_file(stack, config_dir).settings
    if settings.cloud != "aws":
        raise ConfigError([Problem("tdce:cloud", f"tdce {command} works on aws stacks, got {settings.cloud!r}")])
    return settings


def _guarded(run: Callable[[argparse.Namespace, Settings, AwsClients], int]) -> Callable[[argparse.Namespace], int]:
    """Load the stack's settings (a ConfigError reaches `tdce`'s main: exit 1), then turn AWS failures into one line."""

    def command(args: argparse.Namespace) -> int:
        answered = on_gcp(args)
        if answered is not None:
            return answered
        settings = load_aws_settings(args.command, args.stack, Path(args.config_dir))
        clients = AwsClients(settings.region)
        if not clients.has_credentials():
            _say(args, NO_CREDENTIALS)
            return EXIT_FAILED
        try:
            return run(args, settings, clients)
        except DiscoveryError as error:
            _say(args, str(error))
        except (ClientError, BotoCoreError) as error:
            _say(args, failure_text(error))
        return EXIT_FAILED

    return command


def _say(args: argparse.Namespace, message: str) -> None:
    error_console().print(Text(f"tdce {args.command}: {message}"), soft_wrap=True)


def _preflight(args: argparse.Namespace, settings: Settings, clients: AwsClients) -> int:
    return report_checks("preflight", args.stack, clients.region, run_preflight(settings, clients), args.json, output_console())


def _health(args: argparse.Namespace, settings: Settings, clients: AwsClients) -> int:
    checks = run_health(args.stack, settings, clients, host=args.host, timeout=args.timeout)
    return report_checks("health", args.stack, clients.region, checks, args.json, output_console())


def _backup(args: argparse.Namespace, settings: Settings, clients: AwsClients) -> int:
    try:
        backup = take_backup(args.stack, settings, clients)
    except PartialBackup as partial:
        made = ", ".join(f"{s.role} snapshot {s.snapshot_id}" for s in partial.made.snapshots)
        _say(args, f"the {partial.refused} snapshot failed: {failure_text(partial.error)}")
        _say(args, f"kept what was made: {made}; it restores the data disk alone (delete it with {_delete_hint(partial.made)})")
        return _report_backup(args, clients, partial.made, partial.made.snapshots, finished=False)
    snapshots = backup.snapshots
    if not args.no_wait:
        try:
            # The bar goes to stderr so stdout stays the result alone (JSON, or the lines to copy).
            snapshots = wait_for(snapshots, clients, error_console(), WaitPolicy(timeout_minutes=args.timeout_minutes))
        except WaiterError as error:
            _say(args, f"stopped waiting: {error}; the snapshots are still being made")
            return _report_backup(args, clients, backup, snapshots, finished=False)
    return _report_backup(args, clients, backup, snapshots, finished=True)


def _delete_hint(backup: Backup) -> str:
    return "; ".join(
        f"aws ec2 delete-snapshot --snapshot-id {s.snapshot_id}" for s in backup.snapshots if s.snapshot_id.startswith("snap-")
    )


def _report_backup(
    args: argparse.Namespace, clients: AwsClients, backup: Backup, snapshots: tuple[Snapshot, ...], finished: bool
) -> int:
    """The snapshots and the restore lines for what exists; exit 0 only when every snapshot was made (and waited for)."""
    code = EXIT_OK if finished else EXIT_FAILED
    lines = restore_lines(backup)
    if args.json:
        document = {"command": "backup", "stack": args.stack, "region": clients.region, "ok": code == EXIT_OK}
        print_json({**document, "snapshots": [s.as_json() for s in snapshots], "configLines": lines, "notes": list(backup.notes)})
        return code
    console = output_console()
    rows = ((s.role, s.source, s.snapshot_id, s.state) for s in snapshots)
    console.print(table(f"tdce backup {args.stack} ({clients.region})", ("role", "source", "snapshot", "state"), rows))
    for note in backup.notes:
        console.print(Text.assemble(("note: ", "yellow"), note))
    if args.no_wait or not finished:
        console.print("The snapshots are still being made; `tdce preflight` on the new stack checks they are finished.")
    console.print("In the new stack (pulumi stack select NEW-STACK), restore from them with:")
    # Plain writes: rich would wrap a long command line at the terminal's width.
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return code


preflight = _guarded(_preflight)
backup = _guarded(_backup)
health = _guarded(_health)

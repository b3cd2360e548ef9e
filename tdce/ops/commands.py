"""The `tdce preflight`, `tdce backup` and `tdce health` subcommands: arguments, and what each run returns."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from rich.text import Text

from config.errors import ConfigError, Problem
from config.loader import settings_from_config
from config.settings import Settings
from config.stack_file import CONFIG_DIR, read_stack_config
from tdce.console import error_console, output_console
from tdce.ops.backup import Backup, PartialBackup, Snapshot, restore_lines, take_backup
from tdce.ops.clients import NO_CREDENTIALS, AwsClients, error_text
from tdce.ops.discovery import DiscoveryError
from tdce.ops.gcp_commands import run_gcp_command
from tdce.ops.health import DEFAULT_TIMEOUT_SECONDS, run_health
from tdce.ops.preflight import run_preflight
from tdce.ops.report import EXIT_FAILED, EXIT_OK, print_json, report_checks, table
from tdce.ops.snapshot_wait import WaitPolicy, wait_for
from tdce.ops.teardown_command import add_teardown_command

# Limits on the waits, checked as the command line is read, before anything reaches AWS.
# A port that has not answered in five minutes is down; a first snapshot of a large disk takes
# hours, a week is past any.
MAX_PORT_TIMEOUT_SECONDS = 300.0
MAX_SNAPSHOT_WAIT_MINUTES = 7 * 24 * 60.0


def bounded_number(unit: str, most: float) -> Callable[[str], float]:
    """An argparse `type=`: a finite number above 0 and at most `most` (no inf, nan, 0 or negative)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= most):
            raise argparse.ArgumentTypeError(f"must be a number of {unit} above 0 and at most {most:g}, got {text!r}")
        return value

    return parse


def add_operation_commands(subparsers: argparse._SubParsersAction) -> None:
    preflight = _stack_command(subparsers, "preflight", "check the account and region can take this stack, before `pulumi up`")
    preflight.set_defaults(run=_guarded(_preflight))

    backup = _stack_command(subparsers, "backup", "snapshot the data disk (and Aurora) and print the config that restores them")
    backup.add_argument("--no-wait", action="store_true", help="return once the snapshots are started")
    backup.add_argument(
        "--timeout-minutes",
        type=bounded_number("minutes", MAX_SNAPSHOT_WAIT_MINUTES),
        default=WaitPolicy.timeout_minutes,
        help=f"stop waiting after this long (default {WaitPolicy.timeout_minutes:g}, at most {MAX_SNAPSHOT_WAIT_MINUTES:g})",
    )
    backup.set_defaults(run=_guarded(_backup))

    health = _stack_command(subparsers, "health", "check the server, its web and management ports, and the worker groups")
    health.add_argument("--host", help="connect here instead of the server's public IP (a VPN or private address)")
    health.add_argument(
        "--timeout",
        type=bounded_number("seconds", MAX_PORT_TIMEOUT_SECONDS),
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds to wait for each port (default {DEFAULT_TIMEOUT_SECONDS:g}, at most {MAX_PORT_TIMEOUT_SECONDS:g})",
    )
    health.set_defaults(run=_guarded(_health))

    add_teardown_command(subparsers)


def load_aws_settings(command: str, stack: str, config_dir: Path = CONFIG_DIR) -> Settings:
    stack_config = read_stack_config(stack, config_dir)
    settings = settings_from_config(stack_config.values, stack_config.secret_keys)
    if settings.cloud != "aws":
        raise ConfigError([Problem("tdce:cloud", f"tdce {command} works on aws stacks, got {settings.cloud!r}")])
    return settings


def _stack_command(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> argparse.ArgumentParser:
    from tdce.cli import EXIT_CODES_HELP

    command = subparsers.add_parser(
        name, help=help_text, epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    command.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml; finds resources tagged tdce:stack=STACK")
    command.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    command.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    return command


def _guarded(run: Callable[[argparse.Namespace, Settings, AwsClients], int]) -> Callable[[argparse.Namespace], int]:
    """Load the stack's settings (a ConfigError reaches `tdce`'s main: exit 1), then turn AWS failures into one line."""

    def command(args: argparse.Namespace) -> int:
        on_gcp = run_gcp_command(args, Path(args.config_dir))
        if on_gcp is not None:
            return on_gcp
        settings = load_aws_settings(args.command, args.stack, Path(args.config_dir))
        clients = AwsClients(settings.region)
        if not clients.has_credentials():
            _say(args, NO_CREDENTIALS)
            return EXIT_FAILED
        try:
            return run(args, settings, clients)
        except DiscoveryError as error:
            _say(args, str(error))
        except ClientError as error:
            _say(args, f"AWS refused: {error_text(error)}")
        except BotoCoreError as error:
            _say(args, error_text(error))
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
        _say(args, f"the {partial.refused} snapshot failed: {_failure(partial.error)}")
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


def _failure(error: Exception) -> str:
    return f"AWS refused: {error_text(error)}" if isinstance(error, ClientError) else error_text(error)


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

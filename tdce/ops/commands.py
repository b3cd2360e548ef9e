"""The `tdce preflight`, `tdce backup` and `tdce health` subcommands: arguments, and what each run returns."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from rich.console import Console

from config.errors import ConfigError, Problem
from config.loader import settings_from_config
from config.settings import Settings
from config.stack_file import CONFIG_DIR, read_stack_config
from tdce.console import output_console
from tdce.ops.backup import restore_lines, take_backup
from tdce.ops.clients import AwsClients, error_text
from tdce.ops.discovery import DiscoveryError
from tdce.ops.gcp_commands import run_gcp_command
from tdce.ops.health import DEFAULT_TIMEOUT_SECONDS, run_health
from tdce.ops.preflight import run_preflight
from tdce.ops.report import EXIT_FAILED, EXIT_OK, print_json, report_checks, table
from tdce.ops.snapshot_wait import WaitPolicy, wait_for


def add_operation_commands(subparsers: argparse._SubParsersAction) -> None:
    preflight = _stack_command(subparsers, "preflight", "check the account and region can take this stack, before `pulumi up`")
    preflight.set_defaults(run=_guarded(_preflight))

    backup = _stack_command(subparsers, "backup", "snapshot the data disk (and Aurora) and print the config that restores them")
    backup.add_argument("--no-wait", action="store_true", help="return once the snapshots are started")
    backup.add_argument("--timeout-minutes", type=float, default=WaitPolicy.timeout_minutes, help="stop waiting after this long")
    backup.set_defaults(run=_guarded(_backup))

    health = _stack_command(subparsers, "health", "check the server, its web and management ports, and the worker groups")
    health.add_argument("--host", help="connect here instead of the server's public IP (a VPN or private address)")
    health.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, help="seconds to wait for each port")
    health.set_defaults(run=_guarded(_health))


def load_aws_settings(command: str, stack: str, config_dir: Path = CONFIG_DIR) -> Settings:
    stack_config = read_stack_config(stack, config_dir)
    settings = settings_from_config(stack_config.values, stack_config.secret_keys)
    if settings.cloud != "aws":
        raise ConfigError([Problem("tdce:cloud", f"tdce {command} works on aws stacks, got {settings.cloud!r}")])
    return settings


def _stack_command(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> argparse.ArgumentParser:
    command = subparsers.add_parser(name, help=help_text)
    command.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml; finds resources tagged tdce:stack=STACK")
    command.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    command.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    return command


def _guarded(run: Callable[[argparse.Namespace, Settings, AwsClients], int]) -> Callable[[argparse.Namespace], int]:
    """Load the stack's settings (a ConfigError reaches `tdce`'s main: exit 1), then turn AWS refusals into one line."""

    def command(args: argparse.Namespace) -> int:
        on_gcp = run_gcp_command(args, Path(args.config_dir))
        if on_gcp is not None:
            return on_gcp
        settings = load_aws_settings(args.command, args.stack, Path(args.config_dir))
        try:
            return run(args, settings, AwsClients(settings.region))
        except DiscoveryError as error:
            print(f"tdce {args.command}: {error}", file=sys.stderr)
        except (ClientError, BotoCoreError) as error:
            print(f"tdce {args.command}: AWS refused: {error_text(error)}", file=sys.stderr)
        return EXIT_FAILED

    return command


def _preflight(args: argparse.Namespace, settings: Settings, clients: AwsClients) -> int:
    return report_checks("preflight", args.stack, clients.region, run_preflight(settings, clients), args.json, output_console())


def _health(args: argparse.Namespace, settings: Settings, clients: AwsClients) -> int:
    checks = run_health(args.stack, settings, clients, host=args.host, timeout=args.timeout)
    return report_checks("health", args.stack, clients.region, checks, args.json, output_console())


def _backup(args: argparse.Namespace, settings: Settings, clients: AwsClients) -> int:
    backup = take_backup(args.stack, settings, clients)
    snapshots = backup.snapshots
    if not args.no_wait:
        # The bar goes to stderr so stdout stays the result alone (JSON, or the lines to copy).
        snapshots = wait_for(snapshots, clients, Console(stderr=True), WaitPolicy(timeout_minutes=args.timeout_minutes))
    lines = restore_lines(backup)
    if args.json:
        document = {"command": "backup", "stack": args.stack, "region": clients.region, "ok": True}
        print_json({**document, "snapshots": [s.as_json() for s in snapshots], "configLines": lines, "notes": list(backup.notes)})
        return EXIT_OK
    console = output_console()
    rows = ((s.role, s.source, s.snapshot_id, s.state) for s in snapshots)
    console.print(table(f"tdce backup {args.stack} ({clients.region})", ("role", "source", "snapshot", "state"), rows))
    for note in backup.notes:
        console.print(f"[yellow]note:[/] {note}")
    if args.no_wait:
        console.print("The snapshots are still being made; `tdce preflight` on the new stack checks they are finished.")
    console.print("In the new stack (pulumi stack select NEW-STACK), restore from them with:")
    # Plain writes: rich would wrap a long command line at the terminal's width.
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return EXIT_OK

"""The `tdce preflight`, `tdce backup`, `tdce health` and `tdce teardown` subcommands: their arguments.

What each run does is in tdce/ops/runs.py, imported only when a command runs: boto3 and Google's
client libraries take longer to import than `tdce plan` takes to parse its arguments.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from config.stack_file import CONFIG_DIR
from tdce.ops.limits import (
    DEFAULT_PORT_TIMEOUT_SECONDS,
    DEFAULT_SNAPSHOT_WAIT_MINUTES,
    MAX_PORT_TIMEOUT_SECONDS,
    MAX_SNAPSHOT_WAIT_MINUTES,
)


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


def _bounded_option(command: argparse.ArgumentParser, flag: str, unit: str, default: float, most: float, help_text: str) -> None:
    """An option taking a number of `unit` above 0 and at most `most`; its help says the default and the limit."""
    command.add_argument(
        flag, type=bounded_number(unit, most), default=default, help=f"{help_text} (default {default:g}, at most {most:g})"
    )


def _runs(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from tdce.ops import runs

        return getattr(runs, name)(args)

    return run


def add_operation_commands(subparsers: argparse._SubParsersAction) -> None:
    preflight = _stack_command(subparsers, "preflight", "check the account and region can take this stack, before `pulumi up`")
    preflight.set_defaults(run=_runs("preflight"))

    backup = _stack_command(subparsers, "backup", "snapshot the data disk (and Aurora) and print the config that restores them")
    backup.add_argument("--no-wait", action="store_true", help="return once the snapshots are started")
    _bounded_option(
        backup, "--timeout-minutes", "minutes", DEFAULT_SNAPSHOT_WAIT_MINUTES, MAX_SNAPSHOT_WAIT_MINUTES,
        "stop waiting after this long",
    )  # fmt: skip
    backup.set_defaults(run=_runs("backup"))

    health = _stack_command(subparsers, "health", "check the server, its web and management ports, and the worker groups")
    health.add_argument("--host", help="connect here instead of the server's public IP (a VPN or private address)")
    _bounded_option(
        health, "--timeout", "seconds", DEFAULT_PORT_TIMEOUT_SECONDS, MAX_PORT_TIMEOUT_SECONDS,
        "seconds to wait for each port",
    )  # fmt: skip
    health.set_defaults(run=_runs("health"))

    from tdce.ops.teardown_command import add_teardown_command

    add_teardown_command(subparsers)


def _stack_command(subparsers: argparse._SubParsersAction, name: str, help_text: str) -> argparse.ArgumentParser:
    from tdce.cli import EXIT_CODES_HELP

    command = subparsers.add_parser(
        name, help=help_text, epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    command.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml; finds resources tagged tdce:stack=STACK")
    command.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    command.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    return command

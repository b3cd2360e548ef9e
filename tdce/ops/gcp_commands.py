"""`tdce preflight` and `tdce teardown` for GCP stacks: what runs when the stack file says `tdce:cloud: gcp`.

tdce/ops/commands.py calls `run_gcp_command` before it loads an AWS stack; it answers None for an AWS stack.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.loader import settings_from_config
from config.settings import Settings
from config.stack_file import read_stack_config
from tdce.console import output_console
from tdce.ops.gcp_clients import GcpClients, GoogleError
from tdce.ops.gcp_preflight import run_gcp_preflight
from tdce.ops.gcp_teardown import gcp_teardown, teardown_lines
from tdce.ops.report import EXIT_FAILED, EXIT_OK, print_json, report_checks

GCP_COMMANDS = ("preflight", "teardown")


def run_gcp_command(args: argparse.Namespace, config_dir: Path) -> int | None:
    """The exit code of the GCP command, or None when the stack is not a GCP stack or the command has no GCP form."""
    stack_config = read_stack_config(args.stack, config_dir)
    settings = settings_from_config(stack_config.values, stack_config.secret_keys)
    # Other commands (backup, health) keep their AWS-only answer: a config error naming tdce:cloud.
    if settings.cloud != "gcp" or args.command not in GCP_COMMANDS:
        return None
    clients = GcpClients(str(settings.project), settings.region)
    try:
        if args.command == "preflight":
            return report_checks(
                "preflight", args.stack, settings.region, run_gcp_preflight(settings, clients), args.json, output_console()
            )
        return _teardown(args, settings, clients)
    except GoogleError as error:
        print(f"tdce {args.command}: Google refused: {type(error).__name__}: {getattr(error, 'message', error)}", file=sys.stderr)
        return EXIT_FAILED


def _teardown(args: argparse.Namespace, settings: Settings, clients: GcpClients) -> int:
    report = gcp_teardown(args.stack, settings, bool(getattr(args, "dry_run", False)), clients)
    if args.json:
        print_json(report.as_json())
    else:
        sys.stdout.write("".join(f"{line}\n" for line in teardown_lines(report)))
    return EXIT_OK if report.ok else EXIT_FAILED

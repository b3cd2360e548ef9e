"""The `tdce teardown STACK --dry-run | --yes` subcommand: list what the server made, then delete it.

Deleting takes `--yes`, as `pulumi destroy` does outside a terminal: the workers teardown
terminates may still be running a project's jobs, so a bare `tdce teardown STACK` (from shell
history, or a script meant for another stack) deletes nothing and says which flag to give.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from config.stack_file import CONFIG_DIR
from tdce.ops.teardown_words import DRY_RUN_NOTE, action

if TYPE_CHECKING:
    from tdce.ops.clients import AwsClients


def add_teardown_command(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "teardown",
        help="list (--dry-run) or delete (--yes) the workers, groups, templates, images and snapshots the server made, "
        "before `pulumi destroy`",
        description=(
            "Finds what carries the stack's tag (tdce:stack=STACK) but is not Pulumi's (no tdce:role of the "
            "server, data disk, database or a declared pool), lists it, then deletes it. Never touches a volume, "
            "a data-disk or database snapshot, or a tdce backup. Refuses, deleting nothing, when something in "
            "the stack's network lacks the tag. Give --dry-run to list, --yes to delete. Exit codes: 0 done (or nothing "
            "to do), 1 bad config, 2 refused or failed, 64 neither --dry-run nor --yes (or both)."
        ),
    )
    command.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml for the region")
    # One of the two is required: argparse refuses a bare `tdce teardown STACK` (exit 64) before any cloud call.
    mode = command.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="list what would be deleted; change nothing")
    mode.add_argument("--yes", action="store_true", help="delete what it finds (what --dry-run lists)")
    command.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    command.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    command.set_defaults(run=run_teardown)


def deleting(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "yes", False))


def run_teardown(args: argparse.Namespace, clients: AwsClients | None = None) -> int:
    # Imported here, when the command runs: boto3 is slow to import, and `tdce plan` never needs it.
    from botocore.exceptions import BotoCoreError, ClientError

    from tdce.console import output_console
    from tdce.ops.clients import NO_CREDENTIALS, AwsClients, failure_text
    from tdce.ops.report import EXIT_FAILED, EXIT_OK, print_json, table
    from tdce.ops.runs import load_aws_settings, on_gcp
    from tdce.ops.teardown import TeardownRefused, delete_leftovers, find_leftovers

    answered = on_gcp(args)
    if answered is not None:
        return answered
    settings = load_aws_settings("teardown", args.stack, Path(args.config_dir))
    clients = clients or AwsClients(settings.region)
    if not clients.has_credentials():
        print(f"tdce teardown: {NO_CREDENTIALS}", file=sys.stderr)
        return EXIT_FAILED
    try:
        found = find_leftovers(clients, args.stack)
        doomed = found.to_delete
        # Only --yes deletes: a caller that builds its own arguments without it gets the list.
        if deleting(args):
            delete_leftovers(clients, found)
    except TeardownRefused as refused:
        print(f"tdce teardown: refused: {refused}", file=sys.stderr)
        return EXIT_FAILED
    except (ClientError, BotoCoreError) as error:
        print(f"tdce teardown: {failure_text(error)}", file=sys.stderr)
        return EXIT_FAILED
    done = action(deleting(args))
    if args.json:
        print_json(
            {
                "command": "teardown",
                "stack": args.stack,
                "region": clients.region,
                "dryRun": not deleting(args),
                "deleted" if deleting(args) else "wouldDelete": [item.as_json() for item in doomed],
                "kept": [item.as_json() for item in found.kept],
            }
        )
        return EXIT_OK
    console = output_console()
    if not doomed:
        console.print(f"tdce teardown {args.stack}: nothing the server made is left; `pulumi destroy` may go ahead.")
    else:
        rows = [(item.kind, item.id, item.detail, done) for item in doomed]
        rows += [(item.kind, item.id, item.detail, "kept") for item in found.kept]
        console.print(table(f"tdce teardown {args.stack} ({clients.region})", ("kind", "id", "detail", "action"), rows))
        if not deleting(args):
            console.print(DRY_RUN_NOTE)
    return EXIT_OK

"""`tdce preflight` and `tdce teardown` for GCP stacks: what runs when the stack file says `tdce:cloud: gcp`.

tdce/ops/commands.py `on_gcp` sends a GCP stack's command here, before anything loads an AWS stack.
"""

from __future__ import annotations

import argparse
import sys

from google.auth.exceptions import DefaultCredentialsError, GoogleAuthError, TransportError

from config.settings import Settings
from tdce.console import output_console
from tdce.ops.gcp_clients import GcpClients, GoogleError
from tdce.ops.gcp_preflight import run_gcp_preflight
from tdce.ops.gcp_teardown import gcp_teardown, teardown_lines
from tdce.ops.report import EXIT_FAILED, EXIT_OK, print_json, report_checks
from tdce.ops.teardown_command import deleting

# Application default credentials, as Google's libraries look for them ("How Application Default
# Credentials works"): the environment variable, then gcloud's file, then the metadata server.
HOW_TO_SET_CREDENTIALS = (
    "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file"
)


def run_gcp_command(args: argparse.Namespace, settings: Settings) -> int:
    """The exit code of a GCP stack's `preflight` or `teardown` (tdce/ops/commands.py `on_gcp` picks it)."""
    try:
        # The clients look for credentials as they are made: a missing one is said here, in one line.
        clients = GcpClients(str(settings.project), settings.region)
        if args.command == "preflight":
            return report_checks(
                "preflight", args.stack, settings.region, run_gcp_preflight(settings, clients), args.json, output_console()
            )
        return _teardown(args, settings, clients)
    except (GoogleAuthError, GoogleError) as error:
        print(f"tdce {args.command}: {google_failure(error)}", file=sys.stderr)
        return EXIT_FAILED


def google_failure(error: Exception) -> str:
    """A failed call as the command says it: no credentials, no answer, refused credentials, or Google's refusal."""
    if isinstance(error, DefaultCredentialsError):
        return f"no Google application default credentials found; {HOW_TO_SET_CREDENTIALS}"
    if isinstance(error, TransportError):
        return f"could not reach Google ({error}); check the network and any proxy (HTTPS_PROXY)"
    if isinstance(error, GoogleAuthError):
        return f"Google refused the credentials ({error}); {HOW_TO_SET_CREDENTIALS}"
    return f"Google refused: {type(error).__name__}: {getattr(error, 'message', error)}"


def _teardown(args: argparse.Namespace, settings: Settings, clients: GcpClients) -> int:
    report = gcp_teardown(args.stack, settings, not deleting(args), clients)
    if args.json:
        print_json(report.as_json())
    else:
        sys.stdout.write("".join(f"{line}\n" for line in teardown_lines(report)))
    return EXIT_OK if report.ok else EXIT_FAILED

"""`tdce init STACK --cloud aws|gcp`: write a commented stack file from the user's choices.

The file holds no ciphertext (a stand-in copied from an example can't be decrypted by anyone);
it says which `pulumi config set --secret` command sets the password. What it writes is read
back with the project's own reader and loader before it lands, so `tdce plan STACK` accepts it;
a bad flag is refused, one line naming the flag, and nothing is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from config.channels import WEB
from config.database import DatabaseSettings
from config.errors import ConfigError
from config.loader import settings_from_config
from config.server import GCP_MINIMUM_VCPUS, VENDOR_MINIMUM_TYPE
from config.settings import CLOUD_DEFAULTS, EXAMPLE_REGION, PASSWORD_LENGTH
from config.stack_file import CONFIG_DIR, read_stack_config, stack_file_path
from config.suggest import is_near

DEFAULT_DATABASE = DatabaseSettings.model_fields["engine"].default
DEFAULT_MAX_WORKERS = 10
# Pulumi stack names: letters, digits, hyphens, underscores and periods (`pulumi stack init --help`).
STACK_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}"
PASSWORD_COMMAND = "pulumi config set --secret tdce:dashboardAdminPassword"
SETTINGS_DOCS = "docs/settings.md"

# Which flag set a config key, to name the flag when the loader refuses the value.
_FLAG_FOR_KEY = (
    ("tdce:region", "--region"),
    ("tdce:zones", "--region"),
    ("tdce:project", "--project"),
    ("tdce:access.userCidrs", "--user-cidr"),
    ("tdce:access.adminCidrs", "--admin-cidr"),
    ("tdce:access.ssh", "--ssh"),
    ("tdce:server.instanceType", "--server-type"),
    ("tdce:server.dataDisk", "--data-disk-gb"),
    ("tdce:workers[0].instanceType", "--worker-type"),
    ("tdce:workers[0].maxCount", "--max-workers"),
    ("tdce:workers[0].disk", "--worker-type"),
    ("tdce:database", "--database"),
)


class InitRefused(Exception):
    """A flag the stack can't take, or a file that is there already: one line, nothing written."""


@dataclass(frozen=True)
class Choices:
    stack: str
    cloud: str
    region: str
    project: str | None
    user_cidrs: tuple[str, ...]
    admin_cidrs: tuple[str, ...]
    ssh: bool
    server_type: str
    data_disk_gb: int
    worker_type: str | None
    max_workers: int
    spot: bool
    database: str


def add_init_command(subparsers: argparse._SubParsersAction) -> None:
    from tdce.cli import EXIT_CODES_HELP

    init = subparsers.add_parser(
        "init",
        help="write config/Pulumi.STACK.yaml, a commented stack file, from your choices",
        description="Write a commented stack file for a new stack. Nothing is written when a flag is refused.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument("stack", help="the new stack's name (letters, digits, - _ .)")
    init.add_argument("--cloud", required=True, choices=tuple(CLOUD_DEFAULTS), help="where the cluster runs")
    init.add_argument("--region", help=f"default: {EXAMPLE_REGION['aws']} (aws), {EXAMPLE_REGION['gcp']} (gcp)")
    init.add_argument("--project", help="GCP only, required there: the project ID to deploy into")
    init.add_argument(
        "--user-cidr", action="append", required=True, metavar="CIDR", help="where SDK users and browsers come from (repeatable)"
    )
    init.add_argument(
        "--admin-cidr", action="append", default=[], metavar="CIDR", help="where administrators SSH from (repeatable)"
    )
    init.add_argument("--ssh", action="store_true", help="open SSH to the server (AWS: from --admin-cidr; GCP: through IAP)")
    init.add_argument("--server-type", help="server machine type (default: the cloud's default, see the file)")
    init.add_argument("--data-disk-gb", type=int, help=f"server data disk size in GB (default {_data_disk_defaults()})")
    init.add_argument(
        "--worker-type", help="add one worker pool of this machine type (default: none; the dashboard starts workers)"
    )
    init.add_argument("--max-workers", type=int, help=f"the pool's largest size (default {DEFAULT_MAX_WORKERS})")
    init.add_argument("--on-demand", action="store_true", help="the pool buys on-demand capacity (default: spot)")
    init.add_argument("--database", help=f"{DEFAULT_DATABASE} (default), aurora (aws) or cloudsql (gcp)")
    init.add_argument("--force", action="store_true", help="overwrite the stack file when it exists")
    init.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    init.set_defaults(run=run_init)


def _data_disk_defaults() -> str:
    sizes = {cloud: defaults["server"]["dataDisk"]["sizeGb"] for cloud, defaults in CLOUD_DEFAULTS.items()}
    if len(set(sizes.values())) == 1:
        return str(next(iter(sizes.values())))
    return ", ".join(f"{size} on {cloud.upper()}" for cloud, size in sizes.items())


def run_init(args: argparse.Namespace) -> int:
    from tdce.cli import EXIT_OK, EXIT_USAGE

    given = {"--max-workers": args.max_workers is not None, "--on-demand": args.on_demand}
    pool_flags = [flag for flag, was_given in given.items() if was_given]
    if pool_flags and args.worker_type is None:
        print(f"tdce init: {pool_flags[0]}: describes the pool --worker-type adds: give --worker-type too", file=sys.stderr)
        return EXIT_USAGE
    try:
        path = init_stack(_choices(args), Path(args.config_dir), force=args.force)
    except InitRefused as refused:
        print(f"tdce init: {refused}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {path}")
    print(f"next: tdce plan {args.stack}   (then, with the Pulumi CLI: pulumi stack init {args.stack})")
    print(f"optional: {PASSWORD_COMMAND}   (prompts; without it a password is generated)")
    return EXIT_OK


def _choices(args: argparse.Namespace) -> Choices:
    defaults = CLOUD_DEFAULTS[args.cloud]["server"]
    return Choices(
        stack=args.stack,
        cloud=args.cloud,
        region=args.region or EXAMPLE_REGION[args.cloud],
        project=args.project,
        user_cidrs=tuple(args.user_cidr),
        admin_cidrs=tuple(args.admin_cidr),
        ssh=args.ssh,
        server_type=args.server_type or defaults["instanceType"],
        data_disk_gb=args.data_disk_gb if args.data_disk_gb is not None else defaults["dataDisk"]["sizeGb"],
        worker_type=args.worker_type,
        max_workers=args.max_workers if args.max_workers is not None else DEFAULT_MAX_WORKERS,
        spot=not args.on_demand,
        database=args.database or DEFAULT_DATABASE,
    )


def init_stack(choices: Choices, config_dir: Path, force: bool = False) -> Path:
    """Write the stack file, or raise InitRefused having written nothing."""
    if not re.fullmatch(STACK_NAME, choices.stack):
        raise InitRefused(f"STACK: {choices.stack!r} is not a stack name: letters, digits, '-', '_' and '.'")
    _check_location(choices)
    target = stack_file_path(choices.stack, config_dir)
    if target.exists() and not force:
        raise InitRefused(f"{target} exists; pass --force to overwrite it")
    text = render(choices)
    _validate(choices.stack, text)
    config_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def _check_location(choices: Choices) -> None:
    """The AWS region against botocore's list; every other rule is the settings loader's (`_validate`)."""
    if choices.cloud != "aws":
        return
    known = aws_regions()
    if choices.region not in known:
        close = sorted(region for region in known if is_near(region, choices.region, 0.8))
        hint = f"; did you mean {' or '.join(close)}?" if close else f"; known: {', '.join(sorted(known))}"
        raise InitRefused(f"--region: {choices.region!r} is not an AWS region{hint}")


@cache
def aws_regions() -> frozenset[str]:
    """Every region botocore's endpoint data names, in every partition: no call to AWS (read once a process)."""
    import boto3  # only `tdce init --cloud aws` needs botocore's region list

    session = boto3.session.Session()
    return frozenset(
        region for partition in session.get_available_partitions() for region in session.get_available_regions("ec2", partition)
    )


def _validate(stack: str, text: str) -> None:
    """Read the rendered file as `tdce plan` will: the stack file reader, then the settings loader."""
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, f"Pulumi.{stack}.yaml").write_text(text)
        try:
            stack_config = read_stack_config(stack, Path(scratch))
            settings_from_config(stack_config.values, stack_config.secret_keys)
        except ConfigError as error:
            # One problem a flag: a bad list item also fails the list's own rule, which says less.
            by_flag: dict[str, str] = {}
            for problem in error.problems:
                flag, line = _with_flag(str(problem))
                by_flag.setdefault(flag, line)
            raise InitRefused("; ".join(by_flag.values())) from None


def _with_flag(problem: str) -> tuple[str, str]:
    key, _, message = problem.partition(": ")
    flag = next((flag for prefix, flag in _FLAG_FOR_KEY if key.startswith(prefix)), None)
    return (flag, f"{flag}: {message}") if flag else (key, problem)


def _value(value: Any) -> str:
    # JSON is YAML: every string quoted, so no value is read as a number, a date or a bool.
    return json.dumps(value)


def _list(values: tuple[str, ...], indent: str) -> list[str]:
    return [f"{indent}- {_value(value)}" for value in values]


def render(choices: Choices) -> str:
    cloud = choices.cloud
    disk_type = CLOUD_DEFAULTS[cloud]["server"]["dataDisk"]["type"]
    lines = [
        f"# Stack {choices.stack}, written by `tdce init`. Check it offline with `tdce plan {choices.stack}`.",
        f"# Every key is explained in the settings reference ({SETTINGS_DOCS}); defaults live in config/*.py.",
        "# Commands: docs/command-line.md. Keys not written here take their defaults.",
        "config:",
        "  # Where the cluster runs.",
        f"  tdce:cloud: {_value(cloud)}",
        f"  tdce:region: {_value(choices.region)}",
    ]
    if choices.project is not None:  # on AWS too, so the loader refuses it there
        lines += ["  # The project ID to deploy into (gcloud projects list).", f"  tdce:project: {_value(choices.project)}"]
    lines += [
        "  tdce:access:",
        f"    # Networks the Techila SDK (management port) and browsers (dashboard, {WEB.ports_label}) connect from.",
        "    userCidrs:",
        *_list(choices.user_cidrs, "      "),
        "    # Networks administrators connect from; never 0.0.0.0/0.",
    ]
    lines += ["    adminCidrs:", *_list(choices.admin_cidrs, "      ")] if choices.admin_cidrs else ["    adminCidrs: []"]
    ssh_from = "the admin CIDRs" if cloud == "aws" else "Identity-Aware Proxy with OS Login"
    lines += [
        f"    # SSH to the server, from {ssh_from}: for troubleshooting; keep it off until needed.",
        f"    ssh: {_value(choices.ssh)}",
        "  tdce:server:",
        f"    # The vendor's minimum is {VENDOR_MINIMUM_TYPE} on AWS ({GCP_MINIMUM_VCPUS} vCPUs on GCP); smaller is refused.",
        f"    instanceType: {_value(choices.server_type)}",
        "    # No image set: a plain Debian 12 server, infrastructure only. For a working TDCE server",
        *(
            [
                "    # subscribe to the vendor's AWS Marketplace listing and set its product code:",
                "    # marketplaceProductCode: <code>",
            ]
            if cloud == "aws"
            else ["    # set the vendor's image path: image: <path>"]
        ),
        "    dataDisk:",
        "      # The disk the Techila Server keeps its data on; protected, never replaced by a change.",
        f"      sizeGb: {_value(choices.data_disk_gb)}",
        f"      type: {_value(disk_type)}",
    ]
    if choices.worker_type is None:
        lines += [
            "  # No worker pools: the server starts and stops workers itself, from the Techila Dashboard.",
            "  # For capacity as code, list pools under tdce:workers (see the settings reference).",
        ]
    else:
        purchase = "spot" if choices.spot else "on-demand"
        lines += [
            "  tdce:workers:",
            "    # One pool; the Techila Dashboard sets how many run (capacityOwner: dashboard), up to maxCount.",
            f"    - name: {_value('linux-spot' if choices.spot else 'linux-ondemand')}",
            f"      instanceType: {_value(choices.worker_type)}",
            f"      purchase: {_value(purchase)}",
            f"      maxCount: {_value(choices.max_workers)}",
        ]
    lines += [
        "  tdce:database:",
        "    # local: PostgreSQL on the server's data disk (the vendor's default); aurora (AWS) or",
        "    # cloudsql (GCP) for a managed database.",
        f"    engine: {_value(choices.database)}",
        "  # The dashboard's admin password is generated and kept in the cloud's secret store.",
        f"  # To choose it yourself ({PASSWORD_LENGTH[0]}-{PASSWORD_LENGTH[1]} letters and digits; the command prompts for it):",
        f"  #   {PASSWORD_COMMAND}",
    ]
    return "\n".join(lines) + "\n"

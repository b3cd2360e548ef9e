"""`tdce`: the offline plan and the operations around a TDCE deployment."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from config.errors import ConfigError
from config.stack_file import CONFIG_DIR

EXIT_OK = 0
EXIT_CONFIG_ERROR = 1


def _plan(args: argparse.Namespace) -> int:
    from tdce.plan_report import print_plan
    from tdce.planner import plan_stack

    plan = plan_stack(args.stack, Path(args.config_dir))
    print_plan(plan, Console())
    if args.json:
        Path(args.json).write_text(json.dumps(plan.as_json(), indent=2) + "\n")
        Console(stderr=True).print(f"plan written to {args.json}")
    return EXIT_OK


def _ports(args: argparse.Namespace) -> int:
    from tdce.ports import ports_mermaid, ports_table

    if args.format == "mermaid":
        sys.stdout.write(ports_mermaid())
    else:
        Console().print(ports_table())
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="tdce", description="TDCE clusters as code: offline plan and operations.")
    commands = root.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="run the Pulumi program offline and show what it would create")
    plan.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml")
    plan.add_argument("--json", metavar="FILE", help="also write the whole plan as JSON (schema in the README)")
    plan.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    plan.set_defaults(run=_plan)

    ports = commands.add_parser("ports", help="print the TDCE channel matrix")
    ports.add_argument("--format", choices=("table", "mermaid"), default="table")
    ports.set_defaults(run=_ports)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG_ERROR


if __name__ == "__main__":
    sys.exit(main())

"""`tdce`: the offline plan and the operations around a TDCE deployment."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from config.errors import ConfigError
from config.stack_file import CONFIG_DIR
from tdce.console import output_console
from tdce.plan_errors import EngineRefusal, ProgramFailure

EXIT_OK = 0
EXIT_CONFIG_ERROR = 1
EXIT_POLICY_VIOLATION = 2
EXIT_POLICY_PACK_FAILED = 3
EXIT_ENGINE_REFUSAL = 4  # the Pulumi engine would refuse the plan (tdce/engine_rules.py)
EXIT_PROGRAM_FAILED = 5  # the program raised an unexpected exception (tdce/program_failure.py)
DEBUG_VARIABLE = "TDCE_DEBUG"  # set to 1 for the Python traceback of a program failure


def _plan(args: argparse.Namespace) -> int:
    from tdce.plan_report import print_plan, print_warnings
    from tdce.plan_warnings import plan_warnings
    from tdce.planner import plan_stack
    from tdce.policy_report import print_policy_report
    from tdce.policy_runner import PACK_DIR, PolicyPackError, check_plan

    plan = plan_stack(args.stack, Path(args.config_dir))
    console = output_console()
    print_plan(plan, console)
    print_warnings(plan_warnings(plan.settings))
    document = plan.as_json()
    exit_code = EXIT_OK
    if not args.no_policy:
        try:
            pack_dir = Path(args.policy_pack) if args.policy_pack else PACK_DIR
            report = check_plan(plan, plan.resolved.values, sorted(plan.resolved.secret_keys), pack_dir)
        except PolicyPackError as error:
            Console(stderr=True).print(f"[red]policy pack failed:[/] {escape(str(error))}")
            return EXIT_POLICY_PACK_FAILED
        print_policy_report(report, console)
        document["policyViolations"] = report.as_json()
        exit_code = EXIT_POLICY_VIOLATION if report.mandatory else EXIT_OK
    if args.json:
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n")
        Console(stderr=True).print(f"plan written to {args.json}")
    return exit_code


def _ports(args: argparse.Namespace) -> int:
    from tdce.ports import ports_mermaid, ports_table

    if args.format == "mermaid":
        sys.stdout.write(ports_mermaid())
    else:
        output_console().print(ports_table())
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="tdce", description="TDCE clusters as code: offline plan and operations.")
    commands = root.add_subparsers(dest="command", required=True)

    plan = commands.add_parser(
        "plan",
        help="run the Pulumi program offline, show what it would create and check it with the policy pack",
        description=(
            "Exit codes: 0 clean, 1 bad config, 2 a mandatory policy violation, 3 the policy pack failed, "
            "4 the Pulumi engine would refuse the plan (a duplicate URN, an option naming no property), "
            f"5 the program failed unexpectedly ({DEBUG_VARIABLE}=1 or --debug shows the traceback)."
        ),
    )
    plan.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml")
    plan.add_argument("--json", metavar="FILE", help="also write the whole plan as JSON (schema in the README)")
    plan.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    plan.add_argument("--no-policy", action="store_true", help="plan only; do not run the policy pack")
    plan.add_argument("--policy-pack", metavar="DIR", help="the policy pack to run (default: policies/)")
    plan.add_argument("--debug", action="store_true", help="on a program failure, also print the Python traceback")
    plan.set_defaults(run=_plan)

    ports = commands.add_parser("ports", help="print the TDCE channel matrix")
    ports.add_argument("--format", choices=("table", "mermaid"), default="table")
    ports.set_defaults(run=_ports)

    from tdce.ops.commands import add_operation_commands

    add_operation_commands(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except EngineRefusal as refusal:
        for problem in refusal.problems:
            print(problem, file=sys.stderr)
        return EXIT_ENGINE_REFUSAL
    except ProgramFailure as failure:
        if getattr(args, "debug", False) or os.environ.get(DEBUG_VARIABLE) == "1":
            traceback.print_exception(failure.error, file=sys.stderr)
            print(failure.line(), file=sys.stderr)
        else:
            print(f"{failure.line()} ({DEBUG_VARIABLE}=1 or --debug prints the traceback)", file=sys.stderr)
        return EXIT_PROGRAM_FAILED


if __name__ == "__main__":
    sys.exit(main())

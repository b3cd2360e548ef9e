"""`tdce`: the offline plan and the operations around a TDCE deployment."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from rich.text import Text

from config.errors import ConfigError
from config.stack_file import CONFIG_DIR
from tdce.collector import collect_rarely, skip_the_exit_collections
from tdce.console import error_console, output_console
from tdce.plan_errors import EngineRefusal, ProgramFailure

EXIT_OK = 0
EXIT_CONFIG_ERROR = 1
EXIT_POLICY_VIOLATION = 2
EXIT_POLICY_PACK_FAILED = 3
EXIT_ENGINE_REFUSAL = 4  # the Pulumi engine would refuse the plan (tdce/engine_rules.py)
EXIT_PROGRAM_FAILED = 5  # the program raised an unexpected exception (tdce/program_failure.py)
DEBUG_VARIABLE = "TDCE_DEBUG"  # set to 1 for the Python traceback of a program failure
# argparse exits 2 on a usage error, the code `tdce plan` gives a mandatory policy violation;
# 64 is EX_USAGE from sysexits.h ("the command was used incorrectly").
EXIT_USAGE = 64

# The codes of every command, for `--help` and docs/command-line.md.
EXIT_CODES_HELP = f"""exit codes:
  {EXIT_OK}   done; for plan: no mandatory policy violation
  {EXIT_CONFIG_ERROR}   the stack config is bad (one line per problem, naming the key)
  {EXIT_POLICY_VIOLATION}   plan: a mandatory policy was violated; preflight, health: a check failed;
      preflight, backup, health: no AWS credentials, AWS not reachable, or AWS refused;
      backup: a snapshot was refused or did not finish in time (what was made is named);
      teardown: refused (something in the stack's network lacks its tag), or the cloud refused a call
  {EXIT_POLICY_PACK_FAILED}   plan: the policy pack did not start or did not answer
  {EXIT_ENGINE_REFUSAL}   plan: the Pulumi engine would refuse the plan (a duplicate URN, an option naming no property)
  {EXIT_PROGRAM_FAILED}   plan: the program failed unexpectedly ({DEBUG_VARIABLE}=1 or --debug prints the traceback)
  {EXIT_USAGE}  the command line is wrong: unknown command or flag, bad flag value;
      plan: the --json file cannot be written; init: the stack file exists (--force);
      teardown: neither --dry-run nor --yes, or both
"""

PACKAGE = "tdce-clusters"


class ArgumentParser(argparse.ArgumentParser):
    """argparse with its own exit code for usage errors, so `tdce` alone does not look like a policy failure."""

    def error(self, message: str) -> NoReturn:
        # One line, like every other refusal here; the usage is one `--help` away.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _plan(args: argparse.Namespace) -> int:
    from tdce.plan_report import print_plan, print_warnings
    from tdce.plan_warnings import plan_warnings
    from tdce.planner import plan_resolved, plan_stack

    json_to_stdout = args.json == "-"
    target = None if args.json in (None, "-") else Path(args.json)
    # Checked before the plan runs; with --no-policy the pack is not used, so neither checked nor imported.
    if not args.no_policy:
        from tdce.policy_report import print_policy_report
        from tdce.policy_runner import PACK_DIR, PolicyPackError, check_plan

        pack_dir = Path(args.policy_pack) if args.policy_pack else PACK_DIR
        problem = policy_pack_problem(pack_dir)
        if problem:
            print(f"tdce plan: --policy-pack: {problem}; give the directory of a policy pack, such as policies", file=sys.stderr)
            return EXIT_USAGE
    plan = plan_stack(args.stack, Path(args.config_dir))
    # With `--json -` stdout is the JSON alone, for a pipe; the person still sees the plan on stderr.
    console = error_console() if json_to_stdout else output_console()
    print_plan(plan, console)
    print_warnings(plan_warnings(plan.settings))
    document = plan.as_json()
    exit_code = EXIT_OK
    if not args.no_policy:
        try:
            # The pack judges the stack at `pulumi preview` of a new stack (unknown IDs and computed
            # outputs) and as `pulumi up` leaves it, as the CLI does with --policy-pack.
            preview = plan_resolved(plan.resolved, preview=True)
            report = check_plan(plan, plan.resolved.values, sorted(plan.resolved.secret_keys), pack_dir, preview=preview)
        except PolicyPackError as error:
            error_console().print(Text.assemble(("policy pack failed: ", "red"), str(error)), soft_wrap=True)
            return EXIT_POLICY_PACK_FAILED
        print_policy_report(report, console)
        document["policyViolations"] = report.as_json()
        exit_code = EXIT_POLICY_VIOLATION if report.mandatory else EXIT_OK
    else:
        # Said, so a plan without a policy report is not read as one that passed.
        error_console().print(Text("policy pack not run (--no-policy)"), soft_wrap=True)
    # Written out only when asked for: indenting the whole plan costs about 8 ms of every plan.
    if json_to_stdout:
        sys.stdout.write(_json_text(document))
    elif target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_json_text(document))
        except OSError as error:
            print(f"tdce plan: --json: cannot write {target}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        error_console().print(Text(f"plan written to {target}"), soft_wrap=True)
    return exit_code


def _json_text(document: dict) -> str:
    return json.dumps(document, indent=2) + "\n"


def _ports(args: argparse.Namespace) -> int:
    from tdce.ports import ports_mermaid, ports_notes, ports_table

    if args.format == "mermaid":
        sys.stdout.write(ports_mermaid())
    else:
        console = output_console()
        console.print(ports_table())
        for line in ports_notes():
            console.print(line, soft_wrap=True)
    return EXIT_OK


def policy_pack_problem(path: Path) -> str | None:
    """Why `--policy-pack` can't be run: the runner starts the pack's `__main__.py` in that directory."""
    if not path.is_dir():
        return f"{path} is not a directory"
    if not (path / "__main__.py").is_file():
        return f"{path} has no __main__.py, so it is not a Python policy pack"
    return None


def _version() -> str:
    # Imported here: importlib.metadata costs more to import than most of `tdce plan`'s argument parsing.
    from importlib import metadata

    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """`--version`, which looks the version up only when asked."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(f"{parser.prog} {_version()}\n")
        parser.exit()


def parser() -> argparse.ArgumentParser:
    root = ArgumentParser(
        prog="tdce",
        description="TDCE clusters as code: offline plan and operations. Commands: docs/command-line.md.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument("--version", action=_VersionAction)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="run the Pulumi program offline, show what it would create and check it with the policy pack",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plan.add_argument("stack", help="stack name: reads config/Pulumi.STACK.yaml")
    plan.add_argument(
        "--json",
        metavar="FILE",
        help="also write the whole plan as JSON (missing folders are made); `-` writes it to stdout "
        "and the readable plan to stderr",
    )
    plan.add_argument("--config-dir", default=str(CONFIG_DIR), help=argparse.SUPPRESS)
    plan.add_argument("--no-policy", action="store_true", help="plan only; do not run the policy pack")
    plan.add_argument("--policy-pack", metavar="DIR", help="the policy pack to run (default: policies/)")
    plan.add_argument("--debug", action="store_true", help="on a program failure, also print the Python traceback")
    plan.set_defaults(run=_plan)

    ports = commands.add_parser("ports", help="print the TDCE channel matrix")
    ports.add_argument("--format", choices=("table", "mermaid"), default="table")
    ports.set_defaults(run=_ports)

    from tdce.init_stack import add_init_command
    from tdce.ops.commands import add_operation_commands

    add_init_command(commands)
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


def run() -> None:
    """The `tdce` command: `main` with the collector tuned for a short process that imports the
    provider SDKs, then the interpreter's exit without the collector's last passes (tdce/collector.py)."""
    collect_rarely()
    try:
        sys.exit(main())
    finally:
        skip_the_exit_collections()


if __name__ == "__main__":
    run()

"""Never a traceback: an unexpected exception inside the program is one line and exit 5 (tdce/program_failure.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tdce import cli
from tdce.cli import main
from tests.engine_programs import STACK, config_dir_for_tiny, install_program, write_program

ROOT = Path(__file__).resolve().parent.parent

COMPONENT_BUG = """
    import pulumi, pulumi_random

    class Thing(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("tdce:test:Thing", name, None, opts)
            pulumi_random.RandomPet(f"{name}-pet", opts=pulumi.ResourceOptions(parent=self))
            raise ValueError("subnet list ran dry")

    Thing("thing")
"""

APPLY_BUG = """
    import pulumi, pulumi_random
    pet = pulumi_random.RandomPet("pet")
    pulumi.export("broken", pet.id.apply(lambda _: {}["missing"]))
"""


def run_tdce_plan(program: Path, config_dir: Path, *flags: str, env: dict[str, str] | None = None):
    """`tdce plan` in a fresh interpreter, so whatever the SDK or asyncio prints at exit is seen too."""
    code = (
        "import pathlib, sys\n"
        "from tdce import planner\n"
        f"planner.PROGRAM = pathlib.Path({str(program)!r})\n"
        "from tdce.cli import main\n"
        f"sys.exit(main(['plan', {STACK!r}, '--config-dir', {str(config_dir)!r}, '--no-policy', *{list(flags)!r}]))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "TDCE_DEBUG"} | (env or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=environment, timeout=180)


def test_a_bug_in_a_component_is_one_line_naming_stack_component_and_error_with_exit_5(tmp_path):
    result = run_tdce_plan(write_program(COMPONENT_BUG, tmp_path), config_dir_for_tiny(tmp_path))
    assert result.returncode == 5
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith(f"stack {STACK}: the program failed unexpectedly")
    assert 'while building tdce:test:Thing "thing"' in line
    assert 'last registered: random:index/randomPet:RandomPet "thing-pet"' in line
    assert "ValueError: subnet list ran dry" in line
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr


def test_tdce_debug_shows_the_traceback_and_still_ends_with_the_one_line(tmp_path):
    result = run_tdce_plan(write_program(COMPONENT_BUG, tmp_path), config_dir_for_tiny(tmp_path), env={"TDCE_DEBUG": "1"})
    assert result.returncode == 5
    assert "Traceback (most recent call last)" in result.stderr
    assert re.search(r'File ".*program\.py", line \d+, in __init__', result.stderr)
    assert result.stderr.splitlines()[-1].startswith(f"stack {STACK}: the program failed unexpectedly")


def test_a_crash_inside_an_apply_is_reported_the_same_way(tmp_path, monkeypatch, capsys):
    config_dir = install_program(APPLY_BUG, tmp_path, monkeypatch)
    assert main(["plan", STACK, "--config-dir", str(config_dir), "--no-policy"]) == 5
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert "KeyError: 'missing'" in line and 'last registered: random:index/randomPet:RandomPet "pet"' in line
    assert "Traceback" not in captured.err + captured.out


def test_debug_flag_shows_the_traceback(tmp_path, monkeypatch, capsys):
    config_dir = install_program(APPLY_BUG, tmp_path, monkeypatch)
    assert main(["plan", STACK, "--config-dir", str(config_dir), "--no-policy", "--debug"]) == 5
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_exit_codes_are_the_documented_ones_and_plan_help_lists_them(capsys):
    codes = (cli.EXIT_OK, cli.EXIT_CONFIG_ERROR, cli.EXIT_POLICY_VIOLATION, cli.EXIT_POLICY_PACK_FAILED)
    assert (*codes, cli.EXIT_ENGINE_REFUSAL, cli.EXIT_PROGRAM_FAILED) == (0, 1, 2, 3, 4, 5)
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "4 plan: the Pulumi engine would refuse the plan" in help_text
    assert "5 plan: the program failed unexpectedly (TDCE_DEBUG=1 or --debug prints the traceback)" in help_text


def test_the_documentation_page_lists_every_exit_code():
    page = (ROOT / "docs" / "offline-plan-engine-rules.md").read_text()
    rows = dict(re.findall(r"^\| (\d) \| (.+?) \|$", page, re.M))
    assert sorted(int(code) for code in rows) == [0, 1, 2, 3, 4, 5]
    assert "duplicate URN" in rows["4"] and "TDCE_DEBUG=1" in page and "--debug" in page


def test_a_failure_in_the_preview_run_says_it_was_the_preview(tmp_path, monkeypatch):
    # `tdce plan` with the pack runs the program a second time as a preview of a new stack answers it
    # (IDs and computed outputs unknown); a program that fails only there would fail a real preview.
    from config.resolved import resolve_stack_file
    from tdce.plan_errors import ProgramFailure
    from tdce.planner import plan_resolved

    config_dir = install_program(COMPONENT_BUG, tmp_path, monkeypatch)
    with pytest.raises(ProgramFailure) as failure:
        plan_resolved(resolve_stack_file(STACK, config_dir), preview=True)
    assert failure.value.line().startswith(f"stack {STACK} (at preview of a new stack): the program failed unexpectedly")

"""Tiny Pulumi programs run where `__main__.py` runs: under the planner's own mock runtime and command line."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from config.stack_file import CONFIG_DIR
from tdce import planner

STACK = "tiny"


def install_program(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the planner run `source` instead of `__main__.py`; returns a config dir holding stack `tiny`.

    The stack file is aws-dev's, so the settings pass and only the program differs.
    """
    program = write_program(source, tmp_path)
    monkeypatch.setattr(planner, "PROGRAM", program)
    return config_dir_for_tiny(tmp_path)


def write_program(source: str, tmp_path: Path) -> Path:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source))
    return program


def config_dir_for_tiny(tmp_path: Path) -> Path:
    config_dir = tmp_path / "config"
    config_dir.mkdir(exist_ok=True)
    shutil.copy(CONFIG_DIR / "Pulumi.aws-dev.yaml", config_dir / f"Pulumi.{STACK}.yaml")
    return config_dir

"""What the operations tell a person or a script: one row per check, as a rich table or as JSON on stdout."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

EXIT_OK = 0
# 1 is a bad stack config, as for `tdce plan`.
EXIT_FAILED = 2


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail}


def passed(name: str, detail: str) -> Check:
    return Check(name, Status.PASS, detail)


def failed(name: str, detail: str) -> Check:
    return Check(name, Status.FAIL, detail)


def guarded(
    name: str, run: Callable[[], list[Check]], errors: tuple[type[Exception], ...], text: Callable[[Exception], str]
) -> list[Check]:
    """A group's results, or one failed check saying why the cloud would not answer (a missing permission, say)."""
    try:
        return run()
    except errors as error:
        return [failed(name, text(error))]


def skipped(name: str, detail: str) -> Check:
    return Check(name, Status.SKIPPED, detail)


def exit_code(checks: Iterable[Check]) -> int:
    return EXIT_FAILED if any(check.status is Status.FAIL for check in checks) else EXIT_OK


_STYLES = {Status.PASS: "green", Status.FAIL: "bold red", Status.SKIPPED: "dim"}


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str | Text]]) -> Table:
    """Cells from AWS (IDs, ARNs, messages) as `Text`, so rich never reads them as markup or emoji; folded, never cut."""
    shown = Table(title=Text(title), show_lines=False)
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in row))
    return shown


def checks_table(title: str, checks: Sequence[Check]) -> Table:
    return table(
        title,
        ("check", "result", "detail"),
        ((check.name, Text(check.status.value, style=_STYLES[check.status]), check.detail) for check in checks),
    )


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def report_checks(command: str, stack: str, region: str, checks: Sequence[Check], as_json: bool, console: Console) -> int:
    """Show the checks and return the exit code: non-zero when any check failed."""
    code = exit_code(checks)
    if as_json:
        print_json(
            {"command": command, "stack": stack, "region": region, "ok": code == EXIT_OK, "checks": [c.as_json() for c in checks]}
        )
    else:
        console.print(checks_table(f"tdce {command} {stack} ({region})", checks))
    return code

"""The two ways a plan stops after the program has run, light enough for the command line to import first.

`EngineRefusal` is raised for the engine's rules (tdce/engine_rules.py), `ProgramFailure` for an
unexpected exception inside the program (tdce/program_failure.py).
"""

from __future__ import annotations

from typing import Any


class EngineRefusal(Exception):
    """The program ran, but `pulumi preview` would refuse what it registered: one line per problem."""

    def __init__(self, problems: list[str], plan: Any = None):
        self.problems = problems
        self.plan = plan  # what was registered, for callers that show it
        super().__init__("\n".join(problems))


class ProgramFailure(Exception):
    """The program raised something unexpected; `line()` tells it in one line, `error` keeps the traceback."""

    def __init__(self, stack: str, error: BaseException, under_construction: str | None, last_registered: str | None):
        self.stack = stack
        self.error = error
        self.under_construction = under_construction
        self.last_registered = last_registered
        super().__init__(self.line())

    def line(self) -> str:
        text = f"stack {self.stack}: the program failed unexpectedly"
        if self.under_construction:
            text += f" while building {self.under_construction}"
        if self.last_registered:
            text += f" (last registered: {self.last_registered})"
        message = " ".join(str(self.error).split())
        return f"{text}: {type(self.error).__name__}" + (f": {message}" if message else "")

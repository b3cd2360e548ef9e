"""The one error a bad stack config raises: every problem, one line each, keyed by its config path."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

_CONTROL_CHARACTERS = {code: f"\\x{code:02x}" for code in range(32)} | {ord("\n"): "\\n", ord("\t"): "\\t"}


@dataclass(frozen=True)
class Problem:
    key: str  # e.g. "tdce:workers[1].maxCount"
    message: str

    def __str__(self) -> str:
        # One line per problem, whatever characters the stack file held.
        return f"{self.key}: {self.message}".translate(_CONTROL_CHARACTERS)


class ConfigError(pulumi.RunError):
    """Raised before any resource is registered. A RunError, so the Pulumi CLI prints it without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def config_key(namespace: str, path: tuple[str | int, ...]) -> str:
    text = f"{namespace}:"
    for index, part in enumerate(path):
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += part if index == 0 else f".{part}"
    return text

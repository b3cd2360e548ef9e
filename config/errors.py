"""The one error a bad stack config raises: every problem, one line each, keyed by its config path."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

# Everything a terminal or str.splitlines() could take for a line break or a control sequence:
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL_CHARACTERS = (
    {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
    | {0x2028: "\\u2028", 0x2029: "\\u2029"}
    | {ord("\n"): "\\n", ord("\t"): "\\t"}
)


@dataclass(frozen=True)
class Problem:
    key: str  # e.g. "tdce:workers[1].maxCount"
    message: str

    def __str__(self) -> str:
        # One line per problem, whatever characters the stack file held.
        text = f"{self.key}: {self.message}".translate(_CONTROL_CHARACTERS)
        # A lone surrogate cannot be printed as UTF-8: shown as "?" rather than failing to print.
        return text.encode("utf-8", "replace").decode("utf-8") if any("\ud800" <= c <= "\udfff" for c in text) else text


class ConfigError(Exception):
    """Raised before any resource is registered: every problem of a stack's config, one line each.

    The program hands it to the Pulumi CLI as a RunError (components/program_config.py), which the
    CLI prints without a traceback; `tdce` prints the problems itself.
    """

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


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlist, _SHOWN.maxdict = 2, 60, 60, 4, 4


def shown(value: object) -> str:
    """A short repr of a value from a stack file, for a message: whatever its size, depth or digits."""
    try:
        return _SHOWN.repr(value)
    except (ValueError, RecursionError):  # an int past Python's digit limit, a pathological nesting
        return f"<{type(value).__name__}>"

"""Where the command line prints, and how a value from data becomes text that nothing reinterprets.

Rich reads `:name:` as an emoji code and `[…]` as markup in any string it is handed: an ARN's
`:secret:` became 🤫 and a `[secret]` cell vanished. So the consoles here have emoji and
highlighting off, and every value that comes from a plan, the stack or AWS reaches rich as a
`rich.text.Text` built by `value_text`, which rich prints as it is (markup only applies to str).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

# Piped into a file or a CI log with no COLUMNS set, rich would assume 80 columns; a wider page
# keeps tables on one line each. COLUMNS, when set, always wins (rich reads it itself).
PIPED_WIDTH = 160


def _console(file: TextIO, stderr: bool) -> Console:
    piped_without_columns = not file.isatty() and not os.environ.get("COLUMNS", "").isdigit()
    return Console(
        stderr=stderr,
        width=PIPED_WIDTH if piped_without_columns else None,
        emoji=False,
        highlight=False,
    )


def output_console() -> Console:
    """stdout: the result of a command."""
    return _console(sys.stdout, stderr=False)


def error_console() -> Console:
    """stderr: messages, progress, and the human-readable plan when stdout carries JSON."""
    return _console(sys.stderr, stderr=True)


def value_text(value: Any, style: str = "") -> Text:
    """A value as a person copies it: strings as they are, lists and maps as JSON, never a Python repr."""
    if isinstance(value, str):
        shown = value
    elif isinstance(value, bool) or value is None:
        shown = json.dumps(value)
    elif isinstance(value, int | float):
        shown = str(value)
    else:
        shown = json.dumps(value, ensure_ascii=False, default=str)
    return Text(shown, style=style)

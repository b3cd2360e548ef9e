"""Where the command line prints: the terminal's width, or a wide page when piped."""

from __future__ import annotations

import sys

from rich.console import Console

# Piped into a file or a CI log, rich would assume 80 columns and cut URNs and CIDRs short.
PIPED_WIDTH = 160


def output_console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=PIPED_WIDTH)

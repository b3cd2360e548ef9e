"""The fastest of several runs of a command in a fresh process, as a user runs it: the least disturbed by other load."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path


def fastest(command: list[str], runs: int, cwd: Path) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        # Quiet: the plan's warnings (a plain Debian image) would repeat once a run; a failed run shows its own.
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
        best = min(best, time.perf_counter() - started)
    return best

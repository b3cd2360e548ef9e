"""The fastest of several runs of a command in a fresh process, as a user runs it: the least disturbed by other load."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

# Python keeps what it compiles, as on a machine without PYTHONDONTWRITEBYTECODE after the first
# run: where the variable is set (this project's machine sets it) every run would compile the
# project's own modules again, about 90 for `tdce plan` and 40 to 60 ms of its time. The fastest
# of several runs is then one with the bytecode in place, for the program and the replays alike.
_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def fastest(command: list[str], runs: int, cwd: Path) -> float:
    (best,) = fastest_of_each([command], runs, cwd)
    return best


def fastest_of_each(commands: list[list[str]], runs: int, cwd: Path) -> list[float]:
    """The fastest run of each command, taking turns: a change in the machine's load between runs
    falls on every command alike instead of on whichever ran then."""
    best = [float("inf")] * len(commands)
    for _ in range(runs):
        for index, command in enumerate(commands):
            best[index] = min(best[index], _timed(command, cwd))
    return best


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    # Quiet: the plan's warnings (a plain Debian image) would repeat once a run; a failed run shows its own.
    done = subprocess.run(command, cwd=cwd, env=_ENVIRONMENT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - started

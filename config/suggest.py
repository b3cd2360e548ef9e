"""The "did you mean" of the errors that name a key, a region or a machine type: the nearest known spelling.

difflib is imported on use: only a refused value needs it, and importing it up front cost every
`tdce` command and every program run about 15 ms (python -X importtime).
"""

from __future__ import annotations

from collections.abc import Iterable


def closest(given: str, known: Iterable[str]) -> str | None:
    """The known spelling nearest to `given`, or None when none is near (difflib's cutoff, 0.6)."""
    import difflib

    found = difflib.get_close_matches(given, list(known), n=1)
    return found[0] if found else None


def is_near(known: str, given: str, ratio: float) -> bool:
    """Whether `given` is at least `ratio` alike to `known` (difflib's SequenceMatcher ratio, 0 to 1)."""
    import difflib

    return difflib.SequenceMatcher(None, known, given).ratio() >= ratio

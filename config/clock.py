"""The current time, as the settings see it: replaceable, so rules about "the future" test deterministically."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_now: list[Callable[[], datetime]] = [lambda: datetime.now(UTC)]


def utc_now() -> datetime:
    return _now[-1]()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, `utc_now()` is `moment` (timezone-aware)."""
    _now.append(lambda: moment)
    try:
        yield
    finally:
        _now.pop()

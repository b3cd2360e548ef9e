"""The current time, as the settings see it.

Callers ask `clock.utc_now()` through the module, never a copy of the function, so a test can
replace it (tests/support.py: `frozen_at`) and rules about "the future" test deterministically.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)

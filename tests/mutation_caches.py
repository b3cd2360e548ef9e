"""pytest plugin for `make mutation`: every test resolves the stack afresh.

mutmut runs each mutant's tests in a process forked from one that already ran the suite, so a
stack resolved (and cached, config/resolved.py) before the fork would hide a mutant of the
derivations behind the cached result.
"""

from __future__ import annotations

import pytest

from config import resolved


@pytest.fixture(autouse=True)
def fresh_resolution():
    resolved._resolved.cache_clear()
    yield

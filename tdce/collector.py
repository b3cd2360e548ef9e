"""The garbage collector in a short process that imports the provider SDKs: `tdce`, the test suite's
processes and the benchmark's replays.

Importing pulumi-aws and pulumi-gcp makes hundreds of thousands of objects that live until exit,
and a plan adds thousands more; almost none of them are garbage. With CPython's default thresholds
(700, 10, 10) the collector walked them over and over: about 0.35 s of a 3.2 s `tdce plan aws-prod`
and 6 to 9 s of each test worker's run (measured with `gc.callbacks`), for no memory back (the
plan's peak resident size is the same with the collector off: 135 MB). Collecting the youngest
generation every 100 000 allocations instead of every 700 keeps the collector for the rare long
run with real cycles, at a small fraction of the cost.
"""

from __future__ import annotations

import gc

THRESHOLDS = (100_000, 20, 100)


def collect_rarely() -> None:
    gc.set_threshold(*THRESHOLDS)


def skip_the_exit_collections() -> None:
    """At exit CPython runs full collections over every object still alive, the SDK modules among
    them: about half a second of a `tdce plan`. Frozen, the collector skips them; atexit handlers
    and buffered files are flushed as before (the finalizers of objects in reference cycles are
    not guaranteed at exit in any case)."""
    gc.freeze()

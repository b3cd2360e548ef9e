"""The operations' waits: their defaults and the most the command line accepts, light enough for `tdce`'s parser."""

from __future__ import annotations

# `tdce health`: how long each port may take to answer; one that has not answered in five minutes is down.
DEFAULT_PORT_TIMEOUT_SECONDS = 3.0
MAX_PORT_TIMEOUT_SECONDS = 300.0
# `tdce backup`: how long to wait for the snapshots; a first snapshot of a large disk takes hours, a week
# is past any.
DEFAULT_SNAPSHOT_WAIT_MINUTES = 240.0
MAX_SNAPSHOT_WAIT_MINUTES = 7 * 24 * 60.0

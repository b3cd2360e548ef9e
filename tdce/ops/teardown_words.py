"""What `tdce teardown` calls each thing it found, the same on both clouds."""

from __future__ import annotations

WOULD_DELETE = "would delete"
DELETED = "deleted"
DRY_RUN_NOTE = f"dry run: nothing was changed; run with --yes instead to delete what is marked '{WOULD_DELETE}'"


def action(deleting: bool) -> str:
    return DELETED if deleting else WOULD_DELETE

"""Disk settings shared by the server's data disk and the worker pools."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.base import SettingsModel

DiskType = Literal["gp3", "gp2", "pd-balanced", "pd-ssd", "pd-standard"]

# The disk types each cloud offers here; the first is the default.
DISK_TYPES_BY_CLOUD: dict[str, tuple[str, ...]] = {
    "aws": ("gp3", "gp2"),
    "gcp": ("pd-balanced", "pd-ssd", "pd-standard"),
}


class DiskSettings(SettingsModel):
    size_gb: int = Field(ge=8, le=65536)
    type: DiskType

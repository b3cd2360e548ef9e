"""Disk settings shared by the server's data disk and the worker pools."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from config.base import SettingsModel, raise_findings

DiskType = Literal["gp3", "gp2", "pd-balanced", "pd-ssd", "pd-standard"]

# The disk types each cloud offers here; the first is the default.
DISK_TYPES_BY_CLOUD: dict[str, tuple[str, ...]] = {
    "aws": ("gp3", "gp2"),
    "gcp": ("pd-balanced", "pd-ssd", "pd-standard"),
}

# Smallest and largest size of each volume type, in GiB (GCP's "GB" are GiB too).
# AWS: Amazon EC2 API Reference, CreateVolume `Size` ("gp2: 1 - 16,384 GiB", "gp3: 1 - 65,536 GiB"),
# the same as "Amazon EBS volume types". GCP: "About Persistent Disk" ("Persistent Disk volumes can be
# up to 64 TiB in size"; 10 GB is the smallest zonal Persistent Disk).
SIZE_LIMITS_GB: dict[str, tuple[int, int]] = {
    "gp3": (1, 65536),
    "gp2": (1, 16384),
    "pd-balanced": (10, 65536),
    "pd-ssd": (10, 65536),
    "pd-standard": (10, 65536),
}


class DiskSettings(SettingsModel):
    size_gb: int = Field(ge=8)
    type: DiskType

    @model_validator(mode="after")
    def _size_fits_the_type(self) -> DiskSettings:
        low, high = SIZE_LIMITS_GB[self.type]
        if not low <= self.size_gb <= high:
            raise_findings([(("sizeGb",), f"must be {low} to {high} GB for a {self.type} disk, got {self.size_gb}")])
        return self

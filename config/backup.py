"""Scheduled snapshots of the data disk (and the managed database on AWS)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from config.base import SettingsModel


class BackupSettings(SettingsModel):
    enabled: bool = False
    # Daily, at this UTC time (HH:MM).
    daily_at_utc: str = "03:00"
    retention_days: int = Field(default=14, ge=1, le=3650)
    # AWS only: copy each recovery point to this region too.
    copy_to_region: str | None = None

    @field_validator("daily_at_utc")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        match = re.fullmatch(r"(\d{2}):(\d{2})", value)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(f"must be a UTC time of day HH:MM such as '03:00', got {value!r}")
        return value

    @property
    def hour(self) -> int:
        return int(self.daily_at_utc[:2])

    @property
    def minute(self) -> int:
        return int(self.daily_at_utc[3:])

"""Scheduled snapshots of the data disk (and the managed database on AWS)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from config import locations
from config.base import Finding, SettingsModel, Switch
from config.safety_limits import MIN_BACKUP_RETENTION_DAYS


class BackupSettings(SettingsModel):
    enabled: Switch = False
    # Daily, at this UTC time (HH:MM).
    daily_at_utc: str = "03:00"
    # At least what the mandatory policy `backups-retained` demands (config/safety_limits.py).
    retention_days: int = Field(default=14, ge=MIN_BACKUP_RETENTION_DAYS, le=3650)
    # AWS only: copy each recovery point to this region too.
    copy_to_region: str | None = None

    @field_validator("daily_at_utc")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        match = re.fullmatch(r"([0-9]{2}):([0-9]{2})", value)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(f"must be a UTC time of day HH:MM such as '03:00', got {value!r}")
        return value

    def findings_for(self, cloud: str, region: str) -> list[Finding]:
        found: list[Finding] = []
        target = self.copy_to_region
        if target is not None:
            if cloud == "gcp":
                found.append((("copyToRegion",), "is AWS only: GCP snapshots are multi-regional already"))
            elif not locations.is_region("aws", target):
                close = locations.closest_region("aws", target)
                hint = f"; did you mean {close!r}?" if close else ""
                found.append((("copyToRegion",), f"must be an AWS region such as 'eu-west-1', got {target!r}{hint}"))
            elif target == region:
                found.append(
                    (
                        ("copyToRegion",),
                        f"must be another region than the stack's own ({region}): a copy beside the original is no copy",
                    )
                )
            elif locations.is_region("aws", region) and locations.partition(target) != locations.partition(region):
                # AWS Backup copies between regions of one partition only ("Cross-Region backup").
                home, other = locations.partition(region), locations.partition(target)
                found.append((("copyToRegion",), f"must be in the stack's partition {home}, got {target} ({other})"))
        if cloud == "gcp" and self.minute != 0:
            found.append((("dailyAtUtc",), f"must be on the hour on gcp, such as '03:00', got {self.daily_at_utc!r}"))
        return found

    @property
    def hour(self) -> int:
        return int(self.daily_at_utc[:2])

    @property
    def minute(self) -> int:
        return int(self.daily_at_utc[3:])

"""Where the Techila Server keeps its database."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from config.base import SettingsModel, raise_findings

# Engines each cloud offers; `local` is PostgreSQL on the server's data disk (the vendor default).
ENGINES_BY_CLOUD: dict[str, tuple[str, ...]] = {
    "aws": ("local", "aurora"),
    "gcp": ("local", "cloudsql"),
}

# The vendor rotates database passwords every 30 days (001_ec271c3ff40761d0.txt 4.8.2, 4.16.3).
MAX_ROTATION_DAYS = 30
MIN_BACKUP_RETENTION_DAYS = 7


class AuroraSettings(SettingsModel):
    engine_version: str = "16.6"
    # Aurora capacity units; 0 lets the cluster pause where the engine version supports it.
    min_capacity: float = Field(default=0.5, ge=0, le=256, multiple_of=0.5)
    max_capacity: float = Field(default=4, ge=1, le=256, multiple_of=0.5)
    reader: bool = False
    deletion_protection: bool = True
    backup_retention_days: int = Field(default=MIN_BACKUP_RETENTION_DAYS, ge=MIN_BACKUP_RETENTION_DAYS, le=35)
    rotation_days: int = Field(default=MAX_ROTATION_DAYS, ge=1, le=MAX_ROTATION_DAYS)

    @model_validator(mode="after")
    def _capacity_range(self) -> AuroraSettings:
        if self.max_capacity < self.min_capacity:
            raise_findings([(("maxCapacity",), f"must be ≥ minCapacity ({self.min_capacity:g}), got {self.max_capacity:g}")])
        return self


class CloudSqlSettings(SettingsModel):
    database_version: str = "POSTGRES_16"
    tier: str = "db-custom-2-7680"
    availability: Literal["zonal", "regional"] = "regional"
    deletion_protection: bool = True
    backup_retention_days: int = Field(default=MIN_BACKUP_RETENTION_DAYS, ge=MIN_BACKUP_RETENTION_DAYS, le=365)
    rotation_days: int = Field(default=MAX_ROTATION_DAYS, ge=1, le=MAX_ROTATION_DAYS)


class DatabaseSettings(SettingsModel):
    engine: Literal["local", "aurora", "cloudsql"] = "local"
    aurora: AuroraSettings = AuroraSettings()
    cloudsql: CloudSqlSettings = CloudSqlSettings()

    @property
    def managed(self) -> bool:
        """The database runs as a managed service (Aurora, Cloud SQL), not on the server's disk."""
        return self.engine != "local"

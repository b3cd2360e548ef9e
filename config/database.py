"""Where the Techila Server keeps its database."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import Finding, SettingsModel, Switch, raise_findings
from config.safety_limits import MAX_ROTATION_DAYS, MIN_BACKUP_RETENTION_DAYS

# The AWS partition whose Serverless Application Repository holds the rotation application the
# Aurora tier deploys (components/aws/database/secrets.py names it by ARN); Aurora is refused elsewhere.
AURORA_PARTITION = "aws"
# Engines each cloud offers; `local` is PostgreSQL on the server's data disk (the vendor default).
ENGINES_BY_CLOUD: dict[str, tuple[str, ...]] = {
    "aws": ("local", "aurora"),
    "gcp": ("local", "cloudsql"),
}

# The Aurora application user, and the other name AWS's alternating-users rotation gives it: each
# rotation moves the secret to the other user, "swapping between the original user and the user
# with _clone appended to it" (aws-samples/aws-secrets-manager-rotation-lambdas,
# SecretsManagerRDSPostgreSQLRotationMultiUser, create_secret).
APPLICATION_USER = "techila"
APPLICATION_USER_NAMES = (APPLICATION_USER, f"{APPLICATION_USER}_clone")

# aurora-postgresql majors Aurora Serverless v2 runs, and the first minor of each that does
# ("Supported Regions and Aurora DB engines for Aurora Serverless v2": 13.6, 14.3, 15.2, 16.1, 17.4).
SERVERLESS_V2_FIRST_MINOR: dict[int, int] = {13: 6, 14: 3, 15: 2, 16: 1, 17: 4}
# The first minor of each major that can scale to 0 ACUs and pause ("Scaling to Zero ACUs with
# automatic pause and resume for Aurora Serverless v2", and its announcement of 2024-11-20:
# Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 and higher; every 17 version).
PAUSING_FIRST_MINOR: dict[int, int] = {13: 15, 14: 12, 15: 7, 16: 3, 17: 4}
_AURORA_VERSION = re.compile(r"(?P<major>[1-9][0-9])(?:\.(?P<minor>[0-9]{1,2}))?")

# Cloud SQL for PostgreSQL's database versions ("Instance settings": Database version; the same
# list as the `database_version` argument of pulumi-gcp's sql.DatabaseInstance).
CLOUD_SQL_POSTGRES_VERSIONS = (
    "POSTGRES_9_6",
    "POSTGRES_10",
    "POSTGRES_11",
    "POSTGRES_12",
    "POSTGRES_13",
    "POSTGRES_14",
    "POSTGRES_15",
    "POSTGRES_16",
    "POSTGRES_17",
    "POSTGRES_18",
)
# Cloud SQL tiers for PostgreSQL: shared-core, custom (db-custom-CPUS-MEMORY_MB: "vCPUs must be 1
# or an even number between 2 and 96; memory 0.9 to 6.5 GB per vCPU, a multiple of 256 MB, at
# least 3.75 GB"), and the Enterprise Plus edition's predefined db-perf-optimized-N-CPUS
# ("Instance settings": Machine type; PostgreSQL takes no db-n1-* tiers).
CLOUD_SQL_SHARED_CORE_TIERS = ("db-f1-micro", "db-g1-small")
CLOUD_SQL_CUSTOM_VCPUS = (1, *range(2, 97, 2))
CLOUD_SQL_CUSTOM_MEMORY_MB_PER_VCPU = (922, 6656)  # 0.9 and 6.5 GB
CLOUD_SQL_CUSTOM_MIN_MEMORY_MB = 3840
CLOUD_SQL_MEMORY_MULTIPLE_MB = 256
CLOUD_SQL_PERF_OPTIMIZED_VCPUS = (2, 4, 8, 16, 32, 48, 64, 80, 96, 128)
# Enterprise Plus (the db-perf-optimized tiers) runs PostgreSQL 12 and later ("Instance settings").
ENTERPRISE_PLUS_FIRST_POSTGRES = 12
# The tiers of Enterprise Plus; every other tier is Enterprise.
PERF_OPTIMIZED_PREFIX = "db-perf-optimized-"
# Cloud SQL Enterprise keeps at most 7 days of transaction logs, Enterprise Plus 35
# ("About point-in-time recovery": transactionLogRetentionDays).
MAX_LOG_RETENTION_DAYS = {"ENTERPRISE": 7, "ENTERPRISE_PLUS": 35}
_CUSTOM_TIER = re.compile(r"db-custom-(?P<cpus>[0-9]{1,3})-(?P<memory>[0-9]{1,7})")
_PERF_TIER = re.compile(r"db-perf-optimized-N-(?P<cpus>[0-9]{1,3})")


def serverless_v2_runs(major: int, minor: int | None) -> bool:
    """Whether Aurora Serverless v2 runs aurora-postgresql MAJOR.MINOR (a major alone: its newest minor)."""
    first = SERVERLESS_V2_FIRST_MINOR.get(major)
    return first is not None and (minor is None or minor >= first)


def pauses(major: int, minor: int | None) -> bool:
    """Whether a Serverless v2 cluster of MAJOR.MINOR can scale to 0 ACUs (a major alone: its newest minor)."""
    first = PAUSING_FIRST_MINOR.get(major)
    return first is not None and (minor is None or minor >= first)


def aurora_version(text: str) -> tuple[int, int | None]:
    """(major, minor or None) of an aurora-postgresql engine version this module accepted."""
    match = _AURORA_VERSION.fullmatch(text)
    assert match is not None, text
    minor = match.group("minor")
    return int(match.group("major")), None if minor is None else int(minor)


class AuroraSettings(SettingsModel):
    # A major takes the newest aurora-postgresql minor of that major when the cluster is created
    # (pulumi-aws `rds.get_engine_version` with `latest`); MAJOR.MINOR pins one. Aurora stops
    # offering old minors to new clusters ("Aurora PostgreSQL release calendars"), so a pin goes
    # stale where a major does not. A restored cluster runs its snapshot's version, and this is not sent.
    engine_version: str = "16"
    # Aurora capacity units; 0 lets the cluster pause where the engine version supports it.
    min_capacity: float = Field(default=0.5, ge=0, le=256, multiple_of=0.5)
    max_capacity: float = Field(default=4, ge=1, le=256, multiple_of=0.5)
    reader: Switch = False
    backup_retention_days: int = Field(default=MIN_BACKUP_RETENTION_DAYS, ge=MIN_BACKUP_RETENTION_DAYS, le=35)
    rotation_days: int = Field(default=MAX_ROTATION_DAYS, ge=1, le=MAX_ROTATION_DAYS)

    @field_validator("engine_version")
    @classmethod
    def _serverless_v2_version(cls, value: str) -> str:
        match = _AURORA_VERSION.fullmatch(value)
        majors = ", ".join(map(str, SERVERLESS_V2_FIRST_MINOR))
        if match is None:
            raise ValueError(f"must be an aurora-postgresql version, major or major.minor, such as '16' or '16.6', got {value!r}")
        major, minor = int(match.group("major")), match.group("minor")
        if major not in SERVERLESS_V2_FIRST_MINOR:
            raise ValueError(f"must be a major Aurora Serverless v2 runs ({majors}), got {value!r}")
        first = SERVERLESS_V2_FIRST_MINOR[major]
        if not serverless_v2_runs(major, None if minor is None else int(minor)):
            raise ValueError(f"must be {major}.{first} or later: Aurora Serverless v2 runs no earlier {major}.x, got {value!r}")
        return value

    @model_validator(mode="after")
    def _capacity_range(self) -> AuroraSettings:
        found: list[Finding] = []
        if self.max_capacity < self.min_capacity:
            found.append((("maxCapacity",), f"must be ≥ minCapacity ({self.min_capacity:g}), got {self.max_capacity:g}"))
        if self.min_capacity == 0:
            found += self._pausing_findings()
        raise_findings(found)
        return self

    def _pausing_findings(self) -> list[Finding]:
        major, minor = aurora_version(self.engine_version)
        first = PAUSING_FIRST_MINOR[major]
        # A major alone resolves to its newest minor, which is at or past the first that pauses.
        if pauses(major, minor):
            return []
        why = f"engineVersion {self.engine_version} cannot pause; Aurora PostgreSQL {major}.{first} and later scale to 0 ACUs"
        return [(("minCapacity",), f"0 needs an engine version that can pause: {why}")]


class CloudSqlSettings(SettingsModel):
    database_version: str = "POSTGRES_16"
    tier: str = "db-custom-2-7680"
    availability: Literal["zonal", "regional"] = "regional"
    backup_retention_days: int = Field(default=MIN_BACKUP_RETENTION_DAYS, ge=MIN_BACKUP_RETENTION_DAYS, le=365)
    # The weekly maintenance window, in UTC ("Maintenance window": a day and a one-hour start): Cloud SQL
    # restarts the instance for updates then, not at a time of its choosing. Monday is day 1.
    maintenance_day: int = Field(default=7, ge=1, le=7)
    maintenance_hour_utc: int = Field(default=2, ge=0, le=23)
    # No password rotation: the server logs in with IAM database authentication and holds no password;
    # the built-in `postgres` password is kept in Secret Manager for the one-time grant of the server's
    # tables, a deliberate exception explained in components/gcp/database/instance.py.

    @property
    def edition(self) -> str:
        # Left unset, PostgreSQL 16 and later default to Enterprise Plus, which rejects the
        # db-custom-* tiers; the tier decides the edition instead.
        return "ENTERPRISE_PLUS" if self.tier.startswith(PERF_OPTIMIZED_PREFIX) else "ENTERPRISE"

    @property
    def transaction_log_retention_days(self) -> int:
        """Point-in-time recovery reaches back as far as the backups do, up to what the edition keeps."""
        return min(self.backup_retention_days, MAX_LOG_RETENTION_DAYS[self.edition])

    @field_validator("database_version")
    @classmethod
    def _postgres(cls, value: str) -> str:
        if value not in CLOUD_SQL_POSTGRES_VERSIONS:
            known = f"{CLOUD_SQL_POSTGRES_VERSIONS[0]} … {CLOUD_SQL_POSTGRES_VERSIONS[-1]}"
            raise ValueError(f"must be a Cloud SQL PostgreSQL version ({known}) such as 'POSTGRES_16', got {value!r}")
        return value

    @field_validator("tier")
    @classmethod
    def _tier_shape(cls, value: str) -> str:
        why = _tier_problem(value)
        if why is not None:
            raise ValueError(f"{why}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _edition_runs_the_version(self) -> CloudSqlSettings:
        major = int(self.database_version.split("_")[1])
        if self.edition == "ENTERPRISE_PLUS" and major < ENTERPRISE_PLUS_FIRST_POSTGRES:
            why = f"{self.tier} is Enterprise Plus, which runs PostgreSQL {ENTERPRISE_PLUS_FIRST_POSTGRES} and later"
            raise_findings([(("databaseVersion",), f"{why}, got {self.database_version}")])
        return self


def _tier_problem(tier: str) -> str | None:
    if tier in CLOUD_SQL_SHARED_CORE_TIERS:
        return None
    perf = _PERF_TIER.fullmatch(tier)
    if perf is not None:
        if int(perf.group("cpus")) in CLOUD_SQL_PERF_OPTIMIZED_VCPUS:
            return None
        return f"db-perf-optimized-N takes {', '.join(map(str, CLOUD_SQL_PERF_OPTIMIZED_VCPUS))} vCPUs"
    custom = _CUSTOM_TIER.fullmatch(tier)
    if custom is None:
        return (
            "must be a Cloud SQL tier for PostgreSQL: db-custom-CPUS-MEMORY_MB such as 'db-custom-2-7680', "
            f"db-perf-optimized-N-CPUS, or {' / '.join(CLOUD_SQL_SHARED_CORE_TIERS)}"
        )
    cpus, memory = int(custom.group("cpus")), int(custom.group("memory"))
    if cpus not in CLOUD_SQL_CUSTOM_VCPUS:
        return "db-custom takes 1 or an even number of vCPUs from 2 to 96"
    low = max(CLOUD_SQL_CUSTOM_MIN_MEMORY_MB, CLOUD_SQL_CUSTOM_MEMORY_MB_PER_VCPU[0] * cpus)
    high = CLOUD_SQL_CUSTOM_MEMORY_MB_PER_VCPU[1] * cpus
    if memory % CLOUD_SQL_MEMORY_MULTIPLE_MB or not low <= memory <= high:
        return f"db-custom with {cpus} vCPUs takes {low} to {high} MB of memory, a multiple of {CLOUD_SQL_MEMORY_MULTIPLE_MB}"
    return None


class DatabaseSettings(SettingsModel):
    engine: Literal["local", "aurora", "cloudsql"] = "local"
    aurora: AuroraSettings = AuroraSettings()
    cloudsql: CloudSqlSettings = CloudSqlSettings()

    @property
    def managed(self) -> bool:
        """The database runs as a managed service (Aurora, Cloud SQL), not on the server's disk."""
        return self.engine != "local"

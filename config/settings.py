"""The whole stack's settings: every `tdce:` key of a stack file, validated once."""

from __future__ import annotations

import re
from collections import Counter
from copy import deepcopy
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from config.access import AccessSettings
from config.backup import BackupSettings
from config.base import Finding, SettingsModel, raise_findings
from config.bucket import BucketSettings
from config.database import ENGINES_BY_CLOUD, DatabaseSettings
from config.disks import DISK_TYPES_BY_CLOUD
from config.network import NetworkSettings
from config.restore import RestoreSettings
from config.server import ServerSettings
from config.workers import WorkerPool

# Defaults that differ by cloud, filled in below whatever the stack file gives.
CLOUD_DEFAULTS: dict[str, dict[str, Any]] = {
    "aws": {
        "server": {"instanceType": "m5.xlarge", "dataDisk": {"sizeGb": 1024, "type": "gp3"}},
        "workerDisk": {"sizeGb": 100, "type": "gp3"},
    },
    "gcp": {
        "server": {"instanceType": "n2-standard-4", "dataDisk": {"sizeGb": 1024, "type": "pd-balanced"}},
        "workerDisk": {"sizeGb": 100, "type": "pd-balanced"},
    },
}

AWS_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d"
GCP_REGION = r"[a-z]+-[a-z]+\d+"
GCP_PROJECT = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
AWS_SECRET = r"(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}"
GCP_LABEL_KEY = r"[a-z][a-z0-9_-]{0,62}"
GCP_LABEL_VALUE = r"[a-z0-9_-]{0,63}"
# The vendor forbids Secrets Manager's ExcludePunctuation characters in passwords
# (001_ec271c3ff40761d0.txt 3.1 step 10): that leaves letters and digits.
PASSWORD = r"[A-Za-z0-9]{12,64}"
# Google's IAP TCP forwarding range: SSH on GCP arrives from here (with OS Login).
GCP_IAP_RANGE = "35.235.240.0/20"


def _with_defaults(defaults: dict[str, Any], given: Any) -> Any:
    if not isinstance(given, dict):
        return given
    merged = deepcopy(defaults)
    for key, value in given.items():
        merged[key] = _with_defaults(defaults[key], value) if isinstance(defaults.get(key), dict) else value
    return merged


class Settings(SettingsModel):
    cloud: Literal["aws", "gcp"]
    region: str
    # GCP only: the project to deploy into.
    project: str | None = None
    # Zones for subnets and instance groups; empty means the region's first two.
    zones: tuple[str, ...] = ()
    network: NetworkSettings = NetworkSettings()
    access: AccessSettings
    server: ServerSettings
    workers: tuple[WorkerPool, ...] = ()
    # AWS only: Secrets Manager secrets (names or ARNs) the workers may read (vendor 4.17).
    worker_secrets: tuple[str, ...] = ()
    database: DatabaseSettings = DatabaseSettings()
    restore: RestoreSettings = RestoreSettings()
    backup: BackupSettings = BackupSettings()
    bucket: BucketSettings = BucketSettings()
    # Tags (AWS) or labels (GCP) on everything the stack creates.
    tags: dict[str, str] = Field(default_factory=dict)
    # Secrets: set with `pulumi config set --secret`. The dashboard password is generated when absent.
    dashboard_admin_password: SecretStr | None = None
    # The application-user password of the deployment being restored (Aurora restores only).
    database_user_password: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_cloud_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        cloud = data.get("cloud")
        defaults = CLOUD_DEFAULTS.get(cloud if isinstance(cloud, str) else "aws", CLOUD_DEFAULTS["aws"])
        filled = dict(data)
        filled["server"] = _with_defaults(defaults["server"], data.get("server", {}))
        workers = data.get("workers")
        if isinstance(workers, list | tuple):
            filled["workers"] = [_with_defaults({"disk": defaults["workerDisk"]}, pool) for pool in workers]
        return filled

    @field_validator("dashboard_admin_password", "database_user_password")
    @classmethod
    def _vendor_password_rules(cls, value: SecretStr | None) -> SecretStr | None:
        # The message never repeats the value: it is a secret.
        if value is not None and not re.fullmatch(PASSWORD, value.get_secret_value()):
            raise ValueError("must be 12 to 64 letters and digits: the vendor forbids punctuation in passwords")
        return value

    @model_validator(mode="after")
    def _rules_across_keys(self) -> Settings:
        raise_findings(self._findings())
        return self

    def _findings(self) -> list[Finding]:
        found: list[Finding] = []
        found += self._location_findings()
        found += self._access_findings()
        found += [(("server", *path), msg) for path, msg in self.server.findings_for(self.cloud)]
        found += self._disk_findings()
        found += self._worker_findings()
        found += self._database_findings()
        found += [(("restore", *path), msg) for path, msg in self.restore.findings_for(self.cloud, self.database.engine)]
        found += self._tag_findings(("tags",), self.tags)
        if self.cloud == "gcp" and self.backup.copy_to_region is not None:
            found.append((("backup", "copyToRegion"), "is AWS only: GCP snapshots are multi-regional already"))
        if self.cloud == "gcp" and self.backup.minute != 0:
            on_the_hour = f"must be on the hour on gcp, such as '03:00', got {self.backup.daily_at_utc!r}"
            found.append((("backup", "dailyAtUtc"), on_the_hour))
        return found

    def _location_findings(self) -> list[Finding]:
        found: list[Finding] = []
        region_pattern, example = (AWS_REGION, "eu-west-1") if self.cloud == "aws" else (GCP_REGION, "europe-north1")
        if not re.fullmatch(region_pattern, self.region):
            found.append((("region",), f"must be a {self.cloud} region such as {example!r}, got {self.region!r}"))
        if self.cloud == "gcp" and self.project is None:
            found.append((("project",), "is required on gcp: the project ID to deploy into"))
        if self.project is not None and (self.cloud == "aws" or not re.fullmatch(GCP_PROJECT, self.project)):
            why = (
                "is GCP only; remove it"
                if self.cloud == "aws"
                else f"must be a GCP project ID such as 'tdce-prod', got {self.project!r}"
            )
            found.append((("project",), why))
        for index, zone in enumerate(self.zones):
            expected = self.region if self.cloud == "aws" else f"{self.region}-"
            if not (zone.startswith(expected) and len(zone) > len(expected)):
                found.append(
                    (("zones", index), f"must be a zone of region {self.region!r} such as {expected + 'a'!r}, got {zone!r}")
                )
        if self.cloud == "aws":
            if self.zones and len(self.zones) < 2:
                found.append(
                    (("zones",), f"must list at least 2 zones (subnets in two zones; Aurora needs them), got {len(self.zones)}")
                )
            subnets = self.network.subnet_cidrs
            if subnets and len(subnets) < max(2, len(self.zones)):
                found.append(
                    (("network", "subnetCidrs"), f"must give one subnet per zone ({max(2, len(self.zones))}), got {len(subnets)}")
                )
        return found

    def _access_findings(self) -> list[Finding]:
        if self.cloud == "aws" and self.access.ssh and not self.access.admin_cidrs:
            return [(("access", "adminCidrs"), "must list at least one CIDR when access.ssh is true on aws")]
        return []

    def _disk_findings(self) -> list[Finding]:
        allowed = DISK_TYPES_BY_CLOUD[self.cloud]
        disks = [(("server", "dataDisk", "type"), self.server.data_disk.type)]
        disks += [(("workers", i, "disk", "type"), pool.disk.type) for i, pool in enumerate(self.workers)]
        return [
            (path, f"must be one of {', '.join(allowed)} on {self.cloud}, got {value!r}")
            for path, value in disks
            if value not in allowed
        ]

    def _worker_findings(self) -> list[Finding]:
        found: list[Finding] = []
        counts = Counter(pool.name for pool in self.workers)
        seen: set[str] = set()
        for index, pool in enumerate(self.workers):
            if counts[pool.name] > 1 and pool.name in seen:
                found.append((("workers", index, "name"), f"must be unique among the worker pools, got {pool.name!r} again"))
            seen.add(pool.name)
            found += [(("workers", index, *path), msg) for path, msg in pool.findings_for(self.cloud)]
            found += self._tag_findings(("workers", index, "tags"), pool.tags)
        for index, secret in enumerate(self.worker_secrets):
            if self.cloud == "gcp":
                found.append((("workerSecrets",), "is AWS only: on GCP grant the worker service account access to the secret"))
                break
            if not re.fullmatch(AWS_SECRET, secret):
                found.append((("workerSecrets", index), f"must be a Secrets Manager secret name or ARN, got {secret!r}"))
        return found

    def _database_findings(self) -> list[Finding]:
        found: list[Finding] = []
        allowed = ENGINES_BY_CLOUD[self.cloud]
        if self.database.engine not in allowed:
            found.append(
                (
                    ("database", "engine"),
                    f"{self.database.engine!r} is not offered on {self.cloud}; allowed: {', '.join(allowed)}",
                )
            )
        found += [
            (("database", block), f"only applies when engine is {block!r}, got engine {self.database.engine!r}")
            for block in ("aurora", "cloudsql")
            if block in self.database.model_fields_set and self.database.engine != block
        ]
        restoring_aurora = self.database.engine == "aurora" and self.restore.database_snapshot_identifier is not None
        if restoring_aurora and self.database_user_password is None:
            found.append(
                (
                    ("databaseUserPassword",),
                    "is required when restoring Aurora from a snapshot: the application-user password of the old "
                    "deployment (pulumi config set --secret tdce:databaseUserPassword …)",
                )
            )
        return found

    def _tag_findings(self, path: tuple[str | int, ...], tags: dict[str, str]) -> list[Finding]:
        found: list[Finding] = []
        for key, value in tags.items():
            if self.cloud == "aws":
                if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
                    found.append(((*path, key), "tag keys must be 1 to 128 characters and not start with 'aws:'"))
                elif len(value) > 256:
                    found.append(((*path, key), f"tag values must be at most 256 characters, got {len(value)}"))
            elif not re.fullmatch(GCP_LABEL_KEY, key) or not re.fullmatch(GCP_LABEL_VALUE, value):
                found.append(
                    (
                        (*path, key),
                        f"GCP labels take lowercase letters, digits, '_' and '-' (keys start with a letter), got {key}={value!r}",
                    )
                )
        return found

    @property
    def uses_secrets_endpoint(self) -> bool:
        """AWS: a Secrets Manager interface endpoint serves the rotation function and the workers' secrets."""
        return self.cloud == "aws" and (self.database.engine == "aurora" or bool(self.worker_secrets))

    @property
    def ssh_sources(self) -> tuple[str, ...]:
        """Where SSH to the server may come from: the admin CIDRs, plus IAP on GCP."""
        if self.cloud == "gcp":
            return (GCP_IAP_RANGE, *self.access.admin_cidrs)
        return self.access.admin_cidrs

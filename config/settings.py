"""The whole stack's settings: every `tdce:` key of a stack file, validated once."""

from __future__ import annotations

import re
from collections import Counter
from copy import deepcopy
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from config import locations, tag_rules
from config.access import AccessSettings
from config.backup import BackupSettings
from config.base import Finding, SettingsModel, Switch, raise_findings
from config.bucket import BucketSettings
from config.dashboard import DashboardSettings
from config.database import AURORA_PARTITION, ENGINES_BY_CLOUD, DatabaseSettings
from config.disks import DISK_TYPES_BY_CLOUD
from config.network import NetworkSettings
from config.restore import RestoreSettings
from config.server import ServerSettings
from config.workers import MAX_WORKER_POOLS, WorkerPool

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

# Regions and zones are the ones config/cloud_locations.json lists (config/locations.py); the
# patterns here spell every class in ASCII, since Python's \d also matches other scripts' digits.
GCP_PROJECT = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
AWS_SECRET = r"(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}"
EXAMPLE_REGION = {"aws": "eu-west-1", "gcp": "europe-north1"}
# The cloud as a message names it, with its article.
CLOUD_NAME = {"aws": "an AWS", "gcp": "a GCP"}
# `tdce:zones` empty means the region's first two: two zones are what Aurora's subnet group
# needs (components/aws/network.py and components/gcp/deployment.py look them up).
DEFAULT_ZONE_COUNT = 2
# The vendor forbids Secrets Manager's ExcludePunctuation characters in passwords
# (001_ec271c3ff40761d0.txt 3.1 step 10): that leaves letters and digits.
PASSWORD_LENGTH = (12, 64)
PASSWORD = rf"[A-Za-z0-9]{{{PASSWORD_LENGTH[0]},{PASSWORD_LENGTH[1]}}}"
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
    # What the Techila Dashboard may give the workers it starts besides the stack's own identity and group.
    dashboard: DashboardSettings = DashboardSettings()
    # How hard the stack is to delete: on, the data disk and the database are `protect`ed and refuse
    # deletion at the cloud too, and `pulumi destroy` stops before them (docs/deleting-a-stack.md).
    # Off (a development stack), `pulumi destroy` removes everything.
    deletion_protection: Switch = True
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

    @field_validator("workers", mode="before")
    @classmethod
    def _bounded_pool_count(cls, pools: Any) -> Any:
        # Checked before each pool is, so ten thousand pools cost one line, not ten thousand validations.
        if isinstance(pools, list | tuple) and len(pools) > MAX_WORKER_POOLS:
            raise ValueError(f"must list at most {MAX_WORKER_POOLS} worker pools (docs/settings-limits.md), got {len(pools)}")
        return pools

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
        found += self._network_findings()
        found += self._access_findings()
        found += [(("server", *path), msg) for path, msg in self.server.findings_for(self.cloud)]
        found += self._disk_findings()
        found += self._worker_findings()
        found += self._database_findings()
        restore = self.restore.findings_for(self.cloud, self.database.engine, self.region, self.project)
        found += [(("restore", *path), msg) for path, msg in restore]
        found += self._tag_findings()
        found += [(("backup", *path), msg) for path, msg in self.backup.findings_for(self.cloud, self.region)]
        found += [(("dashboard", *path), msg) for path, msg in self.dashboard.findings_for(self.cloud, self.workers)]
        return found

    def _location_findings(self) -> list[Finding]:
        found: list[Finding] = []
        if not locations.is_region(self.cloud, self.region):
            close = locations.closest_region(self.cloud, self.region)
            hint = f"; did you mean {close!r}?" if close else ""
            listed = f"as of {locations.as_of()}, config/cloud_locations.json"
            example, cloud = EXAMPLE_REGION[self.cloud], CLOUD_NAME[self.cloud]
            found.append((("region",), f"must be {cloud} region such as {example!r} ({listed}), got {self.region!r}{hint}"))
        if self.cloud == "gcp" and self.project is None:
            found.append((("project",), "is required on gcp: the project ID to deploy into"))
        if self.project is not None and (self.cloud == "aws" or not re.fullmatch(GCP_PROJECT, self.project)):
            why = (
                "is GCP only; remove it"
                if self.cloud == "aws"
                else f"must be a GCP project ID such as 'tdce-prod', got {self.project!r}"
            )
            found.append((("project",), why))
        found += self._zone_findings()
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

    def _zone_findings(self) -> list[Finding]:
        found: list[Finding] = []
        known = locations.zones(self.cloud, self.region)
        example = locations.zone_name(self.cloud, self.region, "a")
        for index, zone in enumerate(self.zones):
            key = ("zones", index)
            if zone in self.zones[:index]:
                found.append((key, f"must differ from zones[{self.zones.index(zone)}]: {zone!r} is listed twice"))
            elif not re.fullmatch(re.escape(self.region) + ("[a-z]" if self.cloud == "aws" else "-[a-z]"), zone):
                found.append((key, f"must be a zone of region {self.region!r} such as {example!r}, got {zone!r}"))
            elif known and zone not in known:
                listed = ", ".join(known)
                found.append(
                    (key, f"is not a zone of {self.region} (its zones as of {locations.as_of()}: {listed}), got {zone!r}")
                )
        return found

    def _network_findings(self) -> list[Finding]:
        if self.cloud == "aws":
            zone_count = len(self.zones) or DEFAULT_ZONE_COUNT
        else:
            zone_count = 1  # one regional subnetwork serves every zone
        return [(("network", *path), msg) for path, msg in self.network.findings_for(self.cloud, zone_count)]

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
        partition = locations.partition(self.region) if self.cloud == "aws" else None
        if self.database.engine == "aurora" and partition not in (None, AURORA_PARTITION):
            # The password rotation is AWS's own function from the Serverless Application Repository, which
            # the stack names by its ARN in the aws partition (components/aws/database/secrets.py).
            found.append(
                (
                    ("database", "engine"),
                    f"'aurora' needs AWS's rotation application, which this stack names in the {AURORA_PARTITION} partition "
                    f"only; {self.region} is in {partition}: use engine 'local'",
                )
            )
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

    def _tag_findings(self) -> list[Finding]:
        found = tag_rules.findings(self.cloud, ("tags",), self.tags)
        # The most-tagged resources: a pool's carry the stack's tags, the pool's and three of the project's.
        on_stack = tag_rules.PROJECT_TAGS_ON_POOL_RESOURCES if self.workers else tag_rules.PROJECT_TAGS_ON_ANY_RESOURCE
        stack_count = tag_rules.count_finding(self.cloud, ("tags",), set(self.tags), on_stack)
        found += stack_count
        for index, pool in enumerate(self.workers):
            found += tag_rules.findings(self.cloud, ("workers", index, "tags"), pool.tags)
            if not stack_count:
                keys = set(self.tags) | set(pool.tags)
                found += tag_rules.count_finding(
                    self.cloud, ("workers", index, "tags"), keys, tag_rules.PROJECT_TAGS_ON_POOL_RESOURCES
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

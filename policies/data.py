"""State that outlives a deployment: the data disk and the database are protected, backed up, and their secrets rotate."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from config.resource_types import (
    AWS_BACKUP_PLAN,
    AWS_DATABASE_CLUSTER,
    AWS_SECRET_ROTATION,
    AWS_VOLUME,
    GCP_DATABASE_INSTANCE,
    GCP_DISKS,
    GCP_SECRET,
    GCP_SNAPSHOT_SCHEDULE,
)
from config.safety_limits import MAX_ROTATION_DAYS, MIN_BACKUP_RETENTION_DAYS
from policies.reading import get, has, is_set, items, number, truthy
from policies.stack_settings import stack_resolved

STATEFUL = (AWS_VOLUME, AWS_DATABASE_CLUSTER, *GCP_DISKS, GCP_DATABASE_INSTANCE)
# Cloud SQL keeps this many daily backups when retainedBackups is not set.
CLOUD_SQL_DEFAULT_RETAINED_BACKUPS = 7
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class DaysOption:
    """A policy's one configurable number of days: its key in the pack's config, and its default."""

    key: str
    default: int

    def schema(self) -> PolicyConfigSchema:
        return PolicyConfigSchema(properties={self.key: {"type": "integer", "minimum": 1, "default": self.default}})

    def configured(self, args: ResourceValidationArgs) -> float:
        return number(args.get_config().get(self.key)) or self.default


MIN_RETENTION = DaysOption("minDays", MIN_BACKUP_RETENTION_DAYS)
MAX_ROTATION = DaysOption("maxDays", MAX_ROTATION_DAYS)


def deletion_protection_wanted() -> bool:
    """`tdce:deletionProtection` of the stack under analysis; on when the pack cannot read the stack
    (the `stack-settings-readable` policy says why), so an unreadable stack is checked the strict way."""
    stack = stack_resolved()
    return stack is None or stack.settings.deletion_protection


def validate_stateful_resources_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # A stack that sets tdce:deletionProtection false (a development stack) is meant to be destroyed whole.
    if args.resource_type in STATEFUL and not args.opts.protect and deletion_protection_wanted():
        report(
            "the resource is not protected (resource option protect): a refactoring or a changed restore source could delete it",
            None,
        )


stateful_resources_protected = ResourceValidationPolicy(
    name="stateful-resources-protected",
    description=(
        "The data volume or disk and the managed database carry the protect resource option, so no change to the "
        "program can delete or replace them without an explicit unprotect first. They hold every bundle and result. "
        "A stack with tdce:deletionProtection false (meant to be destroyed whole) is exempt."
    ),
    validate=validate_stateful_resources_protected,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Pass ResourceOptions(protect=True) to the data volume/disk and the database.",
)


def validate_database_deletion_safeguards(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    protection = deletion_protection_wanted()
    if args.resource_type == AWS_DATABASE_CLUSTER:
        if protection and not truthy(get(props, "deletionProtection")):
            report("deletionProtection is off", None)
        # The identifier carries a random suffix, unknown at preview: that it is set is what counts.
        if truthy(get(props, "skipFinalSnapshot")) or not is_set(props, "finalSnapshotIdentifier"):
            report("no final snapshot on deletion (skipFinalSnapshot or no finalSnapshotIdentifier)", None)
    elif args.resource_type == GCP_DATABASE_INSTANCE:
        if protection and get(props, "deletionProtection") is False:
            report("deletionProtection is off", None)
        if protection and not truthy(get(props, "settings", "deletionProtectionEnabled")):
            report("settings.deletionProtectionEnabled is off: the instance can be deleted outside Pulumi", None)
        keeps = truthy(get(props, "settings", "retainBackupsOnDelete"))
        if not keeps and not truthy(get(props, "settings", "finalBackupConfig", "enabled")):
            report("deleting the instance would delete its backups (no retainBackupsOnDelete, no finalBackupConfig)", None)


database_deletion_safeguards = ResourceValidationPolicy(
    name="database-deletion-safeguards",
    description=(
        "The managed database refuses deletion (deletion protection at the cloud, not only in Pulumi; not with "
        "tdce:deletionProtection false) and leaves a final snapshot or backup if it is deleted all the same."
    ),
    validate=validate_database_deletion_safeguards,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Keep database.*.deletionProtection true; set finalSnapshotIdentifier (Aurora), retainBackupsOnDelete (Cloud SQL)."
    ),
)


def validate_backups_retained(args: ResourceValidationArgs, report: ReportViolation) -> None:
    minimum = MIN_RETENTION.configured(args)
    props, kind = args.props, args.resource_type
    kept: list[tuple[str, float | None]] = []
    if kind == AWS_DATABASE_CLUSTER:
        kept.append(("backupRetentionPeriod", number(get(props, "backupRetentionPeriod", default=1))))
    elif kind == GCP_DATABASE_INSTANCE:
        if not truthy(get(props, "settings", "backupConfiguration", "enabled")):
            report("automated backups are off (settings.backupConfiguration.enabled)", None)
        retained = get(props, "settings", "backupConfiguration", "backupRetentionSettings", "retainedBackups")
        kept.append(("retainedBackups", number(retained if retained is not None else CLOUD_SQL_DEFAULT_RETAINED_BACKUPS)))
    elif kind == AWS_BACKUP_PLAN:
        for index, rule in enumerate(items(get(props, "rules"))):
            if has(rule, "lifecycle"):
                kept.append((f"rules[{index}].lifecycle.deleteAfter", number(get(rule, "lifecycle", "deleteAfter"))))
    elif kind == GCP_SNAPSHOT_SCHEDULE and has(props, "snapshotSchedulePolicy"):
        days = get(props, "snapshotSchedulePolicy", "retentionPolicy", "maxRetentionDays")
        kept.append(("snapshotSchedulePolicy.retentionPolicy.maxRetentionDays", number(days)))
    for field, days in kept:
        if days is not None and days < minimum:
            report(f"{field} keeps backups {days:g} days, fewer than {minimum:g}", None)


backups_retained = ResourceValidationPolicy(
    name="backups-retained",
    description=(
        f"Backups of the database and the data disk are kept at least {MIN_RETENTION.default} days (configurable: "
        f"{MIN_RETENTION.key}), long enough to notice a bad job or a deletion over a weekend and restore from before it."
    ),
    validate=validate_backups_retained,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=MIN_RETENTION.schema(),
    remediation_steps="Raise backup.retentionDays or database.*.backupRetentionDays in the stack's config.",
)

_RATE = re.compile(r"rate\((\d+)\s+(day|days|hour|hours)\)")


def _rotation_days(rules: object) -> float | None:
    """Days between rotations of a Secrets Manager rotation; None when only a cron schedule says."""
    after = number(get(rules, "automaticallyAfterDays"))
    if after is not None:
        return after
    expression = get(rules, "scheduleExpression")
    match = _RATE.fullmatch(expression.strip()) if isinstance(expression, str) else None
    if match is None:
        return None
    count = float(match.group(1))
    return count if match.group(2).startswith("day") else count / 24


def validate_secret_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    maximum = MAX_ROTATION.configured(args)
    props, kind = args.props, args.resource_type
    if kind == AWS_SECRET_ROTATION:
        days = _rotation_days(get(props, "rotationRules"))
        if days is None:
            report("the rotation schedule is no rate(N days) and no automaticallyAfterDays: its interval can't be checked", None)
        elif days > maximum:
            report(f"the secret rotates every {days:g} days, more than {maximum:g}", None)
    elif kind == AWS_DATABASE_CLUSTER and has(props, "masterPassword"):
        report("the master password is fixed in the program; use manageMasterUserPassword so RDS keeps and rotates it", None)
    elif kind == GCP_SECRET and has(props, "rotation"):
        # A duration in seconds with an "s" suffix (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets#rotation).
        seconds = number(str(get(props, "rotation", "rotationPeriod")).removesuffix("s"))
        if seconds is None or seconds / SECONDS_PER_DAY > maximum:
            report(f"rotation.rotationPeriod is longer than {maximum:g} days", None)


secret_rotation = ResourceValidationPolicy(
    name="secret-rotation",
    description=(
        f"Database secrets rotate at least every {MAX_ROTATION.default} days (configurable: {MAX_ROTATION.key}), as the "
        "vendor does for its database passwords (001_ec271c3ff40761d0.txt 4.8.2, 4.16.3); a fixed master password never "
        "does."
    ),
    validate=validate_secret_rotation,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    config_schema=MAX_ROTATION.schema(),
    remediation_steps=f"Set the rotation to automaticallyAfterDays ≤ {MAX_ROTATION.key}; let RDS manage the master password.",
)

DATA_POLICIES = [stateful_resources_protected, database_deletion_safeguards, backups_retained, secret_rotation]

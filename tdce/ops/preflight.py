"""`tdce preflight`: would `pulumi up` of this stack succeed in this account? Each check passes, fails, or says why not run."""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from config.settings import Settings
from tdce.ops.capacity_checks import capacity_checks
from tdce.ops.clients import AwsClients, error_text
from tdce.ops.launch_checks import launch_checks
from tdce.ops.machines import instance_types, machines
from tdce.ops.reference_checks import reference_checks
from tdce.ops.report import Check, Status, failed, guarded, passed, skipped
from tdce.ops.restore_checks import AURORA_ENGINE, DATABASE_KEY, database_snapshot, restore_checks

SERVERLESS_CLASS = "db.serverless"


def run_preflight(settings: Settings, clients: AwsClients) -> list[Check]:
    checks: list[Check] = []
    # Without credentials or a usable region every other call fails the same way: say it once.
    gates = (("credentials", _account, "working credentials"), ("tdce:region", _region, "a region this account can use"))
    for name, gate, needs in gates:
        checks += _guarded(name, lambda gate=gate: [gate(clients)])
        if checks[-1].status is Status.FAIL:
            return [*checks, skipped("other checks", f"they need {needs}")]
    try:
        types = instance_types(clients, (machine.instance_type for machine in machines(settings)))
    except _AWS_ERRORS as error:
        return [*checks, failed("instance types", error_text(error)), skipped("other checks", "they need the instance types")]
    checks += _guarded("tdce:database.engine", lambda: [_aurora_orderable(settings, clients)])
    checks += _guarded("restore", lambda: restore_checks(settings, clients))
    checks += _guarded("settings references", lambda: reference_checks(settings, clients, types))
    checks += _guarded("quotas", lambda: capacity_checks(settings, clients, types))
    checks += _guarded("image launches", lambda: launch_checks(settings, clients))
    return checks


_AWS_ERRORS = (ClientError, BotoCoreError)


def _guarded(name: str, run: Callable[[], list[Check]]) -> list[Check]:
    return guarded(name, run, _AWS_ERRORS, error_text)


def _account(clients: AwsClients) -> Check:
    identity = clients("sts").get_caller_identity()
    return passed("credentials", f"account {identity['Account']} as {identity['Arn']}")


def _region(clients: AwsClients) -> Check:
    key = "tdce:region"
    regions = {region["RegionName"]: region for region in clients("ec2").describe_regions(AllRegions=True)["Regions"]}
    region = regions.get(clients.region)
    if region is None:
        return failed(key, f"{clients.region} is not a region this account knows")
    if region.get("OptInStatus") == "not-opted-in":
        return failed(key, f"{clients.region} is an opt-in region not enabled for this account: enable it first")
    return passed(key, f"{clients.region} is available")


def _aurora_orderable(settings: Settings, clients: AwsClients) -> Check:
    key = "tdce:database.engine"
    if settings.database.engine != "aurora":
        return skipped(key, f"database.engine is {settings.database.engine}: no Aurora")
    restoring = settings.restore.database_snapshot_identifier
    if restoring is not None:
        # A restored cluster runs its snapshot's version (components/aws/database/cluster.py sends no
        # engineVersion then): that version must be orderable, whatever engineVersion says.
        snapshot = database_snapshot(restoring, clients)
        if snapshot is None or not snapshot.get("EngineVersion"):
            return skipped(key, f"the version is the restore snapshot's: see {DATABASE_KEY}")
        version, source = snapshot["EngineVersion"], f"{restoring}'s version, a restored cluster's ({DATABASE_KEY})"
    else:
        version = _engine_version(settings.database.aurora.engine_version, clients)
        source = "tdce:database.aurora.engineVersion"
    if version is None:
        wanted = settings.database.aurora.engine_version
        return failed(key, f"{AURORA_ENGINE} offers no {wanted}.x in {clients.region}: see tdce:database.aurora.engineVersion")
    options = clients("rds").describe_orderable_db_instance_options(
        Engine=AURORA_ENGINE, EngineVersion=version, DBInstanceClass=SERVERLESS_CLASS, MaxRecords=20
    )["OrderableDBInstanceOptions"]
    # Filter again: the answer must name the serverless class, whatever the service did with the filter.
    if not any(option.get("DBInstanceClass") == SERVERLESS_CLASS for option in options):
        return failed(
            key,
            f"Aurora Serverless v2 ({AURORA_ENGINE} {version}, {SERVERLESS_CLASS}) is not orderable in {clients.region}: "
            f"pick another region or {source}",
        )
    return passed(key, f"Aurora Serverless v2 ({AURORA_ENGINE} {version}) is orderable in {clients.region}")


def _engine_version(configured: str, clients: AwsClients) -> str | None:
    """The version the stack will get: a full version as given; for a major, its newest minor, as the
    program's `aws.rds.get_engine_version(latest=True)` picks it (DescribeOrderableDBInstanceOptions
    matches exact versions only)."""
    if "." in configured:
        return configured
    pages = clients("rds").get_paginator("describe_db_engine_versions").paginate(Engine=AURORA_ENGINE)
    minors = [
        v["EngineVersion"] for page in pages for v in page["DBEngineVersions"] if v["EngineVersion"].split(".")[0] == configured
    ]
    return max(minors, key=lambda v: tuple(int(part) for part in v.split(".") if part.isdigit()), default=None)

"""`tdce preflight` on GCP: can this project and region take the stack, before `pulumi up`?

Checks, with Google's client libraries (tdce/ops/gcp_clients.py): the Service Usage API is on (the stack
enables every other API through it, components/gcp/apis.py); the region exists for the project; and,
once Compute Engine is on, the region's quotas leave room for the server and every pool at its
`maxCount` (vendor 001_ec271c3ff40761d0.txt 3.4: nothing checks the quota when the dashboard starts
workers; they silently never come), and for the disks; the snapshot a restore names for the
data disk exists, is READY and fits `server.dataDisk.sizeGb`; and the Cloud SQL instance a restore
clones exists in the project, runs PostgreSQL, and can be cloned at the point in time asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from components.gcp.apis import CLOUD_SQL_ADMIN, apis_for
from config.machine_types import machine_type
from config.settings import Settings
from tdce.ops.gcp_clients import GcpClients, GoogleError, NotFound
from tdce.ops.machines import Machine, machines
from tdce.ops.report import Check, Status, failed, guarded, passed, skipped
from tdce.ops.restore_checks import DISK_KEY, SIZE_KEY

CLONE_KEY = "tdce:restore.cloudsqlSourceInstance"
PITR_KEY = "tdce:restore.cloudsqlPointInTime"
# Cloud SQL's databaseVersion names PostgreSQL versions POSTGRES_<major> (POSTGRES_16, …).
POSTGRES = "POSTGRES_"

SERVICE_USAGE = "serviceusage.googleapis.com"
COMPUTE = "compute.googleapis.com"
# Regional CPU quota metrics ("Allocation quotas", CPU quota): N1 and E2 count against CPUS, the
# newer families against a quota of their own, Spot VMs against PREEMPTIBLE_CPUS when the project has one.
FAMILY_CPU_METRICS = {
    "n2": "N2_CPUS",
    "n2d": "N2D_CPUS",
    "n4": "N4_CPUS",
    "c2": "C2_CPUS",
    "c2d": "C2D_CPUS",
    "c3": "C3_CPUS",
    "c3d": "C3D_CPUS",
    "c4": "C4_CPUS",
    "t2d": "T2D_CPUS",
    "t2a": "T2A_CPUS",
    "m1": "M1_CPUS",
    "m2": "M2_CPUS",
    "m3": "M3_CPUS",
    "a2": "A2_CPUS",
}
ALL_CPUS = "CPUS"
SPOT_CPUS = "PREEMPTIBLE_CPUS"
# Persistent disk quotas: pd-balanced and pd-ssd count against SSD_TOTAL_GB, pd-standard against DISKS_TOTAL_GB.
DISK_METRICS = {"pd-ssd": "SSD_TOTAL_GB", "pd-balanced": "SSD_TOTAL_GB", "pd-standard": "DISKS_TOTAL_GB"}
STATIC_ADDRESSES = "STATIC_ADDRESSES"
ROOT_DISK_TYPE = "pd-balanced"


def run_gcp_preflight(settings: Settings, clients: GcpClients) -> list[Check]:
    try:
        enabled = clients.services.enabled()
    except GoogleError as error:
        return [failed("APIs", _text(error)), skipped("other checks", "they need the Service Usage API")]
    checks = [_apis(settings, enabled)]
    if checks[-1].status is Status.FAIL:
        return [*checks, skipped("other checks", "they need the Service Usage API")]
    if COMPUTE not in enabled:
        return [*checks, skipped("quotas", f"{COMPUTE} is not on yet: pulumi up turns it on; run preflight again after")]
    region_checks = _guarded("tdce:region", lambda: [_region(settings, clients)])
    checks += region_checks
    if region_checks[-1].status is Status.FAIL:
        return [*checks, skipped("quotas", "they need the region")]
    checks += _guarded("quotas", lambda: _quotas(settings, clients))
    checks += _guarded(DISK_KEY, lambda: [_data_disk_snapshot(settings, clients)])
    checks += _guarded(CLONE_KEY, lambda: [_clone_source(settings, clients, enabled)])
    return checks


def _clone_source(settings: Settings, clients: GcpClients, enabled: set[str]) -> Check:
    name, moment = settings.restore.cloudsql_source_instance, settings.restore.cloudsql_point_in_time
    if name is None:
        return skipped(CLONE_KEY, "not set: the database starts empty")
    if CLOUD_SQL_ADMIN not in enabled:
        # An instance cannot exist where the API is off; the clone is made in the source's project.
        return failed(CLONE_KEY, f"{name} cannot be an instance of project {clients.project}: {CLOUD_SQL_ADMIN} is off there")
    try:
        source = clients.sql.instance(name)
    except NotFound:
        # Cloning a deleted instance needs its deletion time (instances.clone sourceInstanceDeletionTime),
        # which this stack does not send.
        return failed(
            CLONE_KEY, f"{name} is not a Cloud SQL instance of project {clients.project} (a deleted one cannot be cloned here)"
        )
    version = str(source.get("databaseVersion", ""))
    if not version.startswith(POSTGRES):
        return failed(CLONE_KEY, f"{name} runs {version or 'no version given'}: the Techila server's database is PostgreSQL")
    where = source.get("region")
    if where is not None and where != settings.region:
        # instances.clone has no destination region (CloneContext: a preferred zone, "if no zone is
        # specified, clone to the same primary zone as the source instance"), so the clone is made in
        # the source's region; the instance's `region`, which forces a new instance when it changes
        # (pulumi-gcp sql.DatabaseInstance), would then differ from what Google reads back.
        return failed(
            CLONE_KEY,
            f"{name} is in {where}, not tdce:region ({settings.region}): a clone is made in its source's region, "
            "and the next pulumi up would replace the restored database; restore into a stack of that region",
        )
    about = f"{name}: {version}, {source.get('state', 'state unknown')}, in {where or 'an unknown region'}"
    if moment is None:
        return passed(CLONE_KEY, f"{about}; cloned as it is at pulumi up")
    backups = (source.get("settings") or {}).get("backupConfiguration") or {}
    if not backups.get("pointInTimeRecoveryEnabled"):
        # PostgreSQL keeps the logs a point-in-time clone replays only with point-in-time recovery on.
        return failed(PITR_KEY, f"{name} has point-in-time recovery off: it can be cloned only as it is (unset {PITR_KEY})")
    earliest, latest = clients.sql.recovery_window(name)
    if moment > latest or (earliest is not None and moment < earliest):
        window = f"{earliest.isoformat() if earliest else 'its oldest kept log'} to {latest.isoformat()}"
        return failed(PITR_KEY, f"{moment.isoformat()} is outside {name}'s recovery window, {window}")
    return passed(PITR_KEY, f"{about}; {moment.isoformat()} is within its recovery window (latest {latest.isoformat()})")


def _data_disk_snapshot(settings: Settings, clients: GcpClients) -> Check:
    name = settings.restore.data_disk_snapshot_id
    if name is None:
        return skipped(DISK_KEY, "not set: the data disk starts empty")
    try:
        snapshot = clients.compute.snapshot(name)
    except NotFound:
        return failed(DISK_KEY, f"{name} is not a snapshot of project {clients.project}")
    size, limit = int(snapshot.disk_size_gb), settings.server.data_disk.size_gb
    if snapshot.status != "READY":
        return failed(DISK_KEY, f"{name} is {snapshot.status}, not READY: wait for it, then run again")
    if size > limit:
        # pulumi-gcp compute.Disk `size`: with a snapshot, "the value must not be less than the size of" it.
        return failed(DISK_KEY, f"{name} is of a {size} GB disk, larger than {SIZE_KEY} ({limit}): a disk cannot be smaller")
    return passed(DISK_KEY, f"{name}: READY, of a {size} GB disk ≤ {SIZE_KEY} ({limit})")


def _guarded(name: str, run: Callable[[], list[Check]]) -> list[Check]:
    return guarded(name, run, (GoogleError,), _text)


def _text(error: GoogleError) -> str:
    return f"{type(error).__name__}: {getattr(error, 'message', error)}"


def _apis(settings: Settings, enabled: set[str]) -> Check:
    if SERVICE_USAGE not in enabled:
        why = "the stack turns on the APIs it uses through it"
        return failed("APIs", f"{SERVICE_USAGE} is off: {why}; gcloud services enable {SERVICE_USAGE}")
    wanted = apis_for(settings)
    on = sorted(api for api in wanted if api in enabled)
    off = sorted(api for api in wanted if api not in enabled)
    detail = (f"pulumi up turns on {', '.join(off)}; " if off else "") + f"already on: {', '.join(on) or 'none'}"
    return passed("APIs", detail)


def _region(settings: Settings, clients: GcpClients) -> Check:
    try:
        region = clients.compute.region(settings.region)
    except NotFound:
        return failed("tdce:region", f"{settings.region} is not a region of project {clients.project}")
    if region.status != "UP":
        return failed("tdce:region", f"{settings.region} is {region.status}")
    return passed("tdce:region", f"{settings.region} is up")


def _quotas(settings: Settings, clients: GcpClients) -> list[Check]:
    region = clients.compute.region(settings.region)
    quotas = {quota.metric: (quota.limit, quota.usage) for quota in region.quotas}
    checks: list[Check] = []
    for metric, (needed, who) in sorted(_cpu_demand(machines(settings), quotas).items()):
        checks.append(_compare(metric, needed, who, quotas))
    for metric, (needed, who) in sorted(_disk_demand(settings).items()):
        checks.append(_compare(metric, needed, who, quotas))
    checks.append(_compare(STATIC_ADDRESSES, 1, "the server's address", quotas))
    return checks


def _cpu_demand(found: list[Machine], quotas: Mapping[str, tuple[float, float]]) -> dict[str, tuple[int, str]]:
    demand: dict[str, tuple[int, str]] = {}
    spot_quota = quotas.get(SPOT_CPUS, (0, 0))[0] > 0
    for machine in found:
        cpus = machine_type(machine.instance_type).vcpus * machine.count
        family = machine_type(machine.instance_type).family
        metrics = [FAMILY_CPU_METRICS.get(family, ALL_CPUS)]
        if metrics[0] != ALL_CPUS:
            # The family's own quota and the regional total both apply.
            metrics.append(ALL_CPUS)
        if machine.purchase == "spot" and spot_quota:
            metrics = [SPOT_CPUS]
        for metric in metrics:
            total, who = demand.get(metric, (0, ""))
            demand[metric] = (total + cpus, f"{who}, {machine.label}" if who else machine.label)
    return demand


def _disk_demand(settings: Settings) -> dict[str, tuple[int, str]]:
    demand: dict[str, tuple[int, str]] = {}

    def add(disk_type: str, gb: int, who: str) -> None:
        metric = DISK_METRICS.get(disk_type)
        if metric is None:
            return
        total, whom = demand.get(metric, (0, ""))
        demand[metric] = (total + gb, f"{whom}, {who}" if whom else who)

    add(settings.server.data_disk.type, settings.server.data_disk.size_gb, "the data disk")
    add(ROOT_DISK_TYPE, settings.server.root_disk_size_gb, "the server's boot disk")
    for pool in settings.workers:
        add(pool.disk.type, pool.disk.size_gb * pool.max_count, f"pool {pool.name}")
    return demand


def _compare(metric: str, needed: int, who: str, quotas: Mapping[str, tuple[float, float]]) -> Check:
    name = f"quota {metric}"
    if metric not in quotas:
        return skipped(name, f"the region reports no {metric} quota: check it by hand ({needed} for {who})")
    limit, usage = quotas[metric]
    free = limit - usage
    detail = f"{needed:g} needed ({who}), {free:g} free of {limit:g}"
    if needed > free:
        return failed(name, f"{detail}: request more in the console (IAM & Admin > Quotas) or lower maxCount")
    return passed(name, detail)

"""`tdce preflight` on GCP, against fakes made of Google's message types (tests/gcp_fakes.py)."""

from __future__ import annotations

import pytest
from google.cloud import compute_v1

from tdce.ops.gcp_clients import GcpClients
from tdce.ops.gcp_preflight import CLONE_KEY, run_gcp_preflight
from tdce.ops.report import Status
from tdce.ops.restore_checks import DISK_KEY
from tests.gcp_fakes import FakeCompute, FakeServices
from tests.support import settings_of, stack_values, with_setting

PROJECT = "tdce-prod-example"
ON = {"serviceusage.googleapis.com", "compute.googleapis.com"}


def settings():
    values, secret_keys = stack_values("gcp-prod")
    return settings_of(values, secret_keys)


def region(quotas: dict[str, tuple[float, float]], status: str = "UP") -> compute_v1.Region:
    return compute_v1.Region(
        name="europe-north1",
        status=status,
        quotas=[compute_v1.Quota(metric=metric, limit=limit, usage=usage) for metric, (limit, usage) in quotas.items()],
    )


def run(quotas, enabled=ON, status="UP"):
    compute = FakeCompute(PROJECT)
    compute.regions["europe-north1"] = region(quotas, status)
    return {
        c.name: c
        for c in run_gcp_preflight(
            settings(), GcpClients(PROJECT, "europe-north1", compute=compute, services=FakeServices(enabled))
        )
    }


# gcp-prod at full size, worked out from its stack file and Compute Engine's machine types: the server
# n2-standard-8 (8 vCPUs, N2_CPUS and CPUS), pool linux-spot 40 x c2-standard-16 (640 vCPUs, C2_CPUS and
# CPUS, or PREEMPTIBLE_CPUS when the project has that quota); disks pd-ssd 1024 + pd-balanced 30 +
# 40 x 100 pd-balanced = 5054 GB of SSD_TOTAL_GB.
ROOMY = {"CPUS": (1000, 0), "N2_CPUS": (100, 0), "C2_CPUS": (700, 0), "SSD_TOTAL_GB": (10000, 0), "STATIC_ADDRESSES": (8, 0)}


def test_a_project_with_room_passes_every_quota_with_the_numbers_shown():
    checks = run(ROOMY)
    # gcp-prod restores nothing: no disk snapshot, no Cloud SQL clone.
    assert checks.pop(DISK_KEY).status is Status.SKIPPED
    assert checks.pop(CLONE_KEY).status is Status.SKIPPED
    assert all(c.status is Status.PASS for c in checks.values()), checks
    assert checks["quota CPUS"].detail.startswith("648 needed (server, pool linux-spot), 1000 free of 1000")
    assert checks["quota C2_CPUS"].detail.startswith("640 needed (pool linux-spot)")
    assert checks["quota SSD_TOTAL_GB"].detail.startswith("5054 needed")
    assert "pulumi up turns on" in checks["APIs"].detail and "sqladmin.googleapis.com" in checks["APIs"].detail


def test_too_small_a_quota_fails_with_one_line_saying_what_to_do():
    checks = run({**ROOMY, "C2_CPUS": (600, 0)})
    assert checks["quota C2_CPUS"].status is Status.FAIL
    assert (
        checks["quota C2_CPUS"].detail
        == "640 needed (pool linux-spot), 600 free of 600: request more in the console (IAM & Admin > Quotas) or lower maxCount"
    )
    used = run({**ROOMY, "SSD_TOTAL_GB": (6000, 1000)})
    assert used["quota SSD_TOTAL_GB"].status is Status.FAIL


def test_spot_pools_count_against_the_preemptible_quota_when_the_project_has_one():
    checks = run({**ROOMY, "PREEMPTIBLE_CPUS": (1000, 0), "C2_CPUS": (0, 0)})
    assert checks["quota PREEMPTIBLE_CPUS"].detail.startswith("640 needed (pool linux-spot)")
    assert "quota C2_CPUS" not in checks
    assert checks["quota CPUS"].detail.startswith("8 needed (server)")


def test_without_the_service_usage_api_nothing_else_is_checked():
    checks = run(ROOMY, enabled=set())
    assert checks["APIs"].status is Status.FAIL and "gcloud services enable serviceusage.googleapis.com" in checks["APIs"].detail
    assert checks["other checks"].status is Status.SKIPPED


def test_before_compute_engine_is_on_quotas_are_skipped_not_failed():
    checks = run(ROOMY, enabled={"serviceusage.googleapis.com"})
    assert checks["APIs"].status is Status.PASS and "compute.googleapis.com" in checks["APIs"].detail
    assert checks["quotas"].status is Status.SKIPPED


def test_a_region_that_is_down_fails():
    assert run(ROOMY, status="DOWN")["tdce:region"].status is Status.FAIL


def test_tdce_preflight_on_a_gcp_stack_runs_the_gcp_checks(monkeypatch, capsys):
    from tdce.cli import main
    from tdce.ops import gcp_commands

    compute = FakeCompute(PROJECT)
    compute.regions["europe-north1"] = region(ROOMY)

    def clients(project, region_name):
        return GcpClients(project, region_name, compute=compute, services=FakeServices(ON))

    monkeypatch.setattr(gcp_commands, "GcpClients", clients)
    assert main(["preflight", "gcp-prod", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"name": "quota C2_CPUS"' in out and '"ok": true' in out


def restore_check(snapshot: compute_v1.Snapshot | None, name: str = "tdce-data-2026-11-01", size_gb: int = 1024):
    values, secret_keys = stack_values("gcp-prod")
    values = with_setting(with_setting(values, "restore.dataDiskSnapshotId", name), "server.dataDisk.sizeGb", size_gb)
    compute = FakeCompute(PROJECT)
    compute.regions["europe-north1"] = region(ROOMY)
    if snapshot is not None:
        compute.snapshot_store[snapshot.name] = snapshot
    clients = GcpClients(PROJECT, "europe-north1", compute=compute, services=FakeServices(ON))
    (check,) = [c for c in run_gcp_preflight(settings_of(values, secret_keys), clients) if c.name == DISK_KEY]
    return check


@pytest.mark.parametrize(
    ("status", "disk_gb", "size_gb", "expected", "says"),
    [
        ("READY", 1024, 1024, Status.PASS, "READY, of a 1024 GB disk"),
        ("READY", 2048, 1024, Status.FAIL, "larger than tdce:server.dataDisk.sizeGb (1024)"),
        ("CREATING", 512, 1024, Status.FAIL, "CREATING, not READY"),
        ("UPLOADING", 512, 1024, Status.FAIL, "UPLOADING, not READY"),
    ],
    ids=["ready and fits", "larger than the disk", "still being made", "still uploading"],
)
def test_a_restores_disk_snapshot_must_be_ready_and_fit_the_data_disk(status, disk_gb, size_gb, expected, says):
    # pulumi-gcp compute.Disk `size`: with a snapshot, "the value must not be less than the size of" it;
    # Snapshot.status: CREATING, DELETING, FAILED, READY, UPLOADING (compute v1 API).
    check = restore_check(compute_v1.Snapshot(name="tdce-data-2026-11-01", status=status, disk_size_gb=disk_gb), size_gb=size_gb)
    assert check.status is expected and says in check.detail


def test_a_missing_disk_snapshot_fails_and_none_set_is_skipped():
    assert restore_check(None).status is Status.FAIL
    values, secret_keys = stack_values("gcp-prod")
    compute = FakeCompute(PROJECT)
    compute.regions["europe-north1"] = region(ROOMY)
    clients = GcpClients(PROJECT, "europe-north1", compute=compute, services=FakeServices(ON))
    (check,) = [c for c in run_gcp_preflight(settings_of(values, secret_keys), clients) if c.name == DISK_KEY]
    assert check.status is Status.SKIPPED

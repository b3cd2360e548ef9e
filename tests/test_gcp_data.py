"""GCP state: the bundle bucket, the server's data disk and its snapshots, and Cloud SQL."""

from __future__ import annotations

import ipaddress

import pytest

from tdce.planner import Plan
from tests.support import DELETE, of_type, only, plan_of, plan_variant

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
DISK = "gcp:compute/disk:Disk"
ATTACHED_DISK = "gcp:compute/attachedDisk:AttachedDisk"
SCHEDULE = "gcp:compute/resourcePolicy:ResourcePolicy"
SCHEDULE_ATTACHMENT = "gcp:compute/diskResourcePolicyAttachment:DiskResourcePolicyAttachment"
DATABASE = "gcp:sql/databaseInstance:DatabaseInstance"
DATABASE_USER = "gcp:sql/user:User"
PEERING = "gcp:servicenetworking/connection:Connection"
GCP_STACKS = ["gcp-prod", "gcp-restore"]


@pytest.fixture(scope="module")
def plain_plan() -> Plan:
    """gcp-prod with the database on the server's disk, no scheduled backups, a versioned bucket that expires objects."""
    changes = {"database.engine": "local", "database.cloudsql": DELETE, "backup.enabled": False}
    return plan_variant(
        "gcp-prod", {**changes, "bucket.versioning": True, "bucket.expireAfterDays": 30, "bucket.forceDestroy": False}
    )


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_bucket_is_private_with_uniform_access(stack):
    bucket = only(plan_of(stack), BUCKET)
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["location"] == plan_of(stack).settings.region.upper()


def test_bucket_versioning_expiry_and_force_destroy_follow_the_settings(plain_plan):
    default = only(plan_of("gcp-prod"), BUCKET).inputs
    assert (default["versioning"], default["forceDestroy"], default.get("lifecycleRules", [])) == ({"enabled": False}, True, [])
    configured = only(plain_plan, BUCKET).inputs
    assert configured["versioning"] == {"enabled": True}
    assert configured["forceDestroy"] is False
    assert configured["lifecycleRules"] == [{"action": {"type": "Delete"}, "condition": {"age": 30}}]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_workers_read_and_the_server_writes_the_bucket_and_no_one_else(stack):
    plan = plan_of(stack)
    grants = {(member.inputs["member"], member.inputs["role"]) for member in of_type(plan, BUCKET_MEMBER)}
    assert grants == {
        (f"serviceAccount:{plan.outputs['workerIdentity']}", "roles/storage.objectViewer"),
        (f"serviceAccount:{plan.outputs['serverIdentity']}", "roles/storage.objectAdmin"),
    }


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_data_disk_is_protected_ignores_snapshot_drift_and_is_snapshotted_before_destroy(stack):
    plan = plan_of(stack)
    disk = only(plan, DISK)
    assert disk.options["protect"] is True
    assert "snapshot" in disk.options["ignoreChanges"]
    assert disk.inputs["createSnapshotBeforeDestroy"] is True
    assert (disk.inputs["size"], disk.inputs["type"]) == (
        plan.settings.server.data_disk.size_gb,
        plan.settings.server.data_disk.type,
    )


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_data_disk_starts_from_the_restore_snapshot_only_when_one_is_set(stack):
    plan = plan_of(stack)
    assert only(plan, DISK).inputs.get("snapshot") == plan.settings.restore.data_disk_snapshot_id
    assert plan.outputs["dataDiskId"] == only(plan, DISK).name


def test_the_restore_example_actually_restores_the_disk():
    assert plan_of("gcp-restore").settings.restore.data_disk_snapshot_id is not None


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_data_disk_is_attached_by_its_own_resource_that_detaches_before_reattaching(stack):
    plan = plan_of(stack)
    attachment = only(plan, ATTACHED_DISK)
    assert only(plan, DISK).urn in attachment.dependencies
    assert attachment.options["deleteBeforeReplace"] is True
    (server,) = of_type(plan, "gcp:compute/instance:Instance")
    assert "attachedDisks" not in server.inputs and "attachedDisks" in server.options["ignoreChanges"]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_backups_snapshot_the_data_disk_daily_and_keep_the_snapshots_after_the_disk(stack):
    plan = plan_of(stack)
    policy = only(plan, SCHEDULE).inputs["snapshotSchedulePolicy"]
    assert policy["schedule"]["dailySchedule"] == {"daysInCycle": 1, "startTime": plan.settings.backup.daily_at_utc}
    assert policy["retentionPolicy"]["maxRetentionDays"] == plan.settings.backup.retention_days
    assert policy["retentionPolicy"]["onSourceDiskDelete"] == "KEEP_AUTO_SNAPSHOTS"
    assert only(plan, SCHEDULE_ATTACHMENT).inputs["disk"] == only(plan, DISK).name


def test_no_schedule_and_no_cloud_sql_when_both_are_off(plain_plan):
    assert of_type(plain_plan, SCHEDULE) == [] and of_type(plain_plan, SCHEDULE_ATTACHMENT) == []
    assert of_type(plain_plan, DATABASE) == [] and of_type(plain_plan, PEERING) == []
    assert "databaseConnectionName" not in plain_plan.outputs


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_cloud_sql_has_a_private_address_only(stack):
    plan = plan_of(stack)
    database = only(plan, DATABASE)
    ip = database.inputs["settings"]["ipConfiguration"]
    assert ip["ipv4Enabled"] is False
    assert ip.get("authorizedNetworks", []) == []
    network = only(plan, "gcp:compute/network:Network")
    assert ip["privateNetwork"] == network.id
    assert only(plan, PEERING).urn in database.dependencies


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_workers_cannot_reach_cloud_sql_only_the_server_can(stack):
    plan = plan_of(stack)
    address_range = only(plan, "gcp:compute/globalAddress:GlobalAddress")
    (rule,) = [rule for rule in of_type(plan, "gcp:compute/firewall:Firewall") if rule.inputs["direction"] == "EGRESS"]
    assert rule.inputs["denies"] == [{"protocol": "all"}]
    assert rule.inputs["targetServiceAccounts"] == [plan.outputs["workerIdentity"]]
    (destination,) = rule.inputs["destinationRanges"]
    assert ipaddress.ip_network(destination).prefixlen == address_range.inputs["prefixLength"]
    assert address_range.urn in rule.dependencies


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_cloud_sql_is_deletion_protected_by_the_api_and_by_pulumi(stack):
    database = only(plan_of(stack), DATABASE)
    assert database.inputs["settings"]["deletionProtectionEnabled"] is True
    assert database.inputs["deletionProtection"] is True
    assert database.options["protect"] is True


# Cloud SQL Enterprise edition keeps transaction logs (point-in-time recovery) for at most 7 days.
ENTERPRISE_MAX_LOG_DAYS = 7


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_cloud_sql_is_backed_up_with_point_in_time_recovery(stack):
    plan = plan_of(stack)
    backups = only(plan, DATABASE).inputs["settings"]["backupConfiguration"]
    assert backups["enabled"] is True and backups["pointInTimeRecoveryEnabled"] is True
    assert backups["backupRetentionSettings"]["retainedBackups"] == plan.settings.database.cloudsql.backup_retention_days
    # Enterprise edition, which the db-custom tiers need, keeps at most 7 days of transaction logs.
    assert only(plan, DATABASE).inputs["settings"]["edition"] == "ENTERPRISE"
    expected_log_days = min(plan.settings.database.cloudsql.backup_retention_days, ENTERPRISE_MAX_LOG_DAYS)
    assert backups["transactionLogRetentionDays"] == expected_log_days


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_logs_in_to_cloud_sql_with_its_service_account(stack):
    plan = plan_of(stack)
    assert {"name": "cloudsql.iam_authentication", "value": "on"} in only(plan, DATABASE).inputs["settings"]["databaseFlags"]
    user = only(plan, DATABASE_USER)
    assert user.inputs["type"] == "CLOUD_IAM_SERVICE_ACCOUNT"
    assert user.inputs["name"] == plan.outputs["serverIdentity"].removesuffix(".gserviceaccount.com")
    assert "password" not in user.inputs


def test_a_restore_clones_the_source_instance_at_the_point_in_time_once():
    plan = plan_of("gcp-restore")
    database = only(plan, DATABASE)
    restore = plan.settings.restore
    assert database.inputs["clone"] == {
        "sourceInstanceName": restore.cloudsql_source_instance,
        "pointInTime": restore.cloudsql_point_in_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert "clone" in database.options["ignoreChanges"]


def test_a_fresh_deployment_clones_nothing():
    assert "clone" not in only(plan_of("gcp-prod"), DATABASE).inputs


def test_longer_backup_retention_keeps_logs_only_as_long_as_the_edition_allows():
    plan = plan_variant("gcp-prod", {"database.cloudsql.backupRetentionDays": 30})
    backups = only(plan, DATABASE).inputs["settings"]["backupConfiguration"]
    assert backups["backupRetentionSettings"]["retainedBackups"] == 30
    assert backups["transactionLogRetentionDays"] == ENTERPRISE_MAX_LOG_DAYS

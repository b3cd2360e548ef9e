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


# Per stack, from config/Pulumi.<stack>.yaml: server.dataDisk (sizeGb, type), restore.dataDiskSnapshotId
# (none in gcp-prod), backup (dailyAtUtc, retentionDays); database.cloudsql.backupRetentionDays is set
# by neither, so docs/settings.md's default, 7.
STACK_FILES = {
    "gcp-prod": {"disk": (1024, "pd-ssd"), "snapshot": None, "backup": ("01:00", 14), "sql_backups": 7},
    "gcp-restore": {"disk": (1024, "pd-ssd"), "snapshot": "tdce-data-20261101-0300", "backup": ("02:00", 7), "sql_backups": 7},
}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_data_disk_is_protected_ignores_snapshot_drift_and_is_snapshotted_before_destroy(stack):
    plan = plan_of(stack)
    disk = only(plan, DISK)
    assert disk.options["protect"] is True
    assert "snapshot" in disk.options["ignoreChanges"]
    assert disk.inputs["createSnapshotBeforeDestroy"] is True
    assert (disk.inputs["size"], disk.inputs["type"]) == STACK_FILES[stack]["disk"]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_data_disk_starts_from_the_restore_snapshot_only_when_one_is_set(stack):
    plan = plan_of(stack)
    assert only(plan, DISK).inputs.get("snapshot") == STACK_FILES[stack]["snapshot"]
    assert plan.outputs["dataDiskId"] == only(plan, DISK).name


def test_the_restore_example_actually_restores_the_disk():
    assert plan_of("gcp-restore").settings.restore.data_disk_snapshot_id is not None


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_data_disk_is_attached_inline_so_a_replacement_never_detaches_it_from_a_running_server(stack):
    plan = plan_of(stack)
    disk = only(plan, DISK)
    assert of_type(plan, ATTACHED_DISK) == []
    (server,) = of_type(plan, "gcp:compute/instance:Instance")
    (attached,) = server.inputs["attachedDisks"]
    assert attached["source"].endswith(disk.name) and attached["mode"] == "READ_WRITE"
    assert "attachedDisks" not in server.options["ignoreChanges"]
    # The old server goes first, taking the disk with it; the new one attaches it at creation.
    assert server.options["deleteBeforeReplace"] is True
    assert disk.urn in server.dependencies
    # A new disk replaces the server instead of being swapped under the running one.
    assert server.options["replaceOnChanges"] == ["attachedDisks[*].source"]


@pytest.mark.parametrize("protected", [True, False])
def test_the_data_disk_ignores_later_changes_to_what_only_creation_can_set(protected):
    # A Persistent Disk's snapshot and type are set at creation; pulumi-gcp recreates the disk for a
    # new one, so neither may reach it later, whether or not the stack is protected.
    plan = plan_variant("gcp-prod", {"deletionProtection": protected, "server.dataDisk.type": "pd-ssd"})
    disk = only(plan, DISK)
    assert sorted(disk.options["ignoreChanges"]) == ["snapshot", "type"]
    assert disk.inputs["type"] == "pd-ssd"  # still the type a new stack's disk is created with
    assert disk.options["protect"] is protected


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_unmounts_the_data_disk_when_it_shuts_down(stack):
    (server,) = of_type(plan_of(stack), "gcp:compute/instance:Instance")
    # Compute Engine runs the `shutdown-script` metadata key on stop and delete ("Running shutdown scripts").
    script = server.inputs["metadata"]["shutdown-script"]
    assert script.startswith("#!/bin/bash")
    assert 'umount "/ebs"' in script and "sync" in script
    # The services on the disk stop before it is unmounted under them.
    stop = script.index("systemctl stop tgs.init.service 'postgresql@*.service'")
    assert stop < script.index('umount "/ebs"')


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_backups_snapshot_the_data_disk_daily_and_keep_the_snapshots_after_the_disk(stack):
    plan = plan_of(stack)
    policy = only(plan, SCHEDULE).inputs["snapshotSchedulePolicy"]
    daily_at_utc, retention_days = STACK_FILES[stack]["backup"]
    # A snapshot schedule's dailySchedule.startTime is "HH:MM" in UTC (Compute Engine resource policies).
    assert policy["schedule"]["dailySchedule"] == {"daysInCycle": 1, "startTime": daily_at_utc}
    assert policy["retentionPolicy"]["maxRetentionDays"] == retention_days
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


def test_with_deletion_protection_off_nothing_is_protected_and_nothing_refuses_deletion():
    plan = plan_variant("gcp-prod", {"deletionProtection": False})
    assert [resource.name for resource in plan.resources if resource.options.get("protect")] == []
    database = only(plan, DATABASE)
    assert database.inputs["deletionProtection"] is False
    assert database.inputs["settings"]["deletionProtectionEnabled"] is False
    # And on (the default), the data disk is protected as well as the database.
    assert only(plan_of("gcp-prod"), DISK).options["protect"] is True


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_destroy_removes_the_service_networking_peering_so_the_network_can_go(stack):
    # Connection.deletionPolicy: ABANDON leaves the peering, which blocks deleting the VPC.
    assert only(plan_of(stack), PEERING).inputs["deletionPolicy"] == "REMOVE_PEERING"


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_cloud_sql_takes_only_connector_connections_with_client_certificates(stack):
    settings = only(plan_of(stack), DATABASE).inputs["settings"]
    # "Configure SSL/TLS certificates" (ssl_mode) and "connector enforcement" (connectorEnforcement).
    assert settings["ipConfiguration"]["sslMode"] == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    assert settings["connectorEnforcement"] == "REQUIRED"


def test_a_regional_cloud_sql_names_its_standby_zone_and_a_zonal_one_does_not():
    regional = only(plan_of("gcp-prod"), DATABASE).inputs["settings"]
    assert regional["availabilityType"] == "REGIONAL"
    # gcp-prod names no zones: the region's first two, as the offline lookup answers them.
    assert regional["locationPreference"] == {"zone": "europe-north1-a", "secondaryZone": "europe-north1-b"}
    zonal = only(plan_of("gcp-restore"), DATABASE).inputs["settings"]
    assert zonal["availabilityType"] == "ZONAL"
    assert zonal["locationPreference"] == {"zone": "europe-north1-b"}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_cloud_sql_has_a_maintenance_window_and_logs_what_the_cis_benchmark_asks(stack):
    settings = only(plan_of(stack), DATABASE).inputs["settings"]
    assert settings["maintenanceWindow"] == {"day": 7, "hour": 2, "updateTrack": "stable"}
    flags = {flag["name"]: flag["value"] for flag in settings["databaseFlags"]}
    # CIS Google Cloud Platform Foundation Benchmark, 6.2 (Cloud SQL for PostgreSQL).
    expected = {
        "log_error_verbosity": "default",
        "log_connections": "on",
        "log_disconnections": "on",
        "log_statement": "ddl",
        "log_min_messages": "warning",
        "log_min_error_statement": "error",
        "log_min_duration_statement": "-1",
        "cloudsql.enable_pgaudit": "on",
    }
    assert expected.items() <= flags.items()


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_database_admin_password_is_kept_but_not_presented_as_rotated(stack):
    plan = plan_of(stack)
    (secret,) = [s for s in of_type(plan, "gcp:secretmanager/secret:Secret") if s.name == "tdce-database-admin-password-secret"]
    assert "rotation" not in secret.inputs and "topics" not in secret.inputs
    assert of_type(plan, "gcp:pubsub/topic:Topic") == []


# Cloud SQL Enterprise edition keeps transaction logs (point-in-time recovery) for at most 7 days.
ENTERPRISE_MAX_LOG_DAYS = 7


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_cloud_sql_is_backed_up_with_point_in_time_recovery(stack):
    plan = plan_of(stack)
    backups = only(plan, DATABASE).inputs["settings"]["backupConfiguration"]
    assert backups["enabled"] is True and backups["pointInTimeRecoveryEnabled"] is True
    assert backups["backupRetentionSettings"]["retainedBackups"] == STACK_FILES[stack]["sql_backups"]
    # Enterprise edition, which the db-custom tiers need, keeps at most 7 days of transaction logs.
    assert only(plan, DATABASE).inputs["settings"]["edition"] == "ENTERPRISE"
    expected_log_days = min(STACK_FILES[stack]["sql_backups"], ENTERPRISE_MAX_LOG_DAYS)
    assert backups["transactionLogRetentionDays"] == expected_log_days


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_logs_in_to_cloud_sql_with_its_service_account(stack):
    plan = plan_of(stack)
    assert {"name": "cloudsql.iam_authentication", "value": "on"} in only(plan, DATABASE).inputs["settings"]["databaseFlags"]
    user = only(plan, DATABASE_USER)
    assert user.inputs["type"] == "CLOUD_IAM_SERVICE_ACCOUNT"
    assert user.inputs["name"] == plan.outputs["serverIdentity"].removesuffix(".gserviceaccount.com")
    assert "password" not in user.inputs
    # Dropping the user would fail while it owns tables and stop `pulumi destroy`.
    assert user.inputs["deletionPolicy"] == "ABANDON"
    conditions = [
        grant.inputs["condition"]["expression"]
        for grant in of_type(plan, "gcp:projects/iAMMember:IAMMember")
        if grant.inputs["role"].startswith("roles/cloudsql.")
    ]
    assert len(conditions) == 2
    # tdce:project in both stack files.
    instance = "projects/tdce-prod-example/instances/tdce-database-instance"
    assert conditions == [f'resource.type == "sqladmin.googleapis.com/Instance" && resource.name == "{instance}"'] * 2


def test_a_restore_clones_the_source_instance_at_the_point_in_time_once():
    plan = plan_of("gcp-restore")
    database = only(plan, DATABASE)
    # config/Pulumi.gcp-restore.yaml: restore.cloudsqlSourceInstance and restore.cloudsqlPointInTime (RFC 3339, UTC).
    assert database.inputs["clone"] == {"sourceInstanceName": "tdce-db-0a1b2c3", "pointInTime": "2026-11-01T03:00:00Z"}
    # A clone runs its source's version; the next `up` must not patch it to the configured one.
    assert database.options["ignoreChanges"] == ["clone", "databaseVersion"]


def test_a_fresh_deployment_clones_nothing_and_follows_the_configured_version():
    database = only(plan_of("gcp-prod"), DATABASE)
    assert "clone" not in database.inputs
    assert database.options["ignoreChanges"] == ["clone"]


def test_longer_backup_retention_keeps_logs_only_as_long_as_the_edition_allows():
    plan = plan_variant("gcp-prod", {"database.cloudsql.backupRetentionDays": 30})
    backups = only(plan, DATABASE).inputs["settings"]["backupConfiguration"]
    assert backups["backupRetentionSettings"]["retainedBackups"] == 30
    assert backups["transactionLogRetentionDays"] == ENTERPRISE_MAX_LOG_DAYS

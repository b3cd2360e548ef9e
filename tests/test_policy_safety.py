"""The safety policies on synthetic resources: each with a resource it refuses and one it accepts."""

from __future__ import annotations

import json

import pytest

from config import resource_types
from config.database import MAX_ROTATION_DAYS, MIN_BACKUP_RETENTION_DAYS
from policies import buckets, compute, data
from policies import database as data_access
from tests.policy_harness import StackResource, check_resource, check_stack, hand_config, hand_example_config

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"
AURORA = "aws:rds/cluster:Cluster"
AURORA_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
GCP_VM = "gcp:compute/instance:Instance"
GCP_TEMPLATE = "gcp:compute/instanceTemplate:InstanceTemplate"
GCP_DISK = "gcp:compute/disk:Disk"
CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
OWN_ACCOUNT = "tdce-server@tdce-prod.iam.gserviceaccount.com"
DEFAULT_ACCOUNT = "123456789012-compute@developer.gserviceaccount.com"
SAFE_AURORA = {
    "storageEncrypted": True,
    "deletionProtection": True,
    "finalSnapshotIdentifier": "tdce-final",
    "backupRetentionPeriod": MIN_BACKUP_RETENTION_DAYS,
    "manageMasterUserPassword": True,
}
PRIVATE_IP = {"ipv4Enabled": False, "privateNetwork": "projects/p/global/networks/tdce"}
SAFE_CLOUD_SQL = {
    "deletionProtection": True,
    "settings": {
        "ipConfiguration": PRIVATE_IP,
        "deletionProtectionEnabled": True,
        "retainBackupsOnDelete": True,
        "backupConfiguration": {"enabled": True, "backupRetentionSettings": {"retainedBackups": MIN_BACKUP_RETENTION_DAYS}},
    },
}
SHIELDED = {"enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True}


def iam(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# (policy, resource type, inputs, protect, refused?)
CASES = {
    "encrypted volume": (compute.volumes_encrypted, VOLUME, {"encrypted": True, "size": 100}, False, False),
    "plain volume": (compute.volumes_encrypted, VOLUME, {"encrypted": False, "size": 100}, False, True),
    "encrypted root volume": (compute.volumes_encrypted, INSTANCE, {"rootBlockDevice": {"encrypted": True}}, False, False),
    "plain root volume": (compute.volumes_encrypted, INSTANCE, {"rootBlockDevice": {"volumeSize": 30}}, False, True),
    "encrypted worker volume": (
        compute.volumes_encrypted,
        LAUNCH_TEMPLATE,
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]},
        False,
        False,
    ),
    "worker volume from the image": (compute.volumes_encrypted, LAUNCH_TEMPLATE, {"imageId": "ami-1"}, False, True),
    "plain aurora storage": (compute.volumes_encrypted, AURORA, {**SAFE_AURORA, "storageEncrypted": False}, True, True),
    "imdsv2 instance": (compute.imdsv2_required, INSTANCE, {"metadataOptions": {"httpTokens": "required"}}, False, False),
    "imdsv1 template": (compute.imdsv2_required, LAUNCH_TEMPLATE, {"metadataOptions": {"httpTokens": "optional"}}, False, True),
    "imds unset": (compute.imdsv2_required, INSTANCE, {"ami": "ami-1"}, False, True),
    "shielded vm": (compute.gcp_shielded_vm, GCP_VM, {"shieldedInstanceConfig": SHIELDED}, False, False),
    "no secure boot": (compute.gcp_shielded_vm, GCP_TEMPLATE, {"machineType": "n2-standard-4"}, False, True),
    "vtpm off": (compute.gcp_shielded_vm, GCP_VM, {"shieldedInstanceConfig": {**SHIELDED, "enableVtpm": False}}, False, True),
    "os login": (compute.gcp_os_login, GCP_VM, {"metadata": {"enable-oslogin": "TRUE"}}, False, False),
    "no os login": (compute.gcp_os_login, GCP_TEMPLATE, {"metadata": {"startup-script": "true"}}, False, True),
    "own service account": (compute.no_default_service_account, GCP_VM, {"serviceAccount": {"email": OWN_ACCOUNT}}, False, False),
    "default service account": (
        compute.no_default_service_account,
        GCP_TEMPLATE,
        {"serviceAccount": {"email": DEFAULT_ACCOUNT}},
        False,
        True,
    ),
    "service account without email": (
        compute.no_default_service_account,
        GCP_VM,
        {"serviceAccount": {"scopes": ["cloud-platform"]}},
        False,
        True,
    ),
    "cloud sql on a private ip": (data_access.database_private_only, CLOUD_SQL, SAFE_CLOUD_SQL, True, False),
    "cloud sql with a public ip": (
        data_access.database_private_only,
        CLOUD_SQL,
        {"settings": {"ipConfiguration": {"ipv4Enabled": True, "privateNetwork": "vpc"}}},
        True,
        True,
    ),
    "cloud sql with the public ip left to its default": (
        data_access.database_private_only,
        CLOUD_SQL,
        {"settings": {"ipConfiguration": {"privateNetwork": "vpc"}}},
        True,
        True,
    ),
    "cloud sql with authorized networks": (
        data_access.database_private_only,
        CLOUD_SQL,
        {"settings": {"ipConfiguration": {**PRIVATE_IP, "authorizedNetworks": [{"value": "192.0.2.0/24"}]}}},
        True,
        True,
    ),
    "cloud sql without a private network": (
        data_access.database_private_only,
        CLOUD_SQL,
        {"settings": {"ipConfiguration": {"ipv4Enabled": False}}},
        True,
        True,
    ),
    "aurora instance private": (data_access.database_private_only, AURORA_INSTANCE, {"engine": "aurora"}, False, False),
    "aurora instance public": (data_access.database_private_only, AURORA_INSTANCE, {"publiclyAccessible": True}, False, True),
    "protected data volume": (data.stateful_resources_protected, VOLUME, {"encrypted": True}, True, False),
    "unprotected data volume": (data.stateful_resources_protected, VOLUME, {"encrypted": True}, False, True),
    "unprotected data disk": (data.stateful_resources_protected, GCP_DISK, {"size": 100}, False, True),
    "unprotected cloud sql": (data.stateful_resources_protected, CLOUD_SQL, SAFE_CLOUD_SQL, False, True),
    "guarded aurora": (data.database_deletion_safeguards, AURORA, SAFE_AURORA, True, False),
    "aurora without final snapshot": (
        data.database_deletion_safeguards,
        AURORA,
        {**SAFE_AURORA, "skipFinalSnapshot": True},
        True,
        True,
    ),
    "guarded cloud sql": (data.database_deletion_safeguards, CLOUD_SQL, SAFE_CLOUD_SQL, True, False),
    "cloud sql deletable at the cloud": (
        data.database_deletion_safeguards,
        CLOUD_SQL,
        {**SAFE_CLOUD_SQL, "settings": {**SAFE_CLOUD_SQL["settings"], "deletionProtectionEnabled": False}},
        True,
        True,
    ),
    "aurora keeps a week": (data.backups_retained, AURORA, SAFE_AURORA, True, False),
    "aurora default retention": (data.backups_retained, AURORA, {"engine": "aurora-postgresql"}, True, True),
    "cloud sql keeps too few": (
        data.backups_retained,
        CLOUD_SQL,
        {"settings": {"backupConfiguration": {"enabled": True, "backupRetentionSettings": {"retainedBackups": 3}}}},
        True,
        True,
    ),
    "short backup plan": (
        data.backups_retained,
        "aws:backup/plan:Plan",
        {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": MIN_BACKUP_RETENTION_DAYS - 1}}]},
        False,
        True,
    ),
    "gcp snapshot schedule": (
        data.backups_retained,
        "gcp:compute/resourcePolicy:ResourcePolicy",
        {"snapshotSchedulePolicy": {"retentionPolicy": {"maxRetentionDays": MIN_BACKUP_RETENTION_DAYS}}},
        False,
        False,
    ),
    "monthly rotation": (
        data.secret_rotation,
        ROTATION,
        {"rotationRules": {"automaticallyAfterDays": MAX_ROTATION_DAYS}},
        False,
        False,
    ),
    "slow rotation": (
        data.secret_rotation,
        ROTATION,
        {"rotationRules": {"scheduleExpression": f"rate({MAX_ROTATION_DAYS + 1} days)"}},
        False,
        True,
    ),
    "fixed master password": (data.secret_rotation, AURORA, {**SAFE_AURORA, "masterPassword": "[secret]"}, True, True),
    "gcp rotation": (
        data.secret_rotation,
        "gcp:secretmanager/secret:Secret",
        {"rotation": {"rotationPeriod": f"{MAX_ROTATION_DAYS * data.SECONDS_PER_DAY}s"}},
        False,
        False,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_safety_policy(case: str) -> None:
    policy, kind, props, protect, refused = CASES[case]
    found = check_resource(policy, kind, props, protect=protect)
    assert bool(found) == refused, found


def test_every_resource_policy_is_exercised_both_ways() -> None:
    outcomes = {(policy.name, refused) for policy, *_, refused in CASES.values()}
    for policy in {policy for policy, *_ in CASES.values()}:
        assert {(policy.name, True), (policy.name, False)} <= outcomes, policy.name


def test_the_configurable_days_are_whole_days_from_one_with_the_documented_defaults() -> None:
    # A week of backups at least; rotation at most every 30 days, as the vendor rotates (001_ec271c3ff40761d0.txt 4.8.2).
    assert data.backups_retained.config_schema.properties == {"minDays": {"type": "integer", "minimum": 1, "default": 7}}
    assert data.secret_rotation.config_schema.properties == {"maxDays": {"type": "integer", "minimum": 1, "default": 30}}


def test_thresholds_follow_the_policy_config() -> None:
    plan = {"rules": [{"lifecycle": {"deleteAfter": MIN_BACKUP_RETENTION_DAYS}}]}
    assert check_resource(data.backups_retained, "aws:backup/plan:Plan", plan) == []
    stricter = {"minDays": float(MIN_BACKUP_RETENTION_DAYS + 1)}  # the CLI hands numbers over as floats
    assert check_resource(data.backups_retained, "aws:backup/plan:Plan", plan, config=stricter) != []


BUCKET = StackResource("bundles", "aws:s3/bucket:Bucket", {"forceDestroy": False})
ALL_BLOCKED = {flag: True for flag in buckets.PUBLIC_ACCESS_FLAGS}
TLS_ONLY = iam(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


def attached(name: str, kind: str, props: dict) -> StackResource:
    return StackResource(name, kind, {"bucket": "bundles-id", **props}, refs={"bucket": ["bundles"]})


def guarded_bucket(**overrides: StackResource) -> list[StackResource]:
    parts = {
        "block": attached("block", resource_types.AWS_PUBLIC_ACCESS_BLOCK, ALL_BLOCKED),
        "encryption": attached(
            "encryption",
            resource_types.AWS_BUCKET_ENCRYPTION[0],
            {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
        ),
        "policy": attached("policy", resource_types.AWS_BUCKET_POLICY, {"policy": TLS_ONLY}),
        **overrides,
    }
    return [BUCKET, *parts.values()]


@pytest.mark.parametrize("policy", buckets.BUCKET_POLICIES, ids=lambda p: p.name)
def test_a_guarded_aws_bucket_passes(policy) -> None:
    assert check_stack(policy, guarded_bucket()) == []


def test_a_public_access_block_with_a_flag_off_is_refused() -> None:
    loose = attached("block", resource_types.AWS_PUBLIC_ACCESS_BLOCK, {**ALL_BLOCKED, "restrictPublicBuckets": False})
    ((urn, message),) = check_stack(buckets.bucket_public_access_blocked, guarded_bucket(block=loose))
    assert urn == loose.urn and "restrictPublicBuckets" in message


def test_a_bucket_without_encryption_is_refused() -> None:
    unrelated = StackResource(
        "logs", "aws:s3/bucketVersioning:BucketVersioning", {"bucket": "bundles-id"}, refs={"bucket": ["bundles"]}
    )
    ((urn, _),) = check_stack(buckets.bucket_encrypted, guarded_bucket(encryption=unrelated))
    assert urn == BUCKET.urn


def test_a_bucket_policy_without_the_tls_condition_is_refused() -> None:
    no_tls_condition = iam({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    lax = attached("policy", resource_types.AWS_BUCKET_POLICY, {"policy": no_tls_condition})
    assert check_stack(buckets.bucket_tls_only, guarded_bucket(policy=lax)) != []


def test_gcp_buckets_enforce_public_access_prevention() -> None:
    private = StackResource(
        "bundles", "gcp:storage/bucket:Bucket", {"publicAccessPrevention": "enforced", "uniformBucketLevelAccess": True}
    )
    public = StackResource(
        "bundles", "gcp:storage/bucket:Bucket", {"publicAccessPrevention": "inherited", "uniformBucketLevelAccess": True}
    )
    assert check_stack(buckets.bucket_public_access_blocked, [private]) == []
    assert check_stack(buckets.bucket_public_access_blocked, [public]) != []


@pytest.mark.parametrize(("stack", "wanted"), [("aws-prod", True), ("aws-dev", False)])
def test_protection_follows_the_stacks_deletion_protection_setting(stack, wanted, monkeypatch):
    # aws-prod keeps tdce:deletionProtection on (the default); aws-dev sets it false, to be destroyed whole.
    hand_example_config(monkeypatch, stack)
    unprotected = check_resource(data.stateful_resources_protected, VOLUME, {"encrypted": True}, protect=False)
    undeletable = check_resource(data.database_deletion_safeguards, AURORA, {**SAFE_AURORA, "deletionProtection": False})
    assert bool(unprotected) is wanted
    assert any("deletionProtection is off" in m for m in undeletable) is wanted


# --- The data policies' exact verdicts (policies/data.py) ---

REGION_DISK = "gcp:compute/regionDisk:RegionDisk"
BACKUP_PLAN = "aws:backup/plan:Plan"
SNAPSHOT_SCHEDULE = "gcp:compute/resourcePolicy:ResourcePolicy"
GCP_SECRET = "gcp:secretmanager/secret:Secret"
UNPROTECTED = "the resource is not protected (resource option protect): a refactoring or a changed restore source could delete it"
NO_FINAL_SNAPSHOT = "no final snapshot on deletion (skipFinalSnapshot or no finalSnapshotIdentifier)"
CLOUD_DELETABLE = "settings.deletionProtectionEnabled is off: the instance can be deleted outside Pulumi"
BACKUPS_DELETED = "deleting the instance would delete its backups (no retainBackupsOnDelete, no finalBackupConfig)"
UNCHECKABLE_SCHEDULE = "the rotation schedule is no rate(N days) and no automaticallyAfterDays: its interval can't be checked"
# Cloud SQL keeps 7 automated backups unless told otherwise
# (https://cloud.google.com/sql/docs/postgres/backup-recovery/backups#retained-backups).
CLOUD_SQL_DEFAULT_KEPT = 7


@pytest.fixture
def unreadable_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    # No stack config: the data rules then check the strict way (deletion protection wanted).
    hand_config(monkeypatch, "aws-prod", None)


@pytest.fixture
def dev_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    hand_example_config(monkeypatch, "aws-dev")  # sets tdce:deletionProtection false


def cloud_sql(**settings) -> dict:
    return {**SAFE_CLOUD_SQL, "settings": {**SAFE_CLOUD_SQL["settings"], **settings}}


class TestStatefulResourcesProtected:
    @pytest.mark.parametrize("kind", [VOLUME, AURORA, GCP_DISK, REGION_DISK, CLOUD_SQL])
    def test_every_stateful_kind_must_be_protected(self, kind, unreadable_stack):
        assert check_resource(data.stateful_resources_protected, kind, {}, protect=False) == [UNPROTECTED]
        assert check_resource(data.stateful_resources_protected, kind, {}, protect=True) == []

    def test_a_machine_need_not_be_protected(self, unreadable_stack):
        assert check_resource(data.stateful_resources_protected, INSTANCE, {}, protect=False) == []


class TestDatabaseDeletionSafeguards:
    def check(self, kind, props):
        return check_resource(data.database_deletion_safeguards, kind, props)

    def test_aurora_without_deletion_protection(self, unreadable_stack):
        assert self.check(AURORA, {**SAFE_AURORA, "deletionProtection": False}) == ["deletionProtection is off"]

    def test_aurora_without_a_final_snapshot_name(self, unreadable_stack):
        props = {k: v for k, v in SAFE_AURORA.items() if k != "finalSnapshotIdentifier"}
        assert self.check(AURORA, props) == [NO_FINAL_SNAPSHOT]

    def test_aurora_skipping_its_final_snapshot(self, unreadable_stack):
        assert self.check(AURORA, {**SAFE_AURORA, "skipFinalSnapshot": "true"}) == [NO_FINAL_SNAPSHOT]

    def test_a_guarded_cloud_sql_passes_and_a_bare_one_fails_every_way(self, unreadable_stack):
        assert self.check(CLOUD_SQL, SAFE_CLOUD_SQL) == []
        assert self.check(CLOUD_SQL, {"deletionProtection": False}) == [
            "deletionProtection is off",
            CLOUD_DELETABLE,
            BACKUPS_DELETED,
        ]

    def test_cloud_sql_deletion_protection_left_to_its_default_is_on(self, unreadable_stack):
        props = {k: v for k, v in SAFE_CLOUD_SQL.items() if k != "deletionProtection"}
        assert self.check(CLOUD_SQL, props) == []

    def test_a_final_backup_keeps_cloud_sql_backups_instead(self, unreadable_stack):
        props = cloud_sql(retainBackupsOnDelete=False, finalBackupConfig={"enabled": True})
        assert self.check(CLOUD_SQL, props) == []

    def test_a_stack_without_deletion_protection_still_keeps_final_backups(self, dev_stack):
        bare_aurora = {"deletionProtection": False, "skipFinalSnapshot": True}
        assert self.check(AURORA, bare_aurora) == [NO_FINAL_SNAPSHOT]
        assert self.check(CLOUD_SQL, {"deletionProtection": False}) == [BACKUPS_DELETED]

    def test_other_resources_are_not_judged(self, unreadable_stack):
        assert self.check(VOLUME, {"deletionProtection": False}) == []


class TestBackupsRetained:
    def check(self, kind, props, config=None):
        return check_resource(data.backups_retained, kind, props, config=config)

    def test_aurora_keeps_the_minimum_and_one_day_less_fails(self):
        assert self.check(AURORA, {"backupRetentionPeriod": MIN_BACKUP_RETENTION_DAYS}) == []
        assert self.check(AURORA, {"backupRetentionPeriod": MIN_BACKUP_RETENTION_DAYS - 1}) == [
            f"backupRetentionPeriod keeps backups {MIN_BACKUP_RETENTION_DAYS - 1} days, fewer than {MIN_BACKUP_RETENTION_DAYS}"
        ]

    def test_aurora_left_to_its_default_keeps_one_day(self):
        # RDS keeps automated backups 1 day by default
        # (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html).
        assert self.check(AURORA, {}) == [f"backupRetentionPeriod keeps backups 1 days, fewer than {MIN_BACKUP_RETENTION_DAYS}"]

    def test_the_minimum_follows_the_policy_config(self):
        assert self.check(AURORA, {"backupRetentionPeriod": 10}, config={"minDays": 14}) == [
            "backupRetentionPeriod keeps backups 10 days, fewer than 14"
        ]

    def test_cloud_sql_without_automated_backups(self):
        props = cloud_sql(backupConfiguration={"enabled": False})
        assert self.check(CLOUD_SQL, props, config={"minDays": 1}) == [
            "automated backups are off (settings.backupConfiguration.enabled)"
        ]

    def test_cloud_sql_left_to_its_default_keeps_seven_backups(self):
        props = cloud_sql(backupConfiguration={"enabled": True})
        assert self.check(CLOUD_SQL, props, config={"minDays": CLOUD_SQL_DEFAULT_KEPT}) == []
        assert self.check(CLOUD_SQL, props, config={"minDays": CLOUD_SQL_DEFAULT_KEPT + 1}) == [
            f"retainedBackups keeps backups {CLOUD_SQL_DEFAULT_KEPT} days, fewer than {CLOUD_SQL_DEFAULT_KEPT + 1}"
        ]

    def test_cloud_sql_keeping_too_few(self):
        props = cloud_sql(backupConfiguration={"enabled": True, "backupRetentionSettings": {"retainedBackups": 3}})
        assert self.check(CLOUD_SQL, props, config={"minDays": 5}) == ["retainedBackups keeps backups 3 days, fewer than 5"]

    def test_each_backup_plan_rule_with_a_lifecycle_is_judged(self):
        plan = {
            "rules": [
                {"ruleName": "daily", "lifecycle": {"deleteAfter": 30}},
                {"ruleName": "forever"},
                {"ruleName": "hourly", "lifecycle": {"deleteAfter": 2}},
            ]
        }
        assert self.check(BACKUP_PLAN, plan, config={"minDays": 7}) == [
            "rules[2].lifecycle.deleteAfter keeps backups 2 days, fewer than 7"
        ]

    def test_a_snapshot_schedule_keeping_too_few_days(self):
        schedule = {"snapshotSchedulePolicy": {"retentionPolicy": {"maxRetentionDays": 3}}}
        assert self.check(SNAPSHOT_SCHEDULE, schedule, config={"minDays": 7}) == [
            "snapshotSchedulePolicy.retentionPolicy.maxRetentionDays keeps backups 3 days, fewer than 7"
        ]
        assert self.check(SNAPSHOT_SCHEDULE, {"groupPlacementPolicy": {"vmCount": 2}}, config={"minDays": 7}) == []

    def test_other_resources_are_not_judged(self):
        short_schedule = {"snapshotSchedulePolicy": {"retentionPolicy": {"maxRetentionDays": 1}}}
        assert self.check(VOLUME, {"backupRetentionPeriod": 1, **short_schedule}) == []


class TestSecretRotation:
    def check(self, kind, props, config=None):
        return check_resource(data.secret_rotation, kind, props, config=config)

    @pytest.mark.parametrize(
        ("rules", "expected"),
        [
            ({"automaticallyAfterDays": 30}, []),
            ({"automaticallyAfterDays": 31}, ["the secret rotates every 31 days, more than 30"]),
            ({"scheduleExpression": "rate(30 days)"}, []),
            ({"scheduleExpression": " rate(1 day) "}, []),
            ({"scheduleExpression": "rate(31 days)"}, ["the secret rotates every 31 days, more than 30"]),
            ({"scheduleExpression": "rate(720 hours)"}, []),
            ({"scheduleExpression": "rate(1 hour)"}, []),
            ({"scheduleExpression": "rate(732 hours)"}, ["the secret rotates every 30.5 days, more than 30"]),
            ({"scheduleExpression": "rate(2weeks)"}, [UNCHECKABLE_SCHEDULE]),
            ({"scheduleExpression": "cron(0 4 1 * ? *)"}, [UNCHECKABLE_SCHEDULE]),
            ({}, [UNCHECKABLE_SCHEDULE]),
        ],
    )
    def test_a_secrets_manager_rotation_interval(self, rules, expected):
        assert self.check(ROTATION, {"rotationRules": rules}, config={"maxDays": 30}) == expected

    def test_a_rotation_without_rules_cannot_be_checked(self):
        assert self.check(ROTATION, {"secretId": "arn:aws:secretsmanager:eu-north-1:1:secret:x"}) == [UNCHECKABLE_SCHEDULE]

    def test_the_maximum_follows_the_policy_config(self):
        assert self.check(ROTATION, {"rotationRules": {"automaticallyAfterDays": 8}}, config={"maxDays": 7}) == [
            "the secret rotates every 8 days, more than 7"
        ]

    def test_a_fixed_aurora_master_password(self):
        assert self.check(AURORA, {"masterPassword": "[secret]"}) == [
            "the master password is fixed in the program; use manageMasterUserPassword so RDS keeps and rotates it"
        ]
        assert self.check(AURORA, {"manageMasterUserPassword": True}) == []

    @pytest.mark.parametrize(
        ("rotation", "expected"),
        [
            ({"rotationPeriod": "2592000s"}, []),  # 30 days of 86400 seconds
            ({"rotationPeriod": "2592001s"}, ["rotation.rotationPeriod is longer than 30 days"]),
            ({"rotationPeriod": "a month"}, ["rotation.rotationPeriod is longer than 30 days"]),
            ({"nextRotationTime": "2026-12-31T00:00:00Z"}, ["rotation.rotationPeriod is longer than 30 days"]),
        ],
    )
    def test_a_gcp_secret_rotation_period(self, rotation, expected):
        assert self.check(GCP_SECRET, {"rotation": rotation}, config={"maxDays": 30}) == expected

    def test_a_gcp_secret_without_rotation_is_not_judged(self):
        assert self.check(GCP_SECRET, {"replication": {"auto": {}}}) == []

    def test_other_resources_are_not_judged(self):
        assert self.check(VOLUME, {"masterPassword": "x", "rotation": {}}) == []


class TestDatabasePrivateOnly:
    def check(self, kind, props):
        return check_resource(data_access.database_private_only, kind, props)

    def test_a_bare_cloud_sql_instance_is_public_and_outside_the_vpc(self):
        # Cloud SQL gets a public IPv4 address unless ipv4Enabled is false.
        assert self.check(CLOUD_SQL, {"databaseVersion": "POSTGRES_16"}) == [
            "settings.ipConfiguration.ipv4Enabled is not false: the instance gets a public IP address",
            "settings.ipConfiguration.privateNetwork is not set: the instance has no private IP in the VPC",
        ]

    def test_authorized_networks_are_counted(self):
        networks = [{"value": "192.0.2.0/24"}, {"value": "198.51.100.7/32"}]
        props = {"settings": {"ipConfiguration": {**PRIVATE_IP, "authorizedNetworks": networks}}}
        assert self.check(CLOUD_SQL, props) == [
            "settings.ipConfiguration.authorizedNetworks admits 2 network(s) from outside the VPC"
        ]

    def test_a_publicly_accessible_aurora_instance(self):
        message = "publiclyAccessible is true: the database instance gets a public DNS name and address"
        assert self.check(AURORA_INSTANCE, {"publiclyAccessible": "true"}) == [message]
        assert self.check(AURORA_INSTANCE, {"publiclyAccessible": False}) == []

    def test_other_resources_are_not_judged(self):
        assert self.check(AURORA, {"publiclyAccessible": True, "settings": {}}) == []


# --- The machine policies' exact verdicts (policies/compute.py) ---

GCP_MACHINES = [GCP_VM, GCP_TEMPLATE, "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate"]


class TestVolumesEncrypted:
    def check(self, kind, props):
        return check_resource(compute.volumes_encrypted, kind, props)

    def test_a_volume(self):
        assert self.check(VOLUME, {"encrypted": False}) == ["the volume is not encrypted"]
        assert self.check(VOLUME, {"encrypted": True}) == []

    def test_each_instance_volume_by_place(self):
        props = {"rootBlockDevice": {"volumeSize": 30}, "ebsBlockDevices": [{"encrypted": True}, {"encrypted": False}]}
        assert self.check(INSTANCE, props) == [
            "the root volume is not encrypted (rootBlockDevice.encrypted)",
            "ebsBlockDevices[1] is not encrypted",
        ]
        assert self.check(INSTANCE, {"rootBlockDevice": {"encrypted": True}, "ebsBlockDevices": [{"encrypted": True}]}) == []

    def test_each_launch_template_ebs_mapping_by_place(self):
        mappings = [
            {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}},
            {"deviceName": "/dev/sdb", "virtualName": "ephemeral0"},  # instance store: no EBS to encrypt
            {"deviceName": "/dev/sdc", "ebs": {"volumeSize": 100}},
        ]
        assert self.check(LAUNCH_TEMPLATE, {"blockDeviceMappings": mappings}) == ["blockDeviceMappings[2].ebs is not encrypted"]

    def test_a_launch_template_without_mappings(self):
        assert self.check(LAUNCH_TEMPLATE, {"imageId": "ami-1"}) == [
            "no blockDeviceMappings: the workers' volumes take the image snapshot's encryption, none for public images"
        ]

    def test_aurora_storage(self):
        assert self.check(AURORA, {"storageEncrypted": False}) == [
            "the database cluster's storage is not encrypted (storageEncrypted)"
        ]
        assert self.check(AURORA, {"storageEncrypted": True}) == []

    def test_gcp_disks_are_not_judged(self):
        assert self.check(GCP_DISK, {"encrypted": False}) == []


class TestImdsv2Required:
    @pytest.mark.parametrize("kind", [INSTANCE, LAUNCH_TEMPLATE])
    def test_tokens_are_required(self, kind):
        def check(options):
            return check_resource(compute.imdsv2_required, kind, {"metadataOptions": options})

        suffix = ": IMDSv1 answers unauthenticated requests"
        assert check({"httpTokens": "required"}) == []
        assert check({"httpTokens": "optional"}) == [f"metadataOptions.httpTokens is optional{suffix}"]
        assert check({"httpEndpoint": "enabled"}) == [f"metadataOptions.httpTokens is unset (optional){suffix}"]
        # With the metadata service switched off there is nothing to answer.
        assert check({"httpEndpoint": "disabled", "httpTokens": "optional"}) == []

    def test_other_resources_are_not_judged(self):
        assert check_resource(compute.imdsv2_required, GCP_VM, {"metadataOptions": {"httpTokens": "optional"}}) == []


class TestGcpMachines:
    @pytest.mark.parametrize("kind", GCP_MACHINES)
    def test_shielded_vm_flags(self, kind):
        def check(config):
            return check_resource(compute.gcp_shielded_vm, kind, {"shieldedInstanceConfig": config})

        assert check(SHIELDED) == []
        assert check({"enableVtpm": True}) == ["Shielded VM Secure Boot is off (shieldedInstanceConfig.enableSecureBoot)"]
        assert check({"enableSecureBoot": True, "enableVtpm": False, "enableIntegrityMonitoring": False}) == [
            "Shielded VM enableVtpm is off",
            "Shielded VM enableIntegrityMonitoring is off",
        ]
        # vTPM and integrity monitoring are on unless turned off (Shielded VM defaults).
        assert check({"enableSecureBoot": True}) == []

    @pytest.mark.parametrize("kind", GCP_MACHINES)
    def test_os_login(self, kind):
        assert check_resource(compute.gcp_os_login, kind, {"metadata": {"enable-oslogin": "TRUE"}}) == []
        assert check_resource(compute.gcp_os_login, kind, {"metadata": {"enable-oslogin": "FALSE"}}) == [
            "metadata enable-oslogin is not TRUE"
        ]

    @pytest.mark.parametrize(
        ("account", "expected"),
        [
            ({"email": OWN_ACCOUNT}, []),
            ({"email": "default"}, ["the machine runs as the default compute service account (default)"]),
            ({"email": DEFAULT_ACCOUNT}, [f"the machine runs as the default compute service account ({DEFAULT_ACCOUNT})"]),
            ({"scopes": ["cloud-platform"]}, ["the machine runs as the default compute service account (no email given)"]),
        ],
    )
    @pytest.mark.parametrize("kind", GCP_MACHINES)
    def test_service_account(self, kind, account, expected):
        assert check_resource(compute.no_default_service_account, kind, {"serviceAccount": account}) == expected

    def test_a_machine_without_a_service_account_block_is_not_judged(self):
        assert check_resource(compute.no_default_service_account, GCP_VM, {"machineType": "n2-standard-4"}) == []

    def test_aws_machines_are_not_judged(self):
        empty = {"shieldedInstanceConfig": {}, "metadata": {}, "serviceAccount": {"email": "default"}}
        for policy in (compute.gcp_shielded_vm, compute.gcp_os_login, compute.no_default_service_account):
            assert check_resource(policy, INSTANCE, empty) == []


# --- The bucket policies' exact verdicts (policies/buckets.py) ---


def bucket_verdicts(policy, resources) -> list[tuple[str, str]]:
    return [(urn.rsplit("::", 1)[-1], message) for urn, message in check_stack(policy, resources)]


class TestBucketsExactly:
    def test_a_bucket_of_either_type_without_a_block(self):
        v2 = StackResource("v2", "aws:s3/bucketV2:BucketV2", {})
        assert bucket_verdicts(buckets.bucket_public_access_blocked, [BUCKET, v2]) == [
            ("bundles", "the bucket has no public access block"),
            ("v2", "the bucket has no public access block"),
        ]

    def test_a_block_counts_for_the_bucket_it_names(self):
        other = StackResource("other", "aws:s3/bucket:Bucket", {})
        # Its bucket input comes from the other bucket, though it also depends on this one.
        refs = {"bucket": ["other"], "dependsOn": ["bundles"]}
        block = StackResource("block", resource_types.AWS_PUBLIC_ACCESS_BLOCK, ALL_BLOCKED, refs=refs)
        assert bucket_verdicts(buckets.bucket_public_access_blocked, [BUCKET, other, block]) == [
            ("bundles", "the bucket has no public access block")
        ]

    def test_without_property_dependencies_any_dependency_on_the_bucket_counts(self):
        block = StackResource("block", resource_types.AWS_PUBLIC_ACCESS_BLOCK, ALL_BLOCKED, refs={"dependsOn": ["bundles"]})
        assert bucket_verdicts(buckets.bucket_public_access_blocked, [BUCKET, block]) == []

    def test_each_flag_left_off_is_named(self):
        flags = {"blockPublicAcls": False, "blockPublicPolicy": "true", "restrictPublicBuckets": True}
        loose = attached("block", resource_types.AWS_PUBLIC_ACCESS_BLOCK, flags)
        assert bucket_verdicts(buckets.bucket_public_access_blocked, [BUCKET, loose]) == [
            ("block", "the public access block leaves blockPublicAcls, ignorePublicAcls off")
        ]

    def test_each_bucket_is_judged_after_one_that_holds_the_guarantee(self):
        inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}
        encrypted = StackResource("bundles", "aws:s3/bucket:Bucket", {"serverSideEncryptionConfiguration": inline})
        bare = StackResource("logs", "aws:s3/bucket:Bucket", {})
        assert bucket_verdicts(buckets.bucket_encrypted, [encrypted, bare]) == [
            ("logs", "the bucket has no default encryption configuration")
        ]

    def test_a_bare_gcp_bucket(self):
        bare = StackResource("bundles", "gcp:storage/bucket:Bucket", {})
        assert bucket_verdicts(buckets.bucket_public_access_blocked, [bare]) == [
            ("bundles", "publicAccessPrevention is not 'enforced'"),
            ("bundles", "uniformBucketLevelAccess is off, so object ACLs can still grant access"),
        ]

    @pytest.mark.parametrize(
        ("inline", "rules", "encrypted"),
        [
            ({"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}, [], True),
            (None, [{"bucketKeyEnabled": True}, {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms:dsse"}}], True),
            (None, [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:fsx"}}], False),
            (None, [], False),
        ],
    )
    def test_default_encryption_inline_or_attached(self, inline, rules, encrypted):
        bucket = StackResource(
            "bundles", "aws:s3/bucketV2:BucketV2", {"serverSideEncryptionConfiguration": inline} if inline else {}
        )
        config = attached("encryption", resource_types.AWS_BUCKET_ENCRYPTION[1], {"rules": rules})
        expected = [] if encrypted else [("bundles", "the bucket has no default encryption configuration")]
        assert bucket_verdicts(buckets.bucket_encrypted, [bucket, config]) == expected

    @pytest.mark.parametrize(
        ("statements", "tls_only"),
        [
            ({"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": False}}}, True),
            (["junk", {"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}], True),
            ([{"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}], False),
            ([{"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}], False),
            ([{"Effect": "Deny", "Action": "s3:*", "Condition": {"StringEquals": {"aws:SecureTransport": "false"}}}], False),
        ],
    )
    def test_which_policy_denies_plain_http(self, statements, tls_only):
        policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
        inline = StackResource("bundles", "aws:s3/bucket:Bucket", {"policy": policy})
        attached_policy = attached("policy", resource_types.AWS_BUCKET_POLICY, {"policy": policy})
        expected = [] if tls_only else [("bundles", "no bucket policy denies requests without TLS (aws:SecureTransport = false)")]
        assert bucket_verdicts(buckets.bucket_tls_only, [inline]) == expected
        assert bucket_verdicts(buckets.bucket_tls_only, [BUCKET, attached_policy]) == expected
        assert bucket_verdicts(
            buckets.bucket_tls_only, [BUCKET, attached("policy", resource_types.AWS_BUCKET_POLICY, {"policy": "{"})]
        ) == [("bundles", "no bucket policy denies requests without TLS (aws:SecureTransport = false)")]

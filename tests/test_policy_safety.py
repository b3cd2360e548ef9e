"""The safety policies on synthetic resources: each with a resource it refuses and one it accepts."""

from __future__ import annotations

import json

import pytest

from config import resource_types
from config.database import MAX_ROTATION_DAYS, MIN_BACKUP_RETENTION_DAYS
from policies import buckets, compute, data
from policies import database as data_access
from tests.policy_harness import StackResource, check_resource, check_stack

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
    from tests.support import stack_values

    values, _ = stack_values(stack)
    monkeypatch.setenv("PULUMI_STACK", stack)
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(values))
    unprotected = check_resource(data.stateful_resources_protected, VOLUME, {"encrypted": True}, protect=False)
    undeletable = check_resource(data.database_deletion_safeguards, AURORA, {**SAFE_AURORA, "deletionProtection": False})
    assert bool(unprotected) is wanted
    assert any("deletionProtection is off" in m for m in undeletable) is wanted

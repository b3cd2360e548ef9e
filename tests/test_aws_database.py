"""Aurora, its secrets and their rotation, restoring from snapshots, and AWS Backup, through the recorded plan."""

from __future__ import annotations

import json
import re

import pytest

from config.channels import DATABASE, Role
from config.database import MAX_ROTATION_DAYS, MIN_BACKUP_RETENTION_DAYS
from config.errors import ConfigError
from config.loader import settings_from_config as settings_of_values
from tdce.recording import RecordedResource
from tests.support import DELETE, of_type, only, plan_of, plan_variant, settings_of, stack_values, with_setting

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def by_urn(plan) -> dict[str, RecordedResource]:
    return {resource.urn: resource for resource in plan.resources}


def group_ids(plan) -> dict[str, str]:
    """Security group ID → the group's logical name."""
    return {r.id: r.name for r in of_type(plan, SECURITY_GROUP)}


def test_every_vendor_aurora_component_has_a_counterpart():
    plan = plan_of("aws-aurora")
    types = [r.type for r in plan.resources]
    assert types.count(CLUSTER) == 1
    assert types.count(INSTANCE) == 2  # writer and the configured reader
    groups = set(group_ids(plan).values())
    # DB cluster group, secrets Lambda group, SecretsEndpointSecurityGroup
    assert {"tdce-firewall-database", "tdce-firewall-secret-rotation", "tdce-firewall-secrets-endpoint"} <= groups
    user_secret = next(s for s in of_type(plan, SECRET) if "database" in s.name and "user" in s.name)
    # The master secret is RDS's own (manageMasterUserPassword); the user secret is attached by carrying the cluster's address.
    assert only(plan, CLUSTER).inputs["manageMasterUserPassword"] is True
    versions = [v for v in of_type(plan, SECRET_VERSION) if v.inputs["secretId"] == user_secret.id]
    assert len(versions) == 1
    rotated = {r.inputs["secretId"] for r in of_type(plan, ROTATION)}
    assert user_secret.id in rotated and any("rds!cluster" in secret for secret in rotated)
    assert of_type(plan, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack")


def test_aurora_is_serverless_v2_encrypted_deletion_protected_and_snapshotted_on_delete():
    plan = plan_of("aws-aurora")
    cluster = only(plan, CLUSTER)
    inputs = cluster.inputs
    assert inputs["engine"] == "aurora-postgresql" and inputs["engineMode"] == "provisioned"
    assert inputs["serverlessv2ScalingConfiguration"] == {"minCapacity": 0.5, "maxCapacity": 8}
    assert all(instance.inputs["instanceClass"] == "db.serverless" for instance in of_type(plan, INSTANCE))
    assert inputs["storageEncrypted"] is True and inputs["deletionProtection"] is True
    assert inputs["copyTagsToSnapshot"] is True and inputs["skipFinalSnapshot"] is False
    # config/Pulumi.aws-aurora.yaml: database.aurora.backupRetentionDays 14 (at least 7, docs/settings.md).
    assert inputs["backupRetentionPeriod"] == 14 >= MIN_BACKUP_RETENTION_DAYS
    assert cluster.options["protect"] is True
    assert "engineVersion" in cluster.options["ignoreChanges"]


def test_final_snapshot_name_is_unique_per_deployment():
    plan = plan_of("aws-aurora")
    cluster = only(plan, CLUSTER)
    suffix = next(r for r in plan.resources if r.type == "random:index/randomId:RandomId" and "final-snapshot" in r.name)
    assert suffix.urn in cluster.dependencies
    assert cluster.inputs["finalSnapshotIdentifier"].startswith("tdce-database-final-")
    assert cluster.inputs["finalSnapshotIdentifier"] != "tdce-database-final-"


def test_both_secrets_rotate_every_30_days_and_a_setting_may_shorten_it():
    rotations = of_type(plan_of("aws-aurora"), ROTATION)
    assert [r.inputs["rotationRules"]["automaticallyAfterDays"] for r in rotations] == [MAX_ROTATION_DAYS] * 2
    shorter = of_type(plan_variant("aws-aurora", {"database.aurora.rotationDays": 7}), ROTATION)
    assert [r.inputs["rotationRules"]["automaticallyAfterDays"] for r in shorter] == [7, 7]
    with pytest.raises(ConfigError, match="rotationDays"):
        plan_variant("aws-aurora", {"database.aurora.rotationDays": 45})


def test_user_secret_value_is_set_once_and_never_in_plain_text():
    plan = plan_of("aws-aurora")
    for version in of_type(plan, SECRET_VERSION):
        assert version.inputs["secretString"] == "[secret]"
    user = next(v for v in of_type(plan, SECRET_VERSION) if "user" in v.name)
    assert user.options["ignoreChanges"] == ["secretString"]


def test_database_group_admits_postgres_only_from_the_server_and_the_rotation_function():
    plan = plan_of("aws-aurora")
    groups = group_ids(plan)
    database_group = next(group_id for group_id, name in groups.items() if name == "tdce-firewall-database")
    into_database = [r for r in of_type(plan, INGRESS) if r.inputs["securityGroupId"] == database_group]
    # PostgreSQL's port (the vendor's Aurora stack keeps the engine default).
    assert {(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["ipProtocol"]) for r in into_database} == {(5432, 5432, "tcp")}
    sources = sorted(groups[r.inputs["referencedSecurityGroupId"]] for r in into_database)
    assert sources == ["tdce-firewall-secret-rotation", "tdce-firewall-server"]
    assert all("cidrIpv4" not in r.inputs and "cidrIpv6" not in r.inputs for r in into_database)
    assert set(DATABASE.sources) == {Role.SERVER, Role.SECRET_ROTATION}


def test_only_the_server_and_the_user_creating_function_may_read_the_database_secrets():
    plan = plan_of("aws-aurora")
    readers = [
        policy
        for policy in of_type(plan, "aws:iam/rolePolicy:RolePolicy") + of_type(plan, "aws:iam/policy:Policy")
        if "rds!cluster" in json.dumps(policy.inputs) or "database-secrets-user" in json.dumps(policy.inputs)
    ]
    # A policy names its role by ID (the function's own) or by name (the server's, from Identity).
    roles = {key: r.name for r in of_type(plan, "aws:iam/role:Role") for key in (r.id, r.name)}
    assert sorted(roles[policy.inputs["role"]] for policy in readers) == [
        "tdce-database-secrets-application-user-role",
        "tdce-identity-server-role",
    ]


def test_database_outputs_are_exported():
    outputs = plan_of("aws-aurora").outputs
    for name in (
        "databaseEndpoint",
        "databaseReaderEndpoint",
        "databasePort",
        "databaseAdminPasswordSecret",
        "databaseUserPasswordSecret",
    ):
        assert outputs[name], name
    assert outputs["databasePort"] == DATABASE.ports[0].first


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev"])
def test_local_database_creates_no_managed_database(stack):
    plan = plan_of(stack)
    assert not [r for r in plan.resources if r.type.startswith("aws:rds/") or "serverlessrepository" in r.type]
    assert "databaseEndpoint" not in plan.outputs


def test_restore_creates_the_cluster_from_the_snapshot_without_master_user():
    plan = plan_of("aws-restore")
    cluster = only(plan, CLUSTER)
    # config/Pulumi.aws-restore.yaml: restore.databaseSnapshotIdentifier and restore.dataDiskSnapshotId.
    assert cluster.inputs["snapshotIdentifier"] == "tdce-aurora-2026-11-01"
    assert "masterUsername" not in cluster.inputs and "databaseName" not in cluster.inputs
    assert {"snapshotIdentifier", "masterUsername", "databaseName"} <= set(cluster.options["ignoreChanges"])
    volume = next(v for v in of_type(plan, "aws:ebs/volume:Volume") if v.options["protect"])
    assert volume.inputs["snapshotId"] == "snap-0123456789abcdef0"


def test_restored_user_secret_keeps_the_old_password_and_generates_none():
    plan = plan_of("aws-restore")
    assert not [r for r in plan.resources if r.type == "random:index/randomPassword:RandomPassword" and "database" in r.name]


def user_secret_value(stack: str, changes: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The first value of the user secret, as the program sends it (the plan shows only `[secret]`)."""
    import tdce.recording

    monkeypatch.setattr(tdce.recording, "masked", lambda value: value)
    versions = [v for v in of_type(plan_variant(stack, changes), SECRET_VERSION) if v.name.endswith("-user-initial")]
    (version,) = versions
    sent = version.inputs["secretString"]
    return json.loads(sent["value"] if isinstance(sent, dict) else sent)


@pytest.mark.parametrize(("changes", "user"), [({}, "techila"), ({"restore.databaseUserName": "techila_clone"}, "techila_clone")])
def test_a_restored_user_secret_names_the_user_the_old_password_belongs_to(changes, user, monkeypatch):
    # After an odd number of rotations the old secret's password is techila_clone's; the new secret
    # must pair it with that user, or the server and the next rotation cannot log in.
    given = settings_of(*stack_values("aws-restore")).database_user_password.get_secret_value()
    value = user_secret_value("aws-restore", changes, monkeypatch)  # a plan of its own: no cached plan sees the patch
    assert value["username"] == user
    assert value["password"] == given


def test_restore_without_the_old_user_password_is_a_config_error():
    with pytest.raises(ConfigError) as caught:
        plan_variant("aws-restore", {"databaseUserPassword": DELETE})
    assert any(p.key == "tdce:databaseUserPassword" and "restoring Aurora" in p.message for p in caught.value.problems)


def test_backup_selects_exactly_the_data_volume_and_the_cluster():
    plan = plan_of("aws-aurora")
    selection = only(plan, "aws:backup/selection:Selection")
    volume = next(v for v in of_type(plan, "aws:ebs/volume:Volume") if v.options["protect"])
    cluster = only(plan, CLUSTER)
    selected = selection.inputs["resources"]
    assert len(selected) == 2
    assert any(arn.endswith(f"volume/{volume.id}") for arn in selected)
    assert any(arn.endswith(f"cluster:{cluster.id}") for arn in selected)


def test_backup_plan_follows_the_schedule_retention_and_copy_region():
    # config/Pulumi.aws-aurora.yaml: backup.dailyAtUtc "01:30", retentionDays 35, copyToRegion eu-west-1.
    plan = plan_of("aws-aurora")
    (rule,) = only(plan, "aws:backup/plan:Plan").inputs["rules"]
    # AWS Backup's ScheduleExpression is cron(Minutes Hours Day-of-month Month Day-of-week Year), in
    # UTC, with "?" in one of the two day fields: 01:30 every day is cron(30 1 * * ? *).
    assert rule["schedule"] == "cron(30 1 * * ? *)"
    assert rule["lifecycle"]["deleteAfter"] == 35
    (copy,) = rule["copyActions"]
    assert copy["lifecycle"]["deleteAfter"] == 35
    copy_vault = next(v for v in of_type(plan, "aws:backup/vault:Vault") if v.inputs.get("region") == "eu-west-1")
    assert (
        copy["destinationVaultArn"].endswith(copy_vault.name) or copy_vault.urn in only(plan, "aws:backup/plan:Plan").dependencies
    )
    primary = next(v for v in of_type(plan, "aws:backup/vault:Vault") if "region" not in v.inputs)
    # The vault's own key would encrypt nothing of this stack's (see test_aws_data_lifecycle.py).
    assert "kmsKeyArn" not in primary.inputs


def test_backup_without_aurora_selects_the_data_volume_only():
    plan = plan_of("aws-prod")
    selection = only(plan, "aws:backup/selection:Selection")
    assert len(selection.inputs["resources"]) == 1


# AWS managed policies carry the partition in their ARN: arn:aws-cn:iam::aws:policy/… in China
# ("Amazon Resource Names (ARNs)", IAM User Guide: the partition is aws, aws-cn or aws-us-gov).
@pytest.mark.parametrize(
    ("region", "zones", "partition"),
    [
        ("eu-west-1", ["eu-west-1a", "eu-west-1b"], "aws"),
        ("cn-north-1", ["cn-north-1a", "cn-north-1b"], "aws-cn"),
        ("us-gov-west-1", ["us-gov-west-1a", "us-gov-west-1b"], "aws-us-gov"),
    ],
)
def test_the_backup_role_takes_the_managed_policies_of_the_stacks_partition(region, zones, partition):
    plan = plan_variant("aws-prod", {"region": region, "zones": zones, "backup.copyToRegion": DELETE})
    attached = sorted(
        r.inputs["policyArn"] for r in of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment") if "-backup-" in r.name
    )
    assert attached == [
        f"arn:{partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        f"arn:{partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]


def test_a_stack_in_china_names_every_arn_in_the_aws_cn_partition():
    # The offline cloud makes ARNs as AWS does in the stack's region; the stack's own (the backup
    # role's managed policies, the worker secret given by name, the dashboard's) follow the region too.
    changes = {"region": "cn-north-1", "zones": ["cn-north-1a", "cn-north-1b"], "backup.copyToRegion": DELETE}
    plan = plan_variant("aws-prod", {**changes, "workerSecrets": ["tdce/license-key"]})
    assert "arn:aws-cn:secretsmanager:cn-north-1:" in json.dumps([r.inputs for r in plan.resources])
    partitions = {found for r in plan.resources for found in re.findall(r"\barn:([a-z-]+):", json.dumps(r.inputs))}
    assert partitions == {"aws-cn"}


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1"])
def test_aurora_outside_the_aws_partition_is_refused_naming_the_engine(region):
    values, secrets = stack_values("aws-aurora")
    for path, value in {"region": region, "zones": [f"{region}a", f"{region}b"], "backup.copyToRegion": DELETE}.items():
        values = with_setting(values, path, value)
    with pytest.raises(ConfigError) as refused:
        settings_of_values(values, secrets)
    assert [str(p) for p in refused.value.problems if p.key == "tdce:database.engine"] == [
        f"tdce:database.engine: 'aurora' needs AWS's rotation application, which this stack names in the aws partition "
        f"only; {region} is in {'aws-cn' if region.startswith('cn-') else 'aws-us-gov'}: use engine 'local'"
    ]


def test_rotation_function_name_is_a_valid_lambda_name_whatever_the_stack_name():
    from tdce.planner import plan_config
    from tests.support import stack_values

    values, secret_keys = stack_values("aws-aurora")
    plan = plan_config("research.prod", values, secret_keys)
    (application,) = of_type(plan, "aws:serverlessrepository/cloudFormationStack:CloudFormationStack")
    function_name = application.inputs["parameters"]["functionName"]
    assert function_name.startswith("research-prod-") and len(function_name) <= 64
    assert all(character.isalnum() or character in "-_" for character in function_name)

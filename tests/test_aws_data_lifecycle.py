"""The AWS data tier through a real lifecycle (issue 15): first `up`, second `up`, restore, `destroy`.

Each test reads the recorded plan (inputs, options, dependency edges). Expected values are
literals from AWS's and the vendor's documents, named where they are written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from config.database import AuroraSettings
from tdce.recording import RecordedResource
from tests.support import of_type, only, plan_of, plan_variant

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SERVERLESS_APPLICATION = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
VAULT = "aws:backup/vault:Vault"
ROLE = "aws:iam/role:Role"
INVOCATION = "aws:lambda/invocation:Invocation"
FUNCTION = "aws:lambda/function:Function"
# The offline account (docs/offline-plan.md, "What the offline plan assumes").
OFFLINE_ACCOUNT = "123456789012"
# GetRandomPassword, ExcludePunctuation (Secrets Manager API reference), which the vendor forbids
# in passwords (001_ec271c3ff40761d0.txt 3.1 step 10).
EXCLUDE_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
AURORA_STACKS = ("aws-aurora", "aws-restore")


def named(plan, name: str) -> RecordedResource:
    (resource,) = [r for r in plan.resources if r.name == name]
    return resource


def by_urn(plan) -> dict[str, RecordedResource]:
    return {r.urn: r for r in plan.resources}


def depends_on(plan, resource: RecordedResource) -> set[str]:
    """The names of the resources `resource` waits for."""
    urns = by_urn(plan)
    return {urns[urn].name for urn in resource.dependencies}


# Aurora engine version


def test_the_default_engine_version_is_a_major_not_a_minor_aws_retires():
    assert AuroraSettings().engine_version == "16"


def test_a_major_is_looked_up_and_a_full_version_sent_as_given():
    # The offline answer for a major is `<major>.99` (docs/offline-plan.md, "What the offline plan assumes").
    assert only(plan_of("aws-aurora"), CLUSTER).inputs["engineVersion"] == "16.99"
    pinned = plan_variant("aws-aurora", {"database.aurora.engineVersion": "16.8"})
    assert only(pinned, CLUSTER).inputs["engineVersion"] == "16.8"


def test_a_major_alone_may_pause_because_it_takes_the_newest_minor():
    plan = plan_variant("aws-aurora", {"database.aurora.engineVersion": "15", "database.aurora.minCapacity": 0})
    assert only(plan, CLUSTER).inputs["serverlessv2ScalingConfiguration"]["minCapacity"] == 0


@pytest.mark.parametrize("version", [None, "16.8", "13"])
def test_a_restored_cluster_sends_no_engine_version_that_could_be_older_than_its_snapshot(version):
    changes = {} if version is None else {"database.aurora.engineVersion": version}
    plan = plan_variant("aws-restore", changes)
    cluster = only(plan, CLUSTER)
    # config/Pulumi.aws-restore.yaml: restore.databaseSnapshotIdentifier.
    assert cluster.inputs["snapshotIdentifier"] == "tdce-aurora-2026-11-01"
    assert "engineVersion" not in cluster.inputs
    assert all("engineVersion" not in instance.inputs for instance in of_type(plan, INSTANCE))


# Application-user rotation


def test_the_rotation_function_reaches_the_rds_api_through_an_interface_endpoint_in_its_group():
    plan = plan_of("aws-aurora")
    groups = {r.id: r.name for r in of_type(plan, SECURITY_GROUP)}
    rds = next(e for e in of_type(plan, VPC_ENDPOINT) if e.inputs["serviceName"] == "com.amazonaws.eu-central-1.rds")
    assert rds.inputs["vpcEndpointType"] == "Interface" and rds.inputs["privateDnsEnabled"] is True
    assert [groups[g] for g in rds.inputs["securityGroupIds"]] == ["tdce-firewall-rds-endpoint"]
    subnets = {r.id for r in of_type(plan, SUBNET)}
    assert set(rds.inputs["subnetIds"]) == subnets


def test_no_rds_endpoint_without_aurora():
    plan = plan_of("aws-prod")
    assert not [e for e in of_type(plan, VPC_ENDPOINT) if e.inputs["serviceName"].endswith(".rds")]
    assert "tdce-firewall-rds-endpoint" not in {g.name for g in of_type(plan, SECURITY_GROUP)}


@pytest.mark.parametrize("stack", AURORA_STACKS)
def test_the_rotation_application_is_pinned_and_generates_no_punctuation(stack):
    (application,) = of_type(plan_of(stack), SERVERLESS_APPLICATION)
    # The version the AWS CDK pins for the aws partition (aws-cdk, aws-secretsmanager/lib/secret-rotation.ts).
    assert application.inputs["semanticVersion"] == "1.1.671"
    assert application.inputs["parameters"]["excludeCharacters"] == EXCLUDE_PUNCTUATION


def test_the_rotation_function_name_is_unique_per_deployment():
    plan = plan_of("aws-aurora")
    (application,) = of_type(plan, SERVERLESS_APPLICATION)
    suffix = named(plan, "tdce-database-secrets-rotation-function-suffix")
    assert suffix.type == "random:index/randomId:RandomId"
    assert suffix.urn in application.property_dependencies["parameters"]
    # The offline RandomId is 0ff1ce00 (tdce/mock_cloud/aws_data.py); it ends the name.
    assert application.inputs["parameters"]["functionName"] == "aws-aurora-tdce-database-secrets-rotation-0ff1ce00"


def test_a_long_stack_name_keeps_the_suffix_within_lambdas_64_characters():
    from components.aws.database.secrets import rotation_function_name

    name = rotation_function_name("a" * 80, "tdce-database-secrets", "0ff1ce00")
    assert len(name) == 64 and name.endswith("-0ff1ce00")


@pytest.mark.parametrize("stack", AURORA_STACKS)
def test_the_user_rotation_waits_for_the_function_the_user_and_its_network_path(stack):
    plan = plan_of(stack)
    rotation = named(plan, "tdce-database-secrets-user-rotation")
    assert rotation.inputs["rotateImmediately"] is False
    waits_for = depends_on(plan, rotation)
    expected = {
        "tdce-database-secrets-rotation-function",
        "tdce-database-secrets-user-initial",
        "tdce-database-writer",
        "tdce-secrets-endpoint-endpoint",
        "tdce-rds-endpoint-endpoint",
        "tdce-firewall-database-from-secret-rotation",
        "tdce-firewall-secret-rotation-to-database-5432",
        "tdce-firewall-secret-rotation-to-secrets-endpoint-443",
        "tdce-firewall-secret-rotation-to-rds-endpoint-443",
        "tdce-firewall-secrets-endpoint-from-secret-rotation",
        "tdce-firewall-rds-endpoint-from-secret-rotation",
    }
    assert expected <= waits_for, expected - waits_for
    if stack == "aws-aurora":
        assert "tdce-database-secrets-application-user-create" in waits_for


@pytest.mark.parametrize("stack", AURORA_STACKS)
def test_the_master_rotation_neither_fires_at_once_nor_before_the_instances(stack):
    plan = plan_of(stack)
    rotation = named(plan, "tdce-database-secrets-master-rotation")
    assert rotation.inputs["rotateImmediately"] is False
    instances = {i.name for i in of_type(plan, INSTANCE)}
    assert instances and instances <= depends_on(plan, rotation)


def test_a_new_cluster_gets_its_application_user_through_the_data_api_once_the_writer_and_secret_exist():
    plan = plan_of("aws-aurora")
    cluster = only(plan, CLUSTER)
    assert cluster.inputs["enableHttpEndpoint"] is True
    invocation = only(plan, INVOCATION)
    event = json.loads(invocation.inputs["input"])
    assert event["clusterArn"].endswith(f":cluster:{cluster.id}")
    assert event["masterSecretArn"] == plan.outputs["databaseAdminPasswordSecret"]
    assert event["userSecretArn"] == plan.outputs["databaseUserPasswordSecret"]
    assert event["database"] == "techila"
    assert {"tdce-database-writer", "tdce-database-reader", "tdce-database-secrets-user-initial"} <= depends_on(plan, invocation)
    function = only(plan, FUNCTION)
    # Outside the VPC: the Data API is an AWS endpoint, and no network interface outlives the function.
    assert "vpcConfig" not in function.inputs
    assert function.inputs["handler"] == "create_application_user.handler"


def test_a_restored_cluster_keeps_its_user_and_creates_none():
    plan = plan_of("aws-restore")
    assert not of_type(plan, INVOCATION) and not of_type(plan, FUNCTION)
    assert "enableHttpEndpoint" not in only(plan, CLUSTER).inputs


# Races on the first `up`


BUCKET_ORDER = [
    "tdce-storage-bundles",
    "tdce-storage-ownership",
    "tdce-storage-public-access",
    "tdce-storage-encryption",
    "tdce-storage-versioning",
    "tdce-storage-tls-only",
    "tdce-storage-lifecycle",
]


def test_the_bucket_is_configured_one_call_after_another():
    plan = plan_variant("aws-prod", {"bucket.expireAfterDays": 90})
    for before, after in zip(BUCKET_ORDER, BUCKET_ORDER[1:], strict=False):
        assert before in depends_on(plan, named(plan, after)), (after, "waits for", before)


def test_the_flow_log_waits_for_its_roles_policy():
    plan = plan_of("aws-prod")
    assert "tdce-network-flow-logs-policy" in depends_on(plan, named(plan, "tdce-network-flow-logs-log"))


# Second `up`: zones


def test_looked_up_zones_are_kept_by_the_subnets_and_read_from_them():
    plan = plan_of("aws-dev")  # no tdce:zones: the region's zones are looked up
    subnets = sorted(of_type(plan, SUBNET), key=lambda s: s.name)
    assert [s.options["ignoreChanges"] for s in subnets] == [["availabilityZone"], ["availabilityZone"]]
    # The data volume shares the server's zone, the first subnet's as it was created (the server
    # itself sits in that subnet).
    volume = only(plan, "aws:ebs/volume:Volume")
    assert volume.property_dependencies["availabilityZone"] == [subnets[0].urn]


def test_configured_zones_are_not_ignored():
    plan = plan_of("aws-prod")
    assert all(s.options["ignoreChanges"] == [] for s in of_type(plan, SUBNET))


def test_the_zone_lookup_asks_for_availability_zones_only(monkeypatch):
    from tdce import mock_cloud

    asked: list[dict[str, Any]] = []
    token = "aws:index/getAvailabilityZones:getAvailabilityZones"
    answer = mock_cloud.INVOKES[token]
    monkeypatch.setitem(mock_cloud.INVOKES, token, lambda arguments: asked.append(dict(arguments)) or answer(arguments))
    plan_variant("aws-dev", {})
    # A Local Zone (`us-east-1-bos-1a`) sorts before `us-east-1a`; Availability Zones are opt-in-not-required
    # ("Regions and Zones", EC2 User Guide).
    assert asked and all(
        a["state"] == "available" and a["filters"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
        for a in asked
    )


# Destroy


def data_tier(plan) -> list[RecordedResource]:
    parts = ("tdce:aws:Database", "tdce:aws:DatabaseSecrets", "tdce:aws:DatabaseApplicationUser", "tdce:aws:Backup")
    return [r for r in plan.resources if any(f"{part}$" in r.urn for part in parts)]


def test_with_deletion_protection_off_nothing_of_the_data_tier_is_protected_and_the_vaults_may_go():
    plan = plan_variant("aws-aurora", {"deletionProtection": False})
    cluster = only(plan, CLUSTER)
    assert cluster.inputs["deletionProtection"] is False
    resources = data_tier(plan)
    assert cluster in resources and len(resources) > 10
    assert [r.name for r in resources if r.options["protect"]] == []
    assert [v.inputs["forceDestroy"] for v in of_type(plan, VAULT)] == [True, True]


def test_with_deletion_protection_on_the_cluster_is_protected_twice_and_the_vaults_kept():
    plan = plan_of("aws-aurora")
    assert plan.settings.deletion_protection is True
    cluster = only(plan, CLUSTER)
    assert cluster.inputs["deletionProtection"] is True and cluster.options["protect"] is True
    assert [v.inputs["forceDestroy"] for v in of_type(plan, VAULT)] == [False, False]


def test_what_holds_the_rotation_functions_interfaces_waits_longer_than_lambda_keeps_them():
    # Lambda releases a deleted VPC function's interfaces within 45 minutes (hashicorp/terraform-provider-aws#10329).
    plan = plan_of("aws-aurora")
    holders = [named(plan, "tdce-firewall-secret-rotation"), *of_type(plan, SUBNET)]
    assert [r.options["customTimeouts"] for r in holders] == [{"delete": "60m"}] * len(holders)


@pytest.mark.parametrize("stack", ["aws-prod", "aws-aurora", "aws-dev", "aws-restore"])
def test_no_kms_key_of_the_stacks_own(stack):
    # The backup vault's key would encrypt nothing: EBS and Aurora recovery points keep their source's
    # encryption ("Encryption for backups in AWS Backup").
    assert not of_type(plan_of(stack), "aws:kms/key:Key")


# Trust policies


@pytest.mark.parametrize(
    ("stack", "role", "service", "source_account"),
    [
        # The VPC User Guide's flow-log role trusts the service for this account only.
        ("aws-prod", "tdce-network-flow-logs-role", "vpc-flow-logs.amazonaws.com", {"aws:SourceAccount": OFFLINE_ACCOUNT}),
        # AWS Backup takes its role only from a backup selection of this account (iam:PassRole), and no
        # guide says it sends aws:SourceAccount as it assumes the role: the plain trust.
        ("aws-prod", "tdce-backup-role", "backup.amazonaws.com", None),
        ("aws-aurora", "tdce-backup-role", "backup.amazonaws.com", None),
    ],
)
def test_service_roles_trust_the_service_and_only_flow_logs_need_the_account_condition(stack, role, service, source_account):
    trust = json.loads(named(plan_of(stack), role).inputs["assumeRolePolicy"])
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": ["sts:AssumeRole"]}
    if source_account is not None:
        statement["Condition"] = {"StringEquals": source_account}
    assert trust["Statement"] == [statement]

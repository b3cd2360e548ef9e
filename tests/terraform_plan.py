"""A recorded plan (`tdce.planner.Plan`) as Terraform plan JSON, for Checkov's `terraform_plan` checks.

A test oracle, not product code: it exists so an independent tool can read what the program
registers, and only the test suite runs it (tests/test_checkov.py). It lives in tests/ for that
reason; nothing in `tdce` needs it, and no user runs it.

Pulumi's bridged providers are the Terraform providers underneath, so a resource converts by
renaming: the Pulumi type to the Terraform type (a literal table of the types Checkov's checks
read, below), camelCase inputs to snake_case, and the few list blocks the bridge pluralises
back to Terraform's block names. Types without a row are left out: no Checkov check reads them.
Inputs that name another resource (its ID, ARN or name) become references in the plan's
`configuration`, as Terraform writes them for values unknown before create; that is how
Checkov's graph checks connect a bucket to its public access block.
"""

from __future__ import annotations

import re
from typing import Any

from tdce.planner import Plan
from tdce.recording import RecordedResource

# Pulumi type token → Terraform resource type: every type the example stacks register that a
# Checkov terraform check (resource or graph) names. Left out on purpose, because no check reads
# them: internet gateways, route table associations, instance profiles, Lambda invocations, DB
# subnet groups, secret versions, the SAR CloudFormation stack, GCP addresses, attached disks,
# resource policies, routers, custom roles, service identities, secrets and their versions and
# IAM members, service accounts and their IAM members, the service networking connection, and
# the `random` provider.
TERRAFORM_TYPES: dict[str, str] = {
    "aws:autoscaling/group:Group": "aws_autoscaling_group",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:ebs/volume:Volume": "aws_ebs_volume",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/eipAssociation:EipAssociation": "aws_eip_association",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/volumeAttachment:VolumeAttachment": "aws_volume_attachment",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "gcp:compute/disk:Disk": "google_compute_disk",
    "gcp:compute/firewall:Firewall": "google_compute_firewall",
    "gcp:compute/instance:Instance": "google_compute_instance",
    "gcp:compute/instanceTemplate:InstanceTemplate": "google_compute_instance_template",
    "gcp:compute/network:Network": "google_compute_network",
    "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:pubsub/topic:Topic": "google_pubsub_topic",
    "gcp:pubsub/topicIAMMember:TopicIAMMember": "google_pubsub_topic_iam_member",
    "gcp:sql/databaseInstance:DatabaseInstance": "google_sql_database_instance",
    "gcp:sql/user:User": "google_sql_user",
    "gcp:storage/bucket:Bucket": "google_storage_bucket",
    "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
}

# Terraform block names the bridge pluralises in Pulumi (a list block `rule` is Pulumi's `rules`),
# per Terraform type, from the providers' resource docs; everything else is camelCase → snake_case.
BLOCK_NAMES: dict[str, dict[str, str]] = {
    "aws_autoscaling_group": {"tags": "tag"},
    "aws_backup_plan": {"rules": "rule", "copyActions": "copy_action"},
    "aws_instance": {"ebsBlockDevices": "ebs_block_device"},
    "aws_s3_bucket_lifecycle_configuration": {"rules": "rule"},
    "aws_s3_bucket_server_side_encryption_configuration": {"rules": "rule"},
    "google_compute_firewall": {"allows": "allow", "denies": "deny"},
    "google_compute_instance": {"networkInterfaces": "network_interface", "accessConfigs": "access_config"},
    "google_compute_instance_template": {
        "disks": "disk",
        "networkInterfaces": "network_interface",
        "accessConfigs": "access_config",
    },
    "google_compute_subnetwork": {"secondaryIpRanges": "secondary_ip_range"},
    "google_storage_bucket": {"lifecycleRules": "lifecycle_rule"},
}
# Map-typed arguments: their keys are data (tag keys, template parameters), not argument names.
MAP_ARGUMENTS = {"tags", "tagsAll", "labels", "userLabels", "resourceLabels", "metadata", "parameters", "variables"}
PROVIDERS = {"aws": "registry.terraform.io/hashicorp/aws", "gcp": "registry.terraform.io/hashicorp/google"}
_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAPITAL.sub("_", name).lower()


def address(resource: RecordedResource) -> str | None:
    kind = TERRAFORM_TYPES.get(resource.type)
    return f"{kind}.{resource.name}" if kind else None


def terraform_plan(plan: Plan) -> dict[str, Any]:
    """The plan as `terraform show -json` writes a plan that creates everything."""
    by_urn = {resource.urn: resource for resource in plan.resources}
    # IDs of converted resources, for references inside blocks (a launch template's security groups).
    by_id = {r.id: where for r in plan.resources if r.id and (where := address(r))}
    planned, changes, configuration = [], [], []
    for resource in plan.resources:
        where = address(resource)
        if where is None:
            continue
        kind, provider = where.split(".", 1)[0], PROVIDERS[resource.type.split(":", 1)[0]]
        references = _references(resource, by_urn)
        values, nested = _values(kind, {k: v for k, v in resource.inputs.items() if k not in references}, by_id)
        common = {"address": where, "mode": "managed", "type": kind, "name": resource.name, "provider_name": provider}
        planned.append({**common, "schema_version": 0, "values": values})
        changes.append({**common, "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {}}})
        expressions = {**nested, **{snake(key): {"references": targets} for key, targets in references.items()}}
        configuration.append({**common, "expressions": expressions})
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": configuration}},
    }


def _references(resource: RecordedResource, by_urn: dict[str, RecordedResource]) -> dict[str, list[str]]:
    """Top-level inputs that are another converted resource's ID, ARN or name: Terraform references to it.

    Inputs that only contain such values (a policy document holding ARNs) keep their value.
    """
    found: dict[str, list[str]] = {}
    for key, urns in resource.property_dependencies.items():
        value = resource.inputs.get(key)
        if not (isinstance(value, str) and not value.lstrip().startswith("{")) and not _strings(value):
            continue
        targets = [a for a in (address(by_urn[urn]) for urn in urns if urn in by_urn) if a]
        if targets:
            found[key] = _written(targets)
    return found


def _written(targets: list[str]) -> list[str]:
    # As Terraform lists a reference to `aws_s3_bucket.b.id`: the attribute, then the resource.
    return [item for target in targets for item in (f"{target}.id", target)]


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, str) for item in value)


def _values(kind: str, inputs: dict[str, Any], by_id: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Terraform's values, and the expressions of the blocks whose arguments name other resources by ID."""
    renames = BLOCK_NAMES.get(kind, {})

    def block(value: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        values, expressions = {}, {}
        for key, item in value.items():
            name = renames.get(key, snake(key))
            ids = [item] if isinstance(item, str) else item if _strings(item) else []
            if ids and all(i in by_id for i in ids):
                expressions[name] = {"references": _written([by_id[i] for i in ids])}
                continue
            values[name], inner = convert(item, key)
            if inner:
                expressions[name] = inner
        return values, expressions

    def convert(value: Any, key: str) -> tuple[Any, Any]:
        if isinstance(value, dict):
            return (dict(value), None) if key in MAP_ARGUMENTS else block(value)
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            pairs = [convert(item, key) for item in value]
            inner = [expression or {} for _, expression in pairs]
            return [v for v, _ in pairs], inner if any(inner) else None
        return value, None

    return block(inputs)

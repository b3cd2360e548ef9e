"""What the Techila Dashboard may do in this deployment, as IAM statements: docs/dashboard-permissions-aws.md, row by row.

The server starts and stops workers itself (001_ec271c3ff40761d0.txt 3.4, 3.5, 4.1, 4.4, 4.17-4.19;
000_8bca743440dfe33c.txt Required8). Every mutating statement names this deployment:
- what it creates carries the stack tag in the request (`aws:RequestTag/tdce:stack`);
- what it changes or deletes carries the stack tag already (`aws:ResourceTag/…`, `autoscaling:ResourceTag/…`)
  and no role tag of Pulumi's own resources (the server, the data disk, the database, the pools
  Pulumi sizes), so the dashboard can change only what it made;
- what it launches goes into this stack's subnets (named ARNs, `ec2:Subnet`) with the worker group
  and the configured extra groups (named ARNs), as one of the roles it may pass (`iam:PassRole`).

Resource types and condition keys per action are those of the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
list_amazonec2autoscaling.html, list_awsidentityandaccessmanagementiam.html);
tests/test_dashboard_permissions.py checks each against parliament's copy of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.aws.policy_document import allow, allow_when
from config.tags import AWS_TAGS, DATA_DISK, DATABASE, SERVER, WORKER_POOL

EC2_SERVICE = "ec2.amazonaws.com"
STACK_KEY, ROLE_KEY, POOL_KEY = AWS_TAGS.stack_key, AWS_TAGS.role_key, AWS_TAGS.pool_key
# The role tag values of what Pulumi makes: the dashboard may neither set them nor change what carries them.
PULUMI_ROLES = (SERVER, DATA_DISK, DATABASE, WORKER_POOL)
# Service-linked roles AWS creates on first use: Auto Scaling's for any group, EC2 Spot's for spot
# launches ("Amazon EC2 Auto Scaling API permissions": CreateAutoScalingGroup needs
# iam:CreateServiceLinkedRole "if that role does not yet exist"). Creating one that exists fails harmlessly.
SERVICE_LINKED_ROLES = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
}
# Calls that read and change nothing; EC2's Describe* and Auto Scaling's Describe* take no resource ARN.
DESCRIBE = (
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSnapshots",
    "ec2:DescribeSpotPriceHistory",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeScalingActivities",
)
# The API calls whose create step may tag (ec2:CreateAction): launches, templates, images.
TAGGING_CREATE_ACTIONS = ("RunInstances", "CreateLaunchTemplate", "CreateImage")
# One managed policy each.
AREAS = ("templates-and-groups", "launches", "images", "roles-and-reads")


@dataclass(frozen=True)
class DashboardScope:
    """This deployment, as plain values (the program resolves them first)."""

    stack: str
    partition: str
    region: str
    account: str
    subnet_ids: Sequence[str]
    # The worker group first, then the extra groups the settings allow (dashboard and pools).
    security_group_ids: Sequence[str]
    # The worker role first, then tdce:dashboard.extraWorkerRoles.
    worker_role_arns: Sequence[str]
    # Pools declared with capacityOwner: dashboard, which the dashboard may scale.
    dashboard_pools: Sequence[str]
    # Snapshots of this volume (backups) are never the dashboard's to delete.
    data_volume_id: str

    def ec2_arn(self, kind: str, resource_id: str, *, account: bool = True) -> str:
        # Images and snapshots may be another account's (public images): their ARNs carry no account.
        owner = self.account if account else ""
        return f"arn:{self.partition}:ec2:{self.region}:{owner}:{kind}/{resource_id}"

    @property
    def groups_arn(self) -> str:
        return f"arn:{self.partition}:autoscaling:{self.region}:{self.account}:autoScalingGroup:*:autoScalingGroupName/*"


def _tagged(context: str, stack: str) -> dict[str, Any]:
    """The stack tag as the request (`aws:RequestTag`) or the resource (`aws:ResourceTag`, …) carries it, and no Pulumi role."""
    return {"StringEquals": {f"{context}/{STACK_KEY}": stack}, "StringNotEquals": {f"{context}/{ROLE_KEY}": list(PULUMI_ROLES)}}


def dashboard_policies(scope: DashboardScope) -> dict[str, list[dict[str, Any]]]:
    """The statements by area, one managed policy each: IAM holds a managed policy to 6,144 characters
    ("IAM and AWS STS quotas"), and the launch area grows with the extra groups."""
    s = scope
    templates = s.ec2_arn("launch-template", "*")
    instances, volumes, interfaces = s.ec2_arn("instance", "*"), s.ec2_arn("volume", "*"), s.ec2_arn("network-interface", "*")
    images, snapshots = s.ec2_arn("image", "*", account=False), s.ec2_arn("snapshot", "*", account=False)
    subnets = [s.ec2_arn("subnet", subnet) for subnet in s.subnet_ids]
    groups = [s.ec2_arn("security-group", group) for group in s.security_group_ids]
    requested, owned = _tagged("aws:RequestTag", s.stack), _tagged("aws:ResourceTag", s.stack)
    owned_group = _tagged("autoscaling:ResourceTag", s.stack)
    in_subnets = {"ForAllValues:StringEquals": {"autoscaling:VPCZoneIdentifiers": list(s.subnet_ids)}}
    templates_and_groups = [
        allow_when("CreateLaunchTemplatesTaggedForThisStack", ["ec2:CreateLaunchTemplate"], [templates], requested),
        allow_when(
            "UseAndChangeThisStacksLaunchTemplates",
            [
                "ec2:CreateLaunchTemplateVersion",
                "ec2:ModifyLaunchTemplate",
                "ec2:DeleteLaunchTemplate",
                "ec2:DeleteLaunchTemplateVersions",
                "ec2:RunInstances",
            ],
            [templates],
            owned,
        ),  # fmt: skip
        allow_when(
            "CreateGroupsTaggedForThisStackInItsSubnets",
            ["autoscaling:CreateAutoScalingGroup"],
            [s.groups_arn],
            {**requested, **in_subnets},
        ),
        allow_when(
            "UpdateThisStacksGroupsWithinItsSubnets",
            ["autoscaling:UpdateAutoScalingGroup"],
            [s.groups_arn],
            {**owned_group, **in_subnets},
        ),
        allow_when(
            "ScaleAndDeleteThisStacksGroups",
            [
                "autoscaling:SetDesiredCapacity",
                "autoscaling:TerminateInstanceInAutoScalingGroup",
                "autoscaling:DeleteAutoScalingGroup",
            ],
            [s.groups_arn],
            owned_group,
        ),  # fmt: skip
        allow_when(
            "TagThisStacksGroupsKeepingTheStackTag",
            ["autoscaling:CreateOrUpdateTags"],
            [s.groups_arn],
            {
                # IfExists: a call adding only 4.18's user tags names no `tdce:stack` and is this
                # group's (its resource tag); a call naming `tdce:stack` may only keep it. Removing
                # it takes DeleteTags, which is not granted.
                "StringEquals": {f"autoscaling:ResourceTag/{STACK_KEY}": s.stack},
                "StringEqualsIfExists": {f"aws:RequestTag/{STACK_KEY}": s.stack},
                "StringNotEquals": {
                    f"autoscaling:ResourceTag/{ROLE_KEY}": list(PULUMI_ROLES),
                    f"aws:RequestTag/{ROLE_KEY}": list(PULUMI_ROLES),
                },
            },
        ),
    ]
    if s.dashboard_pools:
        templates_and_groups.append(
            allow_when(
                "ScaleThePoolsTheDashboardOwns",
                ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                [s.groups_arn],
                {
                    "StringEquals": {
                        f"autoscaling:ResourceTag/{STACK_KEY}": s.stack,
                        f"autoscaling:ResourceTag/{ROLE_KEY}": WORKER_POOL,
                        f"autoscaling:ResourceTag/{POOL_KEY}": list(s.dashboard_pools),
                    }
                },
            )
        )
    spot_requests = s.ec2_arn("spot-instances-request", "*")
    launches = [
        # The spot request: EC2 evaluates it in RunInstances only when the launch tags it, and then
        # it must be allowed there ("If you tag a Spot Instance request on create, Amazon EC2
        # evaluates the spot-instances-request resource in the RunInstances statement", EC2 User
        # Guide, example policies, "Tag Spot Instance requests on create").
        allow_when(
            "LaunchInstancesVolumesAndSpotRequestsTaggedForThisStack",
            ["ec2:RunInstances"],
            [instances, volumes, spot_requests],
            requested,
        ),
        allow_when(
            "LaunchInterfacesInThisStacksSubnets", ["ec2:RunInstances"], [interfaces], {"ArnEquals": {"ec2:Subnet": subnets}}
        ),
        # Named subnets and groups: a launch naming any other is refused.
        allow("LaunchIntoThisStacksSubnetsWithItsWorkerGroups", ["ec2:RunInstances"], [*subnets, *groups]),
        # Not scoped to the deployment: the dashboard boots clean public images (the vendor's security
        # statement) that carry no tag of ours and no network. Using an image changes nothing; every
        # other resource of the launch is scoped.
        allow_when("LaunchFromPublicImages", ["ec2:RunInstances"], [images], {"Bool": {"ec2:Public": "true"}}),
        allow_when(
            "TagOnlyAtCreationWithTheStackTag",
            ["ec2:CreateTags"],
            [instances, volumes, interfaces, templates, images, snapshots, spot_requests],
            {**requested, "StringEquals": {**requested["StringEquals"], "ec2:CreateAction": list(TAGGING_CREATE_ACTIONS)}},
        ),
        allow_when("StopAndImageThisStacksWorkers", ["ec2:TerminateInstances", "ec2:CreateImage"], [instances], owned),
    ]
    images_and_snapshots = [
        allow_when("CreateImagesAndSnapshotsTaggedForThisStack", ["ec2:CreateImage"], [images, snapshots], requested),
        allow_when("LaunchFromAndDeregisterThisStacksImages", ["ec2:RunInstances", "ec2:DeregisterImage"], [images], owned),
        allow_when(
            "DeleteThisStacksSnapshotsButNoBackup",
            ["ec2:DeleteSnapshot"],
            [snapshots],
            {**owned, "ArnNotEquals": {"ec2:ParentVolume": s.ec2_arn("volume", s.data_volume_id)}},
        ),
    ]
    roles_and_reads = [
        allow_when(
            "PassOnlyTheWorkerRolesToEc2",
            ["iam:PassRole"],
            list(s.worker_role_arns),
            {"StringEquals": {"iam:PassedToService": EC2_SERVICE}},
        ),
        allow_when(
            "CreateTheServiceLinkedRolesIfAbsent",
            ["iam:CreateServiceLinkedRole"],
            [
                f"arn:{s.partition}:iam::{s.account}:role/aws-service-role/{service}/{role}"
                for service, role in SERVICE_LINKED_ROLES.items()
            ],
            {"StringEquals": {"iam:AWSServiceName": list(SERVICE_LINKED_ROLES)}},
        ),
        allow("SeeWhatTheDashboardManages", list(DESCRIBE), ["*"]),
    ]
    return {
        "templates-and-groups": templates_and_groups,
        "launches": launches,
        "images": images_and_snapshots,
        "roles-and-reads": roles_and_reads,
    }

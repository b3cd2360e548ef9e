"""The server role lets the Techila Dashboard do exactly what docs/dashboard-permissions-aws.md lists, in this stack only.

Each dashboard operation is written here as the IAM requests AWS authorises for it (action,
resource ARN, request context), from the Service Authorization Reference and the EC2 Auto
Scaling "API permissions" page, and evaluated against the recorded plan's policies with
tests/iam_evaluator.py. The same operation against another stack's tag, another network or an
unnamed role must be allowed by no statement.
"""

from __future__ import annotations

import glob
import json
import re
from functools import cache
from pathlib import Path

import pytest

from tests.iam_evaluator import Request, allowed, granting
from tests.support import of_type, plan_of, plan_variant

STACK, OTHER_STACK = "aws-prod", "aws-dev"
ACCOUNT, REGION = "123456789012", "eu-west-1"
EC2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
IMAGES, SNAPSHOTS = f"arn:aws:ec2:{REGION}::image", f"arn:aws:ec2:{REGION}::snapshot"
GROUP_ARN = f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:autoScalingGroup:0f1e2d3c-aaaa-bbbb-cccc-000000000000:autoScalingGroupName/"
DOC = (Path(__file__).resolve().parent.parent / "docs" / "dashboard-permissions-aws.md").read_text()
# aws-prod's pools: linux-spot is the dashboard's to scale, linux-ondemand Pulumi's.
DASHBOARD_POOL, PULUMI_POOL = "linux-spot", "linux-ondemand"
# What the EC2 Auto Scaling user guide's "Amazon EC2 Auto Scaling API permissions" page lists as read-only calls
# the dashboard makes (describe its groups, instances, activities) and EC2's, for templates, images, networks, prices.
DESCRIBE_CALLS = [
    "ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ec2:DescribeImages", "ec2:DescribeSnapshots",
    "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups", "ec2:DescribeInstanceTypes", "ec2:DescribeSpotPriceHistory",
    "ec2:DescribeAvailabilityZones", "ec2:DescribeTags", "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeScalingActivities", "autoscaling:DescribeAutoScalingInstances",
]  # fmt: skip


def server_statements(plan) -> list[dict]:
    (server_role,) = [r for r in of_type(plan, "aws:iam/role:Role") if r.name.endswith("identity-server-role")]
    attached = {a.inputs["policyArn"] for a in of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    managed = [p for p in of_type(plan, "aws:iam/policy:Policy") if f":policy/{p.name}" in " ".join(attached)]
    inline = [p for p in of_type(plan, "aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] in (server_role.name, server_role.id)]
    return [s for p in [*managed, *inline] for s in json.loads(p.inputs["policy"])["Statement"]]


@cache
def prod() -> dict:
    plan = plan_of(STACK)
    subnets = plan.outputs["subnetIds"]
    return {
        "plan": plan,
        "statements": server_statements(plan),
        "subnets": subnets,
        "subnet_arns": [f"{EC2}:subnet/{s}" for s in subnets],
        "worker_group": f"{EC2}:security-group/{plan.outputs['workerFirewallGroup']}",
        "worker_role": plan.outputs["workerIdentity"],
        "data_volume": f"{EC2}:volume/{plan.outputs['dataDiskId']}",
    }


def created(stack: str = STACK, **more) -> dict:
    return {"aws:RequestTag/tdce:stack": stack, **more}


def owned(stack: str = STACK, **more) -> dict:
    return {"aws:ResourceTag/tdce:stack": stack, "ec2:ResourceTag/tdce:stack": stack, **more}


def owned_group(stack: str = STACK, **more) -> dict:
    return {"autoscaling:ResourceTag/tdce:stack": stack, "aws:ResourceTag/tdce:stack": stack, **more}


def launch(p: dict, *, stack: str = STACK, subnet: str | None = None, group: str | None = None, market: str = "on-demand"):
    """The requests of one RunInstances: the instance, its volume and interface, the subnet, the group, the image."""
    subnet = subnet or p["subnet_arns"][0]
    return [
        Request("ec2:RunInstances", f"{EC2}:instance/*", created(stack, **{"ec2:InstanceMarketType": market})),
        Request("ec2:RunInstances", f"{EC2}:volume/*", created(stack)),
        Request("ec2:RunInstances", f"{EC2}:network-interface/*", {"ec2:Subnet": subnet}),
        Request("ec2:RunInstances", subnet, {}),
        Request("ec2:RunInstances", group or p["worker_group"], {}),
        Request("ec2:RunInstances", f"{IMAGES}/ami-0123456789abcdef0", {"ec2:Public": "true"}),
        Request("iam:PassRole", p["worker_role"], {"iam:PassedToService": "ec2.amazonaws.com"}),
        *[Request("ec2:CreateTags", f"{EC2}:{kind}/*", created(stack, **{"ec2:CreateAction": "RunInstances"}))
          for kind in ("instance", "volume", "network-interface")],
    ]  # fmt: skip


def template(p: dict, stack: str = STACK) -> str:
    return f"{EC2}:launch-template/lt-0dashboard0000001"


# Operation → the requests AWS authorises for it, all of which the server's policy must allow.
def operations(p: dict) -> dict[str, list[Request]]:
    lt = template(p)
    group = f"{GROUP_ARN}tdce-dashboard-c5-xlarge"
    slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    return {
        "create launch template": [
            Request("ec2:CreateLaunchTemplate", lt, created()),
            Request("ec2:CreateTags", lt, created(**{"ec2:CreateAction": "CreateLaunchTemplate"})),
        ],
        "new launch template version": [Request("ec2:CreateLaunchTemplateVersion", lt, owned())],
        "delete launch template": [Request("ec2:DeleteLaunchTemplate", lt, owned())],
        # CreateAutoScalingGroup with a launch template: the caller's RunInstances, CreateTags and
        # PassRole are checked too ("Amazon EC2 Auto Scaling API permissions").
        "create auto scaling group": [
            Request("autoscaling:CreateAutoScalingGroup", group, created(**{"autoscaling:VPCZoneIdentifiers": p["subnets"]})),
            Request("ec2:RunInstances", lt, owned()),
            *launch(p),
            Request("iam:CreateServiceLinkedRole", slr, {"iam:AWSServiceName": "autoscaling.amazonaws.com"}),
        ],
        "update auto scaling group": [
            Request(
                "autoscaling:UpdateAutoScalingGroup", group, owned_group(**{"autoscaling:VPCZoneIdentifiers": p["subnets"][:1]})
            )
        ],
        "set desired capacity": [Request("autoscaling:SetDesiredCapacity", group, owned_group())],
        "terminate an instance in a group": [Request("autoscaling:TerminateInstanceInAutoScalingGroup", group, owned_group())],
        # 4.18's user tags alone (tags merge: a call names only the keys it sets), or with the stack tag kept.
        "tag a group": [
            Request("autoscaling:CreateOrUpdateTags", group, owned_group(**{"aws:RequestTag/department": "math"})),
            Request("autoscaling:CreateOrUpdateTags", group, owned_group(**created())),
        ],
        "delete auto scaling group": [Request("autoscaling:DeleteAutoScalingGroup", group, owned_group())],
        "scale a declared pool the dashboard owns": [
            Request(
                action,
                f"{GROUP_ARN}tdce-workers-{DASHBOARD_POOL}-group",
                owned_group(
                    **{"autoscaling:ResourceTag/tdce:role": "worker-pool", "autoscaling:ResourceTag/tdce:pool": DASHBOARD_POOL}
                ),
            )
            for action in ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")
        ],
        "run instances": launch(p),
        # A launch that tags its spot request: EC2 then checks RunInstances and CreateTags on the
        # request too (EC2 User Guide, example policies, "Tag Spot Instance requests on create").
        "run spot instances": [
            *launch(p, market="spot"),
            Request("ec2:RunInstances", f"{EC2}:spot-instances-request/*", created()),
            Request("ec2:CreateTags", f"{EC2}:spot-instances-request/*", created(**{"ec2:CreateAction": "RunInstances"})),
            Request(
                "iam:CreateServiceLinkedRole",
                f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot",
                {"iam:AWSServiceName": "spot.amazonaws.com"},
            ),
        ],
        "terminate instances": [Request("ec2:TerminateInstances", f"{EC2}:instance/i-0dashboard000001", owned())],
        "create image": [
            Request("ec2:CreateImage", f"{EC2}:instance/i-0dashboard000001", owned()),
            Request("ec2:CreateImage", f"{IMAGES}/*", created()),
            Request("ec2:CreateImage", f"{SNAPSHOTS}/*", created()),
            Request("ec2:CreateTags", f"{IMAGES}/*", created(**{"ec2:CreateAction": "CreateImage"})),
            Request("ec2:CreateTags", f"{SNAPSHOTS}/*", created(**{"ec2:CreateAction": "CreateImage"})),
        ],
        "launch from a custom image": [
            Request("ec2:RunInstances", f"{IMAGES}/ami-0custom0000000001", owned(**{"ec2:Public": "false"}))
        ],
        "deregister image": [Request("ec2:DeregisterImage", f"{IMAGES}/ami-0custom0000000001", owned())],
        "delete snapshot": [
            Request(
                "ec2:DeleteSnapshot",
                f"{SNAPSHOTS}/snap-0custom000000001",
                owned(**{"ec2:ParentVolume": f"{EC2}:volume/vol-0workerroot00001"}),
            )
        ],
        "describe": [Request(action, "*", {}) for action in DESCRIBE_CALLS],
    }


# The same operations where they reach beyond the stack, or at what Pulumi owns: allowed by no statement.
def refused(p: dict) -> dict[str, Request]:
    lt = template(p)
    group = f"{GROUP_ARN}tdce-dashboard-c5-xlarge"
    other_subnet = f"{EC2}:subnet/subnet-0aaaaaaaaaaaaaaaa"
    pool = {"autoscaling:ResourceTag/tdce:role": "worker-pool", "autoscaling:ResourceTag/tdce:pool": PULUMI_POOL}
    return {
        "create a template tagged for another stack": Request("ec2:CreateLaunchTemplate", lt, created(OTHER_STACK)),
        "create a template without the tag": Request("ec2:CreateLaunchTemplate", lt, {}),
        "create a template claiming a Pulumi role": Request(
            "ec2:CreateLaunchTemplate", lt, created(**{"aws:RequestTag/tdce:role": "worker-pool"})
        ),
        "change another stack's template": Request("ec2:CreateLaunchTemplateVersion", lt, owned(OTHER_STACK)),
        "change a Pulumi pool's template": Request(
            "ec2:DeleteLaunchTemplate", lt, owned(**{"aws:ResourceTag/tdce:role": "worker-pool"})
        ),
        "create a group in another network's subnet": Request(
            "autoscaling:CreateAutoScalingGroup",
            group,
            created(**{"autoscaling:VPCZoneIdentifiers": ["subnet-0aaaaaaaaaaaaaaaa"]}),
        ),
        "move a group to another network": Request(
            "autoscaling:UpdateAutoScalingGroup",
            group,
            owned_group(**{"autoscaling:VPCZoneIdentifiers": ["subnet-0aaaaaaaaaaaaaaaa"]}),
        ),
        "scale another stack's group": Request("autoscaling:SetDesiredCapacity", group, owned_group(OTHER_STACK)),
        "scale a pool Pulumi sizes": Request(
            "autoscaling:SetDesiredCapacity", f"{GROUP_ARN}tdce-workers-{PULUMI_POOL}-group", owned_group(**pool)
        ),
        "delete a declared pool's group": Request(
            "autoscaling:DeleteAutoScalingGroup",
            f"{GROUP_ARN}tdce-workers-{DASHBOARD_POOL}-group",
            owned_group(**{**pool, "autoscaling:ResourceTag/tdce:pool": DASHBOARD_POOL}),
        ),
        "retag a group for another stack": Request("autoscaling:CreateOrUpdateTags", group, owned_group(**created(OTHER_STACK))),
        "launch an instance tagged for another stack": Request("ec2:RunInstances", f"{EC2}:instance/*", created(OTHER_STACK)),
        "request spot capacity tagged for another stack": Request(
            "ec2:RunInstances", f"{EC2}:spot-instances-request/*", created(OTHER_STACK)
        ),
        "give a group a Pulumi role": Request(
            "autoscaling:CreateOrUpdateTags", group, owned_group(**{"aws:RequestTag/tdce:role": "worker-pool"})
        ),
        "tag a group of another stack": Request(
            "autoscaling:CreateOrUpdateTags", group, owned_group(OTHER_STACK, **{"aws:RequestTag/department": "math"})
        ),
        "launch into another network's subnet": Request("ec2:RunInstances", other_subnet, {}),
        "launch an interface in another network": Request(
            "ec2:RunInstances", f"{EC2}:network-interface/*", {"ec2:Subnet": other_subnet}
        ),
        "launch with a group the settings do not name": Request(
            "ec2:RunInstances", f"{EC2}:security-group/sg-0aaaaaaaaaaaaaaaa", {}
        ),
        "launch from another stack's private image": Request(
            "ec2:RunInstances", f"{IMAGES}/ami-0other0000000001", owned(OTHER_STACK, **{"ec2:Public": "false"})
        ),
        "pass a role no setting names": Request(
            "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Administrator", {"iam:PassedToService": "ec2.amazonaws.com"}
        ),
        "pass the worker role to another service": Request(
            "iam:PassRole",
            p["worker_role"],
            {"iam:PassedToService": "lambda.amazonaws.com"},
        ),
        "terminate the server": Request(
            "ec2:TerminateInstances", f"{EC2}:instance/i-0server", owned(**{"aws:ResourceTag/tdce:role": "server"})
        ),
        "terminate another stack's worker": Request("ec2:TerminateInstances", f"{EC2}:instance/i-0other", owned(OTHER_STACK)),
        "image the server": Request(
            "ec2:CreateImage", f"{EC2}:instance/i-0server", owned(**{"aws:ResourceTag/tdce:role": "server"})
        ),
        "delete a backup of the data volume": Request(
            "ec2:DeleteSnapshot", f"{SNAPSHOTS}/snap-0backup", owned(**{"ec2:ParentVolume": p["data_volume"]})
        ),
        "delete a data-disk snapshot": Request(
            "ec2:DeleteSnapshot", f"{SNAPSHOTS}/snap-0backup", owned(**{"aws:ResourceTag/tdce:role": "data-disk"})
        ),
        "delete another stack's snapshot": Request("ec2:DeleteSnapshot", f"{SNAPSHOTS}/snap-0other", owned(OTHER_STACK)),
        "tag an existing instance": Request("ec2:CreateTags", f"{EC2}:instance/i-0server", created()),
        "create another service's linked role": Request(
            "iam:CreateServiceLinkedRole",
            f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS",
            {"iam:AWSServiceName": "rds.amazonaws.com"},
        ),
        "detach or delete the data volume": Request(
            "ec2:DeleteVolume", p["data_volume"], owned(**{"aws:ResourceTag/tdce:role": "data-disk"})
        ),
    }


def doc_rows() -> dict[str, set[str]]:
    """Operation → the Sids the doc's table names for it."""
    table = DOC.split("## Operations", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("**"):
            rows[cells[0].strip("*")] = set(re.findall(r"`([A-Za-z0-9]+)`", cells[2]))
    return rows


@pytest.mark.parametrize("operation", sorted(operations(prod())))
def test_each_dashboard_operation_is_allowed_by_the_statements_the_doc_names(operation):
    p = prod()
    requests = operations(p)[operation]
    denied = [r for r in requests if not allowed(p["statements"], r)]
    assert denied == []
    used = {sid for r in requests for sid in granting(p["statements"], r)}
    assert used == doc_rows()[operation]


@pytest.mark.parametrize("case", sorted(refused(prod())))
def test_the_same_operation_beyond_the_stack_is_allowed_by_no_statement(case):
    p = prod()
    request = refused(p)[case]
    assert granting(p["statements"], request) == []


def test_the_doc_lists_exactly_the_operations_tested_here():
    assert set(doc_rows()) == set(operations(prod()))


WILDCARD_MUTATING_STATEMENTS = [
    "CreateLaunchTemplatesTaggedForThisStack",
    "UseAndChangeThisStacksLaunchTemplates",
    "CreateGroupsTaggedForThisStackInItsSubnets",
    "UpdateThisStacksGroupsWithinItsSubnets",
    "ScaleAndDeleteThisStacksGroups",
    "TagThisStacksGroupsKeepingTheStackTag",
    "ScaleThePoolsTheDashboardOwns",
    "LaunchInstancesVolumesAndSpotRequestsTaggedForThisStack",
    "LaunchInterfacesInThisStacksSubnets",
    "TagOnlyAtCreationWithTheStackTag",
    "StopAndImageThisStacksWorkers",
    "CreateImagesAndSnapshotsTaggedForThisStack",
    "LaunchFromAndDeregisterThisStacksImages",
    "DeleteThisStacksSnapshotsButNoBackup",
]


def test_every_mutating_statement_names_this_deployment():
    # The policy pack's contract: a mutating statement on "*" or a wildcard ARN carries a deployment condition.
    deployment_keys = {"aws:RequestTag/tdce:stack", "aws:ResourceTag/tdce:stack", "autoscaling:ResourceTag/tdce:stack"}
    checked = []
    for statement in prod()["statements"]:
        if all(a.split(":")[1].startswith(("Describe", "Get", "List")) for a in statement["Action"]):
            continue
        if not any(
            r == "*" or r.endswith("/*") and r.split(":")[2] in ("ec2", "autoscaling", "iam") for r in statement["Resource"]
        ):
            continue  # named ARNs only, or a path under a named resource (the bucket's objects)
        if statement["Sid"] == "LaunchFromPublicImages":
            continue  # documented as not scopable: using a public image
        conditions = statement.get("Condition", {})
        tagged = any(conditions.get("StringEquals", {}).get(key) == STACK for key in deployment_keys)
        networked = "ec2:Subnet" in conditions.get("ArnEquals", {})
        assert tagged or networked, statement["Sid"]
        checked.append(statement["Sid"])
    # The mutating statements on "*" or wildcard ARNs (docs/dashboard-permissions-aws.md's statement names):
    # each was checked, so the loop above did not pass by skipping them.
    assert sorted(checked) == sorted(WILDCARD_MUTATING_STATEMENTS)


# --- against the Service Authorization Reference (parliament's copy of it) ---


@cache
def reference() -> dict:
    (path,) = glob.glob(
        str(Path(json.__file__).parents[1] / "site-packages" / "parliament" / "iam_definition.json")
    ) or glob.glob(".venv/lib/python3*/site-packages/parliament/iam_definition.json")
    return {service["prefix"]: service for service in json.loads(Path(path).read_text())}


def action_reference(action: str) -> tuple[dict, dict]:
    prefix, name = action.split(":")
    service = reference()[prefix]
    (privilege,) = [p for p in service["privileges"] if p["privilege"] == name]
    return service, privilege


def _template(condition_key: str) -> str:
    return re.sub(r"(RequestTag|ResourceTag)/.+$", r"\1/${TagKey}", condition_key)


# Resource types AWS documents for an action that parliament's copy of the reference lacks, each with its source.
NOT_IN_PARLIAMENTS_COPY = {
    # "If you use RunInstances to create a Spot Instance request and intend to tag the Spot Instance
    # request on create, you must include the spot-instances-request resource in the RunInstances
    # allow statement" (EC2 User Guide, example policies, "Work with Spot Instances").
    ("ec2:RunInstances", "spot-instances-request"),
}


def test_every_action_condition_key_and_resource_is_one_the_reference_gives_the_action():
    for statement in prod()["statements"]:
        keys = {_template(key) for keys in statement.get("Condition", {}).values() for key in keys}
        for action in statement["Action"]:
            service, privilege = action_reference(action)
            arns = {r["resource"]: r["arn"] for r in service["resources"]}
            for resource in statement["Resource"]:
                if resource == "*":
                    assert all(not rt["resource_type"].endswith("*") for rt in privilege["resource_types"]), (
                        action,
                        "needs ARNs",
                    )
                    continue
                types = [rt["resource_type"].rstrip("*") for rt in privilege["resource_types"] if rt["resource_type"]]
                types += [kind for named, kind in NOT_IN_PARLIAMENTS_COPY if named == action]
                patterns = [arns[kind] for kind in types]
                # arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}: each ${…} one or more characters.
                regexes = [".+".join(map(re.escape, re.split(r"\$\{[A-Za-z]+\}", pattern))) for pattern in patterns]
                assert any(re.fullmatch(rx, resource.replace("*", "x")) for rx in regexes), (statement["Sid"], action, resource)
        actions_keys = set().union(
            *({k for rt in action_reference(a)[1]["resource_types"] for k in rt["condition_keys"]} for a in statement["Action"])
        )
        assert keys <= actions_keys, (statement["Sid"], keys - actions_keys)


def test_run_instances_covers_every_resource_type_the_reference_requires():
    _, privilege = action_reference("ec2:RunInstances")
    required = {rt["resource_type"].rstrip("*") for rt in privilege["resource_types"] if rt["resource_type"].endswith("*")}
    assert required == {"image", "instance", "network-interface", "security-group", "subnet"}
    covered = {
        resource.split(":")[5].split("/")[0]
        for s in prod()["statements"]
        if "ec2:RunInstances" in s["Action"]
        for resource in s["Resource"]
    }
    assert required <= covered


# --- the policies fit IAM's quota with the most extra groups and roles the settings allow ---

MANAGED_POLICY_CHARACTERS = 6144  # "IAM and AWS STS quotas": managed policy size, whitespace not counted


def test_the_managed_policies_fit_iams_quota_with_the_most_extras_the_settings_allow():
    groups = [f"sg-{index:017x}" for index in range(50)]
    # Roles whose ARNs add up to the settings' bound of 4000 characters.
    name = "r" * 60
    roles = [f"arn:aws:iam::{ACCOUNT}:role/{name}{index:03d}" for index in range(4000 // 94)]
    assert 3900 < sum(map(len, roles)) <= 4000
    plan = plan_variant(STACK, {"dashboard": {"extraWorkerSecurityGroups": groups, "extraWorkerRoles": roles}})
    policies = of_type(plan, "aws:iam/policy:Policy")
    # The dashboard's four managed policies, each measured.
    assert sorted(policy.name for policy in policies) == [
        "tdce-dashboard-access-images",
        "tdce-dashboard-access-launches",
        "tdce-dashboard-access-roles-and-reads",
        "tdce-dashboard-access-templates-and-groups",
    ]
    for policy in policies:
        size = len(re.sub(r"\s", "", policy.inputs["policy"]))
        assert size <= MANAGED_POLICY_CHARACTERS, (policy.name, size)
    statements = server_statements(plan)
    launch_groups = {r for s in statements if s["Sid"] == "LaunchIntoThisStacksSubnetsWithItsWorkerGroups" for r in s["Resource"]}
    assert {f"{EC2}:security-group/{g}" for g in groups} <= launch_groups
    passed = {r for s in statements if s["Sid"] == "PassOnlyTheWorkerRolesToEc2" for r in s["Resource"]}
    assert set(roles) <= passed

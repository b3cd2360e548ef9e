"""AWS worker pools: a launch template and auto scaling group each, sized, tagged and owned as the settings say."""

from __future__ import annotations

import json
from functools import cache

import pytest

from tdce.mock_cloud.aws import WINDOWS_IMAGE_ID
from tdce.planner import Plan
from tests.support import of_type, plan_of, plan_variant, stack_values

GROUP = "aws:autoscaling/group:Group"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
CUSTOM_IMAGE = "ami-0123456789abcdef0"
EXTRA_GROUP = "sg-0a3c9dfcc6c95d82e"
WINDOWS_POOL = {
    "name": "windows-private",
    "os": "windows",
    "instanceType": "c5.2xlarge",
    "maxCount": 3,
    "publicIp": False,
    "extraSecurityGroups": [EXTRA_GROUP],
}


@cache
def with_windows_and_custom_pools() -> Plan:
    pools = json.loads(stack_values("aws-dev")[0]["tdce:workers"])
    return plan_variant("aws-dev", {"workers": [*pools, WINDOWS_POOL, {**WINDOWS_POOL, "name": "custom", "image": CUSTOM_IMAGE}]})


def pool_resources(plan: Plan, pool: str) -> tuple:
    (template,) = [t for t in of_type(plan, TEMPLATE) if t.name == f"tdce-workers-{pool}-template"]
    (group,) = [g for g in of_type(plan, GROUP) if g.name == f"tdce-workers-{pool}-group"]
    return template, group


# Each stack's pools as config/Pulumi.<stack>.yaml writes them, with docs/settings.md's defaults
# (tdce:workers: minCount 0, desiredCount 0, disk.sizeGb 100, capacityOwner dashboard; the disk type
# left to the cloud's default, gp3 on AWS as for dataDisk.type):
# pool → (instanceType, minCount, desiredCount, maxCount, disk.sizeGb, disk.type, capacityOwner).
POOLS = {
    "aws-prod": {
        "linux-ondemand": ("c5.4xlarge", 0, 2, 10, 100, "gp3", "pulumi"),
        "linux-spot": ("c5.9xlarge", 0, 0, 50, 100, "gp3", "dashboard"),
    },
    "aws-dev": {
        "dev-spot": ("c5.xlarge", 0, 0, 4, 50, "gp3", "dashboard"),
    },
}


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev"])
def test_each_pool_has_a_group_over_every_subnet_launching_its_templates_latest_version(stack):
    plan = plan_of(stack)
    assert set(plan.outputs["workerGroupNames"]) == set(POOLS[stack])
    for name, (instance_type, min_count, _, max_count, size_gb, disk_type, _) in POOLS[stack].items():
        template, group = pool_resources(plan, name)
        assert plan.outputs["workerGroupNames"][name] == group.name
        assert group.inputs["vpcZoneIdentifiers"] == plan.outputs["subnetIds"]
        assert group.inputs["launchTemplate"] == {"id": template.id, "version": "$Latest"}
        assert (group.inputs["minSize"], group.inputs["maxSize"]) == (min_count, max_count)
        assert template.inputs["instanceType"] == instance_type
        disk = template.inputs["blockDeviceMappings"][0]["ebs"]
        assert (disk["volumeSize"], disk["volumeType"]) == (size_gb, disk_type)


def test_dashboard_owned_pools_ignore_desired_count_drift_and_pulumi_owned_pools_set_it():
    plan = plan_of("aws-prod")
    owners = {name: (desired, owner) for name, (_, _, desired, _, _, _, owner) in POOLS["aws-prod"].items()}
    assert {owner for _, owner in owners.values()} == {"dashboard", "pulumi"}
    for name, (desired, owner) in owners.items():
        _, group = pool_resources(plan, name)
        ignored = group.options["ignoreChanges"]
        assert ignored == (["desiredCapacity"] if owner == "dashboard" else [])
        assert group.inputs["desiredCapacity"] == desired


def test_spot_pools_ask_for_spot_at_the_configured_price_and_on_demand_pools_do_not():
    spot_template, spot_group = pool_resources(plan_of("aws-dev"), "dev-spot")
    market = spot_template.inputs["instanceMarketOptions"]
    assert market["marketType"] == "spot" and market["spotOptions"]["maxPrice"] == "0.10"
    assert spot_group.inputs["capacityRebalance"] is True
    on_demand, _ = pool_resources(plan_of("aws-prod"), "linux-ondemand")
    assert "instanceMarketOptions" not in on_demand.inputs


def test_pool_tags_reach_launched_instances_and_their_volumes():
    plan = plan_of("aws-prod")
    template, group = pool_resources(plan, "linux-ondemand")
    expected = {"owner": "research-computing", "environment": "prod", "cost-center": "research"}
    expected |= {"tdce:stack": "aws-prod", "tdce:role": "worker-pool", "tdce:pool": "linux-ondemand"}
    by_kind = {spec["resourceType"]: spec["tags"] for spec in template.inputs["tagSpecifications"]}
    assert by_kind["instance"] == by_kind["volume"] == expected
    assert {tag["key"]: tag["value"] for tag in group.inputs["tags"]} == expected
    assert all(tag["propagateAtLaunch"] is True for tag in group.inputs["tags"])


def test_templates_carry_the_worker_profile_group_and_public_ip_setting():
    plan = with_windows_and_custom_pools()
    (profile,) = [p for p in of_type(plan, "aws:iam/instanceProfile:InstanceProfile") if "worker" in p.name]
    linux, _ = pool_resources(plan, "dev-spot")
    windows, _ = pool_resources(plan, "windows-private")
    assert linux.inputs["iamInstanceProfile"]["arn"].endswith(f"instance-profile/{profile.name}")
    (linux_nic,) = linux.inputs["networkInterfaces"]
    (windows_nic,) = windows.inputs["networkInterfaces"]
    assert linux_nic["associatePublicIpAddress"] == "true" and windows_nic["associatePublicIpAddress"] == "false"
    assert linux_nic["securityGroups"] == [plan.outputs["workerFirewallGroup"]]
    assert windows_nic["securityGroups"] == [plan.outputs["workerFirewallGroup"], EXTRA_GROUP]


def test_looked_up_images_are_pinned_and_configured_images_are_followed():
    plan = with_windows_and_custom_pools()
    windows, _ = pool_resources(plan, "windows-private")
    custom, _ = pool_resources(plan, "custom")
    assert windows.inputs["imageId"] == WINDOWS_IMAGE_ID and windows.options["ignoreChanges"] == ["imageId"]
    assert custom.inputs["imageId"] == CUSTOM_IMAGE and custom.options["ignoreChanges"] == []

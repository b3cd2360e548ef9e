"""The AWS server: its data volume survives edits and replacements, its instances are hardened, its outputs reach users."""

from __future__ import annotations

from functools import cache

import pytest

from components.boot.script import SHARED
from tdce.mock_cloud.aws import DEBIAN_12_IMAGE_ID
from tdce.planner import Plan
from tests.support import of_type, only, plan_of, plan_variant

VOLUME = "aws:ebs/volume:Volume"
INSTANCE = "aws:ec2/instance:Instance"
ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
SNAPSHOT = "snap-0123456789abcdef0"
CUSTOM_IMAGE = "ami-0fedcba9876543210"
STACKS = ("aws-prod", "aws-dev")


@cache
def restored_with_custom_image() -> Plan:
    return plan_variant("aws-prod", {"restore.dataDiskSnapshotId": SNAPSHOT, "server.image": CUSTOM_IMAGE})


@pytest.mark.parametrize(
    ("stack", "protected", "size_gb", "disk_type"),
    # config/Pulumi.<stack>.yaml's server.dataDisk: aws-prod sizeGb 2048, type gp3; aws-dev sizeGb 256,
    # type left to docs/settings.md's default (gp3 on AWS).
    [("aws-prod", True, 2048, "gp3"), ("aws-dev", False, 256, "gp3")],
)
def test_data_volume_is_protected_as_deletion_protection_says_encrypted_and_sized_from_settings(
    stack, protected, size_gb, disk_type
):
    plan = plan_of(stack)
    volume = only(plan, VOLUME)
    # aws-prod keeps tdce:deletionProtection's default (on); aws-dev turns it off.
    assert volume.options["protect"] is protected
    assert volume.inputs["encrypted"] is True
    assert volume.inputs["size"] == size_gb
    assert volume.inputs["type"] == disk_type
    assert volume.inputs["tags"]["tdce:role"] == "data-disk"


def test_data_volume_is_created_from_the_restore_snapshot_and_ignores_later_edits_to_it():
    assert "snapshotId" not in only(plan_of("aws-prod"), VOLUME).inputs
    restored = only(restored_with_custom_image(), VOLUME)
    assert restored.inputs["snapshotId"] == SNAPSHOT
    for volume in (restored, only(plan_of("aws-prod"), VOLUME)):
        assert volume.options["ignoreChanges"] == ["snapshotId"]


def test_data_volume_shares_the_zone_of_the_server_subnet():
    plan = plan_of("aws-dev")
    subnets = {s.id: s.inputs["availabilityZone"] for s in of_type(plan, "aws:ec2/subnet:Subnet")}
    assert only(plan, VOLUME).inputs["availabilityZone"] == subnets[only(plan, INSTANCE).inputs["subnetId"]]


def test_replacing_the_server_detaches_the_volume_first():
    plan = plan_of("aws-prod")
    attachment = only(plan, ATTACHMENT)
    assert attachment.inputs["stopInstanceBeforeDetaching"] is True
    assert attachment.inputs["volumeId"] == only(plan, VOLUME).id
    assert attachment.options["deleteBeforeReplace"] is True
    assert only(plan, INSTANCE).options["deleteBeforeReplace"] is True
    assert only(plan, "aws:ec2/eipAssociation:EipAssociation").options["deleteBeforeReplace"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_every_instance_and_launch_template_requires_imdsv2(stack):
    plan = plan_of(stack)
    templates = of_type(plan, LAUNCH_TEMPLATE)
    assert templates
    for resource in [only(plan, INSTANCE), *templates]:
        assert resource.inputs["metadataOptions"]["httpTokens"] == "required", resource.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_disk_is_encrypted(stack):
    plan = plan_of(stack)
    root = only(plan, INSTANCE).inputs["rootBlockDevice"]
    assert root["encrypted"] is True and root["volumeType"] == "gp3"
    # Neither stack file sets server.rootDiskSizeGb: docs/settings.md's default, 30.
    assert root["volumeSize"] == 30
    assert all(volume.inputs["encrypted"] is True for volume in of_type(plan, VOLUME))
    for template in of_type(plan, LAUNCH_TEMPLATE):
        for device in template.inputs["blockDeviceMappings"]:
            assert device["ebs"]["encrypted"] == "true", template.name


def test_server_runs_the_latest_debian_12_and_ignores_later_releases():
    plan = plan_of("aws-prod")
    instance = only(plan, INSTANCE)
    assert instance.inputs["ami"] == DEBIAN_12_IMAGE_ID == plan.outputs["serverImage"]
    assert set(instance.options["ignoreChanges"]) == {"ami", "userData"}


def test_a_configured_server_image_is_used_as_given_and_followed_when_changed():
    instance = only(restored_with_custom_image(), INSTANCE)
    assert instance.inputs["ami"] == CUSTOM_IMAGE
    assert instance.options["ignoreChanges"] == ["userData"]


def test_user_data_mounts_the_data_volume_at_ebs_and_names_the_password_secret_not_the_password():
    plan = plan_of("aws-prod")
    script = only(plan, INSTANCE).inputs["userData"]
    assert script.startswith("#!/bin/bash\n")
    assert f"DATA_VOLUME_ID={only(plan, VOLUME).id}\n" in script
    assert "DATA_MOUNT_POINT=/ebs\n" in script
    assert f"TDCE_ADMIN_PASSWORD_SECRET={plan.outputs['dashboardAdminPasswordSecret']}\n" in script
    # The shared mount, whose behaviour tests/test_data_disk_mount.py runs, then the last restart.
    assert SHARED in script and script.endswith("write_own_address\nrestart_services_on_disk\n")


def test_server_sits_in_the_server_group_with_its_instance_profile_and_key_pair():
    plan = plan_of("aws-dev")
    instance = only(plan, INSTANCE)
    assert instance.inputs["vpcSecurityGroupIds"] == [plan.outputs["serverFirewallGroup"]]
    (profile,) = [p for p in of_type(plan, "aws:iam/instanceProfile:InstanceProfile") if "server" in p.name]
    assert instance.inputs["iamInstanceProfile"] == profile.name
    assert instance.inputs["keyName"] == "tdce-dev"
    assert instance.inputs["tags"]["tdce:role"] == "server"


def test_outputs_give_users_the_dashboard_url_and_the_sdk_endpoint():
    # The management port the vendor gives as the alternative to 25001 ("TCP/25001 or TCP/25002",
    # 001_ec271c3ff40761d0.txt 4.9; docs/settings.md, access.managementPort).
    plan = plan_variant("aws-dev", {"access.managementPort": 25002})
    address = plan.outputs["serverPublicIp"]
    assert plan.outputs["dashboardUrl"] == f"https://{address}/"
    assert plan.outputs["sdkEndpoint"] == f"{address}:25002"
    # Left alone, the default port, 25001.
    assert plan_of("aws-dev").outputs["sdkEndpoint"] == f"{plan_of('aws-dev').outputs['serverPublicIp']}:25001"
    assert plan.outputs["dataDiskId"] == only(plan, VOLUME).id

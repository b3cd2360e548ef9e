"""`tdce preflight`: key pairs, security groups, images and instance types the settings name exist, and images fit their types."""

from __future__ import annotations

from typing import Any

from tdce.ops.clients import AwsClients
from tdce.ops.machines import instance_types, machines
from tdce.ops.reference_checks import reference_checks
from tdce.ops.report import Check, Status
from tests.ops_support import check_named, image_id, prod_settings

# The moto `aws` fixture, with fake credentials and loopback-only sockets.
pytest_plugins = ["tests.ops_support"]


def _checks(clients: AwsClients, changes: dict[str, Any]) -> list[Check]:
    settings = prod_settings(changes)
    types = instance_types(clients, (machine.instance_type for machine in machines(settings)))
    return reference_checks(settings, clients, types)


def test_existing_key_pair_passes(aws: AwsClients) -> None:
    aws("ec2").create_key_pair(KeyName="tdce-ops")
    assert check_named(_checks(aws, {"server.keyPair": "tdce-ops"}), "tdce:server.keyPair").status is Status.PASS


def test_missing_key_pair_fails(aws: AwsClients) -> None:
    check = check_named(_checks(aws, {"server.keyPair": "tdce-ops"}), "tdce:server.keyPair")
    assert check.status is Status.FAIL and "'tdce-ops' not found" in check.detail


def test_extra_security_groups_are_found_or_named_as_missing(aws: AwsClients) -> None:
    group = aws("ec2").create_security_group(GroupName="site-monitoring", Description="monitoring agents")["GroupId"]
    checks = _checks(aws, {"workers[1].extraSecurityGroups": [group, "sg-0123456789abcdef0"]})
    assert check_named(checks, "tdce:workers[1].extraSecurityGroups[0]").status is Status.PASS
    missing = check_named(checks, "tdce:workers[1].extraSecurityGroups[1]")
    assert missing.status is Status.FAIL and "sg-0123456789abcdef0 not found" in missing.detail


def test_missing_image_fails(aws: AwsClients) -> None:
    check = check_named(_checks(aws, {"server.image": "ami-0123456789abcdef0"}), "tdce:server.image")
    assert check.status is Status.FAIL and "not found" in check.detail


def test_image_that_runs_on_its_instance_type_passes(aws: AwsClients) -> None:
    image = image_id(aws, "x86_64")
    check = check_named(_checks(aws, {"workers[0].image": image}), "tdce:workers[0].image")
    assert check.status is Status.PASS and "c5.4xlarge" in check.detail


def test_arm_image_on_an_x86_instance_type_fails(aws: AwsClients) -> None:
    image = image_id(aws, "arm64")
    check = check_named(_checks(aws, {"workers[0].image": image}), "tdce:workers[0].image")
    assert check.status is Status.FAIL
    assert "arm64" in check.detail and "c5.4xlarge runs only x86_64" in check.detail


def test_instance_type_the_region_does_not_offer_fails(aws: AwsClients) -> None:
    # A real EC2 type (the settings refuse invented ones) that moto's eu-west-1 does not offer.
    check = check_named(_checks(aws, {"workers[0].instanceType": "p6e-gb200.36xlarge"}), "tdce:workers[0].instanceType")
    assert check.status is Status.FAIL and "p6e-gb200.36xlarge is not offered in eu-west-1" in check.detail


def test_unset_images_are_skipped_with_the_reason(aws: AwsClients) -> None:
    check = check_named(_checks(aws, {}), "tdce:server.image")
    assert check.status is Status.SKIPPED and "looks the image up" in check.detail

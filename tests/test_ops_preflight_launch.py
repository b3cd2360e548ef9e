"""Preflight's RunInstances dry run: a Marketplace listing the account has not subscribed to is one line naming the setting."""

from __future__ import annotations

from botocore.stub import Stubber

from tdce.ops.clients import AwsClients
from tdce.ops.launch_checks import launch_checks
from tdce.ops.report import Status
from tests.ops_support import prod_settings

pytest_plugins = ["tests.ops_support"]

CODE = "aw0evgkw8e5c1q413zgy5pjce"
LISTED_IMAGE = "ami-0a1b2c3d4e5f67890"
# EC2's answer to a launch of a Marketplace image without a subscription (EC2 API "Error codes": OptInRequired).
NOT_SUBSCRIBED = "In order to use this AWS Marketplace product you need to accept terms and subscribe."


def stub_listing(stubber: Stubber, dry_run_code: str, message: str) -> None:
    stubber.add_response(
        "describe_images",
        {"Images": [{"ImageId": "ami-0aaaaaaaaaaaaaaa0", "CreationDate": "2025-01-01T00:00:00.000Z"},
                    {"ImageId": LISTED_IMAGE, "CreationDate": "2026-10-01T00:00:00.000Z"}]},
        {
            "Owners": ["aws-marketplace"],
            "Filters": [{"Name": "product-code", "Values": [CODE]}, {"Name": "architecture", "Values": ["x86_64"]}],
        },
    )  # fmt: skip
    stubber.add_client_error(
        "run_instances",
        service_error_code=dry_run_code,
        service_message=message,
        expected_params={"DryRun": True, "ImageId": LISTED_IMAGE, "InstanceType": "m5.2xlarge", "MinCount": 1, "MaxCount": 1},
    )


def test_not_subscribed_becomes_one_line_naming_the_setting(aws: AwsClients):
    settings = prod_settings({"server.marketplaceProductCode": CODE})
    with Stubber(aws("ec2")) as stubber:
        stub_listing(stubber, "OptInRequired", NOT_SUBSCRIBED)
        (check,) = launch_checks(settings, aws)
        stubber.assert_no_pending_responses()
    assert check.name == "tdce:server.marketplaceProductCode"
    assert check.status is Status.FAIL
    expected = f"this account is not subscribed to the Marketplace listing '{CODE}'"
    assert check.detail == f"{expected}: subscribe in AWS Marketplace, then run preflight again"
    assert "\n" not in check.detail


def test_the_newest_image_of_a_subscribed_listing_passes(aws: AwsClients):
    settings = prod_settings({"server.marketplaceProductCode": CODE})
    with Stubber(aws("ec2")) as stubber:
        stub_listing(stubber, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        (check,) = launch_checks(settings, aws)
    assert check.status is Status.PASS and LISTED_IMAGE in check.detail


def test_a_configured_ami_is_dry_run_in_moto_and_the_plain_default_is_said_to_run_no_tdce(aws: AwsClients):
    (server,) = launch_checks(prod_settings(), aws)
    assert server.status is Status.SKIPPED and "will not run TDCE" in server.detail
    checks = launch_checks(prod_settings({"server.image": "ami-0123456789abcdef0"}), aws)
    # moto answers a dry run as EC2 does when it would succeed.
    assert [(c.name, c.status) for c in checks] == [("tdce:server.image", Status.PASS)]

"""Preflight: can this account launch the images the stack names? A RunInstances dry run per image.

A Marketplace image launches only in an account subscribed to its listing: EC2 answers
`OptInRequired` (to the dry run as to the real launch), which would otherwise surface halfway
through `pulumi up` as a failed server.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from config.errors import config_key
from config.loader import NAMESPACE
from config.settings import Settings
from tdce.ops.clients import AwsClients, error_code, error_text
from tdce.ops.report import Check, failed, passed, skipped

MARKETPLACE_OWNER = "aws-marketplace"
# The dry run's answer when the launch would have been allowed.
WOULD_SUCCEED = "DryRunOperation"
NOT_SUBSCRIBED = "OptInRequired"
# Answers that say nothing about the image: no default VPC for a launch without a subnet, or
# credentials without ec2:RunInstances.
INCONCLUSIVE = ("VPCIdNotSpecified", "MissingInput", "UnauthorizedOperation")


def launch_checks(settings: Settings, clients: AwsClients) -> list[Check]:
    server = settings.server
    checks: list[Check] = []
    if server.marketplace_product_code is not None:
        checks.append(_marketplace(settings, clients))
    elif server.image is not None:
        checks.append(_dry_run(config_key(NAMESPACE, ("server", "image")), server.image, server.instance_type, clients))
    else:
        why = "not set: the server boots plain Debian 12 and will not run TDCE (set server.marketplaceProductCode)"
        checks.append(skipped(config_key(NAMESPACE, ("server", "image")), why))
    for index, pool in enumerate(settings.workers):
        if pool.image is not None:
            checks.append(_dry_run(config_key(NAMESPACE, ("workers", index, "image")), pool.image, pool.instance_type, clients))
    return checks


def _marketplace(settings: Settings, clients: AwsClients) -> Check:
    key = config_key(NAMESPACE, ("server", "marketplaceProductCode"))
    code = settings.server.marketplace_product_code
    architecture = settings.server.architecture("aws")
    filters = [{"Name": "product-code", "Values": [code]}, {"Name": "architecture", "Values": [architecture]}]
    images = clients("ec2").describe_images(Owners=[MARKETPLACE_OWNER], Filters=filters)["Images"]
    if not images:
        return failed(key, f"no AWS Marketplace image with product code {code!r} for {architecture} in {clients.region}")
    newest = max(images, key=lambda image: image.get("CreationDate", ""))
    return _dry_run(key, newest["ImageId"], settings.server.instance_type, clients, listing=code)


def _dry_run(key: str, image_id: str, instance_type: str, clients: AwsClients, listing: str | None = None) -> Check:
    try:
        clients("ec2").run_instances(DryRun=True, ImageId=image_id, InstanceType=instance_type, MinCount=1, MaxCount=1)
    except ClientError as error:
        code = error_code(error)
        if code == WOULD_SUCCEED:
            return passed(key, f"{image_id} can be launched on {instance_type}")
        if code == NOT_SUBSCRIBED:
            what = f"the Marketplace listing {listing!r}" if listing else f"the Marketplace listing of {image_id}"
            return failed(
                key, f"this account is not subscribed to {what}: subscribe in AWS Marketplace, then run preflight again"
            )
        if code in INCONCLUSIVE:
            return skipped(key, f"the dry run of {image_id} could not tell: {error_text(error)}")
        return failed(key, f"{image_id} cannot be launched: {error_text(error)}")
    # A dry run never launches; an answer without an error is not one AWS gives.
    return failed(key, f"the dry run of {image_id} gave no DryRunOperation answer")

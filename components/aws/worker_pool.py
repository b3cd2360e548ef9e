"""One worker pool: a launch template and the auto scaling group that launches from it over every subnet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.images import Image
from components.aws.instance_metadata import METADATA_OPTIONS
from components.boot.worker_env import launch_template_user_data
from config.workers import WorkerPool as PoolSettings

# Where the pool's tags go when an instance launches: the instance and everything it creates.
TAGGED_AT_LAUNCH = ("instance", "volume", "network-interface")
# The group launches from the template's newest version, so editing the template never touches the group.
LATEST_VERSION = "$Latest"
# A new worker profile takes a while to reach every EC2 endpoint (IAM is eventually consistent):
# the first launches of a new pool may fail with an invalid instance profile and succeed when the
# group retries. The provider waits this long for the group's instances ("Waiting for Capacity",
# aws.autoscaling.Group) and, with `ignore_failed_scaling_activities`, does not stop `up` at the
# first failed launch (hashicorp/terraform-provider-aws#32914).
CAPACITY_WAIT = "15m"


def _flag(value: bool) -> str:
    # Launch template block devices and interfaces take booleans as strings.
    return "true" if value else "false"


class WorkerPool(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        pool: PoolSettings,
        image: Image,
        subnet_ids: Sequence[pulumi.Input[str]],
        security_group_ids: Sequence[pulumi.Input[str]],
        instance_profile_arn: pulumi.Input[str],
        server_private_ip: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:WorkerPool", name, None, opts)
        tags = dict(tags)
        template = aws.ec2.LaunchTemplate(
            f"{name}-template",
            description=f"TDCE worker pool {pool.name}",
            image_id=image.id,
            instance_type=pool.instance_type,
            iam_instance_profile={"arn": instance_profile_arn},
            metadata_options=METADATA_OPTIONS,
            # First boot writes worker.env: the server's address and the signal and data ports.
            user_data=pulumi.Output.from_input(server_private_ip).apply(
                lambda address: launch_template_user_data(pool.os, address)
            ),
            network_interfaces=[
                {
                    "device_index": 0,
                    "associate_public_ip_address": _flag(pool.public_ip),
                    "security_groups": list(security_group_ids),
                    "delete_on_termination": "true",
                }
            ],
            block_device_mappings=[
                {
                    "device_name": image.root_device_name,
                    "ebs": {
                        "volume_size": pool.disk.size_gb,
                        "volume_type": pool.disk.type,
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            instance_market_options=self._market(pool),
            tag_specifications=[{"resource_type": kind, "tags": tags} for kind in TAGGED_AT_LAUNCH],
            update_default_version=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["imageId"] if image.looked_up else None),
        )
        group = aws.autoscaling.Group(
            f"{name}-group",
            min_size=pool.min_count,
            max_size=pool.max_count,
            desired_capacity=pool.desired_count,
            vpc_zone_identifiers=list(subnet_ids),
            launch_template={"id": template.id, "version": LATEST_VERSION},
            # Spot capacity is replaced before AWS reclaims it rather than after.
            capacity_rebalance=pool.purchase == "spot",
            wait_for_capacity_timeout=CAPACITY_WAIT,
            ignore_failed_scaling_activities=True,
            tags=[{"key": key, "value": value, "propagate_at_launch": True} for key, value in sorted(tags.items())],
            # The dashboard starts and stops workers by changing the desired count: do not undo it.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=["desiredCapacity"] if pool.capacity_owner == "dashboard" else None
            ),
        )
        self.group_name = group.name
        self.group_arn = group.arn
        self.launch_template_id = template.id
        self.register_outputs(
            {"groupName": self.group_name, "groupArn": self.group_arn, "launchTemplateId": self.launch_template_id}
        )

    @staticmethod
    def _market(pool: PoolSettings) -> dict | None:
        if pool.purchase != "spot":
            return None
        spot: dict = {"spot_instance_type": "one-time", "instance_interruption_behavior": "terminate"}
        if pool.spot_max_price is not None:
            spot["max_price"] = str(pool.spot_max_price)
        return {"market_type": "spot", "spot_options": spot}

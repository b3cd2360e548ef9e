"""The Techila Server: the instance, its Elastic IP and its data volume, which outlives any instance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.images import Image
from components.aws.instance_metadata import METADATA_OPTIONS
from components.aws.server_user_data import DATA_DEVICE_NAME, server_user_data
from components.outputs import server_component_outputs
from config.server import ServerSettings
from config.tags import AWS_TAGS, DATA_DISK, SERVER

ROOT_VOLUME_TYPE = "gp3"


class Server(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: ServerSettings,
        data_disk_snapshot: str | None,
        image: Image,
        subnet_id: pulumi.Input[str],
        zone: pulumi.Input[str],
        security_group_id: pulumi.Input[str],
        instance_profile_name: pulumi.Input[str],
        admin_password_secret: pulumi.Input[str],
        deployment_env: pulumi.Input[Mapping[str, str]],
        deletion_protection: bool,
        internet: Sequence[pulumi.Resource],
        region: str,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:Server", name, None, opts)
        data = aws.ebs.Volume(
            f"{name}-data",
            availability_zone=zone,
            size=settings.data_disk.size_gb,
            type=settings.data_disk.type,
            encrypted=True,
            snapshot_id=data_disk_snapshot,
            final_snapshot=True,
            tags=AWS_TAGS.with_role(tags, DATA_DISK),
            # The restore snapshot matters only at creation: editing it later must never replace the data.
            # `protect` follows tdce:deletionProtection: off, `pulumi destroy` may delete the volume
            # (after its final snapshot); docs/deleting-a-stack.md.
            opts=pulumi.ResourceOptions(parent=self, protect=deletion_protection, ignore_changes=["snapshotId"]),
        )
        server_tags = AWS_TAGS.with_role(tags, SERVER)
        instance = aws.ec2.Instance(
            f"{name}-instance",
            ami=image.id,
            instance_type=settings.instance_type,
            key_name=settings.key_pair,
            subnet_id=subnet_id,
            vpc_security_group_ids=[security_group_id],
            iam_instance_profile=instance_profile_name,
            # Reach the internet from first boot, before the Elastic IP is associated.
            associate_public_ip_address=True,
            metadata_options=METADATA_OPTIONS,
            root_block_device={
                "volume_type": ROOT_VOLUME_TYPE,
                "volume_size": settings.root_disk_size_gb,
                "encrypted": True,
                "delete_on_termination": True,
                "tags": server_tags,
            },
            user_data=server_user_data(
                data_volume_id=data.id,
                admin_password_secret=admin_password_secret,
                deployment_env=deployment_env,
                region=region,
            ),
            tags=server_tags,
            # The old server must let go of the data volume before a new one can attach it: see below.
            # The boot script runs once, at first boot: an edit to it would only stop and start the
            # production server (the provider's `userData` update), so edits wait for the next
            # replacement (docs/deleting-a-stack.md, "Editing the boot script"). The first boot
            # needs the internet (packages, the installer): the instance waits for the route out.
            opts=pulumi.ResourceOptions(
                parent=self,
                delete_before_replace=True,
                ignore_changes=["userData", *(["ami"] if image.looked_up else [])],
                depends_on=list(internet),
            ),
        )
        # pulumi/pulumi-aws#2769: on replacement the engine attaches the volume to the new
        # instance before detaching it from the old one, which fails with VolumeInUse. Deleting
        # the old attachment (and the old instance) first, with the instance stopped before the
        # detach, gets the order right.
        aws.ec2.VolumeAttachment(
            f"{name}-data-attachment",
            volume_id=data.id,
            instance_id=instance.id,
            device_name=DATA_DEVICE_NAME,
            stop_instance_before_detaching=True,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        address = aws.ec2.Eip(
            f"{name}-address", domain="vpc", tags=dict(tags), opts=pulumi.ResourceOptions(parent=self, depends_on=list(internet))
        )
        # An address is associated with one instance at a time: release it before the new server takes it.
        # The provider's own note on aws.ec2.Eip: "EIP may require IGW to exist prior to association.
        # Use `depends_on` to set an explicit dependency on the IGW."
        aws.ec2.EipAssociation(
            f"{name}-address-association",
            allocation_id=address.id,
            instance_id=instance.id,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True, depends_on=list(internet)),
        )

        self.instance_id = instance.id
        self.public_ip = address.public_ip
        self.private_ip = instance.private_ip
        self.data_disk_id = data.id
        self.data_disk_arn = data.arn
        self.image = instance.ami
        self.register_outputs(server_component_outputs(self))

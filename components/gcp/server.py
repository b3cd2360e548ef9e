"""The Techila Server: a hardened VM with a static address, and its data disk that outlives it."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp

from components.gcp.server_startup_script import DATA_DEVICE_NAME, server_startup_script
from components.gcp.vm import LOCKED_DOWN_METADATA, SHIELDED_VM, image_for, service_account
from config.server import ServerSettings
from config.tags import DATA_DISK, GCP_LABELS, SERVER

ROOT_DISK_TYPE = "pd-balanced"


class Server(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: ServerSettings,
        data_disk_snapshot: str | None,
        project: str,
        region: str,
        zone: str,
        subnet_id: pulumi.Input[str],
        service_account_email: pulumi.Input[str],
        admin_password_secret: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`data_disk_snapshot`: create the data disk from this snapshot (`tdce:restore.dataDiskSnapshotId`);
        `admin_password_secret`: the Secret Manager secret (resource name) the installer reads the dashboard password from."""
        super().__init__("tdce:gcp:Server", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        server_labels = GCP_LABELS.with_role(tags, SERVER)

        self.address = gcp.compute.Address(f"{name}-ip", region=region, labels=server_labels, opts=child)
        self.data_disk = gcp.compute.Disk(
            f"{name}-data",
            zone=zone,
            size=settings.data_disk.size_gb,
            type=settings.data_disk.type,
            snapshot=data_disk_snapshot,
            # One last snapshot should the disk ever be destroyed, on purpose or not.
            create_snapshot_before_destroy=True,
            labels=GCP_LABELS.with_role(tags, DATA_DISK),
            # The snapshot is read once, at creation: a later change to it must never replace the disk.
            opts=pulumi.ResourceOptions(parent=self, protect=True, ignore_changes=["snapshot"]),
        )
        image = image_for("linux", settings.image, self, architecture=settings.architecture("gcp"))
        self.instance = gcp.compute.Instance(
            f"{name}-vm",
            zone=zone,
            machine_type=settings.instance_type,
            boot_disk={
                "initialize_params": {
                    "image": image,
                    "size": settings.root_disk_size_gb,
                    "type": ROOT_DISK_TYPE,
                    "labels": server_labels,
                }
            },
            network_interfaces=[{"subnetwork": subnet_id, "access_configs": [{"nat_ip": self.address.address}]}],
            service_account=service_account(service_account_email),
            shielded_instance_config=SHIELDED_VM,
            # In metadata, not `metadata_startup_script`, so a changed script updates the server instead of replacing it.
            metadata={
                **LOCKED_DOWN_METADATA,
                "startup-script": server_startup_script(admin_password_secret=admin_password_secret, project=project),
            },
            labels=server_labels,
            # A new machine type stops and restarts the server instead of replacing it.
            allow_stopping_for_update=True,
            opts=pulumi.ResourceOptions(
                parent=self,
                # The static address and the data disk belong to one server at a time, so a
                # replacement must wait until the old server is gone.
                delete_before_replace=True,
                # A newer image in the family must never replace the server; the attachment
                # below owns the data disk, not this resource.
                ignore_changes=["bootDisk.initializeParams.image", "attachedDisks"],
            ),
        )
        # A separate attachment rather than the instance's `attached_disks`: when the server is
        # replaced, the attachment is deleted (detaching the disk) before a new one attaches the
        # same disk to the new server, and the disk itself is never part of the server's lifecycle.
        gcp.compute.AttachedDisk(
            f"{name}-data-attachment",
            disk=self.data_disk.self_link,
            instance=self.instance.self_link,
            device_name=DATA_DEVICE_NAME,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )

        self.public_ip = self.address.address
        self.private_ip = self.instance.network_interfaces.apply(lambda interfaces: interfaces[0].network_ip)
        self.image = image
        self.data_disk_id = self.data_disk.name
        self.register_outputs({"publicIp": self.public_ip, "privateIp": self.private_ip, "dataDiskId": self.data_disk_id})

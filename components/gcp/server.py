"""The Techila Server: a hardened VM with a static address, and its data disk that outlives it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from components.deployment_document import DeploymentDocument
from components.gcp.deployment_env import DOCUMENT_METADATA_KEY, deployment_env
from components.gcp.server_startup_script import DATA_DEVICE_NAME, SHUTDOWN_SCRIPT, server_startup_script
from components.gcp.vm import LOCKED_DOWN_METADATA, SHIELDED_VM, image_for, service_account
from components.outputs import server_component_outputs
from config.server import ServerSettings
from config.tags import DATA_DISK, GCP_LABELS, SERVER

ROOT_DISK_TYPE = "pd-balanced"


def reserve_private_address(
    name: str, *, region: str, subnet_id: pulumi.Input[str], tags: Mapping[str, str], opts: pulumi.ResourceOptions
) -> gcp.compute.Address:
    """The server's internal address, reserved before the server: the deployment document and the pools'
    worker.env name it, and a replacement server keeps it."""
    return gcp.compute.Address(
        name,
        region=region,
        address_type="INTERNAL",
        subnetwork=subnet_id,
        labels=GCP_LABELS.with_role(tags, SERVER),
        opts=opts,
    )


class Server(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: ServerSettings,
        data_disk_snapshot: str | None,
        deletion_protection: bool,
        region: str,
        zone: pulumi.Input[str],
        subnet_id: pulumi.Input[str],
        private_address: gcp.compute.Address,
        service_account_email: pulumi.Input[str],
        admin_password_secret: pulumi.Input[str],
        document_for: Callable[[pulumi.Output[str]], DeploymentDocument],
        compute_api: pulumi.Resource,
        boots_after: Sequence[pulumi.Resource],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`data_disk_snapshot`: create the data disk from this snapshot (`tdce:restore.dataDiskSnapshotId`);
        `admin_password_secret`: the Secret Manager secret (resource name) the installer reads the dashboard password from;
        `private_address`: the reserved internal address (`reserve_private_address`);
        `document_for`: the deployment document, given the server's private address;
        `boots_after`: the grants the server uses as it boots (it starts only once they exist)."""
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
            # Read once, at creation, so a later change never replaces the disk: the snapshot, and the
            # type, which a Persistent Disk cannot change in place (pulumi-gcp's Disk `type`: "Provide
            # this when creating the disk"; the provider recreates the disk for a new one).
            opts=pulumi.ResourceOptions(parent=self, protect=deletion_protection, ignore_changes=["snapshot", "type"]),
        )
        image = image_for(
            f"{name}-vm", "linux", settings.image, self, architecture=settings.architecture("gcp"), compute_api=compute_api
        )
        self.private_ip = private_address.address
        self.document = document_for(self.private_ip)
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
            # Inline, not a separate AttachedDisk: the disk leaves with the old server (after the shutdown
            # script unmounted it) and arrives with the new one, and is never detached from a running server.
            attached_disks=[{"source": self.data_disk.self_link, "device_name": DATA_DEVICE_NAME, "mode": "READ_WRITE"}],
            network_interfaces=[
                {
                    "subnetwork": subnet_id,
                    "network_ip": self.private_ip,
                    "access_configs": [{"nat_ip": self.address.address}],
                }
            ],
            service_account=service_account(service_account_email),
            shielded_instance_config=SHIELDED_VM,
            # In metadata, not `metadata_startup_script`, so a changed script updates the server instead of replacing it.
            metadata={
                **LOCKED_DOWN_METADATA,
                "startup-script": server_startup_script(
                    deployment_env=deployment_env(self.document, admin_password_secret=admin_password_secret)
                ),
                "shutdown-script": SHUTDOWN_SCRIPT,
                DOCUMENT_METADATA_KEY: self.document.as_json(),
            },
            labels=server_labels,
            # A new machine type stops and restarts the server instead of replacing it.
            allow_stopping_for_update=True,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(boots_after),
                # The static addresses and the data disk belong to one server at a time, so a
                # replacement must wait until the old server is gone.
                delete_before_replace=True,
                # The image is kept (components/gcp/kept.py); a configured image changed later must
                # not replace the production server either: replacing it is a deliberate `pulumi up --replace`.
                ignore_changes=["bootDisk.initializeParams.image"],
                # A new data disk (one that had to be recreated: a smaller size, another zone) replaces
                # the server, which unmounts the old disk as it stops. Updated in place, the provider
                # would detach the mounted disk from the running server ("changing any field within
                # the disk needs to detach+reattach it", resource_compute_instance.go).
                replace_on_changes=["attachedDisks[*].source"],
            ),
        )

        self.public_ip = self.address.address
        self.image = image
        self.data_disk_id = self.data_disk.name
        self.instance_id = self.instance.instance_id
        self.register_outputs(server_component_outputs(self))

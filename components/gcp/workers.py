"""Worker pools of `tdce:workers`: an instance template each, and a regional managed instance group for the ones Pulumi sizes.

`capacityOwner: pulumi`: a regional managed instance group at `desiredCount`. Its name and its
instances' names do not carry the stack's name prefix, so the server cannot touch it.
`capacityOwner: dashboard`: the template only, named with the stack's prefix, which the Techila Server
starts workers from (`instances.insert` with `sourceInstanceTemplate`). GCP cannot confine the
resizing of a managed instance group to some groups (components/gcp/dashboard_access.py), so the
dashboard sizes these pools by starting and stopping instances, named with the prefix, which its
conditioned grant allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from components.gcp.vm import LOCKED_DOWN_METADATA, SHIELDED_VM, image_for, service_account
from components.gcp.worker_startup_script import worker_startup_metadata
from config.tags import GCP_LABELS, WORKER_POOL
from config.workers import WorkerPool

# A preempted worker is deleted, not stopped: a stopped VM still pays for its disk, and the
# group creates a fresh one when Spot capacity returns.
SPOT_SCHEDULING = {
    "provisioning_model": "SPOT",
    "preemptible": True,
    "automatic_restart": False,
    "on_host_maintenance": "TERMINATE",
    "instance_termination_action": "DELETE",
}
# Spot groups go wherever the region has capacity: "ANY" "picks zones for creating VM instances to
# fulfill the requested number of VMs within present resource constraints and to maximize utilization
# of unused zonal reservations. Recommended for batch workloads that do not require high availability"
# (regionInstanceGroupManagers: distributionPolicy.targetShape), which is what preemptible capacity needs.
SPOT_TARGET_SHAPE = "ANY"


def _update_policy(zone_count: int) -> dict[str, object]:
    # A new template reaches only workers created after it: replacing running workers would
    # kill the computations on them. Without proactive rebalancing across zones (which would
    # delete running workers too, and which the ANY shape forbids) GCP requires a surge of 0;
    # unavailability must cover the zones.
    return {
        "type": "OPPORTUNISTIC",
        "minimal_action": "REPLACE",
        "instance_redistribution_type": "NONE",
        "max_surge_fixed": 0,
        "max_unavailable_fixed": zone_count,
    }


class Workers(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        pools: Sequence[WorkerPool],
        region: str,
        zones: pulumi.Input[Sequence[str]],
        zone_count: int,
        subnet_id: pulumi.Input[str],
        service_account_email: pulumi.Input[str],
        server_private_ip: pulumi.Input[str],
        name_prefix: str,
        compute_api: pulumi.Resource,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`name_prefix`: the stack's prefix (config/gcp_names.py), which the templates of dashboard-owned pools carry."""
        super().__init__("tdce:gcp:Workers", name, None, opts)
        self.templates: dict[str, gcp.compute.InstanceTemplate] = {}
        self.groups: dict[str, gcp.compute.RegionInstanceGroupManager] = {}
        for pool in pools:
            by_dashboard = pool.capacity_owner == "dashboard"
            template = self._template(
                name,
                pool,
                subnet_id,
                service_account_email,
                server_private_ip,
                compute_api,
                tags,
                name_prefix=f"{name_prefix}{pool.name}-" if by_dashboard else f"{name}-{pool.name}-",
            )
            self.templates[pool.name] = template
            if by_dashboard:
                continue
            self.groups[pool.name] = gcp.compute.RegionInstanceGroupManager(
                f"{name}-{pool.name}",
                region=region,
                base_instance_name=f"{name}-{pool.name}",
                distribution_policy_zones=zones,
                distribution_policy_target_shape=SPOT_TARGET_SHAPE if pool.purchase == "spot" else None,
                # The unique link changes with every new template, so the group follows a replacement.
                versions=[{"name": "primary", "instance_template": template.self_link_unique}],
                target_size=pool.desired_count,
                update_policy=_update_policy(zone_count),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.group_names = {pool: group.name for pool, group in self.groups.items()}
        self.template_links = {pool: template.self_link for pool, template in self.templates.items()}
        self.register_outputs({"groupNames": self.group_names, "templates": self.template_links})

    def _template(
        self,
        name: str,
        pool: WorkerPool,
        subnet_id: pulumi.Input[str],
        service_account_email: pulumi.Input[str],
        server_private_ip: pulumi.Input[str],
        compute_api: pulumi.Resource,
        tags: Mapping[str, str],
        *,
        name_prefix: str,
    ) -> gcp.compute.InstanceTemplate:
        pool_labels = GCP_LABELS.with_role({**tags, **pool.tags}, WORKER_POOL, pool=pool.name)
        image = image_for(
            f"{name}-{pool.name}", pool.os, pool.image, self, architecture=pool.architecture("gcp"), compute_api=compute_api
        )
        # Templates are immutable: a change creates a new one under a fresh generated name
        # before the old one, still used by the group until it switches, is deleted.
        return gcp.compute.InstanceTemplate(
            f"{name}-{pool.name}",
            name_prefix=name_prefix,
            machine_type=pool.instance_type,
            disks=[
                {
                    "boot": True,
                    "auto_delete": True,
                    "source_image": image,
                    "disk_size_gb": pool.disk.size_gb,
                    "disk_type": pool.disk.type,
                    "labels": pool_labels,
                }
            ],
            network_interfaces=[{"subnetwork": subnet_id, "access_configs": [{}] if pool.public_ip else []}],
            service_account=service_account(service_account_email),
            shielded_instance_config=SHIELDED_VM,
            metadata={**LOCKED_DOWN_METADATA, **worker_startup_metadata(pool.os, server_private_ip)},
            scheduling=SPOT_SCHEDULING if pool.purchase == "spot" else None,
            labels=pool_labels,
            opts=pulumi.ResourceOptions(parent=self),
        )

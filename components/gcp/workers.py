"""Worker pools: an instance template and a regional managed instance group per pool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from components.gcp.vm import LOCKED_DOWN_METADATA, SHIELDED_VM, image_for, service_account
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


def _update_policy(zone_count: int) -> dict[str, object]:
    # A new template reaches only workers created after it: replacing running workers would
    # kill the computations on them. Without proactive rebalancing across zones (which would
    # delete running workers too) GCP requires a surge of 0; unavailability must cover the zones.
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
        zones: Sequence[str],
        subnet_id: pulumi.Input[str],
        service_account_email: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:gcp:Workers", name, None, opts)
        self.groups: dict[str, gcp.compute.RegionInstanceGroupManager] = {}
        for pool in pools:
            template = self._template(name, pool, subnet_id, service_account_email, tags)
            self.groups[pool.name] = gcp.compute.RegionInstanceGroupManager(
                f"{name}-{pool.name}",
                region=region,
                base_instance_name=f"{name}-{pool.name}",
                distribution_policy_zones=list(zones),
                # The unique link changes with every new template, so the group follows a replacement.
                versions=[{"name": "primary", "instance_template": template.self_link_unique}],
                target_size=pool.desired_count,
                update_policy=_update_policy(len(zones)),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    # The Techila Dashboard sets the running count; the program must not undo it.
                    ignore_changes=["targetSize"] if pool.capacity_owner == "dashboard" else [],
                ),
            )
        self.group_names = {pool: group.name for pool, group in self.groups.items()}
        self.register_outputs({"groupNames": self.group_names})

    def _template(
        self,
        name: str,
        pool: WorkerPool,
        subnet_id: pulumi.Input[str],
        service_account_email: pulumi.Input[str],
        tags: Mapping[str, str],
    ) -> gcp.compute.InstanceTemplate:
        pool_labels = GCP_LABELS.with_role({**tags, **pool.tags}, WORKER_POOL, pool=pool.name)
        # Templates are immutable: a change creates a new one under a fresh generated name
        # before the old one, still used by the group until it switches, is deleted.
        return gcp.compute.InstanceTemplate(
            f"{name}-{pool.name}",
            name_prefix=f"{name}-{pool.name}-",
            machine_type=pool.instance_type,
            disks=[
                {
                    "boot": True,
                    "auto_delete": True,
                    "source_image": image_for(pool.os, pool.image, self, architecture=pool.architecture("gcp")),
                    "disk_size_gb": pool.disk.size_gb,
                    "disk_type": pool.disk.type,
                    "labels": pool_labels,
                }
            ],
            network_interfaces=[{"subnetwork": subnet_id, "access_configs": [{}] if pool.public_ip else []}],
            service_account=service_account(service_account_email),
            shielded_instance_config=SHIELDED_VM,
            metadata=LOCKED_DOWN_METADATA,
            scheduling=SPOT_SCHEDULING if pool.purchase == "spot" else None,
            labels=pool_labels,
            opts=pulumi.ResourceOptions(parent=self),
        )

"""The worker pools Pulumi declares (`tdce:workers`): a launch template and an auto scaling group each.

Which of them the dashboard may scale (capacityOwner: dashboard) is granted by `dashboard_access.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from components.aws.images import Images
from components.aws.worker_pool import WorkerPool
from config.tags import AWS_TAGS, WORKER_POOL
from config.workers import WorkerPool as PoolSettings


class Workers(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        pools: Sequence[PoolSettings],
        images: Images,
        subnet_ids: Sequence[pulumi.Input[str]],
        worker_group_id: pulumi.Input[str],
        instance_profile_arn: pulumi.Input[str],
        server_private_ip: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:Workers", name, None, opts)
        groups: dict[str, WorkerPool] = {}
        for pool in pools:
            groups[pool.name] = WorkerPool(
                f"{name}-{pool.name}",
                pool=pool,
                image=images.for_(pool.image, pool.os, pool.architecture("aws")),
                subnet_ids=subnet_ids,
                security_group_ids=[worker_group_id, *pool.extra_security_groups],
                instance_profile_arn=instance_profile_arn,
                server_private_ip=server_private_ip,
                # A pool's own tags (vendor 4.18) win over the stack's; the settings refuse tdce: keys in
                # either (config/tag_rules.py), so the deployment's own tags stay as they are.
                tags=AWS_TAGS.with_role({**tags, **pool.tags}, WORKER_POOL, pool=pool.name),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.group_names = {pool: group.group_name for pool, group in groups.items()}
        self.template_ids = {pool: group.launch_template_id for pool, group in groups.items()}
        # The same outputs as the GCP pools' (components/gcp/workers.py): each pool's group and template.
        self.register_outputs({"groupNames": self.group_names, "templates": self.template_ids})

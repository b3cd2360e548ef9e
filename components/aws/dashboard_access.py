"""The server role's right to run the Techila Dashboard's workers in this deployment, and nowhere else."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.account import AwsAccount
from components.aws.dashboard_permissions import AREAS, DashboardScope, dashboard_policies
from components.aws.policy_document import VERSION


class DashboardAccess(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        stack: str,
        region: str,
        account: AwsAccount,
        server_role_name: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        security_group_ids: Sequence[pulumi.Input[str]],
        worker_role_arns: Sequence[pulumi.Input[str]],
        dashboard_pools: Sequence[str],
        data_volume_id: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:DashboardAccess", name, None, opts)
        areas = pulumi.Output.all(
            account=account.id,
            subnet_ids=pulumi.Output.all(*subnet_ids),
            security_group_ids=pulumi.Output.all(*security_group_ids),
            worker_role_arns=pulumi.Output.all(*worker_role_arns),
            data_volume_id=data_volume_id,
        ).apply(
            lambda resolved: dashboard_policies(
                DashboardScope(
                    stack=stack,
                    partition=account.partition,
                    region=region,
                    dashboard_pools=tuple(dashboard_pools),
                    # A group listed twice (a pool's extra group the dashboard may use too) is named once.
                    **{**resolved, "security_group_ids": list(dict.fromkeys(resolved["security_group_ids"]))},
                )
            )
        )
        child = pulumi.ResourceOptions(parent=self)
        # Managed policies rather than inline ones: a role's inline policies share 10,240 characters,
        # each managed policy has 6,144 of its own ("IAM and AWS STS quotas").
        for area in AREAS:
            policy = aws.iam.Policy(
                f"{name}-{area}",
                description=f"TDCE {stack}: what the Techila Dashboard may do ({area}); docs/dashboard-permissions-aws.md",
                policy=areas.apply(lambda found, area=area: json.dumps({"Version": VERSION, "Statement": found[area]})),
                tags=dict(tags),
                opts=child,
            )
            aws.iam.RolePolicyAttachment(f"{name}-{area}-attachment", role=server_role_name, policy_arn=policy.arn, opts=child)
        self.register_outputs({})

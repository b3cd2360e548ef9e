"""VPC flow logs to CloudWatch Logs, written by a role that can write to that one log group only."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.aws.account import AwsAccount
from components.aws.policy_document import allow, document, service_trust

# Long enough to look back over a quarter's incidents; flow logs are bulky, so not forever.
RETENTION_DAYS = 90


class FlowLogs(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        account: AwsAccount,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:FlowLogs", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup(f"{name}-group", retention_in_days=RETENTION_DAYS, tags=dict(tags), opts=child)
        role = aws.iam.Role(
            f"{name}-role",
            # The VPC User Guide's trust policy for flow-log roles carries aws:SourceAccount
            # ("IAM role for publishing flow logs to CloudWatch Logs").
            assume_role_policy=service_trust("vpc-flow-logs.amazonaws.com", account.id),
            tags=dict(tags),
            opts=child,
        )
        streams = group.arn.apply(lambda arn: f"{arn}:*")
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=document(
                allow(
                    "WriteFlowLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    [group.arn, streams],
                ),
                # Read-only, and the API takes no resource narrower than the account.
                allow("FindLogGroup", ["logs:DescribeLogGroups"], ["*"]),
            ),
            opts=child,
        )
        log = aws.ec2.FlowLog(
            f"{name}-log",
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            tags=dict(tags),
            # The role's permissions first: a flow log created while its role may not yet write
            # starts with a delivery error (DescribeFlowLogs: DeliverLogsErrorMessage).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        self.log_group_name = group.name
        self.flow_log_id = log.id
        self.register_outputs({"logGroupName": self.log_group_name, "flowLogId": self.flow_log_id})

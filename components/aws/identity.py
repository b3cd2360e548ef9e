"""The server's and the workers' roles and instance profiles, each allowed what its part of TDCE needs and no more.

Scaling the worker groups is granted by `workers.py`, which knows the groups' ARNs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.policy_document import allow, assume_role_by, document

EC2 = "ec2.amazonaws.com"
# Read-only calls that take no resource narrower than the account ("*").
DESCRIBE_FLEET = (
    "ec2:DescribeInstances",
    "ec2:DescribeInstanceStatus",
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeScalingActivities",
)


def secret_arn(secret: str, partition: str, region: str, account: str) -> str:
    """The ARN a policy names for a secret given by name or ARN."""
    if secret.startswith("arn:"):
        return secret
    # Secrets Manager ends a secret's ARN with "-" and six random characters.
    return f"arn:{partition}:secretsmanager:{region}:{account}:secret:{secret}-??????"


class Identity(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        region: str,
        bucket_arn: pulumi.Input[str],
        objects_arn: pulumi.Input[str],
        server_secret_arns: Sequence[pulumi.Input[str]],
        worker_secrets: Sequence[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:Identity", name, None, opts)
        self._name = name
        self._tags = dict(tags)
        server_role, server_profile = self._role_and_profile(
            "server",
            allow("ListBundles", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket_arn]),
            allow(
                "ReadWriteBundles", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], [objects_arn]
            ),
            allow("ReadOwnSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], list(server_secret_arns)),
            allow("SeeInstancesAndGroups", list(DESCRIBE_FLEET), ["*"]),
        )
        worker_statements = [allow("ReadBundles", ["s3:GetObject"], [objects_arn])]
        if worker_secrets:
            # The vendor's 39 manual steps (001_ec271c3ff40761d0.txt 4.17) reduced to this statement.
            worker_statements.append(
                allow("ReadConfiguredSecrets", ["secretsmanager:GetSecretValue"], self._arns(worker_secrets, region))
            )
        worker_role, worker_profile = self._role_and_profile("worker", *worker_statements)

        self.server_role_name = server_role.name
        self.server_role_arn = server_role.arn
        self.server_profile_name = server_profile.name
        self.worker_role_arn = worker_role.arn
        self.worker_profile_arn = worker_profile.arn
        self.register_outputs(
            {
                "serverRoleArn": self.server_role_arn,
                "serverProfileName": self.server_profile_name,
                "workerRoleArn": self.worker_role_arn,
                "workerProfileArn": self.worker_profile_arn,
            }
        )

    def _role_and_profile(self, who: str, *statements: dict) -> tuple[aws.iam.Role, aws.iam.InstanceProfile]:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(f"{self._name}-{who}-role", assume_role_policy=assume_role_by(EC2), tags=self._tags, opts=child)
        aws.iam.RolePolicy(f"{self._name}-{who}-policy", role=role.id, policy=document(*statements), opts=child)
        profile = aws.iam.InstanceProfile(f"{self._name}-{who}-profile", role=role.name, tags=self._tags, opts=child)
        return role, profile

    def _arns(self, secrets: Sequence[str], region: str) -> list[pulumi.Output[str]]:
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        return [
            pulumi.Output.all(partition, account).apply(lambda p, s=secret: secret_arn(s, p[0], region, p[1]))
            for secret in secrets
        ]

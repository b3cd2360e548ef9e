"""The server's and the workers' roles and instance profiles, each allowed what its part of TDCE needs and no more.

What the server does for the Techila Dashboard (start and stop workers) is granted by
`dashboard_access.py`, which knows the network; reading the deployment document by `deployment_parameter.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.account import AwsAccount
from components.aws.policy_document import allow, document, passed_role_trust

EC2 = "ec2.amazonaws.com"
# Secrets Manager ends a secret's ARN with "-" and six random characters ("Secret name and ARN" in the
# Secrets Manager User Guide); an ARN without them is a partial ARN, which names the secret but
# matches no request in a policy.
_COMPLETE_SECRET_ARN = re.compile(r"arn:[^:]+:secretsmanager:[^:]*:[0-9]*:secret:.+-[A-Za-z0-9]{6}")


def secret_arn(secret: str, partition: str, region: str, account: str) -> str:
    """The ARN a policy names for a secret given by name, by ARN or by partial ARN."""
    if _COMPLETE_SECRET_ARN.fullmatch(secret):
        return secret
    # A name whose last part happens to look like a suffix ("db-backup1") is taken as complete:
    # give such a secret by its full ARN.
    arn = secret if secret.startswith("arn:") else f"arn:{partition}:secretsmanager:{region}:{account}:secret:{secret}"
    return f"{arn}-??????"


class Identity(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        region: str,
        account: AwsAccount,
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
        self._account = account
        server_role, server_profile = self._role_and_profile(
            "server",
            allow("ListBundles", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket_arn]),
            allow(
                "ReadWriteBundles", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], [objects_arn]
            ),
            allow("ReadOwnSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], list(server_secret_arns)),
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
        role = aws.iam.Role(f"{self._name}-{who}-role", assume_role_policy=passed_role_trust(EC2), tags=self._tags, opts=child)
        aws.iam.RolePolicy(f"{self._name}-{who}-policy", role=role.id, policy=document(*statements), opts=child)
        profile = aws.iam.InstanceProfile(f"{self._name}-{who}-profile", role=role.name, tags=self._tags, opts=child)
        return role, profile

    def _arns(self, secrets: Sequence[str], region: str) -> list[pulumi.Output[str]]:
        partition = self._account.partition
        return [self._account.id.apply(lambda account, s=secret: secret_arn(s, partition, region, account)) for secret in secrets]

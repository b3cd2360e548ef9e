"""The database's two secrets and their rotation, as the vendor's Aurora stack keeps them.

See 001_ec271c3ff40761d0.txt 4.8.2 (passwords rotated every 30 days) and 4.10 (the secrets and their attachments).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import SecretStr

from components.aws.account import AwsAccount
from components.aws.database.application_user import ApplicationUser
from components.aws.policy_document import allow, document
from components.passwords import given_or_generated
from config.database import AURORA_PARTITION

# AWS's own alternating-users rotation function for PostgreSQL, from the Serverless Application Repository.
ROTATION_APPLICATION = (
    f"arn:{AURORA_PARTITION}:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationMultiUser"
)
# Pinned: an unpinned application deploys whatever version is newest on the day of `up`. The
# version the AWS CDK pins for the aws partition (aws-cdk, aws-secretsmanager/lib/secret-rotation.ts,
# POSTGRES_ROTATION_MULTI_USER).
ROTATION_APPLICATION_VERSION = "1.1.671"
# The vendor forbids in passwords the punctuation that Secrets Manager's ExcludePunctuation leaves
# out (001_ec271c3ff40761d0.txt 3.1 step 10; GetRandomPassword, Secrets Manager API reference:
# ! " # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~), which is Python's `string.punctuation`.
EXCLUDED_PASSWORD_CHARACTERS = string.punctuation
# Lambda function names: letters, digits, '-' and '_', at most 64 ("CreateFunction", Lambda API reference).
_NOT_IN_FUNCTION_NAMES = re.compile(r"[^A-Za-z0-9_-]")
FUNCTION_NAME_LENGTH = 64


def rotation_function_name(stack: str, name: str, suffix: str) -> str:
    """`<stack>-<name>-rotation-<suffix>`, shortened before the suffix so the suffix always survives."""
    stem = _NOT_IN_FUNCTION_NAMES.sub("-", f"{stack}-{name}-rotation")
    return f"{stem[: FUNCTION_NAME_LENGTH - len(suffix) - 1]}-{suffix}"


class DatabaseSecrets(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        cluster: aws.rds.Cluster,
        instances: Sequence[aws.rds.ClusterInstance],
        rotation_days: int,
        restore_user_password: SecretStr | None,
        application_user: str,
        create_user: bool,
        region: str,
        account: AwsAccount,
        subnet_ids: Sequence[pulumi.Input[str]],
        rotation_security_group_id: pulumi.Input[str],
        rotation_path: Sequence[pulumi.Resource],
        database_name: str,
        server_role_name: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`create_user`: make the application user (a new cluster; a restored one has it, under
        `application_user`, the name its secret held last: config/database.py's APPLICATION_USER_NAMES).
        `rotation_path`: what the rotation function's calls go through (endpoints, firewall rules)."""
        super().__init__("tdce:aws:DatabaseSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rules = {"automatically_after_days": rotation_days}

        # RDS creates and rotates the master secret itself; this sets its schedule explicitly, after
        # the instances exist and without rotating at once: RDS rotating the master password while
        # the writer is still being created would fail the first `up`.
        self.master_secret_arn = cluster.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)
        aws.secretsmanager.SecretRotation(
            f"{name}-master-rotation",
            secret_id=self.master_secret_arn,
            rotation_rules=rules,
            rotate_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(instances)),
        )

        # A restored database keeps the old deployment's user password, or it locks the server out.
        password = given_or_generated(f"{name}-user-password", given=restore_user_password, opts=child)
        self.user_secret = aws.secretsmanager.Secret(
            f"{name}-user",
            description="TDCE database application user (alternating-users rotation)",
            recovery_window_in_days=7,
            tags=tags,
            opts=child,
        )
        # What the vendor's SecretTargetAttachment added: the cluster's address, written into the secret.
        secret_value = pulumi.Output.json_dumps(
            {
                "engine": "postgres",
                "host": cluster.endpoint,
                "port": cluster.port,
                "dbname": database_name,
                "dbClusterIdentifier": cluster.cluster_identifier,
                "username": application_user,
                "password": password,
                "masterarn": self.master_secret_arn,
            }
        )
        initial_value = aws.secretsmanager.SecretVersion(
            f"{name}-user-initial",
            secret_id=self.user_secret.id,
            secret_string=pulumi.Output.secret(secret_value),
            # Set once: after that the rotation function owns the value, and the program must not
            # put the old password back (terraform-aws-secrets-manager#24).
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["secretString"]),
        )
        ready: list[pulumi.Resource] = [initial_value, *instances]
        if create_user:
            user = ApplicationUser(
                f"{name}-application-user",
                cluster_arn=cluster.arn,
                master_secret_arn=self.master_secret_arn,
                user_secret_arn=self.user_secret.arn,
                database_name=database_name,
                account=account,
                after=ready,
                tags=tags,
                opts=child,
            )
            ready.append(user.invocation)
        # Lambda function names are unique per account and region: two deployments of one stack name
        # (another project, another Pulumi organisation) must not collide.
        function_suffix = random.RandomId(f"{name}-rotation-function-suffix", byte_length=4, opts=child)
        function_name = function_suffix.hex.apply(lambda suffix: rotation_function_name(pulumi.get_stack(), name, suffix))
        rotation_function = aws.serverlessrepository.CloudFormationStack(
            f"{name}-rotation-function",
            application_id=ROTATION_APPLICATION,
            semantic_version=ROTATION_APPLICATION_VERSION,
            capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
            parameters={
                "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
                "functionName": function_name,
                "excludeCharacters": EXCLUDED_PASSWORD_CHARACTERS,
                "vpcSubnetIds": pulumi.Output.all(*subnet_ids).apply(",".join),
                "vpcSecurityGroupIds": rotation_security_group_id,
                "masterSecretArn": self.master_secret_arn,
            },
            tags=tags,
            opts=child,
        )
        # Setting the schedule runs the function's testSecret step against the database at once
        # (RotateSecret, RotateImmediately: "Secrets Manager tests the rotation configuration"): the
        # function (whose stack grants Secrets Manager the right to invoke it), the user, the
        # secret's first value and the function's way to Secrets Manager, RDS and the database must
        # all exist first.
        aws.secretsmanager.SecretRotation(
            f"{name}-user-rotation",
            secret_id=self.user_secret.id,
            rotation_lambda_arn=rotation_function.outputs.apply(lambda outputs: outputs["RotationLambdaARN"]),
            rotation_rules=rules,
            rotate_immediately=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[rotation_function, *ready, *rotation_path]),
        )
        self.user_secret_arn = self.user_secret.arn
        aws.iam.RolePolicy(
            f"{name}-server-reads-database-secrets",
            role=server_role_name,
            policy=document(
                allow(
                    "ReadDatabaseSecrets",
                    ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    [self.master_secret_arn, self.user_secret_arn],
                )
            ),
            opts=child,
        )
        self.register_outputs({"masterSecretArn": self.master_secret_arn, "userSecretArn": self.user_secret_arn})

"""The database's two secrets and their rotation, as the vendor's Aurora stack keeps them.

See 001_ec271c3ff40761d0.txt 4.8.2 (passwords rotated every 30 days) and 4.10 (the secrets and their attachments).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
from pydantic import SecretStr

from components.aws.policy_document import allow, document
from components.passwords import given_or_generated

# AWS's own alternating-users rotation function for PostgreSQL, from the Serverless Application Repository.
ROTATION_APPLICATION = "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationMultiUser"
APPLICATION_USER = "techila"


class DatabaseSecrets(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        cluster: aws.rds.Cluster,
        writer: aws.rds.ClusterInstance,
        rotation_days: int,
        restore_user_password: SecretStr | None,
        region: str,
        subnet_ids: Sequence[pulumi.Input[str]],
        rotation_security_group_id: pulumi.Input[str],
        database_name: str,
        server_role_name: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:DatabaseSecrets", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rules = {"automatically_after_days": rotation_days}

        # RDS creates and rotates the master secret itself; this only sets its schedule explicitly.
        self.master_secret_arn = cluster.master_user_secrets.apply(lambda secrets: secrets[0].secret_arn)
        aws.secretsmanager.SecretRotation(
            f"{name}-master-rotation", secret_id=self.master_secret_arn, rotation_rules=rules, opts=child
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
                "username": APPLICATION_USER,
                "password": password,
                "masterarn": self.master_secret_arn,
            }
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-user-initial",
            secret_id=self.user_secret.id,
            secret_string=pulumi.Output.secret(secret_value),
            # Set once: after that the rotation function owns the value, and the program must not
            # put the old password back (terraform-aws-secrets-manager#24).
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["secretString"]),
        )
        rotation_function = aws.serverlessrepository.CloudFormationStack(
            f"{name}-rotation-function",
            application_id=ROTATION_APPLICATION,
            capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
            parameters={
                "endpoint": f"https://secretsmanager.{region}.amazonaws.com",
                # Lambda names take letters, digits, '-' and '_'; stack names may also hold '.'.
                "functionName": re.sub(r"[^A-Za-z0-9_-]", "-", f"{pulumi.get_stack()}-{name}-rotation")[:64],
                "vpcSubnetIds": pulumi.Output.all(*subnet_ids).apply(",".join),
                "vpcSecurityGroupIds": rotation_security_group_id,
                "masterSecretArn": self.master_secret_arn,
            },
            tags=tags,
            opts=child,
        )
        aws.secretsmanager.SecretRotation(
            f"{name}-user-rotation",
            secret_id=self.user_secret.id,
            rotation_lambda_arn=rotation_function.outputs.apply(lambda outputs: outputs["RotationLambdaARN"]),
            rotation_rules=rules,
            # The TDCE installer creates the application user; rotating before it exists would fail.
            rotate_immediately=False,
            # Secrets Manager tests the function against the database when the schedule is set.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[writer]),
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

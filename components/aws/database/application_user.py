"""The database's application user, created once in a new cluster before anything rotates its password.

A one-shot Lambda function (`create_application_user.py`) reads the user secret and, as the
RDS-managed master user, creates that user through the RDS Data API. The function runs outside
the VPC (the Data API is an AWS endpoint), so it leaves no network interfaces behind.
A cluster restored from a snapshot already has the user, with the password the stack was given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.aws.account import AwsAccount
from components.aws.policy_document import allow, document, service_trust

HANDLER_SOURCE = Path(__file__).with_name("create_application_user.py")
# The Lambda runtime with the newest Python it offers ("Lambda runtimes", AWS Lambda Developer Guide).
RUNTIME = "python3.13"
# Long enough to wake a paused cluster (the handler retries for a minute) and run three statements.
TIMEOUT_SECONDS = 120
LOG_RETENTION_DAYS = 90


class ApplicationUser(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        cluster_arn: pulumi.Input[str],
        master_secret_arn: pulumi.Input[str],
        user_secret_arn: pulumi.Input[str],
        database_name: str,
        account: AwsAccount,
        after: Sequence[pulumi.Resource],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`after`: what must exist first (the writer instance, the secret's first value)."""
        super().__init__("tdce:aws:DatabaseApplicationUser", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        logs = aws.cloudwatch.LogGroup(f"{name}-logs", retention_in_days=LOG_RETENTION_DAYS, tags=dict(tags), opts=child)
        # The execution role's trust as the Lambda Developer Guide gives it ("Lambda execution role"),
        # limited to this account as its "Working with AWS managed policies in the execution role" allows.
        role = aws.iam.Role(
            f"{name}-role", assume_role_policy=service_trust("lambda.amazonaws.com", account.id), tags=dict(tags), opts=child
        )
        # The Data API reads the master secret with the caller's rights ("Authorizing access to the
        # Amazon RDS Data API", Aurora User Guide).
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            policy=document(
                allow("ReadDatabaseSecrets", ["secretsmanager:GetSecretValue"], [master_secret_arn, user_secret_arn]),
                allow("RunStatements", ["rds-data:ExecuteStatement"], [cluster_arn]),
                allow("WriteLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [logs.arn.apply(lambda arn: f"{arn}:*")]),
            ),
            opts=child,
        )
        function = aws.lambda_.Function(
            f"{name}-function",
            description="TDCE: creates the database application user once",
            runtime=RUNTIME,
            handler=f"{HANDLER_SOURCE.stem}.handler",
            code=pulumi.AssetArchive({HANDLER_SOURCE.name: pulumi.StringAsset(HANDLER_SOURCE.read_text())}),
            role=role.arn,
            timeout=TIMEOUT_SECONDS,
            logging_config={"log_format": "Text", "log_group": logs.name},
            tags=dict(tags),
            # The role's policy first: Lambda checks the role when the function is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        # Invoked on create (and again only if its input changes); the handler leaves an existing user alone.
        self.invocation = aws.lambda_.Invocation(
            f"{name}-create",
            function_name=function.name,
            input=pulumi.Output.json_dumps(
                {
                    "clusterArn": cluster_arn,
                    "masterSecretArn": master_secret_arn,
                    "userSecretArn": user_secret_arn,
                    "database": database_name,
                }
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(after)),
        )
        self.register_outputs({})

"""The Techila Dashboard admin password, kept in Secrets Manager; only its ARN leaves this component."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws
from pydantic import SecretStr

from components.passwords import given_or_generated


class AdminPassword(pulumi.ComponentResource):
    def __init__(
        self, name: str, *, given: SecretStr | None, tags: Mapping[str, str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("tdce:aws:AdminPassword", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        password = given_or_generated(f"{name}-generated", given=given, opts=child)
        secret = aws.secretsmanager.Secret(
            f"{name}-secret", description="Techila Dashboard admin password (TDCE)", tags=dict(tags), opts=child
        )
        aws.secretsmanager.SecretVersion(f"{name}-value", secret_id=secret.id, secret_string=password, opts=child)
        # The secret's ARN, never its value: the installer on the server reads the value from Secrets Manager.
        self.secret_id = secret.arn
        self.register_outputs({"secretId": self.secret_id})

"""The Techila Dashboard admin password, kept in Secrets Manager; only its ARN leaves this component."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import SecretStr

# Letters and digits only: the vendor forbids punctuation in passwords (001_ec271c3ff40761d0.txt 3.1 step 10).
GENERATED_LENGTH = 32


class AdminPassword(pulumi.ComponentResource):
    def __init__(
        self, name: str, *, chosen: SecretStr | None, tags: Mapping[str, str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("tdce:aws:AdminPassword", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if chosen is not None:
            password = pulumi.Output.secret(chosen.get_secret_value())
        else:
            password = random.RandomPassword(f"{name}-generated", length=GENERATED_LENGTH, special=False, opts=child).result
        secret = aws.secretsmanager.Secret(
            f"{name}-secret", description="Techila Dashboard admin password (TDCE)", tags=dict(tags), opts=child
        )
        aws.secretsmanager.SecretVersion(f"{name}-value", secret_id=secret.id, secret_string=password, opts=child)
        self.secret_arn = secret.arn
        self.register_outputs({"secretArn": self.secret_arn})

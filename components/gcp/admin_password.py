"""The Techila Dashboard admin password, in Secret Manager, readable by the server's service account only."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
from pydantic import SecretStr

from components.gcp.secrets import stored_secret
from components.passwords import given_or_generated


class AdminPassword(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        given: SecretStr | None,
        readers: Mapping[str, pulumi.Input[str]],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`given`: the `tdce:dashboardAdminPassword` setting; a password is generated when it is empty."""
        super().__init__("tdce:gcp:AdminPassword", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        value = given_or_generated(f"{name}-generated", given=given, opts=child)
        secret, self.grants = stored_secret(f"{name}-secret", value=value, readers=readers, tags=tags, opts=child)
        # The secret's resource name, never its value: the installer on the server reads the value from Secret Manager.
        self.secret_id = secret.name
        self.register_outputs({"secretId": self.secret_id})

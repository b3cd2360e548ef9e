"""A Secret Manager secret that holds one password, readable by the members named and no one else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_gcp as gcp


def stored_secret(
    name: str,
    *,
    value: pulumi.Input[str],
    readers: Mapping[str, pulumi.Input[str]],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
    ignore_changes: Sequence[str] = (),
    **secret_args: Any,
) -> tuple[gcp.secretmanager.Secret, list[gcp.secretmanager.SecretIamMember]]:
    """`readers`: IAM members by a stable short name, granted `secretAccessor` on this secret only.
    `ignore_changes` and `secret_args` apply to the secret, not to its version. Returns the secret and its read grants."""
    secret_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(ignore_changes=list(ignore_changes)))
    secret = gcp.secretmanager.Secret(name, replication={"auto": {}}, labels=dict(tags), **secret_args, opts=secret_opts)
    gcp.secretmanager.SecretVersion(f"{name}-value", secret=secret.id, secret_data=value, opts=opts)
    grants = [
        gcp.secretmanager.SecretIamMember(
            f"{name}-{who}-read",
            secret_id=secret.id,
            role="roles/secretmanager.secretAccessor",
            member=member,
            opts=opts,
        )
        for who, member in readers.items()
    ]
    return secret, grants

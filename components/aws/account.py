"""The AWS account a deployment lives in, as its ARNs and trust policies name it."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from config import locations


@dataclass(frozen=True)
class AwsAccount:
    """The account's ID and its partition (aws, aws-cn, aws-us-gov).

    The ID is looked up once per deployment: `getCallerIdentity` is an STS call in a real preview,
    one where each component that names the account used to make its own. The partition is the
    stack's region's, from config/locations.py, not `getPartition`: the deployment's provider is
    pinned to that region, and the Backup role and the settings' Aurora rule read it there, so
    the stack has one answer for it.
    """

    id: pulumi.Output[str]
    partition: str


def account_of(region: str, provider: pulumi.ProviderResource, parent: pulumi.Resource) -> AwsAccount:
    partition = locations.partition(region)
    if partition is None:  # the settings admit AWS regions only
        raise ValueError(f"{region} is in no AWS partition config/cloud_locations.json lists")
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider, parent=parent))
    return AwsAccount(id=identity.account_id, partition=partition)

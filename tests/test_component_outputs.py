"""The components both clouds have register the same outputs, so a user reading one cloud's state reads the other's.

The key sets are written here (issue 12: "the same interface on both clouds"); the values differ by
cloud as docs/outputs.md says (an instance ID or a VM's numeric ID, an S3 or a gs:// URL).
"""

from __future__ import annotations

import pulumi
import pytest

from tdce.planner import plan_stack

SAME_ON_BOTH = {
    "Server": {"instanceId", "publicIp", "privateIp", "dataDiskId", "image"},
    "Storage": {"bucketName", "bucketUrl"},
    "Workers": {"groupNames", "templates"},
    "Network": {"networkId", "subnetIds"},
    "AdminPassword": {"secretId"},
    "Database": {"endpoint", "port", "adminPasswordSecret"},
}
# What one cloud adds: AWS's S3 gateway endpoint has a prefix list the egress rules name.
ONLY_ON = {
    ("aws", "Network"): {"s3PrefixListId"},
    # Aurora has a reader endpoint and an application user with its own secret; Cloud SQL is reached
    # through its connection name, by IAM database authentication.
    ("aws", "Database"): {"readerEndpoint", "clusterArn", "userPasswordSecret"},
    ("gcp", "Database"): {"instanceName", "connectionName"},
}


def registered_outputs(stack: str, monkeypatch) -> dict[str, set[str]]:
    """Component type → the output keys it registered, caught at the SDK's `register_outputs`."""
    seen: dict[str, set[str]] = {}
    original = pulumi.ComponentResource.register_outputs

    def catch(resource, outputs):
        seen.setdefault(resource._type.rpartition(":")[2], set()).update(outputs or {})
        return original(resource, outputs)

    monkeypatch.setattr(pulumi.ComponentResource, "register_outputs", catch)
    plan_stack(stack)
    return seen


@pytest.mark.parametrize(("stack", "cloud"), [("aws-aurora", "aws"), ("gcp-prod", "gcp")])
def test_components_on_both_clouds_register_the_same_outputs(stack, cloud, monkeypatch):
    seen = registered_outputs(stack, monkeypatch)
    for component, keys in SAME_ON_BOTH.items():
        assert seen[component] == keys | ONLY_ON.get((cloud, component), set()), component

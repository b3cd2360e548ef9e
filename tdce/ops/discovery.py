"""Find a stack's AWS resources by the tags every deployment carries (config/tags.py).

Operations act on live resources, so a guess is worse than a refusal: when no resource or
more than one carries the tags, discovery stops and says which tags it looked for and what it found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.tags import AWS_TAGS, DATA_DISK, DATABASE, SERVER, WORKER_POOL
from tdce.ops.clients import AwsClients

# A terminated instance keeps its tags for an hour; it is not the server any more, nor is one shutting down.
LIVE_INSTANCE_STATES = ("pending", "running", "stopping", "stopped")


class DiscoveryError(Exception):
    """No resource, or more than one, carries a stack's tags for a role."""


def stack_tags(stack: str, role: str, **extra: str) -> dict[str, str]:
    return AWS_TAGS.of_stack(stack, role, **extra)


def describe_tags(tags: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in tags.items())


def tag_filters(tags: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"Name": f"tag:{key}", "Values": [value]} for key, value in tags.items()]


def tags_of(resource: Mapping[str, Any]) -> dict[str, str]:
    # EC2 says Tags, RDS says TagList; both are lists of Key/Value pairs.
    pairs = resource.get("Tags") or resource.get("TagList") or []
    return {pair["Key"]: pair["Value"] for pair in pairs}


def exactly_one(what: str, tags: Mapping[str, str], found: list[dict[str, Any]], id_key: str, region: str) -> dict[str, Any]:
    if len(found) == 1:
        return found[0]
    if not found:
        raise DiscoveryError(f"no {what} tagged {describe_tags(tags)} in {region}: is the stack deployed in this region?")
    ids = ", ".join(str(item[id_key]) for item in found)
    raise DiscoveryError(
        f"{len(found)} {what}s tagged {describe_tags(tags)} in {region} ({ids}); expected exactly one. "
        "Remove the tags from the stale ones, then run the command again."
    )


def find_server(clients: AwsClients, stack: str) -> dict[str, Any]:
    tags = stack_tags(stack, SERVER)
    filters = [*tag_filters(tags), {"Name": "instance-state-name", "Values": list(LIVE_INSTANCE_STATES)}]
    pages = clients("ec2").get_paginator("describe_instances").paginate(Filters=filters)
    found = [instance for page in pages for reservation in page["Reservations"] for instance in reservation["Instances"]]
    return exactly_one("server instance", tags, found, "InstanceId", clients.region)


def find_data_volume(clients: AwsClients, stack: str) -> dict[str, Any]:
    tags = stack_tags(stack, DATA_DISK)
    pages = clients("ec2").get_paginator("describe_volumes").paginate(Filters=tag_filters(tags))
    found = [volume for page in pages for volume in page["Volumes"]]
    return exactly_one("data volume", tags, found, "VolumeId", clients.region)


def find_database_cluster(clients: AwsClients, stack: str) -> dict[str, Any]:
    tags = stack_tags(stack, DATABASE)
    # RDS cannot filter clusters by tag; every cluster's tags come back with it.
    pages = clients("rds").get_paginator("describe_db_clusters").paginate()
    found = [cluster for page in pages for cluster in page["DBClusters"] if _carries(cluster, tags)]
    return exactly_one("Aurora cluster", tags, found, "DBClusterIdentifier", clients.region)


def find_worker_groups(clients: AwsClients, stack: str) -> list[dict[str, Any]]:
    """Every worker auto scaling group of the stack; a stack may have none."""
    filters = tag_filters(stack_tags(stack, WORKER_POOL))
    pages = clients("autoscaling").get_paginator("describe_auto_scaling_groups").paginate(Filters=filters)
    return [group for page in pages for group in page["AutoScalingGroups"]]


def _carries(resource: Mapping[str, Any], tags: Mapping[str, str]) -> bool:
    present = tags_of(resource)
    return all(present.get(key) == value for key, value in tags.items())

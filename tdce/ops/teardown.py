"""`tdce teardown`: delete what the Techila Server made in a deployment, so `pulumi destroy` can delete the rest.

The dashboard's groups, templates, workers, images and snapshots sit in the stack's subnets and
groups; while they exist AWS refuses to delete those (DependencyViolation). Everything the server
makes carries the deployment tag (`tdce:stack`, docs/dashboard-permissions-aws.md), and so does
everything Pulumi makes; Pulumi's own carry a role tag as well (`tdce:role`: server, data-disk,
database, worker-pool, config/tags.py), which the server may not set. So: tagged and no Pulumi
role is the server's, and this deletes it. Never a volume, never a snapshot of the data volume or
one `tdce backup` made, never anything tagged data-disk or database.

What sits in the stack's network or backs the server's images without the tag is not guessed at:
the run refuses, names it, and deletes nothing. A second run finds nothing and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from config.tags import AWS_TAGS, DATA_DISK, DATABASE, SERVER, WORKER_POOL
from tdce.ops.backup import BACKUP_TIME_TAG
from tdce.ops.clients import AwsClients, error_code
from tdce.ops.discovery import LIVE_INSTANCE_STATES, describe_tags, tag_filters, tags_of

STACK_KEY, ROLE_KEY = AWS_TAGS.stack_key, AWS_TAGS.role_key
# The role values of what Pulumi makes (the same list the server's policy forbids it to set).
PULUMI_ROLES = frozenset({SERVER, DATA_DISK, DATABASE, WORKER_POOL})
# Never deleted, whoever made them: the server's state.
KEPT_ROLES = frozenset({DATA_DISK, DATABASE})
# An instance shutting down still holds its network interface in the subnet, and `pulumi destroy`
# would meet it there (an earlier, interrupted run, or a group being deleted): it is terminated
# again (idempotent) and waited for like the rest.
NOT_YET_TERMINATED = [*LIVE_INSTANCE_STATES, "shutting-down"]
# TerminateInstances takes "up to 1000 instance IDs" (EC2 API Reference, TerminateInstances, InstanceId.N).
TERMINATE_BATCH = 1000
# Auto Scaling's own tag on the instances a group launched.
GROUP_NAME_TAG = "aws:autoscaling:groupName"


class TeardownRefused(Exception):
    """Something in the deployment's reach lacks the deployment tag: nothing was deleted."""


@dataclass(frozen=True)
class Leftover:
    kind: str  # "auto scaling group", "instance", "launch template", "image", "snapshot"
    id: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "detail": self.detail}


@dataclass
class Found:
    """The server's leftovers in deletion order, and why anything tagged was kept."""

    groups: list[Leftover] = field(default_factory=list)
    instances: list[Leftover] = field(default_factory=list)
    templates: list[Leftover] = field(default_factory=list)
    images: list[Leftover] = field(default_factory=list)
    snapshots: list[Leftover] = field(default_factory=list)
    kept: list[Leftover] = field(default_factory=list)

    @property
    def to_delete(self) -> list[Leftover]:
        return [*self.groups, *self.instances, *self.templates, *self.images, *self.snapshots]


def is_pulumis(tags: dict[str, str]) -> bool:
    return tags.get(ROLE_KEY) in PULUMI_ROLES


def find_leftovers(clients: AwsClients, stack: str) -> Found:
    """What the server made in this stack, or TeardownRefused naming what lacks the tag."""
    stack_tag = {STACK_KEY: AWS_TAGS.stack_value(stack)}
    found = Found()
    untagged: list[str] = []
    ec2, scaling = clients("ec2"), clients("autoscaling")

    pages = scaling.get_paginator("describe_auto_scaling_groups").paginate(Filters=tag_filters(stack_tag))
    dashboard_groups = set()
    for group in (g for page in pages for g in page["AutoScalingGroups"]):
        tags = tags_of(group)
        if not is_pulumis(tags):
            dashboard_groups.add(group["AutoScalingGroupName"])
            found.groups.append(Leftover("auto scaling group", group["AutoScalingGroupName"], _size(group)))

    for instance in _instances(ec2, _vpc_filters(ec2, stack_tag)):
        tags = tags_of(instance)
        if tags.get(STACK_KEY) != stack_tag[STACK_KEY]:
            if instance["State"]["Name"] != "shutting-down":  # someone else's, and already leaving
                untagged.append(f"instance {instance['InstanceId']} in the stack's network")
        elif not is_pulumis(tags):
            found.instances.append(Leftover("instance", instance["InstanceId"], _instance_detail(instance, tags)))

    templates = ec2.get_paginator("describe_launch_templates").paginate(Filters=tag_filters(stack_tag))
    for template in (t for page in templates for t in page["LaunchTemplates"]):
        if not is_pulumis(tags_of(template)):
            found.templates.append(Leftover("launch template", template["LaunchTemplateId"], template["LaunchTemplateName"]))

    image_snapshots: dict[str, str] = {}
    for image in ec2.describe_images(Owners=["self"], Filters=tag_filters(stack_tag))["Images"]:
        if is_pulumis(tags_of(image)):
            continue
        found.images.append(Leftover("image", image["ImageId"], image.get("Name", "")))
        for mapping in image.get("BlockDeviceMappings", []):
            if "SnapshotId" in mapping.get("Ebs", {}):
                image_snapshots[mapping["Ebs"]["SnapshotId"]] = image["ImageId"]

    data_volumes = _data_volumes(ec2, stack_tag)
    snapshots = ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"], Filters=tag_filters(stack_tag))
    tagged_snapshots = set()
    for snapshot in (s for page in snapshots for s in page["Snapshots"]):
        tags, snapshot_id = tags_of(snapshot), snapshot["SnapshotId"]
        tagged_snapshots.add(snapshot_id)
        why_kept = _why_kept(tags, snapshot.get("VolumeId"), data_volumes)
        if why_kept:
            found.kept.append(Leftover("snapshot", snapshot_id, why_kept))
        elif not is_pulumis(tags):
            found.snapshots.append(Leftover("snapshot", snapshot_id, snapshot.get("Description", "")))
    untagged += [
        f"snapshot {snapshot_id} behind image {image_id}"
        for snapshot_id, image_id in image_snapshots.items()
        if snapshot_id not in tagged_snapshots
    ]
    if untagged:
        raise TeardownRefused(
            f"these lack the deployment tag {describe_tags(stack_tag)}: {'; '.join(untagged)}. tdce teardown deletes only "
            "what carries it: tag them or remove them yourself, then run it again. Nothing was deleted."
        )
    return found


def delete_leftovers(clients: AwsClients, found: Found, *, wait: Callable[[list[str]], None] | None = None) -> None:
    """In dependency order: groups (with their instances), instances, templates, images, then their snapshots."""
    ec2, scaling = clients("ec2"), clients("autoscaling")
    for group in found.groups:
        _gone_is_fine(lambda g=group: scaling.delete_auto_scaling_group(AutoScalingGroupName=g.id, ForceDelete=True))
    instance_ids = [instance.id for instance in found.instances]
    batches = [instance_ids[start : start + TERMINATE_BATCH] for start in range(0, len(instance_ids), TERMINATE_BATCH)]
    for batch in batches:
        ec2.terminate_instances(InstanceIds=batch)
    for batch in batches:
        (wait or _wait_terminated(ec2))(batch)
    for template in found.templates:
        _gone_is_fine(lambda t=template: ec2.delete_launch_template(LaunchTemplateId=t.id))
    for image in found.images:
        _gone_is_fine(lambda i=image: ec2.deregister_image(ImageId=i.id))
    for snapshot in found.snapshots:
        _gone_is_fine(lambda s=snapshot: ec2.delete_snapshot(SnapshotId=s.id))


def _why_kept(tags: dict[str, str], volume_id: str | None, data_volumes: set[str]) -> str:
    if tags.get(ROLE_KEY) in KEPT_ROLES:
        return f"tagged {ROLE_KEY}={tags[ROLE_KEY]}"
    if BACKUP_TIME_TAG in tags:
        return "a tdce backup snapshot"
    if volume_id in data_volumes:
        return "a snapshot of the data volume"
    return ""


def _data_volumes(ec2: Any, stack_tag: dict[str, str]) -> set[str]:
    filters = tag_filters({**stack_tag, ROLE_KEY: DATA_DISK})
    return {
        volume["VolumeId"]
        for page in ec2.get_paginator("describe_volumes").paginate(Filters=filters)
        for volume in page["Volumes"]
    }


def _vpc_filters(ec2: Any, stack_tag: dict[str, str]) -> list[list[dict[str, Any]]]:
    """Instances to look at: those tagged with the stack, and every instance in the stack's VPC."""
    vpcs = [vpc["VpcId"] for vpc in ec2.describe_vpcs(Filters=tag_filters(stack_tag))["Vpcs"]]
    searches = [tag_filters(stack_tag)]
    if vpcs:
        searches.append([{"Name": "vpc-id", "Values": vpcs}])
    return searches


def _instances(ec2: Any, searches: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for filters in searches:
        states = [*filters, {"Name": "instance-state-name", "Values": NOT_YET_TERMINATED}]
        for page in ec2.get_paginator("describe_instances").paginate(Filters=states):
            for reservation in page["Reservations"]:
                for instance in reservation["Instances"]:
                    seen.setdefault(instance["InstanceId"], instance)
    return list(seen.values())


def _size(group: dict[str, Any]) -> str:
    return f"{len(group.get('Instances', []))} instances, desired {group.get('DesiredCapacity', 0)}"


def _instance_detail(instance: dict[str, Any], tags: dict[str, str]) -> str:
    group = tags.get(GROUP_NAME_TAG)
    return f"{instance.get('InstanceType', '')}, {instance['State']['Name']}" + (f", in group {group}" if group else "")


def _gone_is_fine(delete: Callable[[], Any]) -> None:
    """Someone (or an earlier, interrupted run) deleted it already: that is the goal."""
    try:
        delete()
    except ClientError as error:
        code, message = error_code(error), str(error.response.get("Error", {}).get("Message", ""))
        # EC2: Invalid<Thing>.NotFound; Auto Scaling: ValidationError "AutoScalingGroup name not found".
        if not (code.endswith(".NotFound") or (code == "ValidationError" and "not found" in message.lower())):
            raise


def _wait_terminated(ec2: Any) -> Callable[[list[str]], None]:
    def wait(instance_ids: list[str]) -> None:
        # The instances must be gone for their interfaces to leave the subnets; 10 minutes at most.
        ec2.get_waiter("instance_terminated").wait(InstanceIds=instance_ids, WaiterConfig={"Delay": 10, "MaxAttempts": 60})

    return wait

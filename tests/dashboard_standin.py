"""A stand-in for the Techila Dashboard's worker management, in boto3, following docs/dashboard-permissions-aws.md.

It knows nothing of the stack but the deployment document it reads from SSM, as the real server
would: launch template and auto scaling group with the worker profile and group in the stack's
subnets (vendor 3.4), scale up and down (3.4, 3.5, 4.1 idle shutdown), a worker made into a custom
image and then shut down (4.4). Everything it creates carries the deployment tag at creation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tdce.ops.clients import AwsClients

INSTANCE_TYPE = "c5.xlarge"


@dataclass
class Made:
    template_id: str = ""
    group_name: str = ""
    image_id: str = ""
    imaging_instance: str = ""
    snapshots: list[str] = field(default_factory=list)


def read_document(clients: AwsClients, parameter: str) -> dict[str, Any]:
    return json.loads(clients("ssm").get_parameter(Name=parameter)["Parameter"]["Value"])


def _tags(document: dict[str, Any]) -> list[dict[str, str]]:
    tag = document["deploymentTag"]
    return [{"Key": tag["key"], "Value": tag["value"]}, {"Key": "department", "Value": "math"}]  # 4.18: a user's tag


def start_workers(clients: AwsClients, document: dict[str, Any], image_id: str, count: int) -> Made:
    ec2, scaling, tags = clients("ec2"), clients("autoscaling"), _tags(document)
    name = f"{document['namePrefix']}{INSTANCE_TYPE.replace('.', '-')}"
    template = ec2.create_launch_template(
        LaunchTemplateName=name,
        LaunchTemplateData={
            "ImageId": image_id,
            "InstanceType": INSTANCE_TYPE,
            "IamInstanceProfile": {"Arn": document["workerIdentity"]},
            "NetworkInterfaces": [
                {"DeviceIndex": 0, "Groups": [document["workerFirewallGroup"]], "AssociatePublicIpAddress": True}
            ],
            "TagSpecifications": [{"ResourceType": kind, "Tags": tags} for kind in ("instance", "volume", "network-interface")],
        },
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": tags}],
    )["LaunchTemplate"]
    scaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "$Latest"},
        MinSize=0,
        MaxSize=10,
        DesiredCapacity=0,
        VPCZoneIdentifier=",".join(document["subnetIds"]),
        Tags=[{**tag, "PropagateAtLaunch": True, "ResourceId": name, "ResourceType": "auto-scaling-group"} for tag in tags],
    )
    scaling.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=count)
    return Made(template_id=template["LaunchTemplateId"], group_name=name)


def scale_down_one(clients: AwsClients, made: Made) -> str:
    """Idle shutdown (4.1): one named worker goes, and the group wants one fewer."""
    (group,) = clients("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[made.group_name])["AutoScalingGroups"]
    instance = group["Instances"][0]["InstanceId"]
    clients("autoscaling").terminate_instance_in_auto_scaling_group(InstanceId=instance, ShouldDecrementDesiredCapacity=True)
    return instance


def make_custom_image(
    clients: AwsClients, document: dict[str, Any], image_id: str, made: Made, *, moto_snapshot_tags: bool = True
) -> Made:
    """4.4: one on-demand worker with a public IP, imaged, then shut down by the server.

    moto 5 cannot tag snapshots in CreateImage (NotImplementedError): against it the snapshots are
    tagged right after, unless `moto_snapshot_tags` is off. A real account takes the `snapshot`
    TagSpecification, which is what the server's policy requires (CreateImage with aws:RequestTag).
    """
    ec2, tags = clients("ec2"), _tags(document)
    (instance,) = ec2.run_instances(
        ImageId=image_id,
        InstanceType=INSTANCE_TYPE,
        MinCount=1,
        MaxCount=1,
        IamInstanceProfile={"Arn": document["workerIdentity"]},
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": document["subnetIds"][0],
                "Groups": [document["workerFirewallGroup"]],
                "AssociatePublicIpAddress": True,
            }
        ],
        TagSpecifications=[{"ResourceType": kind, "Tags": tags} for kind in ("instance", "volume")],
    )["Instances"]
    image = ec2.create_image(
        InstanceId=instance["InstanceId"],
        Name="tdce-worker-with-my-software",
        TagSpecifications=[{"ResourceType": "image", "Tags": tags}],
    )
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    (described,) = ec2.describe_images(ImageIds=[image["ImageId"]])["Images"]
    made.image_id = image["ImageId"]
    made.imaging_instance = instance["InstanceId"]
    made.snapshots = [
        m["Ebs"]["SnapshotId"] for m in described.get("BlockDeviceMappings", []) if "SnapshotId" in m.get("Ebs", {})
    ]
    if moto_snapshot_tags and made.snapshots:
        ec2.create_tags(Resources=made.snapshots, Tags=tags)
    return made

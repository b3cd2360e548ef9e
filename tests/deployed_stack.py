"""What `pulumi up` made in AWS, in moto: the network, the worker identity, the server, its data volume, a
declared pool and the published deployment document, for the dashboard stand-in and `tdce teardown` to run against."""

from __future__ import annotations

import json
from dataclasses import dataclass

from components.aws.deployment_parameter import parameter_name
from components.deployment_document import DeploymentDocument
from config.tags import AWS_TAGS, DATA_DISK, SERVER, WORKER_POOL
from tdce.ops.backup import BACKUP_TIME_TAG
from tdce.ops.clients import AwsClients
from tests.ops_support import REGION, UNCHECKED_IMAGE, ZONE

# aws-prod's stack file gives teardown its region (eu-west-1, the fixtures' REGION).
STACK = "aws-prod"
TAG = {"Key": "tdce:stack", "Value": STACK}


def tagged(role: str | None = None, **extra: str) -> list[dict[str, str]]:
    tags = {TAG["Key"]: TAG["Value"], **({AWS_TAGS.role_key: role} if role else {}), **extra}
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@dataclass
class Deployed:
    """What `pulumi up` made, in moto: the network, the worker identity, the server, its data volume, a declared pool."""

    vpc: str
    subnets: list[str]
    worker_group: str
    profile_arn: str
    server: str
    data_volume: str
    backup_snapshot: str
    pool_group: str
    pool_template: str


def deploy(clients: AwsClients) -> Deployed:
    ec2 = clients("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tagged()}])["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="tdce-workers", Description="TDCE workers", VpcId=vpc)["GroupId"]
    iam = clients("iam")
    iam.create_role(RoleName="tdce-identity-worker-role", AssumeRolePolicyDocument="{}")
    profile = iam.create_instance_profile(InstanceProfileName="tdce-identity-worker-profile")["InstanceProfile"]["Arn"]
    server = ec2.run_instances(
        ImageId=UNCHECKED_IMAGE,
        InstanceType="m5.2xlarge",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnets[0],
        TagSpecifications=[{"ResourceType": "instance", "Tags": tagged(SERVER)}],
    )["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(
        Size=100, AvailabilityZone=ZONE, TagSpecifications=[{"ResourceType": "volume", "Tags": tagged(DATA_DISK)}]
    )["VolumeId"]
    backup = ec2.create_snapshot(
        VolumeId=volume,
        TagSpecifications=[{"ResourceType": "snapshot", "Tags": tagged(**{BACKUP_TIME_TAG: "2026-11-01T02:30:00Z"})}],
    )["SnapshotId"]
    pool_tags = tagged(WORKER_POOL, **{"tdce:pool": "linux-ondemand"})
    template = ec2.create_launch_template(
        LaunchTemplateName="tdce-workers-linux-ondemand-template",
        LaunchTemplateData={"ImageId": UNCHECKED_IMAGE, "InstanceType": "c5.4xlarge"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": pool_tags}],
    )["LaunchTemplate"]["LaunchTemplateId"]
    clients("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="tdce-workers-linux-ondemand-group",
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        MinSize=0,
        MaxSize=10,
        DesiredCapacity=2,
        VPCZoneIdentifier=",".join(subnets),
        Tags=[{**t, "PropagateAtLaunch": True} for t in pool_tags],
    )
    document = DeploymentDocument(
        cloud="aws",
        stack=STACK,
        region=REGION,
        deployment_tag=(TAG["Key"], TAG["Value"]),
        network_id=vpc,
        subnet_ids=subnets,
        worker_firewall_group=group,
        worker_identity=profile,
        bucket="tdce-bundles",
        server_private_ip="10.20.0.10",
        name_prefix=f"tdce-{STACK}-",
        allowed_extra={"workerRoles": [], "workerSecurityGroups": []},
    )
    clients("ssm").put_parameter(Name=parameter_name(STACK), Type="String", Value=json.dumps(document.contents()))
    return Deployed(vpc, subnets, group, profile, server, volume, backup, "tdce-workers-linux-ondemand-group", template)

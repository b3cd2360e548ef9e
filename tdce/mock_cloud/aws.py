"""Canned AWS answers for the offline plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
# The Debian 12 image the offline plan pretends the lookup found.
DEBIAN_12_IMAGE_ID = "ami-0d12e5b1a2c3d4e5f"
WINDOWS_IMAGE_ID = "ami-0a1b2c3d4e5f60718"

ID_PREFIXES: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/instance:Instance": "i",
    "aws:ebs/volume:Volume": "vol",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
}


def _region(arguments: Mapping[str, Any]) -> str:
    return str(arguments.get("region") or "eu-west-1")


def _availability_zones(arguments: Mapping[str, Any]) -> dict[str, Any]:
    region = _region(arguments)
    names = [f"{region}{letter}" for letter in "abc"]
    return {"names": names, "zoneIds": [f"{region[:3]}-az{i}" for i in (1, 2, 3)], "id": region, "region": region}


def _image(arguments: Mapping[str, Any]) -> dict[str, Any]:
    filters = str(arguments.get("filters", ""))
    image_id = WINDOWS_IMAGE_ID if "Windows" in filters else DEBIAN_12_IMAGE_ID
    return {"id": image_id, "imageId": image_id, "architecture": "x86_64", "name": "offline-plan-image", "rootDeviceName": "/dev/xvda"}


INVOKES = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getAmi:getAmi": _image,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
        "id": ACCOUNT_ID,
    },
    "aws:index/getRegion:getRegion": lambda arguments: {
        "name": _region(arguments),
        "region": _region(arguments),
        "id": _region(arguments),
        "endpoint": f"ec2.{_region(arguments)}.amazonaws.com",
        "description": "offline plan",
    },
    "aws:index/getPartition:getPartition": lambda _: {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION},
}


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes AWS computes on create that the program reads back (ARNs, names)."""
    if not type_token.startswith("aws:"):
        return {}
    service = type_token.split(":")[1].split("/")[0]
    attributes: dict[str, Any] = {"arn": f"arn:{PARTITION}:{service}:eu-west-1:{ACCOUNT_ID}:{name}"}
    if type_token == "aws:s3/bucket:Bucket" or type_token == "aws:s3/bucketV2:BucketV2":
        bucket = inputs.get("bucket") or resource_id
        attributes.update(bucket=bucket, arn=f"arn:{PARTITION}:s3:::{bucket}")
    if type_token == "aws:iam/role:Role":
        attributes["arn"] = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}"
    if "name" not in inputs and type_token not in ("aws:ec2/vpc:Vpc",):
        attributes["name"] = name
    return attributes

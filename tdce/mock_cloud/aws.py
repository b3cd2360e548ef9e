"""Canned AWS answers for the offline plan."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
# The Debian 12 images (x86_64 and arm64) and the Windows image the offline plan pretends the lookup found.
DEBIAN_12_IMAGE_ID = "ami-0d12e5b1a2c3d4e5f"
DEBIAN_12_ARM64_IMAGE_ID = "ami-0d12e5b1a2c3d4a64"
WINDOWS_IMAGE_ID = "ami-0a1b2c3d4e5f60718"
# The image a `product-code` lookup among aws-marketplace images finds (server.marketplaceProductCode):
# the newest of the listing, whatever the code, as a subscribed account would see it.
MARKETPLACE_IMAGE_ID = "ami-0f0e0d0c0b0a09081"

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


# The region of the stack's explicit provider, seen when the program registers it; invokes
# and ARNs answer for that region, as the real provider would.
_provider_region = {"region": "eu-west-1"}
PROVIDER = "pulumi:providers:aws"
# A documentation address (RFC 5737) for the server's Elastic IP.
ELASTIC_IP = "192.0.2.100"
# Subnet ID → CIDR of the subnets registered so far: an instance's private address lies in its subnet.
_subnet_cidrs: dict[str, str] = {}


def region_of(arguments: Mapping[str, Any] | None = None) -> str:
    """The region an invoke or resource names, else the stack provider's."""
    return str((arguments or {}).get("region") or _provider_region["region"])


def _availability_zones(arguments: Mapping[str, Any]) -> dict[str, Any]:
    region = region_of(arguments)
    names = [f"{region}{letter}" for letter in "abc"]
    return {"names": names, "zoneIds": [f"{region[:3]}-az{i}" for i in (1, 2, 3)], "id": region, "region": region}


def _image(arguments: Mapping[str, Any]) -> dict[str, Any]:
    filters = {f.get("name"): list(f.get("values", [])) for f in arguments.get("filters") or []}
    # The architecture the lookup asks for; a lookup by image ID asks none, and offline there is
    # no telling what a configured AMI is built for (`tdce preflight` asks AWS).
    architecture = (filters.get("architecture") or ["x86_64"])[0]
    if filters.get("image-id"):
        image_id = filters["image-id"][0]
    elif filters.get("product-code"):
        image_id = MARKETPLACE_IMAGE_ID
    elif "Windows" in str(filters.get("name")):
        image_id = WINDOWS_IMAGE_ID
    else:
        image_id = DEBIAN_12_ARM64_IMAGE_ID if architecture == "arm64" else DEBIAN_12_IMAGE_ID
    return {
        "id": image_id,
        "imageId": image_id,
        "architecture": architecture,
        "name": "offline-plan-image",
        "rootDeviceName": "/dev/xvda",
    }


def _endpoint_service(arguments: Mapping[str, Any]) -> dict[str, Any]:
    service = str(arguments.get("service"))
    name = f"com.amazonaws.{region_of(arguments)}.{service}"
    return {"id": name, "service": service, "serviceName": name, "serviceType": arguments.get("serviceType")}


INVOKES = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getAmi:getAmi": _image,
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": _endpoint_service,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
        "id": ACCOUNT_ID,
    },
    "aws:index/getRegion:getRegion": lambda arguments: {
        "name": region_of(arguments),
        "region": region_of(arguments),
        "id": region_of(arguments),
        "endpoint": f"ec2.{region_of(arguments)}.amazonaws.com",
        "description": "offline plan",
    },
    "aws:index/getPartition:getPartition": lambda _: {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION},
}


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes AWS computes on create that the program reads back (ARNs, names, addresses)."""
    if type_token == PROVIDER and inputs.get("region"):
        _provider_region["region"] = str(inputs["region"])
    if not type_token.startswith("aws:"):
        return {}
    region = region_of()
    service = type_token.split(":")[1].split("/")[0]
    attributes: dict[str, Any] = {"arn": f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{name}"}
    if "name" not in inputs and type_token not in ("aws:ec2/vpc:Vpc",):
        attributes["name"] = name
    attributes.update(_specific(type_token, name, resource_id, inputs, region))
    return attributes


def _specific(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    if type_token in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        bucket = inputs.get("bucket") or resource_id
        return {"bucket": bucket, "arn": f"arn:{PARTITION}:s3:::{bucket}"}
    if type_token == "aws:iam/role:Role":
        return {"arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}"}
    if type_token == "aws:iam/policy:Policy":
        return {"arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:policy/{name}"}
    if type_token == "aws:iam/instanceProfile:InstanceProfile":
        return {"arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:instance-profile/{name}"}
    if type_token == "aws:secretsmanager/secret:Secret":
        return {"arn": f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-Offln0"}
    if type_token == "aws:autoscaling/group:Group":
        group_id = hashlib.sha256(name.encode()).hexdigest()[:12]
        return {
            "arn": f"arn:{PARTITION}:autoscaling:{region}:{ACCOUNT_ID}:autoScalingGroup:{group_id}:autoScalingGroupName/{name}"
        }
    if type_token == "aws:ec2/launchTemplate:LaunchTemplate":
        return {"latestVersion": 1, "defaultVersion": 1}
    if type_token == "aws:ec2/vpcEndpoint:VpcEndpoint" and inputs.get("vpcEndpointType") == "Gateway":
        return {"prefixListId": "pl-" + resource_id.rsplit("-", 1)[-1][:8]}
    if type_token == "aws:ec2/eip:Eip":
        return {"publicIp": ELASTIC_IP, "allocationId": resource_id}
    if type_token == "aws:ec2/subnet:Subnet" and inputs.get("cidrBlock"):
        _subnet_cidrs[resource_id] = str(inputs["cidrBlock"])
    if type_token == "aws:ec2/instance:Instance":
        return {"publicIp": ELASTIC_IP, "privateIp": first_host(_subnet_cidrs.get(str(inputs.get("subnetId"))))}
    if type_token == "aws:ssm/parameter:Parameter":
        # Parameter ARNs name the parameter without its leading slash (Service Authorization Reference, SSM).
        return {"arn": f"arn:{PARTITION}:ssm:{region}:{ACCOUNT_ID}:parameter/{str(inputs.get('name', name)).lstrip('/')}"}
    if type_token == "aws:cloudwatch/logGroup:LogGroup":
        return {"arn": f"arn:{PARTITION}:logs:{region}:{ACCOUNT_ID}:log-group:{name}"}
    return {}


def first_host(cidr: str | None) -> str:
    """The first address AWS or GCP would hand an instance: the network's first four are reserved on AWS."""
    network = ipaddress.ip_network(cidr or "10.0.0.0/24")
    return str(network.network_address + 10)

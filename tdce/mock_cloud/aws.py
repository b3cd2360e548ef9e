"""Canned AWS answers for the offline plan."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from typing import Any

from config import locations
from config.invoke_tokens import (
    AWS_GET_AMI,
    AWS_GET_AVAILABILITY_ZONES,
    AWS_GET_CALLER_IDENTITY,
    AWS_GET_PARTITION,
    AWS_GET_REGION,
    AWS_GET_VPC_ENDPOINT_SERVICE,
)
from config.resource_types import (
    AWS_AUTOSCALING_GROUP,
    AWS_BUCKETS,
    AWS_EGRESS_RULE,
    AWS_EIP,
    AWS_INGRESS_RULE,
    AWS_INSTANCE,
    AWS_INSTANCE_PROFILE,
    AWS_INTERNET_GATEWAY,
    AWS_LAUNCH_TEMPLATE,
    AWS_LOG_GROUP,
    AWS_POLICY,
    AWS_PROVIDER,
    AWS_ROLE,
    AWS_ROUTE_TABLE,
    AWS_SECRET,
    AWS_SECURITY_GROUP,
    AWS_SSM_PARAMETER,
    AWS_SUBNET,
    AWS_VOLUME,
    AWS_VPC,
    AWS_VPC_ENDPOINT,
)

ACCOUNT_ID = "123456789012"
# The DNS suffix of each partition's endpoints ("AWS service endpoints": China's end in amazonaws.com.cn).
DNS_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}
# The Debian 12 images (x86_64 and arm64) and the Windows image the offline plan pretends the lookup found.
DEBIAN_12_IMAGE_ID = "ami-0d12e5b1a2c3d4e5f"
DEBIAN_12_ARM64_IMAGE_ID = "ami-0d12e5b1a2c3d4a64"
WINDOWS_IMAGE_ID = "ami-0a1b2c3d4e5f60718"
# The image a `product-code` lookup among aws-marketplace images finds (server.marketplaceProductCode):
# the newest of the listing, whatever the code, as a subscribed account would see it.
MARKETPLACE_IMAGE_ID = "ami-0f0e0d0c0b0a09081"

ID_PREFIXES: dict[str, str] = {
    AWS_VPC: "vpc",
    AWS_SUBNET: "subnet",
    AWS_SECURITY_GROUP: "sg",
    AWS_INTERNET_GATEWAY: "igw",
    AWS_ROUTE_TABLE: "rtb",
    AWS_INSTANCE: "i",
    AWS_VOLUME: "vol",
    AWS_EIP: "eipalloc",
    AWS_LAUNCH_TEMPLATE: "lt",
    AWS_VPC_ENDPOINT: "vpce",
    AWS_INGRESS_RULE: "sgr",
    AWS_EGRESS_RULE: "sgr",
}


# The region of the stack's explicit provider, seen when the program registers it; invokes
# and ARNs answer for that region, as the real provider would.
_provider_region = {"region": "eu-west-1"}
# A documentation address (RFC 5737) for the server's Elastic IP.
ELASTIC_IP = "192.0.2.100"
# Subnet ID → CIDR of the subnets registered so far: an instance's private address lies in its subnet.
_subnet_cidrs: dict[str, str] = {}


def region_of(arguments: Mapping[str, Any] | None = None) -> str:
    """The region an invoke or resource names, else the stack provider's."""
    return str((arguments or {}).get("region") or _provider_region["region"])


def partition_of(arguments: Mapping[str, Any] | None = None) -> str:
    """The partition of that region, as getPartition and every ARN in it answer (aws-cn in China)."""
    return locations.partition(region_of(arguments)) or "aws"


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
    AWS_GET_AVAILABILITY_ZONES: _availability_zones,
    AWS_GET_AMI: _image,
    AWS_GET_VPC_ENDPOINT_SERVICE: _endpoint_service,
    AWS_GET_CALLER_IDENTITY: lambda _: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{partition_of()}:iam::{ACCOUNT_ID}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
        "id": ACCOUNT_ID,
    },
    AWS_GET_REGION: lambda arguments: {
        "name": region_of(arguments),
        "region": region_of(arguments),
        "id": region_of(arguments),
        "endpoint": f"ec2.{region_of(arguments)}.amazonaws.com",
        "description": "offline plan",
    },
    AWS_GET_PARTITION: lambda arguments: {
        "partition": partition_of(arguments),
        "dnsSuffix": DNS_SUFFIX[partition_of(arguments)],
        "id": partition_of(arguments),
    },
}


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes AWS computes on create that the program reads back (ARNs, names, addresses)."""
    if type_token == AWS_PROVIDER and inputs.get("region"):
        _provider_region["region"] = str(inputs["region"])
    if not type_token.startswith("aws:"):
        return {}
    region = region_of()
    service = type_token.split(":")[1].split("/")[0]
    attributes: dict[str, Any] = {"arn": f"arn:{partition_of()}:{service}:{region}:{ACCOUNT_ID}:{name}"}
    if "name" not in inputs and type_token not in (AWS_VPC,):
        attributes["name"] = name
    attributes.update(_specific(type_token, name, resource_id, inputs, region))
    return attributes


def _specific(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    if type_token in AWS_BUCKETS:
        bucket = inputs.get("bucket") or resource_id
        return {"bucket": bucket, "arn": f"arn:{partition_of()}:s3:::{bucket}"}
    if type_token == AWS_ROLE:
        return {"arn": f"arn:{partition_of()}:iam::{ACCOUNT_ID}:role/{name}"}
    if type_token == AWS_POLICY:
        return {"arn": f"arn:{partition_of()}:iam::{ACCOUNT_ID}:policy/{name}"}
    if type_token == AWS_INSTANCE_PROFILE:
        return {"arn": f"arn:{partition_of()}:iam::{ACCOUNT_ID}:instance-profile/{name}"}
    if type_token == AWS_SECRET:
        return {"arn": f"arn:{partition_of()}:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-Offln0"}
    if type_token == AWS_AUTOSCALING_GROUP:
        group_id = hashlib.sha256(name.encode()).hexdigest()[:12]
        return {
            "arn": (
                f"arn:{partition_of()}:autoscaling:{region}:{ACCOUNT_ID}:autoScalingGroup:{group_id}:autoScalingGroupName/{name}"
            )
        }
    if type_token == AWS_LAUNCH_TEMPLATE:
        return {"latestVersion": 1, "defaultVersion": 1}
    if type_token == AWS_VPC_ENDPOINT and inputs.get("vpcEndpointType") == "Gateway":
        return {"prefixListId": "pl-" + resource_id.rsplit("-", 1)[-1][:8]}
    if type_token == AWS_EIP:
        return {"publicIp": ELASTIC_IP, "allocationId": resource_id}
    if type_token == AWS_SUBNET and inputs.get("cidrBlock"):
        _subnet_cidrs[resource_id] = str(inputs["cidrBlock"])
    if type_token == AWS_INSTANCE:
        return {"publicIp": ELASTIC_IP, "privateIp": first_host(_subnet_cidrs.get(str(inputs.get("subnetId"))))}
    if type_token == AWS_SSM_PARAMETER:
        # Parameter ARNs name the parameter without its leading slash (Service Authorization Reference, SSM).
        return {"arn": f"arn:{partition_of()}:ssm:{region}:{ACCOUNT_ID}:parameter/{str(inputs.get('name', name)).lstrip('/')}"}
    if type_token == AWS_LOG_GROUP:
        return {"arn": f"arn:{partition_of()}:logs:{region}:{ACCOUNT_ID}:log-group:{name}"}
    return {}


def first_host(cidr: str | None) -> str:
    """The first address AWS or GCP would hand an instance: the network's first four are reserved on AWS."""
    network = ipaddress.ip_network(cidr or "10.0.0.0/24")
    return str(network.network_address + 10)

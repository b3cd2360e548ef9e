"""The AWS network and bundle bucket: two zones or more, routes, the S3 endpoint, flow logs; a private, TLS-only bucket."""

from __future__ import annotations

import importlib
import inspect
from functools import cache

import pytest

from tdce.planner import Plan
from tests.support import of_type, only, plan_of, plan_variant

SUBNET = "aws:ec2/subnet:Subnet"
STACKS = ("aws-prod", "aws-dev")
# aws-prod names its subnets; aws-dev's are the first two /24s of its 10.30.0.0/16.
SUBNETS = {"aws-prod": ["10.20.0.0/24", "10.20.1.0/24"], "aws-dev": ["10.30.0.0/24", "10.30.1.0/24"]}
# aws-prod names its zones; aws-dev names none, so the region's (us-east-1's) first two (docs/settings.md, tdce:zones).
ZONES = {"aws-prod": ["eu-west-1a", "eu-west-1b"], "aws-dev": ["us-east-1a", "us-east-1b"]}
# config/Pulumi.<stack>.yaml's network.vpcCidr and bucket.forceDestroy.
VPC_CIDRS = {"aws-prod": "10.20.0.0/16", "aws-dev": "10.30.0.0/16"}
FORCE_DESTROY = {"aws-prod": False, "aws-dev": True}
# config/Pulumi.<stack>.yaml's tdce:tags.
USER_TAGS = {"aws-prod": {"owner": "research-computing", "environment": "prod"}, "aws-dev": {"environment": "dev"}}


@pytest.mark.parametrize("stack", STACKS)
def test_one_subnet_per_zone_in_at_least_two_zones_with_the_configured_ranges(stack):
    plan = plan_of(stack)
    # Registration order follows when outputs resolve; the names say which subnet is which.
    subnets = sorted(of_type(plan, SUBNET), key=lambda subnet: subnet.name)
    zones = [s.inputs["availabilityZone"] for s in subnets]
    assert len(set(zones)) == len(zones) >= 2
    assert zones == ZONES[stack]
    assert [s.inputs["cidrBlock"] for s in subnets] == SUBNETS[stack]
    assert [s.id for s in subnets] == plan.outputs["subnetIds"]
    assert only(plan, "aws:ec2/vpc:Vpc").inputs["cidrBlock"] == VPC_CIDRS[stack]


def test_every_subnet_routes_to_the_internet_and_reaches_s3_through_the_gateway_endpoint():
    plan = plan_of("aws-prod")
    table = only(plan, "aws:ec2/routeTable:RouteTable")
    route = only(plan, "aws:ec2/route:Route")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["gatewayId"] == only(plan, "aws:ec2/internetGateway:InternetGateway").id
    associated = {a.inputs["subnetId"] for a in of_type(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation")}
    assert associated == set(plan.outputs["subnetIds"])
    (s3,) = of_type(plan, "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert s3.inputs["vpcEndpointType"] == "Gateway" and s3.inputs["serviceName"] == "com.amazonaws.eu-west-1.s3"
    assert s3.inputs["routeTableIds"] == [table.id]


def test_flow_logs_follow_the_setting_and_write_only_to_their_own_log_group():
    assert not of_type(plan_of("aws-dev"), "aws:ec2/flowLog:FlowLog")
    plan = plan_of("aws-prod")
    log = only(plan, "aws:ec2/flowLog:FlowLog")
    assert log.inputs["vpcId"] == plan.outputs["networkId"] and log.inputs["trafficType"] == "ALL"
    (group,) = of_type(plan, "aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["retentionInDays"] > 0


@cache
def with_expiry_and_no_versioning() -> Plan:
    return plan_variant("aws-prod", {"bucket.versioning": False, "bucket.expireAfterDays": 30, "bucket.forceDestroy": True})


@pytest.mark.parametrize("stack", STACKS)
def test_bucket_is_private_owner_enforced_encrypted_and_destroyed_as_the_settings_say(stack):
    plan = plan_of(stack)
    bucket = only(plan, "aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is FORCE_DESTROY[stack]
    blocked = only(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        blocked[key] is True for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    assert only(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    (rule,) = only(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    for resource in plan.resources:
        if resource.type.startswith("aws:s3/") and resource.type != "aws:s3/bucket:Bucket":
            assert resource.inputs["bucket"] == bucket.id, resource.name


def test_versioning_and_expiry_follow_the_settings():
    versioning = "aws:s3/bucketVersioning:BucketVersioning"
    assert only(plan_of("aws-prod"), versioning).inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert not of_type(plan_of("aws-prod"), "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    plan = with_expiry_and_no_versioning()
    assert only(plan, versioning).inputs["versioningConfiguration"] == {"status": "Suspended"}
    (rule,) = only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled" and rule["expiration"] == {"days": 30}


def taggable(type_token: str) -> bool:
    """Whether the installed pulumi-aws resource takes `tags`, read from its constructor."""
    module_path, class_name = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[1]
    module = importlib.import_module("pulumi_aws" if module_path == "index" else f"pulumi_aws.{module_path}")
    return "tags" in inspect.signature(getattr(module, class_name)._internal_init).parameters


@pytest.mark.parametrize("stack", STACKS)
def test_every_taggable_aws_resource_carries_the_stack_tag_and_the_users_tags(stack):
    plan = plan_of(stack)
    checked = 0
    for resource in plan.resources:
        if resource.custom and resource.type.startswith("aws:") and taggable(resource.type):
            checked += 1
            tags = resource.inputs.get("tags")
            if resource.type == "aws:autoscaling/group:Group":
                tags = {tag["key"]: tag["value"] for tag in tags}
            assert tags and tags["tdce:stack"] == stack, resource.name
            assert USER_TAGS[stack].items() <= tags.items(), resource.name
    assert checked >= 30

"""The Pulumi invoke tokens the project names: the provider lookups the offline cloud answers.

The resource type tokens are in config/resource_types.py; invokes are kept apart because they
name SDK functions, not classes (`tests/test_resource_types.py` checks every upper-case name of
that module against a provider class). Each token is the one its provider SDK function invokes
(`pulumi_aws.get_availability_zones` invokes `aws:index/getAvailabilityZones:getAvailabilityZones`).
"""

from __future__ import annotations

# AWS: where the stack is
AWS_GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
AWS_GET_PARTITION = "aws:index/getPartition:getPartition"
AWS_GET_REGION = "aws:index/getRegion:getRegion"
AWS_GET_AVAILABILITY_ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
# AWS: images and endpoints
AWS_GET_AMI = "aws:ec2/getAmi:getAmi"
AWS_GET_VPC_ENDPOINT_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
# AWS: data tier
AWS_GET_ENGINE_VERSION = "aws:rds/getEngineVersion:getEngineVersion"

# GCP
GCP_GET_PROJECT = "gcp:organizations/getProject:getProject"
GCP_GET_ZONES = "gcp:compute/getZones:getZones"
GCP_GET_IMAGE = "gcp:compute/getImage:getImage"

"""The invoke tokens the offline cloud answers are the ones the provider SDKs' functions invoke.

The installed SDK source is the ground truth: each function passes its token to `pulumi.runtime.invoke`.
"""

from __future__ import annotations

import inspect

import pulumi_aws as aws
import pulumi_gcp as gcp
import pytest

from config import invoke_tokens

SDK_FUNCTION = {
    "AWS_GET_CALLER_IDENTITY": aws.get_caller_identity,
    "AWS_GET_PARTITION": aws.get_partition,
    "AWS_GET_REGION": aws.get_region,
    "AWS_GET_AVAILABILITY_ZONES": aws.get_availability_zones,
    "AWS_GET_AMI": aws.ec2.get_ami,
    "AWS_GET_VPC_ENDPOINT_SERVICE": aws.ec2.get_vpc_endpoint_service,
    "AWS_GET_ENGINE_VERSION": aws.rds.get_engine_version,
    "GCP_GET_PROJECT": gcp.organizations.get_project,
    "GCP_GET_ZONES": gcp.compute.get_zones,
    "GCP_GET_IMAGE": gcp.compute.get_image,
}


def test_every_token_of_the_module_is_checked_here():
    names = {name for name in vars(invoke_tokens) if name.isupper()}
    assert names == set(SDK_FUNCTION)


@pytest.mark.parametrize("name", sorted(SDK_FUNCTION))
def test_the_token_is_the_one_its_sdk_function_invokes(name):
    token = getattr(invoke_tokens, name)
    assert f"invoke('{token}'" in inspect.getsource(SDK_FUNCTION[name]).replace('"', "'")

"""What `tdce teardown` does with the instances in a deployment's reach, beyond the dashboard flow
(tests/test_dashboard_standin.py): one already shutting down, and more than one request can name."""

from __future__ import annotations

from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends

from tdce.ops.clients import AwsClients
from tdce.ops.teardown import Found, Leftover, delete_leftovers, find_leftovers
from tests.ops_support import REGION, UNCHECKED_IMAGE

pytest_plugins = ["tests.ops_support"]

STACK = "aws-prod"
# TerminateInstances: "Constraints: Up to 1000 instance IDs" (EC2 API Reference).
MOST_IDS_PER_TERMINATE = 1000


def tags(**pairs: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in pairs.items()]}]


def network(aws: AwsClients) -> str:
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.20.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "tdce:stack", "Value": STACK}]}]
    )["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.0.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]


def launch(aws: AwsClients, subnet: str, **pairs: str) -> str:
    launched = aws("ec2").run_instances(
        ImageId=UNCHECKED_IMAGE,
        InstanceType="c5.xlarge",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        TagSpecifications=tags(**pairs),
    )
    return launched["Instances"][0]["InstanceId"]


def shutting_down(instance_id: str) -> None:
    # moto terminates at once; a real instance spends a minute or more shutting down (code 32,
    # "Amazon EC2 instance state changes"), its interface still in the subnet.
    state = ec2_backends[DEFAULT_ACCOUNT_ID][REGION].get_instance(instance_id)._state
    state.name, state.code = "shutting-down", 32


def test_a_dashboard_worker_still_shutting_down_is_terminated_again_and_waited_for(aws: AwsClients):
    subnet = network(aws)
    worker = launch(aws, subnet, **{"tdce:stack": STACK})
    shutting_down(worker)
    found = find_leftovers(aws, STACK)
    assert [i.id for i in found.instances] == [worker]
    waited: list[list[str]] = []
    delete_leftovers(aws, found, wait=waited.append)
    assert waited == [[worker]]


def test_an_untagged_instance_already_shutting_down_is_not_a_reason_to_refuse(aws: AwsClients):
    subnet = network(aws)
    stray = launch(aws, subnet, Name="someone-elses")
    shutting_down(stray)
    found = find_leftovers(aws, STACK)  # no TeardownRefused
    assert found.to_delete == []


class RecordingEc2:
    def __init__(self) -> None:
        self.terminated: list[list[str]] = []

    def terminate_instances(self, InstanceIds: list[str]) -> dict:  # noqa: N803 (boto3's argument name)
        assert len(InstanceIds) <= MOST_IDS_PER_TERMINATE, f"one request named {len(InstanceIds)} instances"
        self.terminated.append(list(InstanceIds))
        return {}


def test_more_instances_than_one_request_may_name_are_terminated_in_batches_then_waited_for():
    ec2 = RecordingEc2()
    ids = [f"i-{n:017x}" for n in range(2001)]
    found = Found(instances=[Leftover("instance", i, "c5.xlarge, running") for i in ids])
    waited: list[list[str]] = []
    delete_leftovers(lambda service: ec2, found, wait=waited.append)
    assert [len(batch) for batch in ec2.terminated] == [1000, 1000, 1]
    assert [i for batch in ec2.terminated for i in batch] == ids
    # Every batch is asked to terminate before the first wait: the waits overlap the shutdowns.
    assert waited == ec2.terminated

"""The test evaluator answers as the IAM User Guide's evaluation rules say, on literal policies."""

from __future__ import annotations

import pytest

from tests.iam_evaluator import Request, allowed

TAGGED = {
    "Effect": "Allow",
    "Action": ["ec2:TerminateInstances"],
    "Resource": ["arn:aws:ec2:eu-west-1:111122223333:instance/*"],
    "Condition": {
        "StringEquals": {"aws:ResourceTag/team": "a"},
        "StringNotEquals": {"aws:ResourceTag/role": ["server", "db"]},
    },
}
SUBNETS = {
    "Effect": "Allow",
    "Action": "autoscaling:UpdateAutoScalingGroup",
    "Resource": "*",
    "Condition": {"ForAllValues:StringEquals": {"autoscaling:VPCZoneIdentifiers": ["subnet-1", "subnet-2"]}},
}
DENY_ALL_TERMINATE = {"Effect": "Deny", "Action": "ec2:Terminate*", "Resource": "*"}
INSTANCE = "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"

CASES = [
    # (statements, request, allowed?) — the expected verdicts follow "Policy evaluation logic".
    ([TAGGED], Request("ec2:TerminateInstances", INSTANCE, {"aws:ResourceTag/team": "a"}), True),
    ([TAGGED], Request("EC2:terminateinstances", INSTANCE, {"aws:ResourceTag/team": "a"}), True),  # actions: any case
    ([TAGGED], Request("ec2:TerminateInstances", INSTANCE, {"aws:ResourceTag/team": "b"}), False),
    ([TAGGED], Request("ec2:TerminateInstances", INSTANCE, {}), False),  # a missing key fails StringEquals
    ([TAGGED], Request("ec2:TerminateInstances", INSTANCE, {"aws:ResourceTag/team": "a", "aws:ResourceTag/role": "db"}), False),
    (
        [TAGGED],
        Request("ec2:TerminateInstances", "arn:aws:ec2:eu-west-1:444455556666:instance/i-1", {"aws:ResourceTag/team": "a"}),
        False,
    ),
    ([TAGGED], Request("ec2:StopInstances", INSTANCE, {"aws:ResourceTag/team": "a"}), False),
    ([TAGGED, DENY_ALL_TERMINATE], Request("ec2:TerminateInstances", INSTANCE, {"aws:ResourceTag/team": "a"}), False),
    ([SUBNETS], Request("autoscaling:UpdateAutoScalingGroup", "x", {"autoscaling:VPCZoneIdentifiers": ["subnet-1"]}), True),
    (
        [SUBNETS],
        Request("autoscaling:UpdateAutoScalingGroup", "x", {"autoscaling:VPCZoneIdentifiers": ["subnet-1", "subnet-9"]}),
        False,
    ),
    ([SUBNETS], Request("autoscaling:UpdateAutoScalingGroup", "x", {}), True),  # ForAllValues on a missing key holds
    ([], Request("ec2:TerminateInstances", INSTANCE, {}), False),  # implicit deny
]


@pytest.mark.parametrize(("statements", "request_", "verdict"), CASES)
def test_the_evaluator_follows_iams_rules(statements, request_, verdict):
    assert allowed(statements, request_) is verdict

"""IAM policy documents as JSON, built from plain statements so the recorded plan shows them whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

VERSION = "2012-10-17"


Resources = Sequence[pulumi.Input[str]]
# {"StringEquals": {"aws:RequestTag/tdce:stack": "aws-prod"}, ...}: operator → key → value(s).
Condition = Mapping[str, Mapping[str, Any]]


def allow(sid: str, actions: Sequence[str], resources: Resources) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources)}


def allow_when(sid: str, actions: Sequence[str], resources: Resources, condition: Condition) -> dict[str, Any]:
    """An Allow that holds only under `condition`: every operator and every key in it must match (IAM ANDs them)."""
    if not condition:
        raise ValueError(f"{sid}: a conditioned statement needs a condition; use allow() for an unconditioned one")
    return {**allow(sid, actions, resources), "Condition": {operator: dict(keys) for operator, keys in condition.items()}}


def deny_all_principals(sid: str, actions: Sequence[str], resources: Resources, condition: Mapping[str, Any]) -> dict[str, Any]:
    """A resource-policy statement that refuses everyone when `condition` holds."""
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": list(actions),
        "Resource": list(resources),
        "Condition": dict(condition),
    }


def document(*statements: dict[str, Any]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": list(statements)})


def passed_role_trust(service: str) -> pulumi.Output[str]:
    """The trust policy for a service that takes the role only when someone of this account hands it
    over with `iam:PassRole` (EC2 through an instance profile, AWS Backup through a backup plan's
    selection): the service principal alone, the form the EC2 User Guide gives an instance role.

    No `aws:SourceAccount` here: PassRole does not cross accounts, so another account cannot make the
    service take the role ("Grant a user permissions to pass a role to an AWS service", IAM User
    Guide), and neither the EC2 nor the AWS Backup guide says the service sends that key when it
    assumes a role; a condition on a key the service leaves out would deny the instances their
    credentials and the backup jobs their role. The pack's role-trust-scoped names the same services.
    """
    trust = {"Effect": "Allow", "Principal": {"Service": service}, "Action": ["sts:AssumeRole"]}
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": [trust]})


def service_trust(service: str, source_account: pulumi.Input[str]) -> pulumi.Output[str]:
    """The trust policy that lets one AWS service take the role only while it acts for this account
    (vpc-flow-logs.amazonaws.com, whose role the VPC User Guide gives with this condition, and
    lambda.amazonaws.com for the rotation function, whose guide says the same of an execution role:
    "you can include the aws:SourceAccount and aws:SourceArn global condition context keys in your
    role trust policy", Lambda Developer Guide, "Working with AWS managed policies in the execution
    role"; EC2 and AWS Backup take `passed_role_trust`).

    `aws:SourceAccount` is the IAM User Guide's guard against the cross-service confused deputy
    ("The confused deputy problem", https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html):
    the service, acting for another account, cannot take the role.
    """
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": ["sts:AssumeRole"],
        "Condition": {"StringEquals": {"aws:SourceAccount": source_account}},
    }
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": [trust]})

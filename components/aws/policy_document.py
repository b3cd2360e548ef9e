"""IAM policy documents as JSON, built from plain statements so the recorded plan shows them whole."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

VERSION = "2012-10-17"


Resources = Sequence[pulumi.Input[str]]


def allow(sid: str, actions: Sequence[str], resources: Resources) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources)}


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


def assume_role_by(service: str) -> str:
    """The trust policy that lets one AWS service (ec2.amazonaws.com, …) take the role."""
    trust = {"Effect": "Allow", "Principal": {"Service": service}, "Action": ["sts:AssumeRole"]}
    return json.dumps({"Version": VERSION, "Statement": [trust]})

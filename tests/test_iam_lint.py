"""parliament (an independent IAM linter, PyPI) finds nothing wrong in any IAM document of any example AWS stack.

Two kinds of its findings are expected, each for a reason parliament itself cannot see; any other
finding fails, as does one of these on a document or action it does not fit.
"""

from __future__ import annotations

import json
import warnings

import pytest

with warnings.catch_warnings():
    # parliament imports pkg_resources, which warns that it is deprecated.
    warnings.simplefilter("ignore")
    import parliament

from tests.support import EXAMPLE_STACKS, plan_of

AWS_STACKS = [stack for stack in EXAMPLE_STACKS if stack.startswith("aws")]
DOCUMENT_INPUTS = ("policy", "assumeRolePolicy")
# A trust policy has no Resource ("IAM JSON policy elements: Resource": "you do not specify a
# Resource in a role trust policy"); parliament lints identity and resource policies only.
TRUST_POLICY_HAS_NO_RESOURCE = "Statement contains neither Resource nor NotResource"
# RunInstances and CreateImage authorise several resources of different types, each under its own
# condition keys; the statements split them by type (one scoped by request tag, one by subnet, …),
# and parliament wants every required type in every statement.
SPLIT_BY_RESOURCE_TYPE = {"ec2:RunInstances", "ec2:CreateImage"}


def documents(stack: str) -> list[tuple[str, str, str]]:
    found = []
    for resource in plan_of(stack).resources:
        for key in DOCUMENT_INPUTS:
            text = resource.inputs.get(key)
            if isinstance(text, str) and text.lstrip().startswith("{"):
                found.append((resource.name, key, text))
    return found


def unexpected(key: str, finding) -> bool:
    if finding.issue == "MALFORMED" and key == "assumeRolePolicy":
        return finding.detail != TRUST_POLICY_HAS_NO_RESOURCE
    if finding.issue == "RESOURCE_MISMATCH":
        return not {item["action"] for item in finding.detail} <= SPLIT_BY_RESOURCE_TYPE
    return True


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_parliament_finds_nothing_unexpected_in_any_iam_document(stack):
    docs = documents(stack)
    assert len(docs) >= 8, "the stack's roles, policies and bucket policy"
    problems = []
    for name, key, text in docs:
        for finding in parliament.analyze_policy_string(text).findings:
            if unexpected(key, finding):
                problems.append(f"{name}.{key}: {finding.issue} {finding.detail}")
    assert problems == []


def test_the_linter_does_flag_a_broken_document():
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:RunInstancez", "Resource": "*"}]}
    findings = parliament.analyze_policy_string(json.dumps(broken)).findings
    assert any(unexpected("policy", finding) for finding in findings)

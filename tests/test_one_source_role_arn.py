"""One IAM role ARN grammar (config/dashboard.py) for the settings' extraWorkerRoles and the pack's iam:PassRole.

The table is written from AWS's "IAM identifiers" and CreateRole limits: a name of 1-64 letters, digits
and +=,.@_-; a path of printable ASCII from '!' on, '/'-delimited, at most 512 characters with its
slashes; a 12-digit account; no wildcard. The pack's own pattern, before it used this one, decided
the rows marked "changed" the other way.
"""

from __future__ import annotations

import json

import pytest

from config.dashboard import names_one_role
from config.loader import ConfigError
from config.resource_types import AWS_INSTANCE_PROFILE, AWS_ROLE
from policies import identity
from tests.policy_harness import StackResource, check_stack, hand_config
from tests.support import settings_of, stack_values, with_setting

ACCOUNT = "arn:aws:iam::111122223333:role/"
PASSED_TO_EC2 = {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}

ROLE_ARNS = [
    (f"{ACCOUNT}tdce-worker-role", True),
    (f"{ACCOUNT}tdce/workers/tdce-worker-role", True),
    ("arn:aws-cn:iam::111122223333:role/tdce-worker", True),
    ("arn:aws-us-gov:iam::111122223333:role/tdce-worker", True),
    (f"{ACCOUNT}{'n' * 64}", True),
    (f"{ACCOUNT}{'p' * 510}/tdce-worker", True),  # the path /p…p/ is 512 characters
    (f"{ACCOUNT}a!b/tdce-worker", True),  # changed: '!' is a path character; the pack refused it
    (f"{ACCOUNT}a~b/tdce-worker", True),  # changed: so is '~'
    (f"{ACCOUNT}{'n' * 65}", False),  # changed: a name is at most 64 characters
    (f"{ACCOUNT}{'p' * 511}/tdce-worker", False),  # changed: a 513-character path
    (f"{ACCOUNT}tdce-worker/", False),  # changed: a path and no name
    (f"{ACCOUNT}tdcé-worker", False),  # changed: names are ASCII
    (f"{ACCOUNT}tdce-worker\n", False),  # changed: the whole string, no trailing newline
    ("arn:awsX:iam::111122223333:role/tdce-worker", False),  # changed: partitions are aws, aws-cn, aws-us-gov…
    ("arn:aws:iam::１１１１２２２２３３３３:role/tdce-worker", False),  # changed: an account ID of ASCII digits
    (f"{ACCOUNT}tdce-*", False),
    (f"{ACCOUNT}tdce-?", False),
    (f"{ACCOUNT}*/tdce-worker", False),
    (f"{ACCOUNT}tdce worker", False),
    ("arn:aws:iam::11112222333:role/tdce-worker", False),
    ("arn:aws:iam::111122223333:user/tdce-worker", False),
    ("*", False),
]


@pytest.mark.parametrize("arn, named", ROLE_ARNS)
def test_the_grammar_names_one_role(arn, named):
    assert names_one_role(arn) is named


def pass_role(arn: str) -> list[StackResource]:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn, "Condition": PASSED_TO_EC2}],
    }
    return [
        StackResource("role", AWS_ROLE, {"assumeRolePolicy": "{}"}),
        StackResource(
            "policy",
            "aws:iam/rolePolicy:RolePolicy",
            {"policy": json.dumps(document), "role": "role-id"},
            refs={"role": ["role"]},
        ),
        StackResource("profile", AWS_INSTANCE_PROFILE, {"role": "role-id"}, refs={"role": ["role"]}),
    ]


@pytest.mark.parametrize("arn, named", ROLE_ARNS)
def test_the_pack_passes_only_named_roles(monkeypatch, arn, named):
    hand_config(monkeypatch, "aws-prod", None)
    expected = [] if named else [f"Statement[0] allows iam:PassRole on {arn}: only named role ARNs may be passed"]
    assert [message for _, message in check_stack(identity.iam_least_privilege, pass_role(arn))] == expected


# The settings strip the whitespace around a stack file's string (SettingsModel: str_strip_whitespace)
# before the grammar sees it; the pack judges a document's string as it is.
STRIPPED_BY_THE_SETTINGS = {f"{ACCOUNT}tdce-worker\n": True}


@pytest.mark.parametrize("arn, named", ROLE_ARNS)
def test_the_settings_accept_only_named_roles(arn, named):
    values = with_setting(stack_values("aws-prod")[0], "dashboard.extraWorkerRoles", [arn])
    if STRIPPED_BY_THE_SETTINGS.get(arn, named):
        assert settings_of(values).dashboard.extra_worker_roles == (arn.strip(),)
    else:
        with pytest.raises(ConfigError, match=r"tdce:dashboard\.extraWorkerRoles\[0\]"):
            settings_of(values)

"""The dashboard admin password on AWS: kept in Secrets Manager, never written in plain text anywhere the plan reaches."""

from __future__ import annotations

import io
import json
from functools import cache

import pytest
from rich.console import Console

from tdce.mock_cloud import OFFLINE_RANDOM_PASSWORD
from tdce.plan_report import print_plan
from tdce.planner import Plan, plan_config
from tests.support import of_type, plan_of, stack_values, with_setting

CHOSEN = "ChosenDashboardPassword42"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


@cache
def with_chosen_password() -> Plan:
    values, secret_keys = stack_values("aws-prod")
    values = with_setting(values, "dashboardAdminPassword", CHOSEN)
    return plan_config("aws-prod", values, secret_keys | {"tdce:dashboardAdminPassword"})


def everything_shown(plan: Plan) -> str:
    printed = io.StringIO()
    print_plan(plan, Console(file=printed, width=200))
    return json.dumps(plan.as_json()) + printed.getvalue()


def test_a_chosen_password_is_stored_as_a_secret_and_shown_nowhere():
    plan = with_chosen_password()
    assert CHOSEN not in everything_shown(plan)
    (version,) = of_type(plan, SECRET_VERSION)
    assert version.inputs["secretString"] == "[secret]"
    assert not of_type(plan, "random:index/randomPassword:RandomPassword")


def test_the_secret_stores_the_chosen_password_itself(monkeypatch: pytest.MonkeyPatch):
    # The plan shows only `[secret]`; unmasked (as test_aws_database.py's user_secret_value does),
    # the value the program sends must be the literal password this test chose.
    import tdce.recording

    monkeypatch.setattr(tdce.recording, "masked", lambda value: value)
    values, secret_keys = stack_values("aws-prod")
    values = with_setting(values, "dashboardAdminPassword", CHOSEN)
    plan = plan_config("aws-prod", values, secret_keys | {"tdce:dashboardAdminPassword"})  # not cached: sees the patch
    (version,) = of_type(plan, SECRET_VERSION)
    sent = version.inputs["secretString"]
    assert isinstance(sent, dict)  # still marked secret on the wire
    assert sent["value"] == "ChosenDashboardPassword42"


def test_a_generated_password_is_letters_and_digits_kept_as_a_secret():
    plan = plan_of("aws-prod")
    (generated,) = of_type(plan, "random:index/randomPassword:RandomPassword")
    # The vendor forbids punctuation in passwords (001_ec271c3ff40761d0.txt 3.1 step 10).
    assert generated.inputs["special"] is False and generated.inputs["length"] >= 12
    (version,) = of_type(plan, SECRET_VERSION)
    assert version.inputs["secretString"] == "[secret]"
    assert OFFLINE_RANDOM_PASSWORD[:16] not in everything_shown(plan)


def test_outputs_name_the_secret_by_arn_and_never_carry_the_password():
    for plan in (plan_of("aws-prod"), with_chosen_password()):
        (secret,) = of_type(plan, "aws:secretsmanager/secret:Secret")
        assert plan.outputs["dashboardAdminPasswordSecret"].startswith("arn:aws:secretsmanager:")
        assert secret.name in plan.outputs["dashboardAdminPasswordSecret"]
        assert not [key for key in plan.outputs if "password" in key.lower() and not key.endswith(("Secret", "SecretArn"))]
        assert CHOSEN not in json.dumps(plan.outputs)

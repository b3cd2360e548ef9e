"""The lines a plan prints before `up` that a user should read: here, users' networks that are the whole internet."""

from __future__ import annotations

import pytest

from config.loader import settings_from_config
from tdce.plan_warnings import plan_warnings
from tests.support import stack_values, with_setting

OPEN_TO_ANYONE = "the dashboard and the SDK's management port are open to anyone; list your users' networks instead"


def warnings_for(stack: str, user_cidrs: list[str]) -> list[str]:
    values, secrets = stack_values(stack)
    settings = settings_from_config(with_setting(values, "access.userCidrs", user_cidrs), secrets)
    return [line for line in plan_warnings(settings) if "userCidrs" in line]


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
@pytest.mark.parametrize(
    ("user_cidrs", "said"),
    [
        (["0.0.0.0/0"], "0.0.0.0/0"),
        (["198.51.100.0/24", "::/0"], "::/0"),
        (["0.0.0.0/1", "128.0.0.0/1"], "0.0.0.0/1 + 128.0.0.0/1 (together 0.0.0.0/0)"),
    ],
)
def test_users_networks_that_cover_the_whole_internet_are_a_warning_naming_the_key(stack, user_cidrs, said):
    assert warnings_for(stack, user_cidrs) == [f"tdce:access.userCidrs covers the whole internet with {said}: {OPEN_TO_ANYONE}"]


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_users_networks_short_of_the_internet_say_nothing(stack):
    assert warnings_for(stack, ["198.51.100.0/24", "0.0.0.0/1"]) == []

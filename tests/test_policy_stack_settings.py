"""How the pack reads the stack from what the CLI passes: declared secrets unmarked, and every reason it cannot."""

from __future__ import annotations

import json

from policies.stack_settings import StackReading, read_stack, stack_name, stack_reading, validate_stack_settings_readable
from tests.support import stack_values


def config_of(stack: str, **changes: str) -> str:
    values, _ = stack_values(stack)
    return json.dumps({**values, **changes})


def test_a_secret_the_cli_decrypted_and_left_unmarked_is_read():
    reading = read_stack("aws-dev", config_of("aws-dev", **{"tdce:dashboardAdminPassword": "Decrypted0Password"}))
    assert reading.problem is None and reading.resolved is not None
    assert reading.resolved.settings.dashboard_admin_password.get_secret_value() == "Decrypted0Password"
    assert reading.resolved.secret_keys == frozenset({"tdce:dashboardAdminPassword"})


def test_every_reason_the_settings_cannot_be_read_is_said():
    assert "PULUMI_STACK is not set" in read_stack("", config_of("aws-prod")).problem
    assert "PULUMI_CONFIG is not set" in read_stack("aws-prod", None).problem
    assert "not JSON" in read_stack("aws-prod", "{").problem
    assert "not a JSON object" in read_stack("aws-prod", "[]").problem
    assert "no tdce: keys" in read_stack("aws-prod", json.dumps({"aws:region": "eu-west-1"})).problem
    bad = read_stack("aws-prod", config_of("aws-prod", **{"tdce:cloud": "azure"})).problem
    assert bad.startswith("the stack's settings do not validate: tdce:cloud")


def test_a_bad_password_is_refused_without_echoing_it():
    problem = read_stack("aws-dev", config_of("aws-dev", **{"tdce:dashboardAdminPassword": "short!"})).problem
    assert "tdce:dashboardAdminPassword" in problem and "short!" not in problem


def test_the_policy_reports_the_reason(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "aws-prod")
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    found: list[str] = []
    validate_stack_settings_readable(None, lambda message, urn=None: found.append(message))
    assert len(found) == 1 and "PULUMI_CONFIG is not set" in found[0]
    monkeypatch.setenv("PULUMI_CONFIG", config_of("aws-prod"))
    found.clear()
    validate_stack_settings_readable(None, lambda message, urn=None: found.append(message))
    assert found == []


def test_each_reason_is_said_in_full_with_the_stack_it_is_for():
    assert read_stack("", config_of("aws-prod")) == StackReading(
        stack="", resolved=None, problem="PULUMI_STACK is not set, so the pack does not know which stack it checks"
    )
    assert read_stack("aws-prod", None) == StackReading(
        stack="aws-prod", resolved=None, problem="PULUMI_CONFIG is not set: the Pulumi CLI passed the pack no stack config"
    )
    assert read_stack("aws-prod", "[]").problem == "PULUMI_CONFIG is not a JSON object of config keys"
    read = read_stack("aws-prod", config_of("aws-prod"))
    assert (read.stack, read.problem, read.resolved.stack) == ("aws-prod", None, "aws-prod")


def test_the_stack_comes_from_pulumi_stack(monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG", config_of("aws-prod"))
    assert stack_name() == ""
    assert stack_reading().problem == "PULUMI_STACK is not set, so the pack does not know which stack it checks"


def test_the_policy_message_says_what_is_checked_less(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "aws-prod")
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    found: list[tuple[str, str | None]] = []
    validate_stack_settings_readable(None, lambda message, urn: found.append((message, urn)))
    assert found == [
        (
            "PULUMI_CONFIG is not set: the Pulumi CLI passed the pack no stack config. Without the stack's settings the "
            "port rules know no configured CIDR and no optional channel, and check only what the channel matrix alone says",
            None,
        )
    ]

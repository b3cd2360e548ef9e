"""Keys outside tdce: that would mislead are refused; the namespaces of providers and the engine pass."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.loader import settings_from_config
from tests.support import stack_values


def problems_with(stack: str, changes: dict[str, str | None]) -> list[str]:
    """The one-line problems of an example stack with some keys set (None removes one); [] when it loads."""
    values, secret_keys = stack_values(stack)
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    try:
        settings_from_config(values, secret_keys)
    except ConfigError as error:
        return [str(problem) for problem in error.problems]
    return []


# A key that looks meant for tdce:, and the key the refusal suggests.
TYPOS = [
    ("tcde:bucket", "tdce:bucket"),  # two letters swapped
    ("tdc:region", "tdce:region"),  # a letter missing
    ("tdcee:tags", "tdce:tags"),  # a letter too many
    ("tdse:workers", "tdce:workers"),  # a wrong letter
    ("TDCE:cloud", "tdce:cloud"),  # namespaces are case-sensitive
    ("Tdce:access", "tdce:access"),
    ("tdce.cloud", "tdce:cloud"),  # a dot for the colon
    ("tdce:tdce.cloud", "tdce:cloud"),  # `tdce.cloud:` in a stack file: the CLI adds the project namespace
    ("tdce/network", "tdce:network"),
    ("tcde:bukcet", "tdce:bucket"),  # both misspelt: the closest setting
]


@pytest.mark.parametrize(("key", "meant"), TYPOS)
def test_a_typo_of_the_namespace_is_refused_with_a_suggestion(key, meant):
    problems = problems_with("aws-dev", {key: "x"})
    assert problems == [f"{key}: is not in the tdce: namespace, so the program never reads it; did you mean {meant}?"]


@pytest.mark.parametrize(
    "key",
    [
        "aws:skipCredentialsValidation",
        "aws:profile",
        "gcp:zone",
        "pulumi:disable-default-providers",
        "random:x",
        "tfe:token",
        "time:x",
    ],
)
def test_keys_of_other_namespaces_pass(key):
    assert problems_with("aws-dev", {key: "x"}) == []


# (stack, provider key, a value that agrees, a value that contradicts, the tdce: key it contradicts)
PROVIDER_DEFAULTS = [
    ("aws-dev", "aws:region", "us-east-1", "eu-west-1", "tdce:region"),
    ("gcp-prod", "gcp:project", "tdce-prod-example", "someone-elses-project", "tdce:project"),
    ("gcp-prod", "gcp:region", "europe-north1", "us-central1", "tdce:region"),
]


@pytest.mark.parametrize(("stack", "key", "agrees", "contradicts", "setting"), PROVIDER_DEFAULTS)
def test_a_provider_default_that_agrees_passes(stack, key, agrees, contradicts, setting):
    assert problems_with(stack, {key: agrees}) == []


@pytest.mark.parametrize(("stack", "key", "agrees", "contradicts", "setting"), PROVIDER_DEFAULTS)
def test_a_provider_default_that_contradicts_is_refused_naming_both_keys(stack, key, agrees, contradicts, setting):
    (problem,) = problems_with(stack, {key: contradicts})
    assert problem.startswith(f"{key}: is '{contradicts}' but {setting} is '{agrees}'")
    assert f"remove it or set it to '{agrees}'" in problem


def test_the_other_clouds_provider_defaults_are_not_compared():
    # An AWS stack says nothing about GCP's provider, nor a GCP stack about AWS's.
    assert problems_with("aws-dev", {"gcp:region": "us-central1", "gcp:project": "x-project"}) == []
    assert problems_with("gcp-prod", {"aws:region": "eu-west-1"}) == []


def test_structured_values_that_python_cannot_read_are_problems_not_exceptions():
    deep = "[" * 100_000 + "]" * 100_000
    problems = problems_with("aws-dev", {"tdce:tags": deep, "tdce:network": '{"vpcCidr": ' + "1" * 5000 + "}"})
    assert sorted(problems) == [
        "tdce:network: holds an integer of more than 4300 digits",
        "tdce:tags: nests too deeply to read: keep settings to a few levels",
    ]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_go_never_writes_are_refused(constant):
    (problem,) = problems_with("aws-dev", {"tdce:network": '{"vpcCidr": ' + constant + "}"})
    assert problem.startswith("tdce:network: is not valid JSON")

"""Every type token the project names is the one its provider SDK registers: a rename in a release fails here."""

from __future__ import annotations

import importlib
import inspect
import keyword

import pytest

from config import resource_types

PACKAGES = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "random": "pulumi_random"}


def tokens() -> list[str]:
    found: list[str] = []
    for name, value in vars(resource_types).items():
        if name.isupper():
            found += list(value) if isinstance(value, tuple) else [value]
    return [token for token in found if not token.startswith("pulumi:")]


def sdk_class(token: str) -> type:
    package, module_path, class_name = token.split(":")
    module = module_path.split("/")[0]
    # Python keywords get a trailing underscore as module names (`pulumi_aws.lambda_`).
    module += "_" if keyword.iskeyword(module) else ""
    imported = importlib.import_module(PACKAGES[package] if module == "index" else f"{PACKAGES[package]}.{module}")
    return getattr(imported, class_name)


@pytest.mark.parametrize("token", tokens())
def test_token_is_the_one_the_sdk_class_registers(token):
    assert f"'{token}'" in inspect.getsource(sdk_class(token))


def test_a_token_with_the_wrong_module_spelling_is_caught():
    # The class exists, but AWS's security group registers as ec2/securityGroup, not ec2/securitygroup.
    with pytest.raises(AssertionError):
        test_token_is_the_one_the_sdk_class_registers("aws:ec2/securitygroup:SecurityGroup")

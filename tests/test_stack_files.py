"""Every example stack file loads, as the Pulumi CLI would hand it to the program."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.loader import settings_from_config
from config.stack_file import CONFIG_DIR, SECRET_PLACEHOLDER, read_stack_config
from tests.support import EXAMPLE_STACKS


def test_every_stack_file_in_config_is_an_example_the_tests_know():
    on_disk = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in CONFIG_DIR.glob("Pulumi.*.yaml"))
    assert on_disk == sorted(EXAMPLE_STACKS)


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_example_stack_loads(stack):
    config = read_stack_config(stack)
    settings = settings_from_config(config.values, config.secret_keys)
    assert settings.cloud == stack.split("-")[0]


def test_encrypted_values_become_a_placeholder_marked_secret():
    config = read_stack_config("aws-dev")
    assert config.values["tdce:dashboardAdminPassword"] == SECRET_PLACEHOLDER
    assert "tdce:dashboardAdminPassword" in config.secret_keys
    assert all("v1:" not in value for value in config.values.values())


def test_values_are_passed_as_the_pulumi_cli_passes_them(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text(
        "config:\n  tdce:cloud: aws\n  tdce:access:\n    ssh: true\n    userCidrs: [10.0.0.0/8]\n"
        "  aws:skipCredentialsValidation: true\n"
    )
    config = read_stack_config("x", tmp_path)
    assert config.values["tdce:access"] == '{"ssh": true, "userCidrs": ["10.0.0.0/8"]}'
    assert config.values["aws:skipCredentialsValidation"] == "true"


def test_missing_stack_file_names_the_stacks_that_exist(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_config("prod", tmp_path)
    assert "stacks here: dev" in str(caught.value)


def test_key_without_namespace_is_a_config_error(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("config:\n  cloud: aws\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_config("x", tmp_path)
    assert "tdce:cloud" in str(caught.value)

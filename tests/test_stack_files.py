"""Every example stack file loads, as the Pulumi CLI would hand it to the program."""

from __future__ import annotations

import pytest
import yaml

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
    # Go's json.Marshal: keys sorted, no spaces (pkg.go.dev/encoding/json#Marshal).
    assert config.values["tdce:access"] == '{"ssh":true,"userCidrs":["10.0.0.0/8"]}'
    assert config.values["aws:skipCredentialsValidation"] == "true"


def test_missing_stack_file_names_the_stacks_that_exist(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_config("prod", tmp_path)
    assert "stacks here: dev" in str(caught.value)


def test_key_without_namespace_is_read_under_the_project_name_as_the_cli_does(tmp_path):
    # workspace/loaders.go, stackConfigNamespacedWithProject: `cloud` is `<project>:cloud`; Pulumi.yaml names the project.
    assert yaml.safe_load((CONFIG_DIR.parent / "Pulumi.yaml").read_text())["name"] == "tdce"
    (tmp_path / "Pulumi.x.yaml").write_text("config:\n  cloud: aws\n")
    assert read_stack_config("x", tmp_path).values == {"tdce:cloud": "aws"}


def test_a_key_given_with_and_without_the_namespace_is_refused(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("config:\n  tdce:cloud: aws\n  cloud: gcp\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_config("x", tmp_path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{tmp_path / 'Pulumi.x.yaml'}:3: ")
    assert "'cloud' and 'tdce:cloud' (line 2) are the same key tdce:cloud" in str(problem)

"""The AWS destroy runbook (docs/deleting-a-stack.md, its AWS part with the data tier): every command in it parses.

No cloud and no Pulumi CLI are reachable here, so the commands are parsed rather than run: `aws`
ones against botocore's API models (the AWS CLI's commands and options are those operations and
members, kebab-cased), `tdce` ones by the `tdce` parser, `pulumi` ones against the subcommands and
flags of the Pulumi CLI reference, and config keys against the settings model.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import botocore
import botocore.session
import pytest

from tdce.cli import parser
from tests.support import settings_of, stack_values

RUNBOOK = Path(__file__).resolve().parents[1] / "docs" / "deleting-a-stack.md"
# The AWS CLI's global options (AWS CLI Command Reference, "Global Options") and the ones its
# paginated commands add; every other option names a member of the operation's input.
AWS_GLOBAL_OPTIONS = {"--query", "--output", "--region", "--profile"}
# The Pulumi CLI reference (pulumi.com/docs/cli/commands): the subcommands the runbook uses and their flags.
PULUMI_COMMANDS = {
    ("config", "set"): {"--stack", "--secret", "--path"},
    ("stack", "output"): {"--stack", "--show-secrets", "--json"},
    ("up",): {"--stack", "--yes"},
    ("destroy",): {"--stack", "--yes"},
}


def aws_part() -> str:
    """From `## AWS` to the next `## ` heading: the GCP part's gcloud commands have no API models here."""
    match = re.search(r"^## AWS\n(.*?)(?=^## )", RUNBOOK.read_text(), flags=re.S | re.M)
    assert match, "the runbook has an AWS part"
    return match.group(1)


def commands() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", aws_part(), flags=re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    return [shlex.split(line, comments=True) for line in dict.fromkeys(lines)]


def test_the_runbook_has_commands_of_each_tool():
    tools = {command[0] for command in commands()}
    assert tools == {"aws", "pulumi", "tdce"}


@pytest.mark.parametrize("command", [c for c in commands() if c[0] == "aws"], ids=" ".join)
def test_aws_commands_name_real_operations_and_parameters(command):
    service, operation = command[1], command[2]
    model = botocore.session.get_session().get_service_model(service)
    operations = {botocore.xform_name(name, "-"): name for name in model.operation_names}
    assert operation in operations, f"aws {service} has no {operation}"
    members = {f"--{botocore.xform_name(name, '-')}" for name in model.operation_model(operations[operation]).input_shape.members}
    flags = {word for word in command[3:] if word.startswith("--")}
    # Boolean members take a --no-… form too (the AWS CLI's boolean arguments).
    unknown = {flag for flag in flags if flag not in members | AWS_GLOBAL_OPTIONS and f"--{flag[5:]}" not in members}
    assert not unknown, unknown
    required_members = model.operation_model(operations[operation]).input_shape.required_members
    required = {f"--{botocore.xform_name(name, '-')}" for name in required_members}
    assert required <= flags, required - flags


@pytest.mark.parametrize("command", [c for c in commands() if c[0] == "tdce"], ids=" ".join)
def test_tdce_commands_parse(command):
    parser().parse_args(command[1:])


@pytest.mark.parametrize("command", [c for c in commands() if c[0] == "pulumi"], ids=" ".join)
def test_pulumi_commands_use_documented_flags_and_real_settings(command):
    words = [w for w in command[1:] if not w.startswith("-")]
    subcommand = next(key for key in PULUMI_COMMANDS if tuple(words[: len(key)]) == key)
    flags = {word for word in command if word.startswith("--")}
    assert flags <= PULUMI_COMMANDS[subcommand], flags - PULUMI_COMMANDS[subcommand]
    if subcommand == ("config", "set"):
        # The key is a setting and the value one it takes: an Aurora stack with it loads.
        key, value = words[2], words[3]
        assert key.startswith("tdce:"), key
        values, secret_keys = stack_values("aws-aurora")
        settings = settings_of({**values, key: value}, secret_keys)
        assert settings.deletion_protection is (value == "true")

"""The README says what the code does: its commands run, its error examples are real, its tables match the models."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from pydantic import BaseModel

from config.channels import CHANNELS_BY_NAME
from config.errors import ConfigError
from config.loader import model_in, settings_from_config
from config.settings import Settings
from tdce.cli import EXIT_OK, main, parser
from tests.support import stack_values, with_setting

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has a section {title!r}"
    return match.group(1)


def tdce_commands() -> list[list[str]]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("uv run tdce "):
                commands.append(shlex.split(line)[3:])
    return commands


# These talk to AWS with the user's credentials; here they can only be checked to parse.
NEEDS_CLOUD_CREDENTIALS = {"preflight", "backup", "health"}


@pytest.mark.parametrize("arguments", tdce_commands(), ids=" ".join)
def test_readme_tdce_command_runs(arguments, tmp_path, monkeypatch):
    if arguments[0] in NEEDS_CLOUD_CREDENTIALS:
        assert parser().parse_args(arguments).stack in stack_names()
        return
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").mkdir()
    assert main(arguments) == EXIT_OK


def stack_names() -> set[str]:
    from config.stack_file import CONFIG_DIR

    return {path.name[len("Pulumi.") : -len(".yaml")] for path in CONFIG_DIR.glob("Pulumi.*.yaml")}


def test_readme_error_examples_are_what_the_loader_says():
    values, secrets = stack_values("aws-prod")
    values = with_setting(values, "workers[1].desiredCount", 4)
    values = with_setting(values, "workers[1].maxCount", 2)
    values["tdce:sever"] = "{}"
    with pytest.raises(ConfigError) as caught:
        settings_from_config(values, secrets)
    produced = [str(p) for p in caught.value.problems]
    example = re.search(r"```text\n(.*?)```", section("Deploying for real"), re.S).group(1).splitlines()
    for line in example:
        prefix = line.split("…", 1)[0]
        assert any(p.startswith(prefix) for p in produced), (line, produced)


def test_readme_channel_table_matches_the_matrix():
    rows = re.findall(r"^\| ([a-z-]+(?: / [a-z-]+)?) \| .*? \| .*? \| ([^|]+) \| [^|]+ \|$", section("The channel matrix"), re.M)
    rows = [row for row in rows if row[0] != "channel"]
    assert len(rows) == 12
    for names, ports in rows:
        for name, port_text in zip(names.split(" / "), ports.split(" / "), strict=True):
            channel = CHANNELS_BY_NAME[name]
            for port_range in channel.ports + channel.alternative_ports:
                assert str(port_range) in port_text, (name, port_text)


def setting_paths(model: type[BaseModel] = Settings, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        nested = model_in(field.annotation)
        paths |= setting_paths(nested, path + ".") if nested else {path}
    return paths


def documented_paths() -> set[str]:
    documented: set[str] = set()
    for heading, body in re.findall(r"^### (.*?)\n(.*?)(?=^### |^## |\Z)", section("Settings reference"), re.S | re.M):
        scopes = re.findall(r"`tdce:(\w+)`", heading)
        prefix = f"{scopes[0]}." if len(scopes) == 1 else ""
        for first_cell in re.findall(r"^\| ([^|]+) \|", body, re.M):
            for key in re.findall(r"`(?:tdce:)?([\w.]+)`", first_cell):
                documented.add(prefix + key)
    return documented


def test_every_setting_is_documented_in_the_readme_and_nothing_else():
    assert setting_paths() == documented_paths()


def test_every_canned_invoke_answer_is_documented():
    from tdce.mock_cloud import INVOKES

    documented = section("The offline plan: `tdce plan`")
    for token in INVOKES:
        module_and_function = token.rsplit(":", 1)[0]
        assert f"`{module_and_function}`" in documented or module_and_function.rsplit("/", 1)[1] in documented, token

"""The README and the reference pages say what the code does: error examples are real, tables match the models and the mocks.

The README's commands themselves run on a copy of the repository (tests/test_readme_commands.py).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from pydantic_core import PydanticUndefined

from config.channels import CHANNELS, CHANNELS_BY_NAME, Role
from config.errors import ConfigError
from config.loader import settings_from_config
from tdce.cli import parser
from tests.support import setting_fields, stack_values, with_setting

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"


def section(text: str, title: str, level: int = 2) -> str:
    hashes = "#" * level
    match = re.search(rf"^{hashes} {re.escape(title)}\n(.*?)(?=^#{{1,{level}}} |\Z)", text, re.S | re.M)
    assert match, f"a section {title!r}"
    return match.group(1)


def doc(name: str) -> str:
    return (DOCS / name).read_text()


def test_readme_error_examples_are_what_the_loader_says():
    values, secrets = stack_values("aws-prod")
    values = with_setting(values, "workers[1].desiredCount", 4)
    values = with_setting(values, "workers[1].maxCount", 2)
    values["tdce:sever"] = "{}"
    with pytest.raises(ConfigError) as caught:
        settings_from_config(values, secrets)
    produced = [str(p) for p in caught.value.problems]
    example = re.search(r"```text\n(.*?)```", section(README, "Deploy for real"), re.S).group(1).splitlines()
    assert example
    for line in example:
        prefix = line.split("…", 1)[0]
        assert any(p.startswith(prefix) for p in produced), (line, produced)


# --- docs/channels.md: one row per channel of the matrix, with its ends and ports --------------

# What the table's "to" cell says for each target outside the two machine roles, written out here.
TARGET_WORDS = {
    Role.SERVER: "server",
    Role.WORKERS: "workers",
    Role.LICENSE_HOST: "the vendor's license host",
    Role.CLOUD_API: "the cloud's compute and storage APIs",
    Role.EXTERNAL_DATA: "HTTPS data sources and cloud APIs the jobs use",
    Role.OBJECT_STORAGE: "object storage (the bundle bucket)",
    Role.DATABASE: "managed PostgreSQL",
    Role.SECRETS_ENDPOINT: "Secrets Manager interface endpoint",
    Role.RDS_ENDPOINT: "RDS API interface endpoint",
}


def channel_rows() -> dict[str, tuple[str, str, str]]:
    rows = re.findall(r"^\| ([a-z-]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| [^|]+ \|$", doc("channels.md"), re.M)
    return {name: (sources, target, ports) for name, sources, target, ports in rows if name != "channel"}


def test_channel_table_has_every_channel_of_the_matrix_and_nothing_else():
    assert set(channel_rows()) == set(CHANNELS_BY_NAME)


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.name)
def test_channel_table_row_names_the_channels_ends_and_ports(channel):
    sources, target, ports = channel_rows()[channel.name]
    named_sources = [re.sub(r"\s*\(.*", "", part).strip() for part in re.split(r",\s*(?![^(]*\))", sources)]
    assert named_sources == [role.value for role in channel.sources]
    assert target.strip() == TARGET_WORDS[channel.target]
    assert set(re.findall(r"\d+(?:-\d+)?", ports)) == {str(p) for p in channel.port_choices}


# --- docs/settings.md: every setting, nothing else, and the plain defaults --------------------


def documented_rows() -> list[tuple[list[str], str]]:
    """(keys of a row, its default cell), the keys as stack-file paths."""
    rows = []
    for heading, body in re.findall(r"^## (.*?)\n(.*?)(?=^## |\Z)", doc("settings.md"), re.S | re.M):
        scopes = re.findall(r"`tdce:(\w+)`", heading)
        prefix = f"{scopes[0]}." if len(scopes) == 1 else ""
        for first_cell, second_cell in re.findall(r"^\| ([^|]+) \| ([^|]*) \|", body, re.M):
            keys = [prefix + key for key in re.findall(r"`(?:tdce:)?([\w.]+)`", first_cell)]
            if keys:
                rows.append((keys, second_cell.strip()))
    return rows


def test_every_setting_is_documented_and_nothing_else():
    documented = {key for keys, _ in documented_rows() for key in keys}
    assert set(setting_fields()) == documented


def as_written(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple | list):
        return "[]" if not value else repr(value)
    if isinstance(value, dict):
        return "{}" if not value else repr(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def plain_defaults() -> list[tuple[str, str]]:
    """(key, the default the page writes) where the cell is one plain literal per key, or one for all."""
    found = []
    for keys, cell in documented_rows():
        pieces = [piece.strip() for piece in cell.split(" / ")]
        if len(pieces) == 1:
            pieces = pieces * len(keys)
        if len(pieces) != len(keys):
            continue
        for key, piece in zip(keys, pieces, strict=True):
            literal = re.fullmatch(r"`([^`]+)`", piece)
            if literal:
                found.append((key, literal.group(1)))
    return found


def test_the_plain_defaults_on_the_settings_page_are_the_models():
    fields = setting_fields()
    checked = 0
    for key, written in plain_defaults():
        field = fields[key]
        if field.default is PydanticUndefined and field.default_factory is None:
            continue  # a required field whose default the settings builder supplies per cloud
        default = field.default_factory() if field.default_factory is not None else field.default
        assert as_written(default) == written, (key, default, written)
        checked += 1
    assert checked >= 30  # most rows are plain; a parser that found none would pass vacuously


# --- docs/offline-plan.md: every canned answer ---------------------------------------------


def test_every_canned_invoke_answer_is_documented():
    from tdce.mock_cloud import INVOKES

    documented = section(doc("offline-plan.md"), "What the offline plan assumes")
    for token in INVOKES:
        module_and_function = token.rsplit(":", 1)[0]
        assert f"`{module_and_function}`" in documented or module_and_function.rsplit("/", 1)[1] in documented, token


def test_the_made_up_values_the_page_names_are_the_mocks():
    from tdce.mock_cloud import aws, aws_data, gcp

    documented = section(doc("offline-plan.md"), "What the offline plan assumes")
    values = [
        aws.DEBIAN_12_IMAGE_ID,
        aws.DEBIAN_12_ARM64_IMAGE_ID,
        aws.WINDOWS_IMAGE_ID,
        aws.MARKETPLACE_IMAGE_ID,
        aws.ACCOUNT_ID,
        aws.ELASTIC_IP,
        gcp.DEBIAN_12_IMAGE,
        gcp.DEBIAN_12_ARM64_IMAGE,
        gcp.WINDOWS_IMAGE,
        gcp.PROJECT_NUMBER,
        gcp.SERVER_ADDRESS,
        gcp.PRIVATE_SERVICES_RANGE,
        gcp.DATABASE_PRIVATE_ADDRESS,
        gcp.RANDOM_SHUFFLE,
        f"<major>.{aws_data.OFFLINE_NEWEST_MINOR}",
    ]
    missing = [value for value in values if f"`{value}`" not in documented]
    assert not missing


def test_the_reserved_internal_address_is_the_one_documented():
    # The page: "the subnet's network address + 10 (in `10.40.0.0/24`: `10.40.0.10`)".
    from tdce.mock_cloud.aws import first_host

    assert first_host("10.40.0.0/24") == "10.40.0.10"
    assert "`10.40.0.0/24`: `10.40.0.10`" in doc("offline-plan.md")


# --- the pull-request workflow's preview stacks --------------------------------------------


def preview_stacks() -> set[str]:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    return set(workflow["jobs"]["preview"]["strategy"]["matrix"]["stack"])


@pytest.mark.parametrize("page", ["README.md", "docs/policy-pack.md"])
def test_the_preview_stacks_named_are_the_workflows(page):
    text = " ".join((ROOT / page).read_text().split())
    match = re.search(r"(?:of|for) the stacks? ((?:aws|gcp)-[\w-]+(?:, (?:aws|gcp)-[\w-]+)* and (?:aws|gcp)-[\w-]+)", text)
    assert match, f"{page} names the stacks the preview job covers"
    named = set(re.split(r", | and ", match.group(1)))
    assert named == preview_stacks()


# --- tdce commands in the reference pages parse -------------------------------------------


def docs_tdce_commands() -> list[tuple[str, list[str]]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"```sh\n(.*?)```", page.read_text(), re.S):
            for line in block.splitlines():
                words = shlex.split(line, comments=True)
                if words and words[0] in ("tdce", ".venv/bin/tdce"):
                    found.append((page.name, words[1:]))
    return found


@pytest.mark.parametrize(("page", "arguments"), docs_tdce_commands(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_tdce_commands_in_the_reference_pages_parse(page, arguments):
    parser().parse_args(arguments)

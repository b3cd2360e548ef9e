"""Both clouds export the outputs docs/outputs.md lists, under the same names, and nothing it does not list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import EXAMPLE_STACKS, plan_of

DOC = (Path(__file__).resolve().parent.parent / "docs" / "outputs.md").read_text()
# Written here from the design: what a user reads on either cloud.
COMMON = {
    "dashboardUrl", "sdkEndpoint", "serverPublicIp", "serverPrivateIp", "bucketName", "networkId", "subnetIds",
    "serverFirewallGroup", "workerFirewallGroup", "serverIdentity", "workerIdentity", "workerGroupNames",
    "dataDiskId", "serverImage", "dashboardAdminPasswordSecret", "deploymentDocument",
}  # fmt: skip


def documented(section: str) -> set[str]:
    body = DOC.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return {name for row in re.findall(r"^\| (`.+?) \|", body, re.M) for name in re.findall(r"`(\w+)`", row)}


def test_the_doc_lists_the_common_outputs():
    assert documented("On both clouds") == COMMON


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_each_stack_exports_the_common_outputs_and_only_documented_extras(stack):
    outputs = set(plan_of(stack).outputs)
    assert COMMON <= outputs
    extras = documented("With a managed database") | documented("With backups")
    assert outputs - COMMON <= extras


# From docs/outputs.md's tables and each example stack's `database.engine` and `backup.enabled`.
AURORA = {
    "databaseEndpoint",
    "databasePort",
    "databaseReaderEndpoint",
    "databaseAdminPasswordSecret",
    "databaseUserPasswordSecret",
}
CLOUD_SQL = {"databaseEndpoint", "databasePort", "databaseConnectionName", "databaseAdminPasswordSecret"}
EXTRAS_BY_STACK = {
    "aws-prod": {"backupVaultName"},  # local database, backups on
    "aws-dev": set(),  # local database, no backups
    "aws-aurora": AURORA | {"backupVaultName"},
    "aws-restore": AURORA,
    "gcp-prod": CLOUD_SQL | {"backupPolicyName"},
    "gcp-restore": CLOUD_SQL | {"backupPolicyName"},
}


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_each_stack_exports_the_extras_of_its_database_and_backups(stack):
    assert set(plan_of(stack).outputs) - COMMON == EXTRAS_BY_STACK[stack]


@pytest.mark.parametrize("key", sorted(COMMON))
def test_common_outputs_have_the_same_type_on_both_clouds(key):
    aws, gcp = plan_of("aws-prod").outputs[key], plan_of("gcp-prod").outputs[key]
    assert type(aws) is type(gcp), key

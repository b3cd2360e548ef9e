"""Each validation rule rejects a bad value with a message that names the key."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.loader import settings_from_config
from tests.support import DELETE, stack_values, with_setting


def problems_for(stack: str, changes: dict, secret_keys: frozenset[str] | None = None) -> list[str]:
    values, secrets = stack_values(stack)
    for path, value in changes.items():
        values = with_setting(values, path, value)
    with pytest.raises(ConfigError) as caught:
        settings_from_config(values, secrets if secret_keys is None else secret_keys)
    return [str(problem) for problem in caught.value.problems]


def assert_problem(problems: list[str], key: str, *fragments: str) -> None:
    matching = [p for p in problems if p.startswith(f"{key}: ")]
    assert matching, f"no problem for {key} in {problems}"
    assert any(all(fragment in p for fragment in fragments) for p in matching), matching


@pytest.mark.parametrize(
    ("changes", "key", "fragments"),
    [
        ({"network.vpcCidr": "10.20.0.0/33"}, "tdce:network.vpcCidr", ("must be a CIDR",)),
        ({"network.vpcCidr": "10.20.0.1/16"}, "tdce:network.vpcCidr", ("host bits",)),
        (
            {"network.subnetCidrs": ["10.20.0.0/24", "10.99.0.0/24"]},
            "tdce:network.subnetCidrs[1]",
            ("inside vpcCidr (10.20.0.0/16)",),
        ),
        (
            {"network.subnetCidrs": ["10.20.0.0/24", "10.20.0.128/25"]},
            "tdce:network.subnetCidrs[1]",
            ("overlaps subnetCidrs[0]",),
        ),
        ({"access.userCidrs": ["not-a-cidr"]}, "tdce:access.userCidrs[0]", ("must be a CIDR", "not-a-cidr")),
        ({"access.userCidrs": []}, "tdce:access.userCidrs", ("at least 1",)),
        ({"access.userCidrs": DELETE}, "tdce:access.userCidrs", ("required",)),
        ({"access.adminCidrs": ["0.0.0.0/0"]}, "tdce:access.adminCidrs", ("0.0.0.0/0", "never open to the whole internet")),
        ({"access.adminCidrs": ["::/0"]}, "tdce:access.adminCidrs", ("::/0",)),
        ({"access.managementPort": 8080}, "tdce:access.managementPort", ("25001", "25002", "got 8080")),
        ({"access.ssh": True, "access.adminCidrs": []}, "tdce:access.adminCidrs", ("access.ssh",)),
        ({"restore.dataDiskSnapshotId": "snapshot-1"}, "tdce:restore.dataDiskSnapshotId", ("snap-",)),
        ({"server.image": "debian-12"}, "tdce:server.image", ("ami-",)),
        ({"workers[0].extraSecurityGroups": ["group-1"]}, "tdce:workers[0].extraSecurityGroups[0]", ("sg-",)),
        (
            {"workers[1].desiredCount": 4, "workers[1].maxCount": 2},
            "tdce:workers[1].maxCount",
            ("must be ≥ desiredCount (4), got 2",),
        ),
        (
            {"workers[0].minCount": 3, "workers[0].desiredCount": 1},
            "tdce:workers[0].minCount",
            ("must be ≤ desiredCount (1), got 3",),
        ),
        ({"workers[1].name": "linux-ondemand"}, "tdce:workers[1].name", ("unique",)),
        ({"workers[0].spotMaxPrice": "0.5"}, "tdce:workers[0].spotMaxPrice", ("spot",)),
        ({"workers[0].os": "macos"}, "tdce:workers[0].os", ("'linux' or 'windows'", "macos")),
        ({"workers[0].disk.type": "pd-ssd"}, "tdce:workers[0].disk.type", ("gp3, gp2",)),
        ({"database.engine": "cloudsql"}, "tdce:database.engine", ("not offered on aws", "local, aurora")),
        ({"database.engine": "oracle"}, "tdce:database.engine", ("'local', 'aurora' or 'cloudsql'",)),
        ({"server.instanceType": "t3.large"}, "tdce:server.instanceType", ("xlarge or larger", "t3.large")),
        ({"server.dataDisk.sizeGb": "lots"}, "tdce:server.dataDisk.sizeGb", ("whole number", "lots")),
        ({"cloud": "azure"}, "tdce:cloud", ("'aws' or 'gcp'", "azure")),
        ({"region": "Europe"}, "tdce:region", ("an AWS region", "Europe")),
        ({"zones": ["eu-west-1a"]}, "tdce:zones", ("at least 2",)),
        ({"zones": ["eu-west-1a", "us-east-1b"]}, "tdce:zones[1]", ("eu-west-1",)),
        ({"project": "my-project"}, "tdce:project", ("GCP only",)),
        ({"backup.dailyAtUtc": "25:00"}, "tdce:backup.dailyAtUtc", ("HH:MM",)),
        ({"tags": {"aws:owner": "x"}}, "tdce:tags.aws:owner", ("aws:",)),
        ({"database.aurora": {"minCapacity": 1}}, "tdce:database.aurora", ("only applies when engine is 'aurora'",)),
    ],
)
def test_aws_rule_rejects_bad_value_naming_the_key(changes, key, fragments):
    assert_problem(problems_for("aws-prod", changes), key, *fragments)


@pytest.mark.parametrize(
    ("changes", "key", "fragments"),
    [
        ({"database.engine": "aurora"}, "tdce:database.engine", ("not offered on gcp", "local, cloudsql")),
        ({"project": DELETE}, "tdce:project", ("required on gcp",)),
        ({"server.keyPair": "mine"}, "tdce:server.keyPair", ("OS Login",)),
        ({"server.instanceType": "n2-standard-2"}, "tdce:server.instanceType", ("at least 4 vCPUs",)),
        ({"workers[0].extraSecurityGroups": ["sg-0123456789abcdef0"]}, "tdce:workers[0].extraSecurityGroups", ("AWS only",)),
        ({"tags": {"Owner": "Research"}}, "tdce:tags.Owner", ("lowercase",)),
        ({"restore.dataDiskSnapshotId": "Data_Disk"}, "tdce:restore.dataDiskSnapshotId", ("GCP snapshot name",)),
    ],
)
def test_gcp_rule_rejects_bad_value_naming_the_key(changes, key, fragments):
    assert_problem(problems_for("gcp-prod", changes), key, *fragments)


def test_unknown_top_level_key_suggests_the_closest():
    assert_problem(problems_for("aws-prod", {"sever": "{}"}), "tdce:sever", "did you mean 'server'?")


def test_unknown_nested_key_suggests_the_closest():
    problems = problems_for("aws-prod", {"workers[0].maxCont": 3})
    assert_problem(problems, "tdce:workers[0].maxCont", "did you mean 'maxCount'?")


def test_a_missing_cloud_names_the_two_it_can_be():
    problems = problems_for("aws-prod", {"cloud": DELETE})
    assert "tdce:cloud: is required: 'aws' or 'gcp'" in problems


def test_a_missing_key_of_no_fixed_values_is_only_required():
    problems = problems_for("aws-prod", {"access.userCidrs": DELETE})
    assert "tdce:access.userCidrs: is required" in problems


def test_all_problems_are_reported_at_once_one_line_each():
    problems = problems_for("aws-prod", {"cloud": "azure", "access.adminCidrs": ["0.0.0.0/0"], "backup.retentionDays": 0})
    keys = {p.split(": ", 1)[0] for p in problems}
    assert {"tdce:cloud", "tdce:access.adminCidrs", "tdce:backup.retentionDays"} <= keys
    assert all("\n" not in p for p in problems)


def test_password_in_plain_text_config_is_refused():
    problems = problems_for("aws-prod", {"dashboardAdminPassword": "Abcdefgh12345678"}, secret_keys=frozenset())
    assert_problem(problems, "tdce:dashboardAdminPassword", "--secret")


def test_password_with_punctuation_is_refused_without_echoing_it():
    secret = "Correct-Horse-Battery!"
    values, _ = stack_values("aws-prod")
    values = with_setting(values, "dashboardAdminPassword", secret)
    with pytest.raises(ConfigError) as caught:
        settings_from_config(values, frozenset({"tdce:dashboardAdminPassword"}))
    assert_problem([str(p) for p in caught.value.problems], "tdce:dashboardAdminPassword", "letters and digits")
    assert secret not in str(caught.value)


def test_aurora_restore_requires_the_old_user_password():
    problems = problems_for(
        "aws-prod", {"database.engine": "aurora", "restore.databaseSnapshotIdentifier": "tdce-prod-2026-11-01"}
    )
    assert_problem(problems, "tdce:databaseUserPassword", "restoring Aurora")


RESTORING_AURORA = {"database.engine": "aurora", "restore.databaseSnapshotIdentifier": "tdce-prod-2026-11-01"}


@pytest.mark.parametrize("name", ["techila", "techila_clone"])
def test_a_restored_aurora_user_is_one_of_the_two_names_rotation_alternates(name):
    # AWS's alternating-users rotation moves the secret between "the original user and the user
    # with _clone appended to it"; the application user is `techila`.
    problems = problems_for("aws-prod", {**RESTORING_AURORA, "restore.databaseUserName": name})
    assert not [p for p in problems if "databaseUserName" in p]


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({**RESTORING_AURORA, "restore.databaseUserName": "postgres"}, "'techila' or 'techila_clone'"),
        ({**RESTORING_AURORA, "restore.databaseUserName": "techila_clone_clone"}, "'techila' or 'techila_clone'"),
        ({"database.engine": "aurora", "restore.databaseUserName": "techila_clone"}, "only applies with databaseSnapshot"),
    ],
    ids=["another user", "a name rotation never gives", "no snapshot to restore"],
)
def test_a_restored_aurora_user_name_is_refused_unless_it_can_be_the_old_secrets(changes, why):
    assert_problem(problems_for("aws-prod", changes), "tdce:restore.databaseUserName", why)


def test_a_bad_restored_user_name_and_a_bad_snapshot_identifier_are_both_reported():
    changes = {"database.engine": "aurora", "restore.databaseSnapshotIdentifier": "1-not-an-id", "restore.databaseUserName": "x"}
    problems = problems_for("aws-prod", changes)
    assert_problem(problems, "tdce:restore.databaseUserName", "'techila' or 'techila_clone'")
    assert_problem(problems, "tdce:restore.databaseSnapshotIdentifier", "must be a DB cluster snapshot identifier")


def test_invalid_json_object_is_reported_not_raised():
    # A string is set as it is: the stack file's value is not JSON.
    assert_problem(problems_for("aws-prod", {"access": "{userCidrs: [}"}), "tdce:access", "not valid JSON")


# Pulumi's own Config.get_bool takes true/True and false/False, nothing else (pulumi/config.py); the
# Pulumi CLI hands a top-level switch over as that text, and one inside an object as a JSON boolean.
@pytest.mark.parametrize(
    ("path", "given"),
    [
        ("deletionProtection", "no"),
        ("deletionProtection", "0"),
        ("access.ssh", "yes"),
        ("access.ssh", 1),
        ("backup.enabled", "on"),
    ],
)
def test_a_switch_is_true_or_false_not_a_word_or_a_number(path, given):
    assert_problem(problems_for("aws-prod", {path: given}), f"tdce:{path}", "must be true or false, got")


@pytest.mark.parametrize(("given", "read"), [("true", True), ("True", True), ("false", False), ("False", False)])
def test_a_top_level_switch_is_read_as_pulumi_reads_it(given, read):
    values, secrets = stack_values("aws-prod")
    assert settings_from_config(with_setting(values, "deletionProtection", given), secrets).deletion_protection is read


@pytest.mark.parametrize("given", [True, False])
def test_a_switch_inside_an_object_is_a_json_boolean(given):
    values, secrets = stack_values("aws-prod")
    assert settings_from_config(with_setting(values, "access.ssh", given), secrets).access.ssh is given


def test_one_bad_item_of_a_list_that_must_not_be_empty_is_one_line():
    # One line per problem: the list has an item, so "must have at least 1 item(s)" would be false.
    assert problems_for("aws-prod", {"access.userCidrs": ["198.51.100.7/24"]}) == [
        "tdce:access.userCidrs[0]: must be a CIDR such as 10.0.0.0/16 or 203.0.113.7/32, got '198.51.100.7/24' "
        "(198.51.100.7/24 has host bits set)"
    ]
    assert problems_for("aws-prod", {"access.userCidrs": []}) == ["tdce:access.userCidrs: must have at least 1 item(s)"]


@pytest.mark.parametrize(
    ("path", "given"),
    [
        ("workers[0].maxCount", True),
        ("server.dataDisk.sizeGb", True),
        ("backup.retentionDays", False),
        ("workers[0].spotMaxPrice", True),
    ],
)
def test_a_number_is_not_a_switch(path, given):
    # pydantic alone reads true as 1: `maxCount: true` would have been one worker.
    key = "tdce:" + path
    assert f"{key}: must be a number, got {str(given).lower()}" in problems_for("aws-prod", {path: given})

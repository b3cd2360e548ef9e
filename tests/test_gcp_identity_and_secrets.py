"""GCP identities and secrets: narrow grants, passwords only ever as Pulumi secrets, rotation that notifies."""

from __future__ import annotations

import json

import pytest

from config.stack_file import SECRET_PLACEHOLDER
from tdce.mock_cloud import OFFLINE_RANDOM_PASSWORD
from tdce.planner import Plan, plan_config
from tests.support import of_type, plan_of, stack_values, with_setting

PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
ACCOUNT_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
SECRET = "gcp:secretmanager/secret:Secret"
SECRET_VERSION = "gcp:secretmanager/secretVersion:SecretVersion"
SECRET_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
GCP_STACKS = ["gcp-prod", "gcp-restore"]


def member(plan: Plan, output: str) -> str:
    return f"serviceAccount:{plan.outputs[output]}"


def named(plan: Plan, type_token: str, name: str):
    (resource,) = [r for r in of_type(plan, type_token) if r.name == name]
    return resource


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_may_act_as_the_worker_account_and_no_other(stack):
    plan = plan_of(stack)
    (grant,) = of_type(plan, ACCOUNT_MEMBER)
    assert grant.inputs["role"] == "roles/iam.serviceAccountUser"
    assert grant.inputs["member"] == member(plan, "serverIdentity")
    assert plan.outputs["workerIdentity"] in grant.inputs["serviceAccountId"]
    assert all(g.inputs["role"] != "roles/iam.serviceAccountUser" for g in of_type(plan, PROJECT_MEMBER))


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_and_the_workers_may_write_logs_and_metrics(stack):
    plan = plan_of(stack)
    grants = {(g.inputs["member"], g.inputs["role"]) for g in of_type(plan, PROJECT_MEMBER) if "condition" not in g.inputs}
    for machine in ("serverIdentity", "workerIdentity"):
        assert (member(plan, machine), "roles/logging.logWriter") in grants
        assert (member(plan, machine), "roles/monitoring.metricWriter") in grants


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_no_password_appears_in_plain_text_anywhere_in_the_plan(stack):
    plan = plan_of(stack)
    text = json.dumps(plan.as_json())
    assert OFFLINE_RANDOM_PASSWORD[:16] not in text
    assert SECRET_PLACEHOLDER not in text
    versions = of_type(plan, SECRET_VERSION)
    assert versions and all(version.inputs["secretData"] == "[secret]" for version in versions)
    assert all(
        database.inputs["rootPassword"] == "[secret]" for database in of_type(plan, "gcp:sql/databaseInstance:DatabaseInstance")
    )


def test_a_configured_dashboard_password_is_stored_not_generated():
    plan = plan_of("gcp-restore")
    assert plan.settings.dashboard_admin_password is not None
    generated = {r.name for r in of_type(plan, "random:index/randomPassword:RandomPassword")}
    assert "tdce-dashboard-admin-password-generated" not in generated
    assert "tdce-dashboard-admin-password-generated" in {
        r.name for r in of_type(plan_of("gcp-prod"), "random:index/randomPassword:RandomPassword")
    }


def test_the_dashboard_secret_stores_the_configured_password_itself(monkeypatch: pytest.MonkeyPatch):
    # The plan shows only `[secret]`; unmasked (as test_aws_database.py's user_secret_value does),
    # the version the program sends must hold the literal password this test configures. (The stack
    # file's own value is a placeholder ciphertext, so the test sets a password of its own.)
    import tdce.recording

    monkeypatch.setattr(tdce.recording, "masked", lambda value: value)
    values, secret_keys = stack_values("gcp-restore")
    values = with_setting(values, "dashboardAdminPassword", "ChosenGcpDashboardPassword7")
    plan = plan_config("gcp-restore", values, secret_keys | {"tdce:dashboardAdminPassword"})  # not cached: sees the patch
    secret = named(plan, SECRET, "tdce-dashboard-admin-password-secret")
    (version,) = [v for v in of_type(plan, SECRET_VERSION) if v.inputs["secret"] == secret.id]
    sent = version.inputs["secretData"]
    assert isinstance(sent, dict)  # still marked secret on the wire
    assert sent["value"] == "ChosenGcpDashboardPassword7"


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_dashboard_password_is_readable_by_the_server_account_only(stack):
    plan = plan_of(stack)
    secret = named(plan, SECRET, "tdce-dashboard-admin-password-secret")
    readers = [grant for grant in of_type(plan, SECRET_MEMBER) if grant.inputs["secretId"] == secret.id]
    assert [(g.inputs["member"], g.inputs["role"]) for g in readers] == [
        (member(plan, "serverIdentity"), "roles/secretmanager.secretAccessor")
    ]
    assert all("secretmanager" not in grant.inputs["role"] for grant in of_type(plan, PROJECT_MEMBER))
    # The output names the secret; the value stays in Secret Manager.
    assert plan.outputs["dashboardAdminPasswordSecret"].startswith("projects/")
    assert plan.outputs["dashboardAdminPasswordSecret"].endswith(f"/secrets/{secret.name}")


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_boots_only_after_the_grants_it_uses_at_boot_exist(stack):
    # IAM grants take effect some time after they are made ("Access change propagation"); the server
    # starts after them, and what runs on it retries.
    plan = plan_of(stack)
    (server,) = of_type(plan, "gcp:compute/instance:Instance")
    server_member = member(plan, "serverIdentity")
    needed = [g for g in of_type(plan, SECRET_MEMBER) if g.inputs["member"] == server_member]
    needed += [g for g in of_type(plan, "gcp:storage/bucketIAMMember:BucketIAMMember") if g.inputs["member"] == server_member]
    needed += [g for g in of_type(plan, PROJECT_MEMBER) if g.inputs["role"] == "roles/logging.logWriter"]
    assert len(needed) >= 3
    assert all(grant.urn in server.dependencies for grant in needed)

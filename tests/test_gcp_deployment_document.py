"""What the server is told on GCP: the deployment document in its metadata, in deployment.env, as a stack output (issue 11)."""

from __future__ import annotations

import json

import pytest

from tests.support import DELETE, of_type, plan_of, plan_variant

GCP_STACKS = ["gcp-prod", "gcp-restore"]
# docs/deployment-document.md, Keys.
KEYS = {
    "schemaVersion", "cloud", "stack", "region", "deploymentTag", "namePrefix", "networkId", "subnetIds",
    "workerFirewallGroup", "workerIdentity", "bucket", "server", "allowedExtra", "project", "zones",
    "serverServiceAccount", "labels", "dashboardPools", "database",
}  # fmt: skip


def document(plan) -> dict:
    return json.loads(plan.outputs["deploymentDocument"])


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_server_reads_the_same_document_from_its_metadata_as_the_stack_exports(stack):
    plan = plan_of(stack)
    (server,) = of_type(plan, "gcp:compute/instance:Instance")
    assert server.inputs["metadata"]["tdce-deployment"] == plan.outputs["deploymentDocument"]
    assert set(document(plan)) == KEYS


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_document_names_this_deployment_and_nothing_secret(stack):
    plan = plan_of(stack)
    doc, outputs = document(plan), plan.outputs
    assert doc["cloud"] == "gcp" and doc["stack"] == stack and doc["project"] == plan.settings.project
    assert doc["deploymentTag"] == {"key": "tdce-stack", "value": stack}
    assert doc["namePrefix"] == f"tdce-{stack}--"
    # 000_8bca743440dfe33c.txt, GCP table: Required1 (signal 20001) and Required2 (data 20002).
    assert doc["server"] == {"privateIp": outputs["serverPrivateIp"], "signalPort": 20001, "dataPort": 20002}
    assert (doc["networkId"], doc["subnetIds"]) == (outputs["networkId"], outputs["subnetIds"])
    assert doc["bucket"] == outputs["bucketName"]
    assert doc["workerIdentity"] == doc["workerFirewallGroup"] == outputs["workerIdentity"]
    assert doc["labels"]["tdce-stack"] == stack
    text = json.dumps(doc)
    assert "[secret]" not in text and "OfflinePlanGenerated" not in text


def test_the_document_lists_the_dashboard_pools_templates_and_the_database_login():
    doc = document(plan_of("gcp-restore"))
    # gcp-restore: linux-ondemand is Pulumi's (a group), windows-spot the dashboard's (a template).
    assert set(doc["dashboardPools"]) == {"windows-spot"}
    assert doc["dashboardPools"]["windows-spot"]["maxCount"] == 20
    assert "/instanceTemplates/tdce-gcp-restore--windows-spot-" in doc["dashboardPools"]["windows-spot"]["template"]
    assert doc["zones"] == ["europe-north1-b"]
    assert doc["database"]["connectionName"].startswith("tdce-prod-example:europe-north1:")
    # Cloud SQL names a service account's IAM user by its email without ".gserviceaccount.com".
    assert doc["database"]["iamUser"] == "tdce-gcp-restore-server@tdce-prod-example.iam"


def test_without_cloud_sql_the_document_has_no_database():
    plan = plan_variant("gcp-prod", {"database.engine": "local", "database.cloudsql": DELETE})
    assert "database" not in document(plan)


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_first_boot_writes_deployment_env_from_the_document(stack):
    plan = plan_of(stack)
    doc = document(plan)
    (server,) = of_type(plan, "gcp:compute/instance:Instance")
    script = server.inputs["metadata"]["startup-script"]
    for line in (
        f"TDCE_NAME_PREFIX={doc['namePrefix']}",
        f"TDCE_DEPLOYMENT_TAG=tdce-stack={stack}",
        f"TDCE_SERVER_PRIVATE_IP={doc['server']['privateIp']}",
        "TDCE_SIGNAL_PORT=20001",
        "TDCE_DATA_PORT=20002",
        f"TDCE_WORKER_IDENTITY={doc['workerIdentity']}",
        f"TDCE_ZONES={','.join(doc['zones'])}",
        f"TDCE_CLOUDSQL_CONNECTION_NAME={doc['database']['connectionName']}",
    ):
        assert line in script, line
    assert "ENV_DIR=/etc/tdce\n" in script and '> "$ENV_DIR/deployment.env"' in script

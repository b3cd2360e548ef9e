"""/etc/tdce/deployment.env: the same lines under the same names on both clouds (docs/deployment-document.md)."""

from __future__ import annotations

import shlex

import pytest

from tests.support import of_type, plan_of

# The lines docs/deployment-document.md promises on both clouds, written out here, not read from the code.
BOTH_CLOUDS = {
    "TDCE_CLOUD",
    "TDCE_STACK",
    "TDCE_REGION",
    "TDCE_DEPLOYMENT_TAG",
    "TDCE_NAME_PREFIX",
    "TDCE_NETWORK_ID",
    "TDCE_SUBNET_IDS",
    "TDCE_WORKER_FIREWALL_GROUP",
    "TDCE_WORKER_IDENTITY",
    "TDCE_BUCKET",
    "TDCE_SIGNAL_PORT",
    "TDCE_DATA_PORT",
    "TDCE_ADMIN_PASSWORD_SECRET",
}
# What each cloud adds, and the one line AWS writes at boot (the instance's address from its metadata).
AWS_ONLY = {"TDCE_DEPLOYMENT_PARAMETER", "AWS_REGION", "TDCE_ALLOWED_WORKER_ROLES", "TDCE_ALLOWED_WORKER_SECURITY_GROUPS"}
GCP_ONLY = {
    "GOOGLE_CLOUD_PROJECT",
    "TDCE_ZONES",
    "TDCE_SERVER_PRIVATE_IP",
    "TDCE_ALLOWED_SERVICE_ACCOUNTS",
    "TDCE_DEPLOYMENT_DOCUMENT_URL",
    # gcp-prod runs Cloud SQL (database.engine: cloudsql): what the server's Cloud SQL Auth Proxy needs.
    "TDCE_CLOUDSQL_CONNECTION_NAME",
    "TDCE_DATABASE_IAM_USER",
}
SERVERS = {"aws-prod": ("aws:ec2/instance:Instance", "userData"), "gcp-prod": ("gcp:compute/instance:Instance", "metadata")}


def env_lines(stack: str) -> dict[str, str]:
    """The env file's lines as the server's boot script holds them (its DEPLOYMENT_ENV variable)."""
    type_token, script_input = SERVERS[stack]
    (server,) = of_type(plan_of(stack), type_token)
    script = server.inputs[script_input]
    script = script["startup-script"] if isinstance(script, dict) else script
    assignment = next(line for line in script.splitlines(keepends=True) if line.startswith("DEPLOYMENT_ENV="))
    start = script.index(assignment) + len("DEPLOYMENT_ENV=")
    value = shlex.shlex(script[start:], posix=True)
    value.whitespace_split = True
    text = value.get_token()
    return dict(line.split("=", 1) for line in text.splitlines())


@pytest.mark.parametrize(("stack", "own"), [("aws-prod", AWS_ONLY), ("gcp-prod", GCP_ONLY)])
def test_both_clouds_write_the_same_lines_and_their_own(stack, own):
    assert set(env_lines(stack)) == BOTH_CLOUDS | own


@pytest.mark.parametrize(
    ("stack", "tag", "cloud"),
    # The deployment tag: `tdce:stack` on AWS, the label `tdce-stack` on GCP (label keys take no colon).
    [("aws-prod", "tdce:stack=aws-prod", "aws"), ("gcp-prod", "tdce-stack=gcp-prod", "gcp")],
)
def test_the_shared_lines_hold_the_deployments_values(stack, tag, cloud):
    lines = env_lines(stack)
    assert lines["TDCE_DEPLOYMENT_TAG"] == tag
    assert lines["TDCE_CLOUD"] == cloud
    assert (lines["TDCE_SIGNAL_PORT"], lines["TDCE_DATA_PORT"]) == ("20001", "20002")  # 000_…: signal and data ports


def test_aws_adds_the_servers_own_address_at_boot():
    (server,) = of_type(plan_of("aws-prod"), "aws:ec2/instance:Instance")
    assert 'echo "TDCE_SERVER_PRIVATE_IP=$address" >> "$ENV_DIR/deployment.env"' in server.inputs["userData"]

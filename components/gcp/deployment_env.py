"""The deployment document (components/deployment_document.py) as /etc/tdce/deployment.env lines on GCP.

One `KEY=value` per line, lists joined by commas; values hold no spaces or quotes, so the file can be
sourced by a shell and read by systemd's EnvironmentFile. docs/deployment-document.md lists the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.deployment_document import DeploymentDocument
from config.channels import DATA, SIGNAL


def deployment_env(document: DeploymentDocument, *, admin_password_secret: pulumi.Input[str]) -> pulumi.Output[dict[str, str]]:
    key, value = document.deployment_tag
    extra = dict(document.extra)
    return pulumi.Output.all(
        network=document.network_id,
        subnets=pulumi.Output.all(*document.subnet_ids),
        worker=document.worker_identity,
        bucket=document.bucket,
        server_ip=document.server_private_ip,
        zones=pulumi.Output.from_input(extra.get("zones", [])),
        database=pulumi.Output.from_input(extra.get("database", {})),
        secret=admin_password_secret,
    ).apply(lambda values: _lines(document, key, value, extra, values))


def _lines(
    document: DeploymentDocument, key: str, value: str, extra: Mapping[str, Any], values: Mapping[str, Any]
) -> dict[str, str]:
    return {
        "TDCE_CLOUD": document.cloud,
        "TDCE_STACK": document.stack,
        "GOOGLE_CLOUD_PROJECT": str(extra["project"]),
        "TDCE_REGION": document.region,
        "TDCE_ZONES": ",".join(values["zones"]),
        "TDCE_NETWORK": values["network"],
        "TDCE_SUBNETS": ",".join(values["subnets"]),
        "TDCE_WORKER_SERVICE_ACCOUNT": values["worker"],
        "TDCE_EXTRA_WORKER_SERVICE_ACCOUNTS": ",".join(document.allowed_extra.get("serviceAccounts", ())),
        "TDCE_BUCKET": values["bucket"],
        "TDCE_DEPLOYMENT_LABEL": f"{key}={value}",
        "TDCE_NAME_PREFIX": document.name_prefix,
        "TDCE_SERVER_PRIVATE_IP": values["server_ip"],
        "TDCE_SIGNAL_PORT": str(SIGNAL.ports[0].first),
        "TDCE_DATA_PORT": str(DATA.ports[0].first),
        # The secret's resource name; the installer reads the password itself from Secret Manager.
        "TDCE_ADMIN_PASSWORD_SECRET": values["secret"],
        **_database_lines(values["database"]),
        # The whole document, for what the lines leave out.
        "TDCE_DEPLOYMENT_DOCUMENT_URL": DOCUMENT_METADATA_URL,
    }


def _database_lines(database: Mapping[str, str]) -> dict[str, str]:
    """With Cloud SQL: what the server's Cloud SQL Auth Proxy is started with
    (`cloud-sql-proxy --auto-iam-authn --private-ip CONNECTION_NAME`, as the IAM user)."""
    if not database:
        return {}
    return {"TDCE_CLOUDSQL_CONNECTION_NAME": database["connectionName"], "TDCE_DATABASE_IAM_USER": database["iamUser"]}


# The server reads its deployment document from its own metadata (Compute Engine's metadata server,
# "About VM metadata": custom metadata under instance/attributes/, with the header Metadata-Flavor: Google).
DOCUMENT_METADATA_KEY = "tdce-deployment"
DOCUMENT_METADATA_URL = f"http://metadata.google.internal/computeMetadata/v1/instance/attributes/{DOCUMENT_METADATA_KEY}"

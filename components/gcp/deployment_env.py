"""The deployment document (components/deployment_document.py) as /etc/tdce/deployment.env lines on GCP:
the lines both clouds write, under the same names, and GCP's own.

One `KEY=value` per line, lists joined by commas; values hold no spaces or quotes, so the file can be
sourced by a shell and read by systemd's EnvironmentFile. docs/deployment-document.md lists the keys.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from components.deployment_document import ADMIN_PASSWORD_SECRET_LINE, DeploymentDocument


def deployment_env(document: DeploymentDocument, *, admin_password_secret: pulumi.Input[str]) -> pulumi.Output[dict[str, str]]:
    """The lines both clouds write (`DeploymentDocument.boot_env`), and GCP's own."""
    extra = dict(document.extra)
    return document.boot_env(
        {
            "GOOGLE_CLOUD_PROJECT": str(extra["project"]),
            "TDCE_ZONES": pulumi.Output.from_input(extra.get("zones", [])).apply(",".join),
            # GCP reserves the server's internal address before the VM, so it is told, not looked up.
            "TDCE_SERVER_PRIVATE_IP": document.server_private_ip,
            # The secret's resource name; the installer reads the password itself from Secret Manager.
            ADMIN_PASSWORD_SECRET_LINE: admin_password_secret,
            **_database_lines(extra.get("database")),
            # The whole document, for what the lines leave out.
            "TDCE_DEPLOYMENT_DOCUMENT_URL": DOCUMENT_METADATA_URL,
        }
    )


def _database_lines(database: Mapping[str, pulumi.Input[str]] | None) -> dict[str, pulumi.Input[str]]:
    """With Cloud SQL: what the server's Cloud SQL Auth Proxy is started with
    (`cloud-sql-proxy --auto-iam-authn --private-ip CONNECTION_NAME`, as the IAM user)."""
    if not database:
        return {}
    return {"TDCE_CLOUDSQL_CONNECTION_NAME": database["connectionName"], "TDCE_DATABASE_IAM_USER": database["iamUser"]}


# The server reads its deployment document from its own metadata (Compute Engine's metadata server,
# "About VM metadata": custom metadata under instance/attributes/, with the header Metadata-Flavor: Google).
DOCUMENT_METADATA_KEY = "tdce-deployment"
DOCUMENT_METADATA_URL = f"http://metadata.google.internal/computeMetadata/v1/instance/attributes/{DOCUMENT_METADATA_KEY}"

"""The Google APIs the stack uses, enabled by the stack itself (a fresh project has only a few on).

Each is a `gcp.projects.Service` kept enabled on destroy: other workloads of the project may use the
same API, and disabling one disables the services that depend on it. The provider's Service waits
until Google reports the API enabled before it completes (hashicorp/terraform-provider-google#2129),
and the deployment's own provider depends on every Service (components/gcp/deployment.py), so no
resource calls an API before it is on. Enabling an API itself goes through the Service Usage API,
which Google turns on in every new project.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from config.settings import Settings

# What the resources of every GCP stack call: Compute Engine (network, firewall, VMs, disks),
# IAM (service accounts, custom roles), Cloud Resource Manager (the project-level IAM bindings:
# projects.setIamPolicy), Cloud Storage (the bundle bucket), Secret Manager (the admin password),
# Cloud Logging and Cloud Monitoring (the VMs' logs and metrics).
ALWAYS = (
    "compute.googleapis.com",
    "iam.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "storage.googleapis.com",
    "secretmanager.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
)
# Cloud SQL: the instance (sqladmin) and its private IP through private services access (servicenetworking).
CLOUD_SQL_ADMIN = "sqladmin.googleapis.com"
CLOUD_SQL = (CLOUD_SQL_ADMIN, "servicenetworking.googleapis.com")


def apis_for(settings: Settings) -> tuple[str, ...]:
    return ALWAYS + (CLOUD_SQL if settings.database.engine == "cloudsql" else ())


class Apis(pulumi.ComponentResource):
    def __init__(self, name: str, *, project: str, services: tuple[str, ...], opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:gcp:Apis", name, None, opts)
        self.services = {
            service: gcp.projects.Service(
                f"{name}-{service.split('.', 1)[0]}",
                project=project,
                service=service,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for service in services
        }
        self.register_outputs({"services": list(self.services)})

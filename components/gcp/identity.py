"""Dedicated service accounts for the server and the workers, and what the server may do with the workers.

Neither VM runs as the default compute service account, which holds Editor on the whole project.
"""

from __future__ import annotations

import hashlib
import re

import pulumi
import pulumi_gcp as gcp

# What resizing this deployment's regional managed instance groups takes, and nothing more: read
# the group and its instances, change its target size or delete an instance (both are
# `instanceGroupManagers.update`), and poll the regional operation the change returns. The
# group, not the server, creates the VMs (as Google's API service agent), so the server needs
# no `compute.instances.create`, no template, firewall or IAM permission. Regional groups have
# no resource-level IAM policy, so the grant is on the project; this role is the ceiling of it.
WORKER_SCALER_PERMISSIONS = (
    "compute.instanceGroupManagers.get",
    "compute.instanceGroupManagers.list",
    "compute.instanceGroupManagers.update",
    "compute.instances.get",
    "compute.instances.list",
    "compute.regionOperations.get",
)

# Account and role IDs start with the project's name and hold the stack's, so stacks can share a GCP project.
ID_PREFIX = "tdce"
# Service account IDs: 6 to 30 lowercase letters, digits and dashes.
_ACCOUNT_ID_LIMIT = 30
_ROLE_ID_LIMIT = 64


def account_id(stack: str, role: str) -> str:
    """A service account ID unique to the stack within the project, shortened with a hash when the stack name is long."""
    base = re.sub(r"[^a-z0-9-]", "-", f"{ID_PREFIX}-{stack}".lower()).strip("-")
    wanted = f"{base}-{role}"
    if len(wanted) <= _ACCOUNT_ID_LIMIT:
        return wanted
    digest = hashlib.sha256(base.encode()).hexdigest()[:4]
    keep = _ACCOUNT_ID_LIMIT - len(role) - len(digest) - 2
    return f"{base[:keep].rstrip('-')}-{digest}-{role}"


class Identity(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        project: str,
        stack: str,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:gcp:Identity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.server_account, self.worker_account = (
            gcp.serviceaccount.Account(
                f"{name}-{role}",
                account_id=account_id(stack, role),
                display_name=f"TDCE {role} ({stack})",
                description=purpose,
                opts=child,
            )
            for role, purpose in (
                ("server", "Runs the Techila Server; resizes this deployment's worker groups"),
                ("worker", "Runs the Techila Workers; reads bundles"),
            )
        )

        scaler = gcp.projects.IAMCustomRole(
            f"{name}-worker-scaler",
            project=project,
            role_id=re.sub(r"[^A-Za-z0-9_]", "_", f"{ID_PREFIX}_{stack}_worker_scaler")[:_ROLE_ID_LIMIT],
            title=f"TDCE worker scaler ({stack})",
            description="Resize the TDCE worker groups; nothing else",
            permissions=list(WORKER_SCALER_PERMISSIONS),
            opts=child,
        )
        gcp.projects.IAMMember(
            f"{name}-server-scales-workers",
            project=project,
            role=scaler.name,
            member=self.server_account.member,
            opts=child,
        )
        # The server may act as the worker account (start workers as it) and as no other account.
        gcp.serviceaccount.IAMMember(
            f"{name}-server-acts-as-worker",
            service_account_id=self.worker_account.name,
            role="roles/iam.serviceAccountUser",
            member=self.server_account.member,
            opts=child,
        )

        self.server_email = self.server_account.email
        self.server_member = self.server_account.member
        self.worker_email = self.worker_account.email
        self.worker_member = self.worker_account.member
        self.register_outputs(
            {
                "serverEmail": self.server_email,
                "workerEmail": self.worker_email,
                "workerScalerRole": scaler.name,
            }
        )

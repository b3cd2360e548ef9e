"""Dedicated service accounts for the server and the workers, and what the server may do to run workers.

Neither VM runs as the default compute service account, which holds Editor on the whole project.
The server's compute grants are scoped to this stack by name (components/gcp/dashboard_access.py,
docs/dashboard-permissions-gcp.md): two stacks in one project cannot touch each other's workers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components.gcp.dashboard_access import (
    OPERATOR_PERMISSIONS,
    READER_PERMISSIONS,
    SUBNET_PERMISSIONS,
    prefix_condition_expression,
)
from config.dashboard import service_account_resource
from config.gcp_names import name_prefix, stack_fragment

# Account and role IDs start with the project's name and hold the stack's, so stacks can share a GCP project.
ID_PREFIX = "tdce"
# Service account IDs: 6 to 30 lowercase letters, digits and dashes.
_ACCOUNT_ID_LIMIT = 30
# Custom role IDs: up to 64 letters, digits, underscores and periods (projects.roles.create: roleId).
_ROLE_ID_LIMIT = 64
# What every TDCE VM may report: its logs and its metrics (Ops Agent), nothing it could read back.
TELEMETRY_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter")


def account_id(stack: str, role: str) -> str:
    """A service account ID unique to the stack within the project, shortened with a hash when the stack name is long."""
    base = re.sub(r"[^a-z0-9-]", "-", f"{ID_PREFIX}-{stack}".lower()).strip("-")
    wanted = f"{base}-{role}"
    if len(wanted) <= _ACCOUNT_ID_LIMIT:
        return wanted
    digest = hashlib.sha256(base.encode()).hexdigest()[:4]
    keep = _ACCOUNT_ID_LIMIT - len(role) - len(digest) - 2
    return f"{base[:keep].rstrip('-')}-{digest}-{role}"


def role_id(stack: str, purpose: str) -> str:
    return f"{ID_PREFIX}_{stack_fragment(stack).replace('-', '_')}_{purpose}"[:_ROLE_ID_LIMIT]


class Identity(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        project: str,
        stack: str,
        region: str,
        subnetwork: pulumi.Input[str],
        extra_worker_service_accounts: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`subnetwork`: the one the server may start workers in; `extra_worker_service_accounts`:
        `tdce:dashboard.extraWorkerServiceAccounts`, the accounts the server may start workers as besides its own."""
        super().__init__("tdce:gcp:Identity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.name_prefix = name_prefix(stack)

        self.server_account, self.worker_account = (
            gcp.serviceaccount.Account(
                f"{name}-{role}",
                account_id=account_id(stack, role),
                display_name=f"TDCE {role} ({stack})",
                description=purpose,
                opts=child,
            )
            for role, purpose in (
                ("server", "Runs the Techila Server; starts and stops this deployment's workers"),
                ("worker", "Runs the Techila Workers; reads bundles"),
            )
        )
        self.server_email = self.server_account.email
        self.server_member = self.server_account.member
        self.worker_email = self.worker_account.email
        self.worker_member = self.worker_account.member

        reader = self._role(name, project, stack, "dashboard_reader", "read compute resources", READER_PERMISSIONS)
        operator = self._role(
            name,
            project,
            stack,
            "dashboard_operator",
            f"change compute resources named {self.name_prefix}…",
            OPERATOR_PERMISSIONS,
        )
        subnet_user = self._role(name, project, stack, "subnet_user", "put workers in the TDCE subnetwork", SUBNET_PERMISSIONS)
        gcp.projects.IAMMember(
            f"{name}-server-reads-compute", project=project, role=reader.name, member=self.server_member, opts=child
        )
        gcp.projects.IAMMember(
            f"{name}-server-runs-workers",
            project=project,
            role=operator.name,
            member=self.server_member,
            condition={
                "title": f"TDCE {stack}: {self.name_prefix} only",
                "description": "Instances, disks, images and instance templates whose names start with this stack's prefix",
                "expression": prefix_condition_expression(project, self.name_prefix),
            },
            opts=child,
        )
        gcp.compute.SubnetworkIAMMember(
            f"{name}-server-uses-subnet",
            project=project,
            region=region,
            subnetwork=subnetwork,
            role=subnet_user.name,
            member=self.server_member,
            opts=child,
        )
        # The server may start workers as the worker account and as the accounts the settings name, and as no other.
        accounts: list[tuple[str, pulumi.Input[str]]] = [("worker", self.worker_account.name)]
        # An extra account may live in another project (a central one): it is named in its own.
        accounts += [
            (f"extra-{index}", service_account_resource(email)) for index, email in enumerate(extra_worker_service_accounts)
        ]
        for label, account in accounts:
            gcp.serviceaccount.IAMMember(
                f"{name}-server-acts-as-{label}",
                service_account_id=account,
                role="roles/iam.serviceAccountUser",
                member=self.server_member,
                opts=child,
            )
        # What the server uses as it boots, so it starts after them.
        self.boot_grants = [
            gcp.projects.IAMMember(
                f"{name}-{machine}-{role.rsplit('.', 1)[1].lower()}", project=project, role=role, member=member, opts=child
            )
            for machine, member in (("server", self.server_member), ("worker", self.worker_member))
            for role in TELEMETRY_ROLES
        ]

        self.register_outputs(
            {
                "serverEmail": self.server_email,
                "workerEmail": self.worker_email,
                "namePrefix": self.name_prefix,
                "operatorRole": operator.name,
            }
        )

    def _role(
        self, name: str, project: str, stack: str, purpose: str, what: str, permissions: Sequence[str]
    ) -> gcp.projects.IAMCustomRole:
        return gcp.projects.IAMCustomRole(
            f"{name}-{purpose.replace('_', '-')}",
            project=project,
            role_id=role_id(stack, purpose),
            title=f"TDCE {purpose.replace('_', ' ')} ({stack})",
            description=f"The Techila Server may {what}; nothing else",
            permissions=sorted(permissions),
            opts=pulumi.ResourceOptions(parent=self),
        )

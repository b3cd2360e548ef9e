"""The whole TDCE deployment on GCP: composes the per-concern components in one project and region."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.gcp.admin_password import AdminPassword
from components.gcp.backup import Backup
from components.gcp.database.instance import Database
from components.gcp.firewall import Firewall
from components.gcp.identity import Identity
from components.gcp.network import Network
from components.gcp.server import Server
from components.gcp.storage import Storage
from components.gcp.workers import Workers
from components.outputs import DeploymentOutputs
from config.channels import Role
from config.resolved import ResolvedStack
from config.settings import DEFAULT_ZONE_COUNT
from config.tags import GCP_LABELS


class GcpDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, *, stack: ResolvedStack, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:gcp:Deployment", name, None, opts)
        settings = stack.settings
        self.stack = stack
        project = str(settings.project)  # validated: required on gcp
        region = settings.region
        # Labels go on each resource explicitly rather than as provider default labels, so the
        # recorded plan and the policy pack see them.
        tags = GCP_LABELS.deployment(stack.stack, settings.tags)
        # One explicit provider, so the stack settings, not ambient gcloud defaults, pick project and region.
        provider = gcp.Provider(f"{name}-gcp", project=project, region=region, opts=pulumi.ResourceOptions(parent=self))
        inside = pulumi.ResourceOptions(parent=self, providers=[provider])
        zones = settings.zones or self._region_zones(region, provider)

        self.network = Network(
            f"{name}-network",
            settings=settings.network,
            region=region,
            opts=inside,
        )
        self.identity = Identity(f"{name}-identity", project=project, stack=stack.stack, opts=inside)
        self.firewall = Firewall(
            f"{name}-firewall",
            network=self.network.network_id,
            rules=stack.rules,
            service_accounts={Role.SERVER: self.identity.server_email, Role.WORKERS: self.identity.worker_email},
            opts=inside,
        )
        self.storage = Storage(
            f"{name}-storage",
            settings=settings.bucket,
            location=region,
            tags=tags,
            readers={"workers": self.identity.worker_member},
            writers={"server": self.identity.server_member},
            opts=inside,
        )
        self.admin_password = AdminPassword(
            f"{name}-dashboard-admin-password",
            given=settings.dashboard_admin_password,
            readers={"server": self.identity.server_member},
            tags=tags,
            opts=inside,
        )
        self.server = Server(
            f"{name}-server",
            settings=settings.server,
            data_disk_snapshot=settings.restore.data_disk_snapshot_id,
            project=project,
            region=region,
            # The server and its data disk share the first zone.
            zone=zones[0],
            subnet_id=self.network.subnet_ids[0],
            service_account_email=self.identity.server_email,
            admin_password_secret=self.admin_password.secret_id,
            tags=tags,
            opts=inside,
        )
        self.workers = Workers(
            f"{name}-workers",
            pools=settings.workers,
            region=region,
            zones=zones,
            subnet_id=self.network.subnet_ids[0],
            service_account_email=self.identity.worker_email,
            tags=tags,
            opts=inside,
        )
        self.backup: Backup | None = None
        if settings.backup.enabled:
            self.backup = Backup(
                f"{name}-backup",
                settings=settings.backup,
                region=region,
                zone=zones[0],
                data_disk_name=self.server.data_disk_id,
                tags=tags,
                opts=inside,
            )
        self.database: Database | None = None
        if settings.database.engine == "cloudsql":
            self.database = Database(
                f"{name}-database",
                settings=settings.database.cloudsql,
                deletion_protection=settings.deletion_protection,
                restore=settings.restore,
                project=project,
                region=region,
                zone=zones[0],
                network=self.network.network_id,
                backup_start_utc=settings.backup.daily_at_utc,
                server_email=self.identity.server_email,
                server_member=self.identity.server_member,
                worker_email=self.identity.worker_email,
                tags=tags,
                opts=inside,
            )
        self.outputs = self._outputs()
        self.register_outputs(self.outputs.exported(stack.channels))

    @staticmethod
    def _region_zones(region: str, provider: gcp.Provider) -> tuple[str, ...]:
        found = gcp.compute.get_zones(region=region, status="UP", opts=pulumi.InvokeOptions(provider=provider))
        return tuple(sorted(found.names)[:DEFAULT_ZONE_COUNT])

    def _outputs(self) -> DeploymentOutputs:
        extra: dict[str, pulumi.Input[str]] = {}
        if self.database is not None:
            extra |= {
                "databaseEndpoint": self.database.private_ip,
                "databasePort": self.database.port,
                "databaseConnectionName": self.database.connection_name,
                "databaseAdminPasswordSecret": self.database.admin_password_secret,
            }
        if self.backup is not None:
            extra["backupPolicyName"] = self.backup.policy_name
        return DeploymentOutputs(
            server_public_ip=self.server.public_ip,
            server_private_ip=self.server.private_ip,
            bucket_name=self.storage.bucket_name,
            network_id=self.network.network_id,
            subnet_ids=self.network.subnet_ids,
            server_firewall_group=self.identity.server_email,
            worker_firewall_group=self.identity.worker_email,
            server_identity=self.identity.server_email,
            worker_identity=self.identity.worker_email,
            worker_group_names=self.workers.group_names,
            data_disk_id=self.server.data_disk_id,
            server_image=self.server.image,
            dashboard_admin_password_secret=self.admin_password.secret_id,
            extra=extra,
        )

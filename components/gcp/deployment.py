"""The whole TDCE deployment on GCP: composes the per-concern components in one project and region."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.endpoints import user_endpoints
from components.gcp.admin_password import AdminPassword
from components.gcp.backup import Backup
from components.gcp.database import Database
from components.gcp.firewall import Firewall
from components.gcp.identity import Identity
from components.gcp.labels import deployment_labels
from components.gcp.network import Network
from components.gcp.server import Server
from components.gcp.storage import Storage
from components.gcp.workers import Workers
from config.channels import Role
from config.exposure import channels_for, enabled_ingress
from config.settings import Settings

# How many of the region's zones the workers spread over when `tdce:zones` is empty (the settings reference's default).
DEFAULT_ZONE_COUNT = 2


class GcpDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:gcp:Deployment", name, None, opts)
        self.settings = settings
        stack = pulumi.get_stack()
        project = str(settings.project)  # validated: required on gcp
        region = settings.region
        # Labels go on each resource explicitly rather than as provider default labels, so the
        # recorded plan and the policy pack see them.
        labels = deployment_labels(stack, settings.tags)
        # One explicit provider, so the stack settings, not ambient gcloud defaults, pick project and region.
        provider = gcp.Provider(f"{name}-gcp", project=project, region=region, opts=pulumi.ResourceOptions(parent=self))
        inside = pulumi.ResourceOptions(parent=self, providers=[provider])
        zones = settings.zones or self._region_zones(region, provider)
        self.channels = channels_for(settings)

        self.network = Network(
            f"{name}-network",
            region=region,
            subnet_cidr=settings.network.subnets_for(1)[0],
            flow_logs=settings.network.flow_logs,
            opts=inside,
        )
        self.identity = Identity(f"{name}-identity", project=project, stack=stack, opts=inside)
        self.firewall = Firewall(
            f"{name}-firewall",
            network=self.network.network_id,
            channels=enabled_ingress(settings),
            service_accounts={Role.SERVER: self.identity.server_email, Role.WORKERS: self.identity.worker_email},
            opts=inside,
        )
        self.storage = Storage(
            f"{name}-storage",
            settings=settings.bucket,
            location=region,
            labels=labels,
            readers={"workers": self.identity.worker_member},
            writers={"server": self.identity.server_member},
            opts=inside,
        )
        self.admin_password = AdminPassword(
            f"{name}-dashboard-admin-password",
            given=settings.dashboard_admin_password,
            readers={"server": self.identity.server_member},
            labels=labels,
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
            subnetwork=self.network.subnetwork_id,
            service_account_email=self.identity.server_email,
            admin_password_secret=self.admin_password.secret_name,
            labels=labels,
            opts=inside,
        )
        self.workers = Workers(
            f"{name}-workers",
            pools=settings.workers,
            region=region,
            zones=zones,
            subnetwork=self.network.subnetwork_id,
            service_account_email=self.identity.worker_email,
            labels=labels,
            opts=inside,
        )
        if settings.backup.enabled:
            Backup(
                f"{name}-backup",
                settings=settings.backup,
                region=region,
                zone=zones[0],
                data_disk_name=self.server.data_disk_name,
                labels=labels,
                opts=inside,
            )
        self.database: Database | None = None
        if settings.database.engine == "cloudsql":
            self.database = Database(
                f"{name}-database",
                settings=settings.database.cloudsql,
                restore=settings.restore,
                project=project,
                region=region,
                zone=zones[0],
                network=self.network.network_id,
                backup_start_utc=settings.backup.daily_at_utc,
                server_email=self.identity.server_email,
                server_member=self.identity.server_member,
                worker_email=self.identity.worker_email,
                labels=labels,
                opts=inside,
            )
        self.register_outputs(self.stack_outputs())

    @staticmethod
    def _region_zones(region: str, provider: gcp.Provider) -> tuple[str, ...]:
        found = gcp.compute.get_zones(region=region, status="UP", opts=pulumi.InvokeOptions(provider=provider))
        return tuple(sorted(found.names)[:DEFAULT_ZONE_COUNT])

    def stack_outputs(self) -> dict[str, Any]:
        ip = self.server.ip
        outputs: dict[str, Any] = {
            **user_endpoints(ip, self.channels),
            "serverIp": ip,
            "bucketName": self.storage.bucket_name,
            "networkName": self.network.network_name,
            "subnetName": self.network.subnetwork_name,
            "serverServiceAccount": self.identity.server_email,
            "workerServiceAccount": self.identity.worker_email,
            "workerGroupNames": pulumi.Output.all(*self.workers.group_names.values()),
            "dataDiskName": self.server.data_disk_name,
            "dashboardAdminPasswordSecret": self.admin_password.secret_name,
        }
        if self.database is not None:
            outputs["databaseConnectionName"] = self.database.connection_name
            outputs["databaseAdminPasswordSecret"] = self.database.admin_password_secret
        return outputs

"""The whole TDCE deployment on GCP: composes the per-concern components in one project and region."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.deployment_document import DeploymentDocument
from components.gcp.admin_password import AdminPassword
from components.gcp.apis import Apis, apis_for
from components.gcp.backup import Backup
from components.gcp.database.instance import Database
from components.gcp.firewall import Firewall
from components.gcp.identity import Identity
from components.gcp.kept import kept_values
from components.gcp.network import Network
from components.gcp.server import Server, reserve_private_address
from components.gcp.storage import Storage
from components.gcp.workers import Workers
from components.outputs import DeploymentOutputs
from config.channels import Role
from config.resolved import ResolvedStack
from config.settings import DEFAULT_ZONE_COUNT
from config.tags import GCP_LABELS, label_value


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
        # The APIs first, with a provider of their own; the deployment's provider then waits for all of
        # them, and with it every resource that uses it (components/gcp/apis.py).
        api_provider = gcp.Provider(f"{name}-gcp-apis", project=project, region=region, opts=pulumi.ResourceOptions(parent=self))
        self.apis = Apis(
            f"{name}-apis",
            project=project,
            services=apis_for(settings),
            opts=pulumi.ResourceOptions(parent=self, providers=[api_provider]),
        )
        compute_api = self.apis.services["compute.googleapis.com"]
        # One explicit provider, so the stack settings, not ambient gcloud defaults, pick project and region.
        provider = gcp.Provider(
            f"{name}-gcp",
            project=project,
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.apis.services.values())),
        )
        inside = pulumi.ResourceOptions(parent=self, providers=[provider])
        zone_count = len(settings.zones) or DEFAULT_ZONE_COUNT
        zones = self._zones(name, region, zone_count, provider, compute_api)

        self.network = Network(f"{name}-network", settings=settings.network, region=region, opts=inside)
        subnet_id = self.network.subnet_ids[0]
        self.identity = Identity(
            f"{name}-identity",
            project=project,
            stack=stack.stack,
            region=region,
            subnetwork=subnet_id,
            extra_worker_service_accounts=settings.dashboard.extra_worker_service_accounts,
            opts=inside,
        )
        worker_accounts = [self.identity.worker_email, *settings.dashboard.extra_worker_service_accounts]
        self.firewall = Firewall(
            f"{name}-firewall",
            network_id=self.network.network_id,
            rules=stack.rules,
            service_accounts={Role.SERVER: [self.identity.server_email], Role.WORKERS: worker_accounts},
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
        private_address = reserve_private_address(
            f"{name}-server-private-ip", region=region, subnet_id=subnet_id, tags=tags, opts=inside
        )
        self.workers = Workers(
            f"{name}-workers",
            pools=settings.workers,
            region=region,
            zones=zones,
            zone_count=zone_count,
            subnet_id=subnet_id,
            service_account_email=self.identity.worker_email,
            server_private_ip=private_address.address,
            name_prefix=self.identity.name_prefix,
            compute_api=compute_api,
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
                zones=zones,
                network_id=self.network.network_id,
                backup_start_utc=settings.backup.daily_at_utc,
                server_email=self.identity.server_email,
                server_member=self.identity.server_member,
                worker_emails=worker_accounts,
                tags=tags,
                opts=inside,
            )

        def document_for(private_ip: pulumi.Output[str]) -> DeploymentDocument:
            return DeploymentDocument(
                cloud="gcp",
                stack=stack.stack,
                region=region,
                deployment_tag=(GCP_LABELS.stack_key, label_value(stack.stack)),
                network_id=self.network.network_id,
                subnet_ids=self.network.subnet_ids,
                worker_firewall_group=self.identity.worker_email,
                worker_identity=self.identity.worker_email,
                bucket=self.storage.bucket_name,
                server_private_ip=private_ip,
                name_prefix=self.identity.name_prefix,
                allowed_extra={"serviceAccounts": list(settings.dashboard.extra_worker_service_accounts)},
                extra={
                    "project": project,
                    "zones": zones,
                    "serverServiceAccount": self.identity.server_email,
                    "labels": tags,
                    # The templates of the pools the dashboard sizes: it starts their workers from them.
                    **self._database_entry(),
                    "dashboardPools": {
                        pool.name: {"template": self.workers.template_links[pool.name], "maxCount": pool.max_count}
                        for pool in settings.workers
                        if pool.capacity_owner == "dashboard"
                    },
                },
            )

        self.server = Server(
            f"{name}-server",
            settings=settings.server,
            data_disk_snapshot=settings.restore.data_disk_snapshot_id,
            deletion_protection=settings.deletion_protection,
            region=region,
            # The server and its data disk share the first zone.
            zone=zones.apply(lambda found: found[0]),
            subnet_id=subnet_id,
            private_address=private_address,
            service_account_email=self.identity.server_email,
            admin_password_secret=self.admin_password.secret_id,
            document_for=document_for,
            compute_api=compute_api,
            boots_after=[*self.identity.boot_grants, *self.storage.grants, *self.admin_password.grants],
            tags=tags,
            opts=inside,
        )
        self.backup: Backup | None = None
        if settings.backup.enabled:
            self.backup = Backup(
                f"{name}-backup",
                settings=settings.backup,
                region=region,
                zone=zones.apply(lambda found: found[0]),
                data_disk_name=self.server.data_disk_id,
                tags=tags,
                opts=inside,
            )
        self.deployment_document = self.server.document.as_json()
        self.outputs = self._outputs()
        self.register_outputs(self.outputs.exported(stack.channels))

    def _database_entry(self) -> dict[str, object]:
        """Cloud SQL, for the server's Cloud SQL Auth Proxy: the instance and the IAM database user the server logs in as."""
        if self.database is None:
            return {}
        return {"database": {"connectionName": self.database.connection_name, "iamUser": self.database.server_user}}

    def _zones(
        self, name: str, region: str, count: int, provider: gcp.Provider, compute_api: pulumi.Resource
    ) -> pulumi.Output[list[str]]:
        """`tdce:zones`, or the region's first zones as the first `up` found them, kept (components/gcp/kept.py)."""
        if self.stack.settings.zones:
            return pulumi.Output.from_input(list(self.stack.settings.zones))
        found = gcp.compute.get_zones_output(
            region=region, status="UP", opts=pulumi.InvokeOutputOptions(provider=provider, depends_on=[compute_api])
        ).names
        return kept_values(f"{name}-zones", found, count=count, keepers={"region": region}, parent=self)

    def _outputs(self) -> DeploymentOutputs:
        # Firewall rules target service accounts on GCP: the groups are the identities.
        accounts = (self.identity.server_email, self.identity.worker_email)
        return DeploymentOutputs.of(
            self, firewall_groups=accounts, identities=accounts, deployment_document=self.deployment_document
        )

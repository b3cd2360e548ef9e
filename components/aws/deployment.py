"""The whole TDCE deployment on AWS: composes the per-concern components in one region."""

from __future__ import annotations

from dataclasses import replace

import pulumi
import pulumi_aws as aws

from components.aws.account import AwsAccount, account_of
from components.aws.admin_password import AdminPassword
from components.aws.backup import Backup
from components.aws.dashboard_access import DashboardAccess
from components.aws.database.cluster import Database
from components.aws.deployment_parameter import DeploymentParameter, parameter_name
from components.aws.firewall import Firewall
from components.aws.identity import Identity
from components.aws.images import Image, Images
from components.aws.network import Network
from components.aws.rds_endpoint import RdsEndpoint
from components.aws.secrets_endpoint import SecretsEndpoint
from components.aws.server import Server
from components.aws.slow_release import longer_group_deletes
from components.aws.storage import Storage
from components.aws.workers import Workers
from components.deployment_document import DeploymentDocument
from components.outputs import DeploymentOutputs
from config.channels import Role
from config.resolved import ResolvedStack
from config.rules import guarded_roles
from config.settings import Settings
from config.tags import AWS_TAGS


class AwsDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, *, stack: ResolvedStack, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:aws:Deployment", name, None, opts)
        settings = stack.settings
        self.stack = stack
        tags = AWS_TAGS.deployment(stack.stack, settings.tags)
        # Tags go on each resource explicitly rather than as provider default tags, so the
        # recorded plan and the policy pack see them.
        provider = aws.Provider(f"{name}-aws", region=settings.region, opts=pulumi.ResourceOptions(parent=self))
        inside = pulumi.ResourceOptions(parent=self, providers=[provider])
        images = Images(provider)
        account = account_of(settings.region, provider, self)

        self.network = Network(
            f"{name}-network", settings=settings.network, zones=settings.zones, account=account, tags=tags, opts=inside
        )
        self.firewall = Firewall(
            f"{name}-firewall",
            network_id=self.network.network_id,
            groups=guarded_roles(settings),
            rules=stack.rules,
            s3_prefix_list_id=self.network.s3_prefix_list_id,
            tags=tags,
            opts=pulumi.ResourceOptions.merge(inside, pulumi.ResourceOptions(transformations=[longer_group_deletes])),
        )
        groups = self.firewall.group_ids
        self.storage = Storage(f"{name}-storage", settings=settings.bucket, tags=tags, opts=inside)
        self.admin_password = AdminPassword(
            f"{name}-dashboard-admin-password", given=settings.dashboard_admin_password, tags=tags, opts=inside
        )
        self.identity = Identity(
            f"{name}-identity",
            region=settings.region,
            account=account,
            bucket_arn=self.storage.bucket_arn,
            objects_arn=self.storage.objects_arn,
            server_secret_arns=[self.admin_password.secret_id],
            worker_secrets=settings.worker_secrets,
            tags=tags,
            opts=inside,
        )
        # The interface endpoints, and the rules the firewall made for them: the way the rotation
        # function's calls take, which its schedule waits for.
        endpoints: list[pulumi.Resource] = [self.firewall]
        for role, kind, suffix in ((Role.SECRETS_ENDPOINT, SecretsEndpoint, "secrets"), (Role.RDS_ENDPOINT, RdsEndpoint, "rds")):
            if role in groups:
                endpoint = kind(
                    f"{name}-{suffix}-endpoint",
                    vpc_id=self.network.network_id,
                    subnet_ids=self.network.subnet_ids,
                    security_group_id=groups[role],
                    tags=tags,
                    opts=inside,
                )
                endpoints.append(endpoint.endpoint)
        told = self._document_before_the_server(settings, groups[Role.WORKERS])
        self.server = Server(
            f"{name}-server",
            settings=settings.server,
            data_disk_snapshot=settings.restore.data_disk_snapshot_id,
            image=self._server_image(images),
            # The server and its data volume share the first zone.
            subnet_id=self.network.subnet_ids[0],
            zone=self.network.zones[0],
            security_group_id=groups[Role.SERVER],
            instance_profile_name=self.identity.server_profile_name,
            admin_password_secret=self.admin_password.secret_id,
            deployment_env=told.boot_env({"TDCE_DEPLOYMENT_PARAMETER": parameter_name(stack.stack)}),
            deletion_protection=settings.deletion_protection,
            internet=[self.network.internet_gateway, self.network.default_route, self.network.subnet_routes[0]],
            region=settings.region,
            tags=tags,
            opts=inside,
        )
        self.workers = Workers(
            f"{name}-workers",
            pools=settings.workers,
            images=images,
            subnet_ids=self.network.subnet_ids,
            worker_group_id=groups[Role.WORKERS],
            instance_profile_arn=self.identity.worker_profile_arn,
            server_private_ip=self.server.private_ip,
            tags=tags,
            opts=inside,
        )
        self.document = self._document(told)
        self.deployment_parameter = DeploymentParameter(
            f"{name}-deployment-document",
            stack=stack.stack,
            document_json=self.document.as_json(),
            server_role_name=self.identity.server_role_name,
            tags=tags,
            opts=inside,
        )
        self._dashboard_access(name, account, groups[Role.WORKERS], inside)
        self.database: Database | None = None
        if settings.database.engine == "aurora":
            self.database = Database(
                f"{name}-database",
                settings=settings.database.aurora,
                deletion_protection=settings.deletion_protection,
                restore=settings.restore,
                restore_user_password=settings.database_user_password,
                region=settings.region,
                account=account,
                subnet_ids=self.network.subnet_ids,
                security_group_id=groups[Role.DATABASE],
                rotation_security_group_id=groups[Role.SECRET_ROTATION],
                rotation_path=endpoints,
                server_role_name=self.identity.server_role_name,
                tags=tags,
                opts=inside,
            )
        # `local`: PostgreSQL on the server's data disk, as the vendor's default install.
        self.backup: Backup | None = None
        if settings.backup.enabled:
            protected = [self.server.data_disk_arn] + ([self.database.cluster_arn] if self.database else [])
            self.backup = Backup(
                f"{name}-backup",
                settings=settings.backup,
                deletion_protection=settings.deletion_protection,
                resource_arns=protected,
                partition=account.partition,
                tags=tags,
                opts=inside,
            )
        self.outputs = self._outputs()
        self.register_outputs(self.outputs.exported(stack.channels))

    def _outputs(self) -> DeploymentOutputs:
        return DeploymentOutputs.of(
            self,
            firewall_groups=(self.firewall.server_group_id, self.firewall.worker_group_id),
            identities=(self.identity.server_role_arn, self.identity.worker_role_arn),
            deployment_document=self.document.as_json(),
        )

    def _server_image(self, images: Images) -> Image:
        server = self.stack.settings.server
        architecture = server.architecture("aws")
        if server.marketplace_product_code is not None:
            return images.marketplace(server.marketplace_product_code, architecture)
        return images.for_(server.image, "linux", architecture)

    def _document_before_the_server(self, settings: Settings, worker_group: pulumi.Input[str]) -> DeploymentDocument:
        """Everything the server is told except its own address, which exists only with the server."""
        return DeploymentDocument(
            cloud="aws",
            stack=self.stack.stack,
            region=settings.region,
            deployment_tag=(AWS_TAGS.stack_key, AWS_TAGS.stack_value(self.stack.stack)),
            network_id=self.network.network_id,
            subnet_ids=self.network.subnet_ids,
            worker_firewall_group=worker_group,
            worker_identity=self.identity.worker_profile_arn,
            bucket=self.storage.bucket_name,
            server_private_ip="",
            name_prefix=f"tdce-{self.stack.stack}-",
            allowed_extra={
                "workerRoles": settings.dashboard.extra_worker_roles,
                "workerSecurityGroups": self._extra_worker_groups(),
            },
        )

    def _document(self, told: DeploymentDocument) -> DeploymentDocument:
        dashboard_pools = {pool.name for pool in self.stack.settings.workers if pool.capacity_owner == "dashboard"}
        return replace(
            told,
            server_private_ip=self.server.private_ip,
            extra={
                "zones": list(self.network.zones),
                "deploymentParameter": parameter_name(self.stack.stack),
                # The declared pools the dashboard may scale (capacityOwner: dashboard): pool → group name.
                "dashboardPools": {p: g for p, g in self.workers.group_names.items() if p in dashboard_pools},
            },
        )

    def _extra_worker_groups(self) -> tuple[str, ...]:
        """The groups besides the worker group a worker may carry: the dashboard's list, then each pool's."""
        settings = self.stack.settings
        listed = [
            *settings.dashboard.extra_worker_security_groups,
            *(g for p in settings.workers for g in p.extra_security_groups),
        ]
        return tuple(dict.fromkeys(listed))

    def _dashboard_access(
        self, name: str, account: AwsAccount, worker_group: pulumi.Input[str], opts: pulumi.ResourceOptions
    ) -> None:
        settings = self.stack.settings
        DashboardAccess(
            f"{name}-dashboard-access",
            stack=self.stack.stack,
            region=settings.region,
            account=account,
            server_role_name=self.identity.server_role_name,
            subnet_ids=self.network.subnet_ids,
            security_group_ids=[worker_group, *self._extra_worker_groups()],
            worker_role_arns=[self.identity.worker_role_arn, *settings.dashboard.extra_worker_roles],
            dashboard_pools=[pool.name for pool in settings.workers if pool.capacity_owner == "dashboard"],
            data_volume_id=self.server.data_disk_id,
            tags=AWS_TAGS.deployment(self.stack.stack, settings.tags),
            opts=opts,
        )

"""The whole TDCE deployment on AWS: composes the per-concern components in one region."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.admin_password import AdminPassword
from components.aws.backup import Backup
from components.aws.database.cluster import Database
from components.aws.firewall import Firewall
from components.aws.identity import Identity
from components.aws.images import Images
from components.aws.network import Network
from components.aws.rds_endpoint import RdsEndpoint
from components.aws.secrets_endpoint import SecretsEndpoint
from components.aws.server import Server
from components.aws.storage import Storage
from components.aws.workers import Workers
from components.outputs import DeploymentOutputs
from config.channels import Role
from config.resolved import ResolvedStack
from config.rules import guarded_roles
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

        self.network = Network(f"{name}-network", settings=settings.network, zones=settings.zones, tags=tags, opts=inside)
        self.firewall = Firewall(
            f"{name}-firewall",
            vpc_id=self.network.network_id,
            groups=guarded_roles(settings),
            rules=stack.rules,
            s3_prefix_list_id=self.network.s3_prefix_list_id,
            tags=tags,
            opts=inside,
        )
        groups = self.firewall.group_ids
        self.storage = Storage(f"{name}-storage", settings=settings.bucket, tags=tags, opts=inside)
        self.admin_password = AdminPassword(
            f"{name}-dashboard-admin-password", given=settings.dashboard_admin_password, tags=tags, opts=inside
        )
        self.identity = Identity(
            f"{name}-identity",
            region=settings.region,
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
        self.server = Server(
            f"{name}-server",
            settings=settings.server,
            data_disk_snapshot=settings.restore.data_disk_snapshot_id,
            image=images.for_(settings.server.image, "linux", settings.server.architecture("aws")),
            # The server and its data volume share the first zone.
            subnet_id=self.network.subnet_ids[0],
            zone=self.network.zones[0],
            security_group_id=groups[Role.SERVER],
            instance_profile_name=self.identity.server_profile_name,
            admin_password_secret=self.admin_password.secret_id,
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
            scaling_role_name=self.identity.server_role_name,
            stack=stack.stack,
            user_tags=settings.tags,
            opts=inside,
        )
        self.database: Database | None = None
        if settings.database.engine == "aurora":
            self.database = Database(
                f"{name}-database",
                settings=settings.database.aurora,
                deletion_protection=settings.deletion_protection,
                restore=settings.restore,
                restore_user_password=settings.database_user_password,
                region=settings.region,
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
                tags=tags,
                opts=inside,
            )
        self.outputs = self._outputs()
        self.register_outputs(self.outputs.exported(stack.channels))

    def _outputs(self) -> DeploymentOutputs:
        return DeploymentOutputs(
            server_public_ip=self.server.public_ip,
            server_private_ip=self.server.private_ip,
            bucket_name=self.storage.bucket_name,
            network_id=self.network.network_id,
            subnet_ids=self.network.subnet_ids,
            server_firewall_group=self.firewall.server_group_id,
            worker_firewall_group=self.firewall.worker_group_id,
            server_identity=self.identity.server_role_arn,
            worker_identity=self.identity.worker_role_arn,
            worker_group_names=self.workers.group_names,
            data_disk_id=self.server.data_disk_id,
            server_image=self.server.image,
            dashboard_admin_password_secret=self.admin_password.secret_id,
            extra=self._data_tier_outputs(),
        )

    def _data_tier_outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        if self.database is not None:
            outputs |= {
                "databaseEndpoint": self.database.endpoint,
                "databasePort": self.database.port,
                "databaseReaderEndpoint": self.database.reader_endpoint,
                "databaseMasterSecretArn": self.database.master_secret_arn,
                "databaseUserSecretArn": self.database.user_secret_arn,
            }
        if self.backup is not None:
            outputs["backupVaultName"] = self.backup.vault_name
        return outputs

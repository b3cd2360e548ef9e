"""The whole TDCE deployment on AWS: composes the per-concern components in one region."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws.admin_password import AdminPassword
from components.aws.backup import Backup
from components.aws.database import AuroraDatabase
from components.aws.firewall import Firewall
from components.aws.identity import Identity
from components.aws.images import Images
from components.aws.network import Network
from components.aws.secrets_endpoint import SecretsEndpoint
from components.aws.server import Server
from components.aws.storage import Storage
from components.aws.tags import deployment_tags
from components.aws.workers import Workers
from components.endpoints import user_endpoints
from config.exposure import channels_for
from config.settings import Settings


class AwsDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:aws:Deployment", name, None, opts)
        self.settings = settings
        stack = pulumi.get_stack()
        tags = deployment_tags(stack, settings.tags)
        # Tags go on each resource explicitly rather than as provider default tags, so the
        # recorded plan and the policy pack see them.
        provider = aws.Provider(f"{name}-aws", region=settings.region, opts=pulumi.ResourceOptions(parent=self))
        inside = pulumi.ResourceOptions(parent=self, providers=[provider])
        images = Images(provider)
        self.channels = channels_for(settings)

        self.network = Network(f"{name}-network", network=settings.network, zones=settings.zones, tags=tags, opts=inside)
        self.firewall = Firewall(
            f"{name}-firewall",
            vpc_id=self.network.vpc_id,
            s3_prefix_list_id=self.network.s3_prefix_list_id,
            channels=self.channels,
            open_egress=settings.access.open_egress,
            tags=tags,
            opts=inside,
        )
        self.storage = Storage(f"{name}-storage", bucket=settings.bucket, tags=tags, opts=inside)
        self.admin_password = AdminPassword(
            f"{name}-dashboard-admin-password", chosen=settings.dashboard_admin_password, tags=tags, opts=inside
        )
        self.identity = Identity(
            f"{name}-identity",
            region=settings.region,
            bucket_arn=self.storage.bucket_arn,
            objects_arn=self.storage.objects_arn,
            server_secret_arns=[self.admin_password.secret_arn],
            worker_secrets=settings.worker_secrets,
            tags=tags,
            opts=inside,
        )
        self.secrets_endpoint = None
        if settings.uses_secrets_endpoint:
            self.secrets_endpoint = SecretsEndpoint(
                f"{name}-secrets-endpoint",
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.subnet_ids,
                clients={"workers": self.firewall.worker_group_id, "server": self.firewall.server_group_id},
                tags=tags,
                opts=inside,
            )
        self.server = Server(
            f"{name}-server",
            server=settings.server,
            restore_snapshot_id=settings.restore.data_disk_snapshot_id,
            image=images.for_(settings.server.image, "linux", settings.server.architecture("aws")),
            # The server and its data volume share the first zone.
            subnet_id=self.network.subnet_ids[0],
            zone=self.network.zones[0],
            security_group_id=self.firewall.server_group_id,
            instance_profile_name=self.identity.server_profile_name,
            admin_password_secret_arn=self.admin_password.secret_arn,
            region=settings.region,
            tags=tags,
            opts=inside,
        )
        self.workers = Workers(
            f"{name}-workers",
            pools=settings.workers,
            images=images,
            subnet_ids=self.network.subnet_ids,
            worker_group_id=self.firewall.worker_group_id,
            instance_profile_arn=self.identity.worker_profile_arn,
            scaling_role_name=self.identity.server_role_name,
            stack=stack,
            user_tags=settings.tags,
            opts=inside,
        )
        self.database = self._database(name, settings, tags, inside)
        self.backup = None
        if settings.backup.enabled:
            protected = [self.server.data_volume_arn] + ([self.database.cluster_arn] if self.database else [])
            self.backup = Backup(f"{name}-backup", settings=settings.backup, resource_arns=protected, tags=tags, opts=inside)
        self.register_outputs(self.stack_outputs())

    def _database(
        self, name: str, settings: Settings, tags: dict[str, str], opts: pulumi.ResourceOptions
    ) -> AuroraDatabase | None:
        if settings.database.engine != "aurora":
            # `local`: PostgreSQL on the server's data disk, as the vendor's default install.
            return None
        assert self.secrets_endpoint is not None, "settings.uses_secrets_endpoint holds whenever Aurora is chosen"
        return AuroraDatabase(
            f"{name}-database",
            settings=settings.database.aurora,
            restore=settings.restore,
            restore_user_password=settings.database_user_password,
            region=settings.region,
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.subnet_ids,
            server_security_group_id=self.firewall.server_group_id,
            server_role_name=self.identity.server_role_name,
            secrets_endpoint_security_group_id=self.secrets_endpoint.security_group_id,
            tags=tags,
            opts=opts,
        )

    def stack_outputs(self) -> dict[str, Any]:
        ip = self.server.public_ip
        return {
            **user_endpoints(ip, self.channels),
            "serverPublicIp": ip,
            "bucketName": self.storage.bucket_name,
            "vpcId": self.network.vpc_id,
            "subnetIds": self.network.subnet_ids,
            "serverSecurityGroupId": self.firewall.server_group_id,
            "workerSecurityGroupId": self.firewall.worker_group_id,
            "workerGroupNames": self.workers.group_names,
            "dataVolumeId": self.server.data_volume_id,
            "serverImageId": self.server.image_id,
            "dashboardAdminPasswordSecretArn": self.admin_password.secret_arn,
            **self._data_tier_outputs(),
        }

    def _data_tier_outputs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        if self.database is not None:
            outputs |= {
                "databaseEndpoint": self.database.endpoint,
                "databaseReaderEndpoint": self.database.reader_endpoint,
                "databasePort": self.database.port,
                "databaseMasterSecretArn": self.database.master_secret_arn,
                "databaseUserSecretArn": self.database.user_secret_arn,
            }
        if self.backup is not None:
            outputs["backupVaultName"] = self.backup.vault_name
        return outputs

"""Aurora PostgreSQL Serverless v2: the vendor's Aurora option (001_ec271c3ff40761d0.txt 2.1.1, 4.10), on today's engine.

The vendor stack used Aurora Serverless v1, which AWS retired on 2025-03-31; v2 is a
provisioned-mode cluster with `db.serverless` instances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import SecretStr

from components.aws.account import AwsAccount
from components.aws.database.secrets import DatabaseSecrets
from config.channels import DATABASE as DATABASE_CHANNEL
from config.database import AuroraSettings
from config.restore import RestoreSettings
from config.tags import AWS_TAGS, DATABASE

ENGINE = "aurora-postgresql"
SERVERLESS_INSTANCE_CLASS = "db.serverless"
MASTER_USERNAME = "tdceadmin"
DATABASE_NAME = "techila"
# Pause after this many idle seconds when the minimum capacity is 0 ACU.
AUTO_PAUSE_SECONDS = 600


class Database(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: AuroraSettings,
        deletion_protection: bool,
        restore: RestoreSettings,
        restore_user_password: SecretStr | None,
        region: str,
        account: AwsAccount,
        subnet_ids: Sequence[pulumi.Input[str]],
        security_group_id: pulumi.Input[str],
        rotation_security_group_id: pulumi.Input[str],
        rotation_path: Sequence[pulumi.Resource],
        server_role_name: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`security_group_id`, `rotation_security_group_id`: the database's and the rotation function's groups,
        whose rules the firewall component makes from the channel matrix. `rotation_path`: what the
        rotation function reaches Secrets Manager, RDS and the database through (endpoints, firewall)."""
        super().__init__("tdce:aws:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        port = DATABASE_CHANNEL.ports[0].first
        database_tags = AWS_TAGS.with_role(tags, DATABASE)

        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets", subnet_ids=list(subnet_ids), description="TDCE database subnets", tags=database_tags, opts=child
        )
        # Part of the final snapshot's name: a fixed name would make the second teardown of a stack fail.
        final_suffix = random.RandomId(f"{name}-final-snapshot-suffix", byte_length=4, opts=child)
        restoring = restore.database_snapshot_identifier is not None
        scaling = {"min_capacity": settings.min_capacity, "max_capacity": settings.max_capacity}
        if settings.min_capacity == 0:
            scaling["seconds_until_auto_pause"] = AUTO_PAUSE_SECONDS
        self.cluster = aws.rds.Cluster(
            f"{name}-cluster",
            engine=ENGINE,
            engine_mode="provisioned",
            engine_version=None if restoring else self._engine_version(settings.engine_version),
            serverlessv2_scaling_configuration=scaling,
            port=port,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group_id],
            storage_encrypted=True,
            deletion_protection=deletion_protection,
            backup_retention_period=settings.backup_retention_days,
            copy_tags_to_snapshot=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=final_suffix.hex.apply(lambda suffix: f"{name}-final-{suffix}"),
            manage_master_user_password=True,
            # A restored cluster takes its master user, database and engine version from the snapshot.
            master_username=None if restoring else MASTER_USERNAME,
            database_name=None if restoring else DATABASE_NAME,
            snapshot_identifier=restore.database_snapshot_identifier,
            # The Data API creates the application user in a new cluster (`application_user.py`); the
            # provider cannot turn it on for a restore, which needs no user made.
            enable_http_endpoint=None if restoring else True,
            tags=database_tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                # Off with `tdce:deletionProtection: false`, so `pulumi destroy` can delete the cluster.
                protect=deletion_protection,
                # The restore source is read once, at creation: editing it on a live stack must not
                # replace the cluster. AWS upgrades minor versions itself, and a major given as the
                # version resolves to a newer minor over time; following either would mean asking
                # for a downgrade.
                ignore_changes=["snapshotIdentifier", "masterUsername", "databaseName", "engineVersion"],
            ),
        )
        self.instances = [
            aws.rds.ClusterInstance(
                f"{name}-{role}",
                cluster_identifier=self.cluster.id,
                engine=ENGINE,
                engine_version=self.cluster.engine_version,
                instance_class=SERVERLESS_INSTANCE_CLASS,
                db_subnet_group_name=subnet_group.name,
                auto_minor_version_upgrade=True,
                tags=database_tags,
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["engineVersion"]),
            )
            for role in (("writer", "reader") if settings.reader else ("writer",))
        ]
        self.secrets = DatabaseSecrets(
            f"{name}-secrets",
            cluster=self.cluster,
            instances=self.instances,
            rotation_days=settings.rotation_days,
            restore_user_password=restore_user_password,
            application_user=restore.application_user,
            create_user=not restoring,
            region=region,
            account=account,
            subnet_ids=subnet_ids,
            rotation_security_group_id=rotation_security_group_id,
            rotation_path=rotation_path,
            database_name=DATABASE_NAME,
            server_role_name=server_role_name,
            tags=database_tags,
            opts=child,
        )
        self.endpoint = self.cluster.endpoint
        self.reader_endpoint = self.cluster.reader_endpoint
        self.port = self.cluster.port
        self.cluster_arn = self.cluster.arn
        self.master_secret_arn = self.secrets.master_secret_arn
        self.user_secret_arn = self.secrets.user_secret_arn
        self.stack_outputs = {
            "databaseEndpoint": self.endpoint,
            "databasePort": self.port,
            "databaseReaderEndpoint": self.reader_endpoint,
            # Named as on GCP: the secret holding the database's admin password (here the RDS-managed one).
            "databaseAdminPasswordSecret": self.master_secret_arn,
            "databaseUserPasswordSecret": self.user_secret_arn,
        }
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "readerEndpoint": self.reader_endpoint,
                "port": self.port,
                "clusterArn": self.cluster_arn,
                "adminPasswordSecret": self.master_secret_arn,
                "userPasswordSecret": self.user_secret_arn,
            }
        )

    def _engine_version(self, configured: str) -> pulumi.Output[str]:
        """The newest aurora-postgresql version of the configured major, or the configured version itself.

        `version` with `latest` picks the newest match of a partial version, and fails the preview
        when AWS offers no such version (pulumi-aws `rds.get_engine_version`: `version`, `latest`,
        `version_actual`). Aurora offers new minors and retires old ones for new clusters ("Amazon
        Aurora versioning", "Aurora PostgreSQL release calendars"), so a pinned minor goes stale.
        """
        found = aws.rds.get_engine_version_output(
            engine=ENGINE, version=configured, latest=True, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        return found.version_actual

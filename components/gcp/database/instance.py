"""Cloud SQL for PostgreSQL on a private IP, reached by the server through the Cloud SQL Auth Proxy as its own IAM user.

The GCP answer to the vendor's rotated database passwords (001_ec271c3ff40761d0.txt 4.8.2): the
server logs in as its service account (automatic IAM database authentication through the Cloud
SQL Auth Proxy, which connector enforcement makes the only way in), so it holds no password at all.

The one password left is the built-in `postgres` user's, which Cloud SQL requires at creation. It
sits in Secret Manager, readable by project owners only, for the one-time grant of the server's
tables. It is deliberately not rotated: nothing logs in with it in normal operation, and a schedule
that only announces a rotation (Secret Manager publishes to Pub/Sub and changes nothing) would
present a rotation that never happens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC

import pulumi
import pulumi_gcp as gcp

from components.gcp.secrets import stored_secret
from components.passwords import given_or_generated
from config.channels import DATABASE as DATABASE_CHANNEL
from config.database import CloudSqlSettings
from config.restore import RestoreSettings
from config.tags import DATABASE, GCP_LABELS

# A /16 for Google-managed services, as Google recommends, so later services fit in it too.
PRIVATE_SERVICES_PREFIX_LENGTH = 16
# Connections must present a client certificate, which the Auth Proxy does for the server
# ("Configure SSL/TLS certificates": ssl_mode TRUSTED_CLIENT_CERTIFICATE_REQUIRED; Checkov CKV_GCP_6).
SSL_MODE = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
# Only the Cloud SQL connectors (the Auth Proxy, the language connectors) may connect
# ("Manage connections with connector enforcement": connectorEnforcement REQUIRED).
CONNECTOR_ENFORCEMENT = "REQUIRED"
# IAM database login, and the logging flags of the CIS Google Cloud Platform Foundation Benchmark
# (section 6.2, Cloud SQL for PostgreSQL; the flags Checkov checks as CKV_GCP_51..57, 108, 109, 110).
DATABASE_FLAGS = {
    "cloudsql.iam_authentication": "on",
    "log_checkpoints": "on",
    "log_connections": "on",
    "log_disconnections": "on",
    "log_lock_waits": "on",
    "log_error_verbosity": "default",
    "log_min_messages": "warning",
    "log_min_error_statement": "error",
    "log_min_duration_statement": "-1",
    "log_statement": "ddl",
    "log_temp_files": "0",
    "log_hostname": "on",
    "cloudsql.enable_pgaudit": "on",
}
SQL_INSTANCE_TYPE = "sqladmin.googleapis.com/Instance"


class Database(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: CloudSqlSettings,
        deletion_protection: bool,
        restore: RestoreSettings,
        project: str,
        region: str,
        zones: pulumi.Input[Sequence[str]],
        network_id: pulumi.Input[str],
        backup_start_utc: str,
        server_email: pulumi.Input[str],
        server_member: pulumi.Input[str],
        worker_emails: Sequence[pulumi.Input[str]],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:gcp:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        db_labels = GCP_LABELS.with_role(tags, DATABASE)

        peering_range = gcp.compute.GlobalAddress(
            f"{name}-range",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=PRIVATE_SERVICES_PREFIX_LENGTH,
            network=network_id,
            labels=db_labels,
            opts=child,
        )
        peering = gcp.servicenetworking.Connection(
            f"{name}-peering",
            network=network_id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[peering_range.name],
            # Destroy removes the peering, so the network can be deleted after it. (ABANDON left the
            # peering behind and the network's deletion failed on it.)
            deletion_policy="REMOVE_PEERING",
            opts=child,
        )
        # The peering would let every VM of the VPC reach the database; the channel matrix names the server only.
        # Every account workers run as is kept out: the stack's own and the extra ones the dashboard may
        # start workers as (vendor 4.17), which the worker firewall rules admit too.
        gcp.compute.Firewall(
            f"{name}-deny-workers",
            network=network_id,
            direction="EGRESS",
            description="TDCE database: only the server reaches Google's service network (the database channel)",
            denies=[{"protocol": "all"}],
            destination_ranges=[pulumi.Output.concat(peering_range.address, "/", str(PRIVATE_SERVICES_PREFIX_LENGTH))],
            target_service_accounts=list(worker_emails),
            opts=child,
        )
        admin_password = given_or_generated(f"{name}-admin-password", given=None, opts=child)
        cloning = restore.cloudsql_source_instance is not None
        self.instance = gcp.sql.DatabaseInstance(
            f"{name}-instance",
            region=region,
            database_version=settings.database_version,
            settings=self._instance_settings(settings, deletion_protection, zones, network_id, backup_start_utc, db_labels),
            clone=self._clone(restore),
            root_password=admin_password,
            deletion_protection=deletion_protection,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[peering],
                protect=deletion_protection,
                # The clone source is read once, at creation: changing it must never replace the database.
                # A clone runs its source's version whatever `databaseVersion` says (the provider creates
                # it with instances.clone alone, terraform-provider-google resource_sql_database_instance.go),
                # and a later `up` would patch the version: an unplanned major upgrade, or a refused
                # downgrade. So the clone keeps it (docs/settings.md, `cloudsql.databaseVersion`).
                ignore_changes=["clone", *(["databaseVersion"] if cloning else [])],
            ),
        )
        self._server_login(name, project, server_email, server_member, child)
        # Not `…-admin-password`, the generated password's name: one name per resource keeps plans and inventories unambiguous.
        secret, _ = stored_secret(f"{name}-admin-password-secret", value=admin_password, readers={}, tags=tags, opts=child)
        self.admin_password_secret = secret.name

        self.connection_name = self.instance.connection_name
        self.private_ip = self.instance.private_ip_address
        self.port = DATABASE_CHANNEL.ports[0].first
        self.stack_outputs = {
            "databaseEndpoint": self.private_ip,
            "databasePort": self.port,
            "databaseConnectionName": self.connection_name,
            "databaseAdminPasswordSecret": self.admin_password_secret,
        }
        self.register_outputs(
            {
                "endpoint": self.private_ip,
                "port": self.port,
                "adminPasswordSecret": self.admin_password_secret,
                "instanceName": self.instance.name,
                "connectionName": self.connection_name,
            }
        )

    @staticmethod
    def _instance_settings(
        settings: CloudSqlSettings,
        deletion_protection: bool,
        zones: pulumi.Input[Sequence[str]],
        network_id: pulumi.Input[str],
        backup_start_utc: str,
        tags: Mapping[str, str],
    ) -> dict[str, object]:
        regional = settings.availability == "regional"
        return {
            "tier": settings.tier,
            "edition": settings.edition,
            "availability_type": settings.availability.upper(),
            # Next to the server, which is the database's only client. A regional instance's standby
            # goes to the second zone: left unset, Cloud SQL picks one and every later plan shows a diff.
            "location_preference": pulumi.Output.from_input(zones).apply(
                lambda found: {"zone": found[0], **({"secondary_zone": found[1]} if regional and len(found) > 1 else {})}
            ),
            "deletion_protection_enabled": deletion_protection,
            # Private IP only: the database is reachable from this VPC and nowhere else.
            "ip_configuration": {"ipv4_enabled": False, "private_network": network_id, "ssl_mode": SSL_MODE},
            "connector_enforcement": CONNECTOR_ENFORCEMENT,
            "maintenance_window": {
                "day": settings.maintenance_day,
                "hour": settings.maintenance_hour_utc,
                "update_track": "stable",
            },
            "backup_configuration": {
                "enabled": True,
                "start_time": backup_start_utc,
                "point_in_time_recovery_enabled": True,
                "transaction_log_retention_days": settings.transaction_log_retention_days,
                # One automated backup a day, so keeping N backups keeps N days.
                "backup_retention_settings": {"retained_backups": settings.backup_retention_days, "retention_unit": "COUNT"},
            },
            # Deleting the instance (past both protections) still leaves its backups to restore from.
            "retain_backups_on_delete": True,
            "database_flags": [{"name": flag, "value": value} for flag, value in DATABASE_FLAGS.items()],
            "user_labels": dict(tags),
        }

    @staticmethod
    def _clone(restore: RestoreSettings) -> dict[str, str] | None:
        if restore.cloudsql_source_instance is None:
            return None
        clone = {"source_instance_name": restore.cloudsql_source_instance}
        if restore.cloudsql_point_in_time is not None:
            clone["point_in_time"] = restore.cloudsql_point_in_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return clone

    def _server_login(
        self,
        name: str,
        project: str,
        server_email: pulumi.Input[str],
        server_member: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        # PostgreSQL names an IAM service account user by its email without the domain suffix.
        user = gcp.sql.User(
            f"{name}-server-user",
            instance=self.instance.name,
            name=pulumi.Output.from_input(server_email).apply(lambda email: email.removesuffix(".gserviceaccount.com")),
            type="CLOUD_IAM_SERVICE_ACCOUNT",
            # Dropping the role would fail while it owns the server's tables, and stop `pulumi destroy`;
            # the user leaves with the instance instead.
            deletion_policy="ABANDON",
            opts=opts,
        )
        self.server_user = user.name
        # Cloud SQL has no per-instance IAM policy: the grants are on the project, narrowed by a
        # condition to this one instance, by type and name ("Resource attributes for IAM Conditions":
        # sqladmin.googleapis.com/Instance, projects/PROJECT/instances/INSTANCE).
        only_this_instance = self.instance.name.apply(
            lambda instance: {
                "title": "this TDCE database only",
                "expression": (
                    f'resource.type == "{SQL_INSTANCE_TYPE}" && resource.name == "projects/{project}/instances/{instance}"'
                ),
            }
        )
        for role in ("client", "instanceUser"):
            gcp.projects.IAMMember(
                f"{name}-server-{role.lower()}",
                project=project,
                role=f"roles/cloudsql.{role}",
                member=server_member,
                condition=only_this_instance,
                opts=opts,
            )

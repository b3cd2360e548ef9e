"""Scheduled snapshots of the server's data disk: the GCP counterpart of the vendor's backups (001_ec271c3ff40761d0.txt 4.16)."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp

from config.backup import BackupSettings


class Backup(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: BackupSettings,
        region: str,
        zone: pulumi.Input[str],
        data_disk_name: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:gcp:Backup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.policy = gcp.compute.ResourcePolicy(
            f"{name}-daily-snapshots",
            region=region,
            description=f"TDCE data disk: daily at {settings.daily_at_utc} UTC, kept {settings.retention_days} days",
            snapshot_schedule_policy={
                "schedule": {"daily_schedule": {"days_in_cycle": 1, "start_time": settings.daily_at_utc}},
                # Snapshots outlive the disk: they are what a restore starts from.
                "retention_policy": {
                    "max_retention_days": settings.retention_days,
                    "on_source_disk_delete": "KEEP_AUTO_SNAPSHOTS",
                },
                "snapshot_properties": {"labels": dict(tags)},
            },
            opts=child,
        )
        gcp.compute.DiskResourcePolicyAttachment(
            f"{name}-data-disk-schedule",
            disk=data_disk_name,
            zone=zone,
            name=self.policy.name,
            opts=child,
        )
        self.policy_name = self.policy.name
        self.stack_outputs = {"backupPolicyName": self.policy_name}
        self.register_outputs({"policyName": self.policy_name})

"""AWS Backup for the stateful resources: replaces the vendor's hand-made snapshot Lambda (001_ec271c3ff40761d0.txt 4.16)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.aws.policy_document import passed_role_trust
from config.backup import BackupSettings

# AWS managed policies, named in the stack's partition (`arn:aws-cn:…` in China, `arn:aws-us-gov:…` in GovCloud).
BACKUP_SERVICE_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
)


def managed_policy_arn(partition: str, name: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{name}"


class Backup(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: BackupSettings,
        deletion_protection: bool,
        resource_arns: Sequence[pulumi.Input[str]],
        partition: str,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`deletion_protection` off (`tdce:deletionProtection: false`): the vaults may be destroyed with
        the recovery points they hold; on, `pulumi destroy` stops at a vault that holds any."""
        super().__init__("tdce:aws:Backup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # No key of our own: the vault's key encrypts only backups of resource types AWS Backup
        # fully manages; EBS and Aurora recovery points keep the source's own encryption
        # ("Encryption for backups in AWS Backup", AWS Backup Developer Guide). Without one the
        # vault uses the AWS managed key aws/backup.
        force_destroy = not deletion_protection
        self.vault = aws.backup.Vault(f"{name}-vault", force_destroy=force_destroy, tags=tags, opts=child)
        copy_actions = []
        if settings.copy_to_region is not None:
            # AWS Backup copies into a vault of the target region; pulumi-aws v7 places a resource in another region by `region`.
            copy_vault = aws.backup.Vault(
                f"{name}-copy-vault", region=settings.copy_to_region, force_destroy=force_destroy, tags=tags, opts=child
            )
            copy_actions.append({"destination_vault_arn": copy_vault.arn, "lifecycle": {"delete_after": settings.retention_days}})
        self.plan = aws.backup.Plan(
            f"{name}-plan",
            rules=[
                {
                    "rule_name": "daily",
                    "target_vault_name": self.vault.name,
                    "schedule": f"cron({settings.minute} {settings.hour} * * ? *)",
                    "lifecycle": {"delete_after": settings.retention_days},
                    "copy_actions": copy_actions,
                    "recovery_point_tags": dict(tags),
                }
            ],
            tags=tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=passed_role_trust("backup.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{policy.rsplit('For', 1)[1].lower()}",
                role=role.name,
                policy_arn=managed_policy_arn(partition, policy),
                opts=child,
            )
            for policy in BACKUP_SERVICE_POLICIES
        ]
        aws.backup.Selection(
            f"{name}-selection",
            plan_id=self.plan.id,
            iam_role_arn=role.arn,
            resources=list(resource_arns),
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
        self.vault_name = self.vault.name
        self.stack_outputs = {"backupVaultName": self.vault_name}
        self.register_outputs({"vaultName": self.vault_name, "planId": self.plan.id})

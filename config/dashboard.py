"""What the Techila Dashboard may give the workers it starts beyond the stack's own (vendor 001_ec271c3ff40761d0.txt 4.17, 4.19).

The server starts and stops workers itself (3.4, 3.5). By default they run with the stack's worker
identity and firewall group. An administrator may give an end user's workers another identity
(4.17: the user feature `aws-worker-profile-arn`) or more security groups (4.19:
`aws-custom-worker-security-groups`); the server may use only the ones listed here.
"""

from __future__ import annotations

from config.base import Finding, SettingsModel
from config.identifiers import SecurityGroupId


class DashboardSettings(SettingsModel):
    # AWS: IAM role ARNs (the roles of the instance profiles named in `aws-worker-profile-arn`) the
    # server may pass to workers besides the stack's own worker role.
    extra_worker_roles: tuple[str, ...] = ()
    # AWS: security groups the server may attach to workers besides the stack's worker group.
    extra_worker_security_groups: tuple[SecurityGroupId, ...] = ()
    # GCP: service accounts (emails) the server may start workers as besides the stack's worker account.
    extra_worker_service_accounts: tuple[str, ...] = ()

    def findings_for(self, cloud: str) -> list[Finding]:
        found: list[Finding] = []
        if cloud == "gcp":
            found += [
                ((key,), "is AWS only; on GCP list service accounts in extraWorkerServiceAccounts")
                for key in self._set("extraWorkerRoles", "extraWorkerSecurityGroups")
            ]
        else:
            found += [
                ((key,), "is GCP only; on AWS list roles in extraWorkerRoles") for key in self._set("extraWorkerServiceAccounts")
            ]
        return found

    def _set(self, *aliases: str) -> list[str]:
        fields = {field.alias: name for name, field in type(self).model_fields.items()}
        return [alias for alias in aliases if getattr(self, fields[alias])]

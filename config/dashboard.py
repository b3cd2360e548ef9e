"""What the Techila Dashboard may give the workers it starts beyond the stack's own (vendor 001_ec271c3ff40761d0.txt 4.17, 4.19).

The server starts and stops workers itself (3.4, 3.5). By default they run with the stack's worker
identity and firewall group. An administrator may give an end user's workers another identity
(4.17: the user feature `aws-worker-profile-arn`) or more security groups (4.19:
`aws-custom-worker-security-groups`); the server may use only the ones listed here.
"""

from __future__ import annotations

import re

from pydantic import model_validator

from config.base import Finding, SettingsModel, raise_findings
from config.identifiers import SecurityGroupId

# A user-managed service account: ACCOUNT_ID@PROJECT_ID.iam.gserviceaccount.com, the ID 6 to 30 lowercase
# letters, digits and dashes ("Create service accounts"). Google's default accounts (PROJECT_NUMBER-compute@
# developer.gserviceaccount.com, PROJECT_ID@appspot.gserviceaccount.com) hold Editor on the project and
# service agents are Google's: a worker may run as neither.
USER_MANAGED_SERVICE_ACCOUNT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com")
# A firewall rule names at most 10 source (and target) service accounts ("VPC firewall rules":
# sourceServiceAccounts, targetServiceAccounts), and the workers' rules name the worker account too.
MAX_EXTRA_WORKER_SERVICE_ACCOUNTS = 9


class DashboardSettings(SettingsModel):
    # AWS: IAM role ARNs (the roles of the instance profiles named in `aws-worker-profile-arn`) the
    # server may pass to workers besides the stack's own worker role.
    extra_worker_roles: tuple[str, ...] = ()
    # AWS: security groups the server may attach to workers besides the stack's worker group.
    extra_worker_security_groups: tuple[SecurityGroupId, ...] = ()
    # GCP: service accounts (emails) the server may start workers as besides the stack's worker account.
    extra_worker_service_accounts: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _user_managed_accounts(self) -> DashboardSettings:
        accounts = self.extra_worker_service_accounts
        key = "extraWorkerServiceAccounts"
        found: list[Finding] = []
        if len(accounts) > MAX_EXTRA_WORKER_SERVICE_ACCOUNTS:
            why = f"a firewall rule names at most 10 service accounts and the worker account is one, got {len(accounts)}"
            found.append(((key,), f"must list at most {MAX_EXTRA_WORKER_SERVICE_ACCOUNTS}: {why}"))
        for index, account in enumerate(accounts):
            if not USER_MANAGED_SERVICE_ACCOUNT.fullmatch(account):
                example = "'tdce-gpu-worker@my-project.iam.gserviceaccount.com'"
                found.append(((key, index), f"must be a user-managed service account such as {example}, got {account!r}"))
            elif account in accounts[:index]:
                found.append(((key, index), f"must differ from {key}[{accounts.index(account)}]: {account} is listed twice"))
        raise_findings(found)
        return self

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

"""What the Techila Dashboard may give the workers it starts beyond the stack's own (vendor 001_ec271c3ff40761d0.txt 4.17, 4.19).

The server starts and stops workers itself (3.4, 3.5). By default they run with the stack's worker
identity and firewall group. An administrator may give an end user's workers another identity
(4.17: the user feature `aws-worker-profile-arn`) or more security groups (4.19:
`aws-custom-worker-security-groups`); the server may use only the ones listed here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from pydantic import model_validator

from config.base import Finding, SettingsModel, raise_findings
from config.identifiers import SecurityGroupId

# An IAM role ARN: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME. "IAM identifiers" and the CreateRole
# API: a name is 1-64 of letters, digits and +=,.@_-; a path is '/' or '/.../' of at most 512
# characters. No wildcard: the server may pass only roles it names (iam:PassRole).
IAM_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/(?P<path>(?:[\x21-\x7e]+/)*)(?P<name>[A-Za-z0-9_+=,.@-]{1,64})")
IAM_MAX_PATH = 512
# In IAM policies * and ? are wildcards (in actions, resources and StringLike values): an ARN with one
# names no single role. The settings and the pack's reading of policy documents share this.
IAM_WILDCARD = re.compile(r"[*?]")
# Every allowed role and group is named in the server's managed policies, which IAM holds to 6,144
# characters each ("IAM and AWS STS quotas"). The launch policy is about 2,300 characters without
# extra groups and a group's ARN about 75; the roles' policy about 1,300 without extra roles.
# These bounds keep both under the quota (tests/test_dashboard_permissions.py measures the worst case).
MAX_EXTRA_WORKER_SECURITY_GROUPS = 50
MAX_EXTRA_WORKER_ROLE_CHARACTERS = 4000


def role_arn_problem(arn: str) -> str | None:
    """Why `arn` does not name one IAM role, as iam:PassRole may be granted on; None when it does: the whole
    string is a role ARN of the grammar above, with no wildcard and a path within IAM's limit."""
    if IAM_WILDCARD.search(arn):
        return f"must name one role, without wildcards (iam:PassRole on named roles only), got {arn!r}"
    match = IAM_ROLE_ARN.fullmatch(arn)
    if match is None:
        example = "'arn:aws:iam::123456789012:role/tdce-secrets-worker'"
        return f"must be an IAM role ARN such as {example}, got {arn!r}"
    if len(match["path"]) + 1 > IAM_MAX_PATH:
        return f"has a path longer than {IAM_MAX_PATH} characters (IAM identifiers)"
    return None


def names_one_role(arn: str) -> bool:
    """The settings' extraWorkerRoles and the policy pack's iam:PassRole resources are held to the same rule."""
    return role_arn_problem(arn) is None


class _Pool(Protocol):
    extra_security_groups: tuple[str, ...]


# A user-managed service account: ACCOUNT_ID@PROJECT_ID.iam.gserviceaccount.com, the ID 6 to 30 lowercase
# letters, digits and dashes ("Create service accounts"). Google's default accounts (PROJECT_NUMBER-compute@
# developer.gserviceaccount.com, PROJECT_ID@appspot.gserviceaccount.com) hold Editor on the project and
# service agents are Google's: a worker may run as neither.
USER_MANAGED_SERVICE_ACCOUNT = re.compile(
    r"[a-z][a-z0-9-]{4,28}[a-z0-9]@(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com"
)
# A firewall rule names at most 10 source (and target) service accounts ("VPC firewall rules":
# sourceServiceAccounts, targetServiceAccounts), and the workers' rules name the worker account too.
MAX_EXTRA_WORKER_SERVICE_ACCOUNTS = 9


def service_account_resource(email: str) -> str:
    """The account's IAM resource name, in its own project (the one its email names), which may be
    another than the stack's: `projects/PROJECT_ID/serviceAccounts/EMAIL` (IAM API, projects.serviceAccounts)."""
    match = USER_MANAGED_SERVICE_ACCOUNT.fullmatch(email)
    if match is None:
        raise ValueError(f"not a user-managed service account: {email!r}")
    return f"projects/{match['project']}/serviceAccounts/{email}"


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

    def findings_for(self, cloud: str, pools: Sequence[_Pool] = ()) -> list[Finding]:
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
            found += self._role_findings()
            found += self._group_findings(pools)
        return found

    def _role_findings(self) -> list[Finding]:
        found: list[Finding] = []
        for index, arn in enumerate(self.extra_worker_roles):
            key = ("extraWorkerRoles", index)
            problem = role_arn_problem(arn)
            if problem is not None:
                found.append((key, problem))
            elif arn in self.extra_worker_roles[:index]:
                found.append((key, f"lists {arn} twice (items {self.extra_worker_roles.index(arn)} and {index})"))
        total = sum(len(arn) for arn in self.extra_worker_roles)
        if total > MAX_EXTRA_WORKER_ROLE_CHARACTERS:
            why = f"must fit the server's policy: the ARNs together at most {MAX_EXTRA_WORKER_ROLE_CHARACTERS} characters"
            found.append((("extraWorkerRoles",), f"{why}, got {total}"))
        return found

    def _group_findings(self, pools: Sequence[_Pool]) -> list[Finding]:
        found: list[Finding] = []
        groups = self.extra_worker_security_groups
        for index, group in enumerate(groups):
            if group in groups[:index]:
                found.append(
                    (("extraWorkerSecurityGroups", index), f"lists {group} twice (items {groups.index(group)} and {index})")
                )
        distinct = set(groups) | {group for pool in pools for group in pool.extra_security_groups}
        if len(distinct) > MAX_EXTRA_WORKER_SECURITY_GROUPS:
            why = (
                f"together with the pools' extraSecurityGroups must name at most {MAX_EXTRA_WORKER_SECURITY_GROUPS} "
                "distinct groups (each is named in the server's launch policy, 6,144 characters)"
            )
            found.append((("extraWorkerSecurityGroups",), f"{why}, got {len(distinct)}"))
        return found

    def _set(self, *aliases: str) -> list[str]:
        fields = {field.alias: name for name, field in type(self).model_fields.items()}
        return [alias for alias in aliases if getattr(self, fields[alias])]

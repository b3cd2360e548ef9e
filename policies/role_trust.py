"""Roles trust only who they must: `role-trust-scoped`."""

from __future__ import annotations

import json
import os
import re
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from config.resource_types import AWS_ROLE
from policies.iam_documents import as_list
from policies.reading import get, json_document

# Services that take a role only when someone of this account passes it to them (iam:PassRole),
# which cannot be done across accounts
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html): EC2 through an
# instance profile, AWS Backup through a backup selection, VPC Flow Logs through CreateFlowLogs.
PASSED_ROLE_SERVICES = ("ec2.amazonaws.com", "backup.amazonaws.com", "vpc-flow-logs.amazonaws.com")
SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn")
_ACCOUNT = re.compile(r"^(?:arn:aws[\w-]*:(?:iam|sts)::)?(?P<account>\d{12})(?::|$)")


def own_accounts() -> frozenset[str]:
    """The accounts the stack's AWS provider may use (`aws:allowedAccountIds`), which count as this stack's own."""
    try:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
        return frozenset(str(a) for a in json.loads(config.get("aws:allowedAccountIds", "[]")))
    except (ValueError, TypeError, AttributeError):
        return frozenset()


def _condition_keys(statement: dict) -> set[str]:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return set()
    return {str(key).lower() for entries in condition.values() if isinstance(entries, dict) for key in entries}


def trust_problems(policy: Any, accounts: frozenset[str]) -> list[str]:
    document = json_document(policy)
    statements = as_list(document.get("Statement")) if isinstance(document, dict) else []
    problems = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        where = f"Statement[{statement.get('Sid') or index}]"
        principal = statement.get("Principal")
        keys = _condition_keys(statement)
        if principal == "*" or (isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))):
            problems.append(f"{where} trusts Principal *: anyone in any account may assume the role")
            continue
        if "NotPrincipal" in statement:
            problems.append(f"{where} trusts with NotPrincipal: everyone except a list")
        if not isinstance(principal, dict):
            continue
        for aws in (str(p) for p in as_list(principal.get("AWS"))):
            match = _ACCOUNT.match(aws)
            account = match.group("account") if match else None
            if account not in accounts and not keys:
                problems.append(
                    f"{where} trusts {aws} of another account without a condition (sts:ExternalId, aws:PrincipalOrgID)"
                )
        for federated in (str(p) for p in as_list(principal.get("Federated"))):
            if not keys:
                problems.append(f"{where} trusts the identity provider {federated} without a condition on its claims")
        for service in (str(p) for p in as_list(principal.get("Service"))):
            if service not in PASSED_ROLE_SERVICES and not keys & set(SOURCE_KEYS):
                problems.append(f"{where} trusts {service} without aws:SourceAccount or aws:SourceArn (confused deputy)")
    return problems


def validate_role_trust_scoped(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != AWS_ROLE:
        return
    for problem in trust_problems(get(args.props, "assumeRolePolicy"), own_accounts()):
        report(problem, None)


role_trust_scoped = ResourceValidationPolicy(
    name="role-trust-scoped",
    description=(
        "Role trust policies name who may assume the role: never Principal '*', another account only with a condition, "
        "AWS services with aws:SourceAccount or aws:SourceArn unless the service can only be handed the role by this "
        "account (EC2, AWS Backup, VPC Flow Logs take it through iam:PassRole)."
    ),
    validate=validate_role_trust_scoped,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Trust the one service or account that needs the role; add aws:SourceAccount (services) or sts:ExternalId.",
)

"""Identities get what the design names and nothing wider: no wildcard actions, no wildcard resources."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from config.resource_types import AWS_POLICY_DOCUMENTS, AWS_ROLE, AWS_ROLE_POLICY_ATTACHMENT, GCP_IAM_GRANTS
from policies.reading import get, items, json_document

# AWS-managed policies that are a wildcard under another name.
AWS_BROAD_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
# GCP's basic roles: every permission of every service, the GCP form of "*".
GCP_BASIC_ROLES = ("roles/owner", "roles/editor")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _read_only_describe(action: str) -> bool:
    return action.split(":", 1)[-1].startswith("Describe")


def document_problems(policy: Any) -> list[str]:
    document = json_document(policy)
    statements = _as_list(document.get("Statement")) if isinstance(document, dict) else []
    problems = []
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        where = f"Statement[{index}]"
        for negation in ("NotAction", "NotResource"):
            if negation in statement:
                problems.append(f"{where} allows with {negation}: everything except a list")
        actions = [str(a) for a in _as_list(statement.get("Action"))]
        wildcards = [a for a in actions if a == "*" or a.endswith(":*")]
        if wildcards:
            problems.append(f"{where} allows every action of {', '.join(wildcards)}")
        writes = [a for a in actions if not _read_only_describe(a)]
        if "*" in _as_list(statement.get("Resource")) and writes:
            problems.append(f"{where} allows {', '.join(writes)} on every resource (*); only Describe actions may")
    return problems


def validate_iam_least_privilege(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    documents = []
    if kind in AWS_POLICY_DOCUMENTS:
        documents.append(get(props, "policy"))
    elif kind == AWS_ROLE:
        documents += [get(inline, "policy") for inline in items(get(props, "inlinePolicies"))]
    elif kind == AWS_ROLE_POLICY_ATTACHMENT:
        arn = str(get(props, "policyArn", default=""))
        if any(arn.endswith(f":policy/{name}") for name in AWS_BROAD_MANAGED_POLICIES):
            report(f"attaches {arn}, which allows far more than TDCE needs", None)
    elif kind in GCP_IAM_GRANTS and get(props, "role") in GCP_BASIC_ROLES:
        report(f"grants the basic role {get(props, 'role')}: every permission of every service", None)
    for document in documents:
        for problem in document_problems(document):
            report(problem, None)


iam_least_privilege = ResourceValidationPolicy(
    name="iam-least-privilege",
    description=(
        "IAM grants name their actions and resources: no '*' or 'service:*' action, no '*' resource except for "
        "read-only Describe calls, no administrator-class managed policies, no GCP basic roles. A leaked worker or "
        "server credential then reaches only this stack."
    ),
    validate=validate_iam_least_privilege,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="List the actions the component calls and scope them to this stack's ARNs (or a tag condition).",
)

IDENTITY_POLICIES = [iam_least_privilege]

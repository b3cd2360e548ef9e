"""Identities get what the design names and nothing wider, scoped to this deployment (who may assume a role: role_trust.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from config.gcp_names import name_prefix
from config.resource_types import (
    AWS_BUCKETS,
    AWS_INSTANCE_PROFILE,
    AWS_POLICY_ATTACHMENTS,
    AWS_POLICY_DOCUMENTS,
    AWS_ROLE,
    AWS_SUBNET,
    AWS_VPC,
    GCP_CUSTOM_ROLE,
    GCP_IAM_GRANTS,
    GCP_PROJECT_GRANTS,
    GCP_PROJECT_POLICY,
)
from policies.iam_documents import DocumentContext, as_list, document_findings
from policies.placement import GCP_ACTING_AS
from policies.reading import Subject, get, items, json_document, provider_mirror, settle, stack_subjects, strings
from policies.stack_settings import stack_name

# AWS-managed policies that are a wildcard under another name
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html): the
# administrator job functions and every "…FullAccess" policy, which allows `service:*` on `*`.
AWS_BROAD_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "SystemAdministrator")
# GCP's basic roles: every permission of every service, the GCP form of "*"
# (https://cloud.google.com/iam/docs/roles-overview#basic).
GCP_BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
# Predefined roles that change Compute Engine resources (https://cloud.google.com/compute/docs/access/iam).
GCP_COMPUTE_WRITE_ROLES = (
    "roles/compute.admin",
    "roles/compute.instanceAdmin",
    "roles/compute.instanceAdmin.v1",
    "roles/compute.networkAdmin",
    "roles/compute.networkUser",
    "roles/compute.securityAdmin",
    "roles/compute.storageAdmin",
    "roles/compute.loadBalancerAdmin",
    "roles/compute.publicIpAdmin",
    "roles/compute.xpnAdmin",
)
# Roles that let a member act as any service account of the project when granted on the project,
# rather than on the one account it needs (https://cloud.google.com/iam/docs/service-account-permissions).
GCP_ACT_AS_ROLES = (GCP_ACTING_AS, "roles/iam.serviceAccountTokenCreator")
# Grants that reach the whole project: a member or binding on it, or its whole policy.
PROJECT_WIDE_GRANTS = (*GCP_PROJECT_GRANTS, GCP_PROJECT_POLICY)
_AWS_MANAGED_ARN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")


def broad_managed_policy(arn: str) -> bool:
    match = _AWS_MANAGED_ARN.match(arn)
    if match is None:
        return False
    name = match.group("name")
    return name in AWS_BROAD_MANAGED_POLICIES or name.endswith("FullAccess") or name.endswith("Administrator")


def single_source_ids(subjects: list[Subject], kind: str) -> frozenset[str] | None:
    """The known IDs of the stack's resources of `kind`, read where another resource's input comes from one of them alone."""
    urns = {s.urn for s in subjects if s.type == kind}
    if not urns:
        return frozenset()
    found: set[str] = set()
    for subject in subjects:
        for key, sources in subject.property_dependencies.items():
            if len(sources) == 1 and sources[0] in urns:
                try:
                    value = get(subject.props, key)
                except UnknownValueError:
                    continue
                if isinstance(value, str):
                    found.add(value)
    return frozenset(found) or None


def _bucket_matcher(subjects: list[Subject]) -> Callable[[str], bool]:
    """Whether a bucket name is one of this stack's: its `bucket` input, its `bucketPrefix`, or Pulumi's auto-name.

    Pulumi auto-names a resource with no name input as its logical name plus a random suffix
    (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming).
    """
    exact: set[str] = set()
    prefixes: list[str] = []
    for bucket in (s for s in subjects if s.type in AWS_BUCKETS):
        try:
            name, prefix = get(bucket.props, "bucket"), get(bucket.props, "bucketPrefix")
        except UnknownValueError:
            continue
        if name:
            exact.add(str(name))
        else:
            prefixes.append(str(prefix) if prefix else f"{bucket.name}-")
    return lambda name: name in exact or any(name.startswith(prefix) for prefix in prefixes)


def _machine_roles(subjects: list[Subject]) -> frozenset[str]:
    """The refs of roles behind an instance profile: the server's and the workers' roles."""
    profiles = [s for s in subjects if s.type == AWS_INSTANCE_PROFILE]
    refs: set[str] = set()
    for role in (s for s in subjects if s.type == AWS_ROLE):
        if any(role.urn in profile.refs("role") for profile in profiles):
            refs.add(role.urn)
    return frozenset(refs)


def _documents(subjects: list[Subject], machine_roles: frozenset[str]) -> list[tuple[Subject, str, Any, bool]]:
    """(resource, label, document, belongs to a machine role) for every IAM document of the stack."""
    attached_to_machines = {
        urn
        for s in subjects
        if s.type in AWS_POLICY_ATTACHMENTS and s.refs("role") & machine_roles
        for urn in s.property_dependencies.get("policyArn", ())
    }
    found = []
    for subject in subjects:
        if subject.type in AWS_POLICY_DOCUMENTS:
            machine = bool(subject.refs("role") & machine_roles) or subject.urn in attached_to_machines
            found.append((subject, "policy", lambda s=subject: get(s.props, "policy"), machine))
        elif subject.type == AWS_ROLE and not provider_mirror(subject, "inlinePolicies"):
            # Unknown as a whole, the output is the provider's copy of the role's RolePolicy documents,
            # which are judged themselves.
            machine = subject.urn in machine_roles
            for index, inline in enumerate(items(get(subject.props, "inlinePolicies"))):
                found.append((subject, f"inlinePolicies[{index}]", lambda i=inline: get(i, "policy"), machine))
    return found


def _aws_documents(subjects: list[Subject], report: ReportViolation, undecided: list[str]) -> None:
    machine_roles = _machine_roles(subjects)
    is_own_bucket = _bucket_matcher(subjects)
    vpc_ids, subnet_ids = single_source_ids(subjects, AWS_VPC), single_source_ids(subjects, AWS_SUBNET)
    for subject, label, read, machine in _documents(subjects, machine_roles):
        try:
            document = read()
        except UnknownValueError:
            undecided.append(f"{subject.name} {label}")
            continue
        context = DocumentContext(stack_name(), vpc_ids, subnet_ids, machine, is_own_bucket)
        findings = document_findings(document, context)
        for problem in findings.problems:
            report(f"{label} {problem}" if label != "policy" else problem, subject.urn)
        undecided += [f"{subject.name} {part}" for part in findings.undecided]


def _managed_policies(subjects: list[Subject], report: ReportViolation, undecided: list[str]) -> None:
    for subject in subjects:
        if subject.type in AWS_POLICY_ATTACHMENTS:
            keys = ("policyArn", "policyArns")
        elif subject.type == AWS_ROLE:
            keys = ("managedPolicyArns",)
        else:
            continue
        for key in keys:
            if subject.type == AWS_ROLE and provider_mirror(subject, key):
                continue  # the role's attachments, read back by the provider; each is judged itself
            try:
                arns = strings(get(subject.props, key))
            except UnknownValueError:
                undecided.append(f"{subject.name} {key}")
                continue
            for arn in arns:
                if broad_managed_policy(arn):
                    report(f"{key} attaches {arn}, which allows far more than TDCE needs", subject.urn)


def _custom_role_permissions(subjects: list[Subject]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for role in (s for s in subjects if s.type == GCP_CUSTOM_ROLE):
        try:
            permissions = strings(get(role.props, "permissions"))
            role_id = get(role.props, "roleId")
        except UnknownValueError:
            continue
        found[role.urn] = permissions
        if role_id:
            found[f"roles/{role_id}"] = permissions
    return found


def _writes_compute(grant: Subject, role: str, custom: dict[str, list[str]]) -> bool:
    if role in GCP_COMPUTE_WRITE_ROLES:
        return True
    permissions = [p for urn in grant.property_dependencies.get("role", ()) for p in custom.get(urn, [])]
    # A project's custom role by its full name, projects/<project>/roles/<roleId>.
    permissions += custom.get("roles/" + role.rpartition("/roles/")[2], [])
    # A permission is service.collection.verb; get and list (and getIamPolicy) only read.
    return any(p.startswith("compute.") and not p.rpartition(".")[2].startswith(("get", "list")) for p in permissions)


def _granted_role(grant: Subject, custom: dict[str, list[str]]) -> str:
    """The role a grant names. A custom role of this stack is named by its output (unknown at preview): it
    is that custom role, whose permissions `_writes_compute` reads through the grant's dependency."""
    try:
        return str(get(grant.props, "role"))
    except UnknownValueError:
        made_from = [urn for urn in grant.property_dependencies.get("role", ()) if urn in custom]
        if made_from:
            return f"the custom role {made_from[0].rpartition('::')[2]}"
        raise


def _gcp_grants(subjects: list[Subject], report: ReportViolation, undecided: list[str]) -> None:
    custom = _custom_role_permissions(subjects)
    # The prefix the program conditions the server's compute grants on (components/gcp/dashboard_access.py):
    # each `startsWith` must end at exactly this stack's prefix, alone or after a resource path.
    prefix = name_prefix(stack_name())
    names_the_prefix = re.compile(r'startsWith\("(?:[^"]*/)?' + re.escape(prefix) + r'"\)')
    for grant in subjects:
        try:
            if grant.type == GCP_PROJECT_POLICY:
                # The whole project's policy: each binding names its role and carries its own condition.
                policy = json_document(get(grant.props, "policyData"))
                bindings = [b for b in as_list(policy.get("bindings")) if isinstance(b, dict)] if isinstance(policy, dict) else []
                roles = [(str(b.get("role")), lambda b=b: str(get(b, "condition", "expression"))) for b in bindings]
            elif grant.type in GCP_IAM_GRANTS:
                # The condition is read only where it matters: it may name a resource unknown at preview.
                roles = [(_granted_role(grant, custom), lambda g=grant: str(get(g.props, "condition", "expression")))]
            else:
                continue
        except UnknownValueError:
            undecided.append(grant.name)
            continue
        for role, condition in roles:
            if role in GCP_BASIC_ROLES:
                report(f"grants the basic role {role}: every permission of every service", grant.urn)
            if grant.type not in PROJECT_WIDE_GRANTS:
                continue
            if role in GCP_ACT_AS_ROLES:
                report(f"grants {role} on the whole project: grant it on the one service account it is for", grant.urn)
            if not _writes_compute(grant, role, custom):
                continue
            try:
                expression = condition()
            except UnknownValueError:
                undecided.append(grant.name)
                continue
            confined = "resource.name" in expression and names_the_prefix.search(expression) is not None
            if not confined:
                report(
                    f"grants {role}, which changes Compute Engine resources, on the whole project without an IAM condition "
                    f"on resource.name and this stack's prefix {prefix!r}: it reaches every VM and group of the project",
                    grant.urn,
                )


def validate_iam_least_privilege(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    undecided: list[str] = []
    _aws_documents(subjects, report, undecided)
    _managed_policies(subjects, report, undecided)
    _gcp_grants(subjects, report, undecided)
    settle(undecided)


iam_least_privilege = StackValidationPolicy(
    name="iam-least-privilege",
    description=(
        "IAM grants reach only this deployment: no '*' or 'service:*' action; a change (or a read of data) on '*' or a "
        "wildcard ARN only with a deployment condition (the tdce:stack tag, this stack's VPC or subnets); iam:PassRole "
        "only on named roles with iam:PassedToService; the server's and workers' policies name only this stack's "
        "bucket; no administrator-class managed policy; on GCP no basic role, and project-wide Compute Engine rights "
        "only with an IAM condition on this stack's name prefix."
    ),
    validate=validate_iam_least_privilege,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Scope each statement as docs/policy-pack.md (The IAM contract) says: name this stack's ARNs, or add the "
        "tdce:stack tag or network condition; on GCP add an IAM condition on resource.name."
    ),
)

IDENTITY_POLICIES = [iam_least_privilege]

"""Which machines each firewall group protects: a rule is judged by every role its group is placed on.

A group (AWS security group, GCP service account) is placed by the resources that hold it:
the server is the one VM instance, workers start from launch or instance templates, and the
managed database, the Secrets Manager endpoint and the secret-rotation function each name
their own groups. A group that none of them holds can still be placed by its `tdce:role` tag,
for groups the stack hands to machines it does not declare (the dashboard's workers). A
group held by two roles (the server's group on a worker pool through `extraSecurityGroups`)
is placed on both, and its rules must suit both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pulumi_policy.proxy import UnknownValueError

from config import tags
from config.channels import Role
from config.resource_types import (
    AWS_DATABASE_CLUSTER,
    AWS_INSTANCE,
    AWS_LAMBDA_FUNCTION,
    AWS_LAUNCH_TEMPLATE,
    AWS_SECURITY_GROUP,
    AWS_SERVERLESS_APPLICATION,
    AWS_VPC_ENDPOINT,
    GCP_INSTANCE,
    GCP_INSTANCE_TEMPLATES,
    GCP_SERVICE_ACCOUNT_BINDING,
    GCP_SERVICE_ACCOUNT_MEMBER,
)
from policies.reading import Subject, get

ROLE_HOLDERS: tuple[tuple[str, Role, tuple[tuple[str, ...], ...]], ...] = (
    (AWS_INSTANCE, Role.SERVER, (("vpcSecurityGroupIds",), ("securityGroups",))),
    (AWS_LAUNCH_TEMPLATE, Role.WORKERS, (("vpcSecurityGroupIds",), ("networkInterfaces",))),
    (AWS_DATABASE_CLUSTER, Role.DATABASE, (("vpcSecurityGroupIds",),)),
    (AWS_SERVERLESS_APPLICATION, Role.SECRET_ROTATION, (("parameters", "vpcSecurityGroupIds"),)),
    (AWS_LAMBDA_FUNCTION, Role.SECRET_ROTATION, (("vpcConfig", "securityGroupIds"),)),
    (GCP_INSTANCE, Role.SERVER, (("serviceAccount", "email"),)),
    *((template, Role.WORKERS, (("serviceAccount", "email"),)) for template in GCP_INSTANCE_TEMPLATES),
)
# The role that lets a member start VMs as a service account (and the dashboard's workers as the workers' account).
GCP_ACTING_AS = "roles/iam.serviceAccountUser"
# The `tdce:role` tag values (config/tags.py) that place a security group no machine of the stack holds.
ROLE_TAGS = {value: role for role, value in tags.GROUP_ROLE_TAGS.items()}


@dataclass(frozen=True)
class Topology:
    """Which groups (or service accounts) guard which role: rules are matched against them through refs."""

    groups: Mapping[Role, frozenset[str]]

    @classmethod
    def of(cls, subjects: Iterable[Subject]) -> Topology:
        subjects = list(subjects)
        groups: dict[Role, set[str]] = {}
        for subject in subjects:
            for kind, role, paths in ROLE_HOLDERS:
                if subject.type == kind:
                    for path in paths:
                        groups.setdefault(role, set()).update(subject.refs(*path))
            endpoint = _endpoint_role(subject)
            if endpoint is not None:
                groups.setdefault(endpoint, set()).update(subject.refs("securityGroupIds"))
            tagged = _tagged_role(subject)
            if tagged is not None:
                groups.setdefault(tagged, set()).add(subject.urn)
        server = frozenset(groups.get(Role.SERVER, ()))
        acted_as = frozenset().union(*(_accounts_the_server_starts_machines_as(s, server) for s in subjects))
        if acted_as:
            groups.setdefault(Role.WORKERS, set()).update(acted_as)
        return cls(groups={role: frozenset(refs) for role, refs in groups.items() if refs})

    def roles(self, refs: frozenset[str]) -> frozenset[Role]:
        """Every role whose machines the group that `refs` names protects; empty when the pack cannot place it."""
        return frozenset(role for role, groups in self.groups.items() if refs & groups)

    def has(self, role: Role) -> bool:
        return role in self.groups


# An interface endpoint's role follows the service it serves (`com.amazonaws.<region>.<service>`).
ENDPOINT_SERVICES = {"secretsmanager": Role.SECRETS_ENDPOINT, "rds": Role.RDS_ENDPOINT}


def _endpoint_role(subject: Subject) -> Role | None:
    if subject.type != AWS_VPC_ENDPOINT:
        return None
    try:
        service = str(get(subject.props, "serviceName"))
    except UnknownValueError:
        return None
    return ENDPOINT_SERVICES.get(service.rpartition(".")[2])


def _tagged_role(subject: Subject) -> Role | None:
    if subject.type != AWS_SECURITY_GROUP:
        return None
    try:
        value = get(subject.props, "tags", tags.AWS_TAGS.role_key)
    except UnknownValueError:
        return None
    return ROLE_TAGS.get(value) if isinstance(value, str) else None


def _accounts_the_server_starts_machines_as(subject: Subject, server: frozenset[str]) -> frozenset[str]:
    """On GCP the dashboard's workers run as the accounts the server may act as: a service account
    cannot carry labels, and starting a VM as an account needs `iam.serviceAccounts.actAs` on it
    (https://cloud.google.com/compute/docs/access/service-accounts#permissions), which the
    Service Account User role grants. The member must be the server's own account."""
    if subject.type not in (GCP_SERVICE_ACCOUNT_MEMBER, GCP_SERVICE_ACCOUNT_BINDING):
        return frozenset()
    try:
        if get(subject.props, "role") != GCP_ACTING_AS:
            return frozenset()
    except UnknownValueError:
        return frozenset()
    members = subject.refs("members") if subject.type == GCP_SERVICE_ACCOUNT_BINDING else subject.refs("member")
    if not {m.removeprefix("serviceAccount:") for m in members} & server:
        return frozenset()
    return frozenset(ref.rpartition("/serviceAccounts/")[2] for ref in subject.refs("serviceAccountId"))


def roles_label(roles: Iterable[Role]) -> str:
    return " and ".join(role.value for role in sorted(roles))

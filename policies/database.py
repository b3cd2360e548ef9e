"""The managed database is reachable on private addresses only, and every database secret rotates."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from config import tags
from config.resource_types import (
    AWS_DATABASE_CLUSTER,
    AWS_DATABASE_INSTANCE,
    AWS_SECRET,
    AWS_SECRET_ROTATION,
    AWS_SECRET_VERSION,
    GCP_DATABASE_INSTANCE,
    GCP_SECRET,
    GCP_SECRET_VERSION,
    GCP_SQL_USER,
)
from policies.reading import Subject, get, is_set, items, settle, stack_subjects, truthy


def validate_database_private_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == GCP_DATABASE_INSTANCE:
        ip = get(props, "settings", "ipConfiguration")
        # Cloud SQL gives an instance a public IPv4 address unless ipv4Enabled is false
        # (https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances#ipconfiguration).
        if get(ip, "ipv4Enabled") is not False:
            report("settings.ipConfiguration.ipv4Enabled is not false: the instance gets a public IP address", None)
        networks = items(get(ip, "authorizedNetworks"))
        if networks:
            report(f"settings.ipConfiguration.authorizedNetworks admits {len(networks)} network(s) from outside the VPC", None)
        # The network's ID, unknown at preview of a new stack: that it is set is what counts.
        if not is_set(ip, "privateNetwork"):
            report("settings.ipConfiguration.privateNetwork is not set: the instance has no private IP in the VPC", None)
    elif args.resource_type == AWS_DATABASE_INSTANCE and truthy(get(props, "publiclyAccessible")):
        report("publiclyAccessible is true: the database instance gets a public DNS name and address", None)


database_private_only = ResourceValidationPolicy(
    name="database-private-only",
    description=(
        "The managed database has private addresses only: Cloud SQL without a public IP or authorized networks, "
        "Aurora instances not publicly accessible. Only the server reaches it, from inside the network."
    ),
    validate=validate_database_private_only,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Keep ipv4Enabled=False with a privateNetwork (Cloud SQL) and publiclyAccessible unset (Aurora).",
)

DATABASE_ROLE_TAGS = ((tags.AWS_TAGS.role_key, "tags"), (tags.GCP_LABELS.role_key, "labels"))
# The inputs through which a database takes a password: a secret fed from the same source holds it.
PASSWORD_INPUTS = ((GCP_DATABASE_INSTANCE, "rootPassword"), (GCP_SQL_USER, "password"), (AWS_DATABASE_CLUSTER, "masterPassword"))


def _tagged_database(subject: Subject) -> bool:
    for key, field in DATABASE_ROLE_TAGS:
        try:
            if get(subject.props, field, key) == tags.DATABASE:
                return True
        except UnknownValueError:
            continue
    return False


def database_secrets(subjects: list[Subject]) -> list[Subject]:
    """Secrets holding a database credential: tagged so, filled from a database, or from a database's password source."""
    databases = {s.urn for s in subjects if s.type in (AWS_DATABASE_CLUSTER, GCP_DATABASE_INSTANCE)}
    password_sources = {
        urn for s in subjects for kind, key in PASSWORD_INPUTS if s.type == kind for urn in s.property_dependencies.get(key, ())
    }
    found: dict[str, Subject] = {}
    by_urn = {s.urn: s for s in subjects}
    for subject in subjects:
        if subject.type in (AWS_SECRET, GCP_SECRET) and _tagged_database(subject):
            found[subject.urn] = subject
        if subject.type in (AWS_SECRET_VERSION, GCP_SECRET_VERSION):
            aws = subject.type == AWS_SECRET_VERSION
            value_key, secret_key = ("secretString", "secretId") if aws else ("secretData", "secret")
            sources = set(subject.property_dependencies.get(value_key, ()))
            if sources & (databases | password_sources):
                for urn in subject.property_dependencies.get(secret_key, ()):
                    if urn in by_urn:
                        found[urn] = by_urn[urn]
    return list(found.values())


def _iam_authentication(instance: Subject) -> bool | None:
    """Cloud SQL with IAM database authentication on (the `cloudsql.iam_authentication` flag); None when the
    flags are unknown (at preview the engine may send an instance's whole `settings` unknown,
    pulumi/pulumi#7854)."""
    try:
        flags = items(get(instance.props, "settings", "databaseFlags"))
        return any(get(f, "name") == "cloudsql.iam_authentication" and get(f, "value") == "on" for f in flags)
    except UnknownValueError:
        return None


def _gcp_rotation_problem(secret: Subject) -> str | None:
    if get(secret.props, "rotation", "rotationPeriod") is None:
        return "the database secret has no rotation.rotationPeriod: its password never changes"
    if not items(get(secret.props, "topics")):
        # Secret Manager refuses a rotation schedule without a Pub/Sub topic to announce it.
        return "the database secret's rotation names no Pub/Sub topic, so nothing is told to rotate it"
    return None


def validate_database_secrets_rotate(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    rotations = [s for s in subjects if s.type == AWS_SECRET_ROTATION]
    logins = [_iam_authentication(s) for s in subjects if s.type == GCP_DATABASE_INSTANCE]
    iam_login = any(logins)
    undecided: list[str] = []
    for secret in database_secrets(subjects):
        if secret.type == AWS_SECRET:
            if not any(secret.urn in rotation.refs("secretId") for rotation in rotations):
                report(
                    "the database secret has no rotation (aws.secretsmanager.SecretRotation): its password never changes",
                    secret.urn,
                )
        # With iam_login the server logs in to Cloud SQL with IAM (no password); the built-in administrator's
        # password is a break-glass credential only project owners read. Secret Manager's rotation would only
        # publish a message, so a schedule would present as rotation what changes nothing (issue 15).
        elif None in logins and not iam_login:
            undecided.append(f"{secret.name} (whether the database logs in with IAM)")
        elif not iam_login:
            try:
                problem = _gcp_rotation_problem(secret)
            except UnknownValueError:
                undecided.append(secret.name)
            else:
                if problem is not None:
                    report(problem, secret.urn)
    settle(undecided)


database_secrets_rotate = StackValidationPolicy(
    name="database-secrets-rotate",
    description=(
        "Every secret that holds a database credential has a rotation (AWS: a SecretRotation; GCP: a rotation period "
        "with its topic), so removing the rotation is caught, not only a slow one. On GCP a Cloud SQL instance with IAM "
        "database authentication is exempt: the server holds no password, and the administrator's is a break-glass one."
    ),
    validate=validate_database_secrets_rotate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Keep the database component's secret rotations.",
)

DATABASE_POLICIES = [database_private_only, database_secrets_rotate]

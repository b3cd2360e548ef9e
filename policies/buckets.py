"""The bundle bucket: private, encrypted, reachable over TLS only.

On AWS the guarantees are separate resources attached to the bucket (public access block,
encryption configuration, bucket policy), so these are stack policies that look for them.
GCP encrypts every object itself and serves the API over TLS only; there the bucket's own
inputs carry public access prevention.
"""

from __future__ import annotations

from collections.abc import Callable

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from config.resource_types import AWS_BUCKET_ENCRYPTION, AWS_BUCKET_POLICY, AWS_BUCKETS, AWS_PUBLIC_ACCESS_BLOCK, GCP_BUCKET
from policies.iam_documents import as_list
from policies.reading import Subject, get, items, json_document, provider_mirror, settle, stack_subjects, truthy

PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
ENCRYPTION_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


def _attached(subjects: list[Subject], types: tuple[str, ...], bucket: Subject) -> list[Subject]:
    return [s for s in subjects if s.type in types and s.depends_on("bucket", bucket)]


def validate_bucket_public_access_blocked(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    for bucket in (s for s in subjects if s.type in AWS_BUCKETS):
        blocks = _attached(subjects, (AWS_PUBLIC_ACCESS_BLOCK,), bucket)
        if not blocks:
            report("the bucket has no public access block", bucket.urn)
        for block in blocks:
            off = [flag for flag in PUBLIC_ACCESS_FLAGS if not truthy(get(block.props, flag))]
            if off:
                report(f"the public access block leaves {', '.join(off)} off", block.urn)
    for bucket in (s for s in subjects if s.type == GCP_BUCKET):
        if get(bucket.props, "publicAccessPrevention") != "enforced":
            report("publicAccessPrevention is not 'enforced'", bucket.urn)
        if not truthy(get(bucket.props, "uniformBucketLevelAccess")):
            report("uniformBucketLevelAccess is off, so object ACLs can still grant access", bucket.urn)


bucket_public_access_blocked = StackValidationPolicy(
    name="bucket-public-access-blocked",
    description=(
        "Buckets are never public: AWS buckets carry a public access block with all four settings on, GCP buckets "
        "enforce public access prevention with uniform access. Bundles hold users' code and data."
    ),
    validate=validate_bucket_public_access_blocked,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Keep the storage component's public access block (AWS) or publicAccessPrevention='enforced' (GCP).",
)


def _guaranteed_or_undecided(readers: list[Callable[[], bool]], undecided: list[str], label: str) -> bool:
    """Whether any of the readers finds the guarantee, or one of them read a value unknown at preview
    (then `label` joins `undecided`: no verdict yet, never a violation)."""
    unknown = False
    for read in readers:
        try:
            if read():
                return True
        except UnknownValueError:
            unknown = True
    if unknown:
        undecided.append(label)
    return unknown


def _encrypts(config: Subject) -> bool:
    return any(
        get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") in ENCRYPTION_ALGORITHMS
        for rule in items(get(config.props, "rules"))
    )


def _states_encryption(bucket: Subject) -> bool:
    inline = get(bucket.props, "serverSideEncryptionConfiguration", "rule", "applyServerSideEncryptionByDefault", "sseAlgorithm")
    return inline in ENCRYPTION_ALGORITHMS


def validate_bucket_encrypted(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    undecided: list[str] = []
    for bucket in (s for s in subjects if s.type in AWS_BUCKETS):
        # The attached configuration first; the bucket's own output mirrors it once read back, and is the
        # provider's, unknown as a whole, at preview when the program states none inline.
        readers = [lambda c=config: _encrypts(c) for config in _attached(subjects, AWS_BUCKET_ENCRYPTION, bucket)]
        if not provider_mirror(bucket, "serverSideEncryptionConfiguration"):
            readers.append(lambda b=bucket: _states_encryption(b))
        if not _guaranteed_or_undecided(readers, undecided, f"{bucket.name} encryption"):
            report("the bucket has no default encryption configuration", bucket.urn)
    settle(undecided)


bucket_encrypted = StackValidationPolicy(
    name="bucket-encrypted",
    description=(
        "AWS buckets state their default encryption (SSE-S3 or SSE-KMS) so that it is reviewed and kept, not left to "
        "an account default. GCP encrypts every object itself."
    ),
    validate=validate_bucket_encrypted,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Attach a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms or AES256.",
)


def _denies_plain_http(policy: object) -> bool:
    document = json_document(policy)
    statements = as_list(document.get("Statement")) if isinstance(document, dict) else []
    return any(
        isinstance(statement, dict)
        and statement.get("Effect") == "Deny"
        and str(get(statement, "Condition", "Bool", "aws:SecureTransport")).lower() == "false"
        for statement in statements
    )


def validate_bucket_tls_only(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    undecided: list[str] = []
    for bucket in (s for s in subjects if s.type in AWS_BUCKETS):
        holders = [*_attached(subjects, (AWS_BUCKET_POLICY,), bucket)]
        if not provider_mirror(bucket, "policy"):
            holders.append(bucket)
        readers = [lambda h=holder: _denies_plain_http(get(h.props, "policy")) for holder in holders]
        if not _guaranteed_or_undecided(readers, undecided, f"{bucket.name} policy"):
            report("no bucket policy denies requests without TLS (aws:SecureTransport = false)", bucket.urn)
    settle(undecided)


bucket_tls_only = StackValidationPolicy(
    name="bucket-tls-only",
    description=(
        "AWS buckets refuse plain-HTTP requests through a bucket policy that denies aws:SecureTransport = false, so "
        "bundles and credentials never cross the network in clear text. GCP's storage API is TLS only."
    ),
    validate=validate_bucket_tls_only,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        'Attach a BucketPolicy with a Deny statement on s3:* conditioned on {"Bool": {"aws:SecureTransport": "false"}}.'
    ),
)

BUCKET_POLICIES = [bucket_public_access_blocked, bucket_encrypted, bucket_tls_only]

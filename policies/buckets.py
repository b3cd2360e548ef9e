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


Readers = list[Callable[[], bool]]


def _judge_aws_buckets(
    args: StackValidationArgs,
    report: ReportViolation,
    readers_of: Callable[[list[Subject], Subject], Readers],
    guarantee: str,
    missing: str,
) -> None:
    """Each AWS bucket holds the guarantee when any of its readers finds it. While none does and one
    read a value unknown at preview, the bucket is undecided (an advisory note, never a violation)."""
    subjects = stack_subjects(args)
    undecided: list[str] = []
    for bucket in (s for s in subjects if s.type in AWS_BUCKETS):
        unknown = False
        for read in readers_of(subjects, bucket):
            try:
                if read():
                    break
            except UnknownValueError:
                unknown = True
        else:
            if unknown:
                undecided.append(f"{bucket.name} {guarantee}")
            else:
                report(missing, bucket.urn)
    settle(undecided)


def _encrypts(config: Subject) -> bool:
    return any(
        get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") in ENCRYPTION_ALGORITHMS
        for rule in items(get(config.props, "rules"))
    )


def _states_encryption(bucket: Subject) -> bool:
    inline = get(bucket.props, "serverSideEncryptionConfiguration", "rule", "applyServerSideEncryptionByDefault", "sseAlgorithm")
    return inline in ENCRYPTION_ALGORITHMS


def _encryption_readers(subjects: list[Subject], bucket: Subject) -> Readers:
    # The attached configuration first; the bucket's own output mirrors it once read back, and is the
    # provider's, unknown as a whole, at preview when the program states none inline.
    readers: Readers = [lambda c=config: _encrypts(c) for config in _attached(subjects, AWS_BUCKET_ENCRYPTION, bucket)]
    if not provider_mirror(bucket, "serverSideEncryptionConfiguration"):
        readers.append(lambda: _states_encryption(bucket))
    return readers


def validate_bucket_encrypted(args: StackValidationArgs, report: ReportViolation) -> None:
    _judge_aws_buckets(args, report, _encryption_readers, "encryption", "the bucket has no default encryption configuration")


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


def _policy_readers(subjects: list[Subject], bucket: Subject) -> Readers:
    holders = [*_attached(subjects, (AWS_BUCKET_POLICY,), bucket)]
    if not provider_mirror(bucket, "policy"):
        holders.append(bucket)
    return [lambda h=holder: _denies_plain_http(get(h.props, "policy")) for holder in holders]


def validate_bucket_tls_only(args: StackValidationArgs, report: ReportViolation) -> None:
    _judge_aws_buckets(
        args, report, _policy_readers, "policy", "no bucket policy denies requests without TLS (aws:SecureTransport = false)"
    )


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

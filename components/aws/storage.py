"""The bundle bucket: private, owner-enforced, encrypted, reachable over TLS only."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from components.aws.policy_document import deny_all_principals, document
from config.bucket import BucketSettings


class Storage(pulumi.ComponentResource):
    def __init__(
        self, name: str, *, settings: BucketSettings, tags: Mapping[str, str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("tdce:aws:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bundles = aws.s3.Bucket(
            f"{name}-bundles",
            # In place of the vendor's S3DeleteLambda: `pulumi destroy` empties the bucket itself.
            force_destroy=settings.force_destroy,
            tags=dict(tags),
            opts=child,
        )
        # One configuration call after another: S3 answers 409 OperationAborted ("A conflicting
        # conditional operation is currently in progress") to concurrent writes on one bucket
        # (hashicorp/terraform-provider-aws#7628). Each sub-resource waits for the one before it.
        previous: pulumi.Resource = bundles

        def after_previous() -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[previous])

        previous = aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bundles.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=after_previous()
        )
        previous = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bundles.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=after_previous(),
        )
        previous = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bundles.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=after_previous(),
        )
        # Always managed, so turning versioning off later suspends it instead of leaving it on.
        previous = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bundles.id,
            versioning_configuration={"status": "Enabled" if settings.versioning else "Suspended"},
            opts=after_previous(),
        )
        objects = bundles.arn.apply(lambda arn: f"{arn}/*")
        previous = aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bundles.id,
            policy=document(
                deny_all_principals(
                    "RefuseUnencryptedTransport", ["s3:*"], [bundles.arn, objects], {"Bool": {"aws:SecureTransport": "false"}}
                )
            ),
            opts=after_previous(),
        )
        if settings.expire_after_days is not None:
            rule: dict = {
                "id": "expire-bundles",
                "status": "Enabled",
                "filter": {},
                "expiration": {"days": settings.expire_after_days},
            }
            if settings.versioning:
                rule["noncurrent_version_expiration"] = {"noncurrent_days": settings.expire_after_days}
            aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bundles.id, rules=[rule], opts=after_previous())

        self.bucket_name = bundles.bucket
        self.bucket_arn = bundles.arn
        self.objects_arn = objects
        # The same outputs as the GCP bucket's (components/gcp/storage.py): its name and its URL.
        self.register_outputs({"bucketName": self.bucket_name, "bucketUrl": pulumi.Output.concat("s3://", bundles.bucket)})

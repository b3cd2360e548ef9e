"""The bundle bucket: private by construction, read by the workers, written by the server."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_gcp as gcp

from config.bucket import BucketSettings


class Storage(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        settings: BucketSettings,
        location: str,
        tags: Mapping[str, str],
        readers: Mapping[str, pulumi.Input[str]],
        writers: Mapping[str, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`readers` and `writers`: IAM members (`serviceAccount:…`) by a stable short name, granted object read, or read
        and write, on this bucket only."""
        super().__init__("tdce:gcp:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        lifecycle = []
        if settings.expire_after_days is not None:
            lifecycle.append({"action": {"type": "Delete"}, "condition": {"age": settings.expire_after_days}})
        self.bucket = gcp.storage.Bucket(
            f"{name}-bundles",
            location=location.upper(),
            # IAM only, no object ACLs: the grants below are the whole access list.
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            versioning={"enabled": settings.versioning},
            # Empties the bucket on destroy, as the vendor's delete Lambda did.
            force_destroy=settings.force_destroy,
            lifecycle_rules=lifecycle,
            labels=dict(tags),
            opts=child,
        )
        grants = [(who, "read", "objectViewer", member) for who, member in readers.items()]
        grants += [(who, "write", "objectAdmin", member) for who, member in writers.items()]
        self.grants = [
            gcp.storage.BucketIAMMember(
                f"{name}-{who}-{access}",
                bucket=self.bucket.name,
                role=f"roles/storage.{role}",
                member=member,
                opts=child,
            )
            for who, access, role, member in grants
        ]

        self.bucket_name = self.bucket.name
        self.register_outputs({"bucketName": self.bucket_name, "bucketUrl": self.bucket.url})

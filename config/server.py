"""The Techila Server: machine, image, data disk."""

from __future__ import annotations

import re

from pydantic import Field

from config.base import Finding, SettingsModel
from config.disks import DiskSettings
from config.identifiers import AWS_IMAGE_ID, matches

# The vendor runs the server on m5.xlarge and larger (001_ec271c3ff40761d0.txt 4.7).
AWS_SIZES_BELOW_MINIMUM = ("nano", "micro", "small", "medium", "large")
GCP_MINIMUM_VCPUS = 4


class ServerSettings(SettingsModel):
    instance_type: str
    # An image ID (ami-… on AWS, an image path on GCP); empty means the latest Debian 12,
    # looked up once and then pinned.
    image: str | None = None
    key_pair: str | None = None
    root_disk_size_gb: int = Field(default=30, ge=10, le=1024)
    data_disk: DiskSettings

    def findings_for(self, cloud: str) -> list[Finding]:
        found: list[Finding] = []
        if cloud == "aws":
            family, _, size = self.instance_type.partition(".")
            if not family or not size:
                found.append((("instanceType",), f"must be an EC2 instance type such as 'm5.xlarge', got {self.instance_type!r}"))
            elif size in AWS_SIZES_BELOW_MINIMUM:
                found.append(
                    (
                        ("instanceType",),
                        f"must be xlarge or larger (the vendor's minimum is m5.xlarge), got {self.instance_type!r}",
                    )
                )
            if self.image is not None and not matches(AWS_IMAGE_ID, self.image):
                found.append((("image",), f"must be an AMI ID such as 'ami-0123456789abcdef0', got {self.image!r}"))
        else:
            standard = re.fullmatch(r"[a-z0-9]+-(?:standard|highmem|highcpu)-(\d+)", self.instance_type)
            if standard is None and not self.instance_type.startswith(("custom-", "n2-custom-", "n2d-custom-")):
                found.append((("instanceType",), f"must be a machine type such as 'n2-standard-4', got {self.instance_type!r}"))
            elif standard is not None and int(standard.group(1)) < GCP_MINIMUM_VCPUS:
                found.append(
                    (
                        ("instanceType",),
                        f"must have at least {GCP_MINIMUM_VCPUS} vCPUs, like the vendor's m5.xlarge, got {self.instance_type!r}",
                    )
                )
            if self.key_pair is not None:
                found.append((("keyPair",), "is AWS only: GCP uses OS Login; remove it"))
        return found

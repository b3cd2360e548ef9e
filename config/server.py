"""The Techila Server: machine, image, data disk."""

from __future__ import annotations

import re

from pydantic import Field

from config import compute_types, instance_types, machine_types
from config.base import Finding, SettingsModel
from config.disks import DiskSettings
from config.identifiers import AWS_IMAGE_ID, matches

# The vendor runs the server on m5.xlarge and larger (001_ec271c3ff40761d0.txt 4.7).
VENDOR_MINIMUM_TYPE = "m5.xlarge"
AWS_SIZES_BELOW_MINIMUM = ("nano", "micro", "small", "medium", "large")
# An AWS Marketplace product code as DescribeImages reports it (ProductCodeId): lowercase letters
# and digits, such as 'aw0evgkw8e5c1q413zgy5pjce'; AWS documents no fixed length.
MARKETPLACE_PRODUCT_CODE = r"[a-z0-9]{1,64}"
GCP_MINIMUM_VCPUS = 4


class ServerSettings(SettingsModel):
    instance_type: str
    # An image ID (ami-… on AWS, an image path on GCP); empty means the latest Debian 12 for the
    # instance type's architecture, looked up once and then pinned.
    image: str | None = None
    # AWS: the vendor's AWS Marketplace product code, instead of `image`: the newest image of the
    # listing (after subscribing to it), looked up once and then pinned.
    marketplace_product_code: str | None = None
    key_pair: str | None = None
    # Within the limits of the root volume types (gp3: 1 to 65,536 GiB, pd-balanced: 10 to 65,536 GB;
    # config/disks.py), so the project's bounds are the tighter ones.
    root_disk_size_gb: int = Field(default=30, ge=10, le=1024)
    data_disk: DiskSettings

    def findings_for(self, cloud: str) -> list[Finding]:
        found: list[Finding] = [(("instanceType",), why) for why in compute_types.problems(cloud, self.instance_type, "linux")]
        if not found:
            found += self._minimum_size(cloud)
        if cloud == "aws":
            if self.image is not None and not matches(AWS_IMAGE_ID, self.image):
                found.append((("image",), f"must be an AMI ID such as 'ami-0123456789abcdef0', got {self.image!r}"))
            code = self.marketplace_product_code
            if self.image is not None and code is not None:
                found.append((("marketplaceProductCode",), "names the image too: set image or marketplaceProductCode, not both"))
            elif code is not None and not re.fullmatch(MARKETPLACE_PRODUCT_CODE, code):
                why = "must be an AWS Marketplace product code (lowercase letters and digits) such as 'aw0evgkw8e5c1q413zgy5pjce'"
                found.append((("marketplaceProductCode",), f"{why}, got {code!r}"))
        else:
            if self.key_pair is not None:
                found.append((("keyPair",), "is AWS only: GCP uses OS Login; remove it"))
            if self.marketplace_product_code is not None:
                found.append((("marketplaceProductCode",), "is AWS only: on GCP set image to the vendor's image path"))
        return found

    def _minimum_size(self, cloud: str) -> list[Finding]:
        if cloud == "aws":
            if instance_types.size(self.instance_type) in AWS_SIZES_BELOW_MINIMUM:
                why = f"must be xlarge or larger (the vendor's minimum is {VENDOR_MINIMUM_TYPE}), got {self.instance_type!r}"
                return [(("instanceType",), why)]
            return []
        machine = machine_types.machine_type(self.instance_type)
        if machine.shared_core or machine.vcpus < GCP_MINIMUM_VCPUS:
            cores = "shared-core" if machine.shared_core else f"{machine.vcpus} vCPUs"
            why = (
                f"must have at least {GCP_MINIMUM_VCPUS} vCPUs, like the vendor's {VENDOR_MINIMUM_TYPE}, "
                f"got {self.instance_type!r} ({cores})"
            )
            return [(("instanceType",), why)]
        return []

    def architecture(self, cloud: str) -> str:
        """The processor architecture the server's image must be built for."""
        return compute_types.architecture(cloud, self.instance_type)

"""Machine images for the server and the worker pools: the configured AMI, the vendor's Marketplace image, or the
latest official one, looked up once per plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

OperatingSystem = Literal["linux", "windows"]
Architecture = Literal["x86_64", "arm64"]

# Official publishers and name patterns per operating system and processor: Debian's own account
# publishes debian-12-amd64-* and debian-12-arm64-*; Amazon's Windows Server images are x86_64 only,
# so the settings refuse `os: windows` on a Graviton type (config/compute_types.py).
LATEST: dict[tuple[str, str], tuple[str, str]] = {
    ("linux", "x86_64"): ("136693071363", "debian-12-amd64-*"),
    ("linux", "arm64"): ("136693071363", "debian-12-arm64-*"),
    ("windows", "x86_64"): ("amazon", "Windows_Server-2022-English-Full-Base-*"),
}
# The owner alias of every AWS Marketplace image (DescribeImages, Owners: "amazon | aws-marketplace").
MARKETPLACE_OWNER = "aws-marketplace"


@dataclass(frozen=True)
class Image:
    id: pulumi.Output[str]
    root_device_name: pulumi.Output[str]
    # A looked-up image moves with each release: its users ignore that drift instead of being replaced.
    looked_up: bool


class Images:
    """Each distinct lookup runs once, however many pools (and the server) use its image: in a
    real preview every lookup is an AWS API call, so a lookup per pool would grow with the pools."""

    def __init__(self, provider: pulumi.ProviderResource):
        self._invoke = pulumi.InvokeOutputOptions(provider=provider)
        self._found: dict[tuple[str, ...], Image] = {}

    def for_(self, configured: str | None, os: OperatingSystem, architecture: Architecture) -> Image:
        """The configured AMI, or the latest official one for the operating system on the instance type's processor.

        A configured AMI is taken as it is: its architecture is only known to AWS, and `tdce preflight`
        checks it against the instance type before `pulumi up`.
        """
        key = ("id", configured) if configured is not None else ("latest", os, architecture)
        if key not in self._found:
            self._found[key] = self._by_id(configured) if configured is not None else self._latest(os, architecture)
        return self._found[key]

    def marketplace(self, product_code: str, architecture: Architecture) -> Image:
        """The newest image of a Marketplace listing (after subscribing to it) for the processor, then pinned.

        The listing's product code is what DescribeImages' `product-code` filter matches.
        """
        key = ("marketplace", product_code, architecture)
        if key not in self._found:
            found = aws.ec2.get_ami_output(
                owners=[MARKETPLACE_OWNER],
                most_recent=True,
                filters=[
                    {"name": "product-code", "values": [product_code]},
                    {"name": "architecture", "values": [architecture]},
                ],
                opts=self._invoke,
            )
            self._found[key] = Image(found.id, found.root_device_name, looked_up=True)
        return self._found[key]

    def _latest(self, os: OperatingSystem, architecture: Architecture) -> Image:
        if (os, architecture) not in LATEST:
            raise ValueError(f"no official {os} image for {architecture} (the settings refuse this combination)")
        owner, pattern = LATEST[(os, architecture)]
        found = aws.ec2.get_ami_output(
            owners=[owner],
            most_recent=True,
            filters=[
                {"name": "name", "values": [pattern]},
                {"name": "architecture", "values": [architecture]},
                {"name": "virtualization-type", "values": ["hvm"]},
            ],
            opts=self._invoke,
        )
        return Image(found.id, found.root_device_name, looked_up=True)

    def _by_id(self, image_id: str) -> Image:
        # Read for its root device name, which a custom image (vendor 4.4) may name differently. A
        # configured image stays pinned after AWS deprecates it: DescribeImages leaves deprecated
        # images out unless asked (IncludeDeprecated), and the next `up` would fail to find it.
        found = aws.ec2.get_ami_output(
            filters=[{"name": "image-id", "values": [image_id]}], include_deprecated=True, opts=self._invoke
        )
        return Image(pulumi.Output.from_input(image_id), found.root_device_name, looked_up=False)

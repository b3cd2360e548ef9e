"""Machine images for the server and the worker pools: the configured AMI, or the latest official one, looked up once per plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

OperatingSystem = Literal["linux", "windows"]

# Official publishers and name patterns: Debian's own account, and Amazon's Windows images.
LATEST: dict[str, tuple[str, str]] = {
    "linux": ("136693071363", "debian-12-amd64-*"),
    "windows": ("amazon", "Windows_Server-2022-English-Full-Base-*"),
}


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
        self._found: dict[tuple[str, str], Image] = {}

    def for_(self, configured: str | None, os: OperatingSystem) -> Image:
        key = ("id", configured) if configured is not None else ("latest", os)
        if key not in self._found:
            self._found[key] = self._by_id(configured) if configured is not None else self._latest(os)
        return self._found[key]

    def _latest(self, os: OperatingSystem) -> Image:
        owner, pattern = LATEST[os]
        found = aws.ec2.get_ami_output(
            owners=[owner],
            most_recent=True,
            filters=[
                {"name": "name", "values": [pattern]},
                {"name": "architecture", "values": ["x86_64"]},
                {"name": "virtualization-type", "values": ["hvm"]},
            ],
            opts=self._invoke,
        )
        return Image(found.id, found.root_device_name, looked_up=True)

    def _by_id(self, image_id: str) -> Image:
        # Read for its root device name, which a custom image (vendor 4.4) may name differently.
        found = aws.ec2.get_ami_output(filters=[{"name": "image-id", "values": [image_id]}], opts=self._invoke)
        return Image(pulumi.Output.from_input(image_id), found.root_device_name, looked_up=False)

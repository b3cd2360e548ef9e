"""An instance (AWS) or machine (GCP) type, checked against its cloud: real, of that cloud, and runnable.

The image follows the type's processor: `architecture()` says which image the default lookups pick
(components/aws/images.py, components/gcp/vm.py). A configured image's architecture cannot be known
offline; `tdce preflight` compares it with the instance type (tdce/ops/reference_checks.py).
"""

from __future__ import annotations

from config import instance_types, machine_types
from config.suggest import closest

EXAMPLE = {"aws": "m5.xlarge", "gcp": "n2-standard-4"}
# Machine series that attach Hyperdisk only: "The new C4, C4A, C4D, N4, N4A, and N4D families do not support
# pd-balanced disks" (they take hyperdisk-balanced, -balanced-high-availability and -throughput; C3 and
# C3D still take pd-*), nextflow-io/nextflow#6614 and #6841 from Google's disk support per machine series.
# This stack's boot and data disks are Persistent Disk (components/gcp/server.py, config/disks.py), so
# Compute Engine would refuse the VM at `pulumi up`. (X4, M4 and H3 are not listed: not confirmed here.)
HYPERDISK_ONLY_FAMILIES = ("c4", "c4a", "c4d", "n4")


def problems(cloud: str, name: str, os: str) -> list[str]:
    """Why the cloud would refuse `name` for an `os` VM; empty when it would not."""
    if cloud == "aws":
        return _aws_problems(name, os)
    return _gcp_problems(name, os)


def _aws_problems(name: str, os: str) -> list[str]:
    if not instance_types.is_instance_type(name):
        if machine_types.looks_like_gcp(name):
            return [f"{name!r} is a GCP machine type; on aws use an EC2 instance type such as {EXAMPLE['aws']!r}"]
        close = closest(name, instance_types.ec2_instance_types())
        hint = f"; did you mean {close!r}?" if close else ""
        return [f"must be an EC2 instance type such as {EXAMPLE['aws']!r} (botocore's EC2 model), got {name!r}{hint}"]
    if instance_types.is_mac(name):
        return [
            f"{name!r} is a Mac instance: macOS on Dedicated Hosts only (Amazon EC2 Mac instances); use a Linux or Windows type"
        ]
    if os == "windows" and instance_types.architecture(name) == "arm64":
        # Windows Server AMIs are published for x86_64 only ("AWS Windows AMI reference").
        return [f"os windows needs an x86_64 instance type: {name!r} is AWS Graviton (arm64), and Windows has no arm64 AMI"]
    return []


def _gcp_problems(name: str, os: str) -> list[str]:
    # Only EC2 names hold a dot, so a GCP stack reads the EC2 list only for a name that may be one.
    if "." in name and instance_types.is_instance_type(name):
        return [f"{name!r} is an EC2 instance type; on gcp use a machine type such as {EXAMPLE['gcp']!r}"]
    try:
        found = machine_types.machine_type(name)
    except ValueError as exc:
        close = closest(name, machine_types.predefined_names())
        hint = f"; did you mean {close!r}?" if close and not machine_types.looks_like_gcp(name) else ""
        return [f"{exc}, got {name!r}{hint}"]
    if found.family in HYPERDISK_ONLY_FAMILIES:
        return [
            f"{name!r} is a {found.family.upper()} machine, which attaches Hyperdisk only, and this stack's disks are "
            f"Persistent Disk (pd-*): use a series that takes them, such as n2, n2d, c2, c3 or e2"
        ]
    if os == "windows" and found.architecture == "arm64":
        # "Arm VMs on Compute Engine": Arm machine series run Linux images; Windows Server images are x86 only.
        return [f"os windows needs an x86 machine type: {name!r} is an Arm series ({found.family}), which runs no Windows image"]
    return []


def architecture(cloud: str, name: str) -> str:
    """`arm64` or `x86_64`, for a type `problems()` accepted."""
    if cloud == "aws":
        return instance_types.architecture(name)
    return machine_types.machine_type(name).architecture

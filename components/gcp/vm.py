"""What every TDCE VM on GCP shares, server and workers alike: its image, Shielded VM, OS Login, no serial port."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.gcp.kept import kept_value

# (image project, image family) per operating system and processor; the newest image of the family is
# looked up once and kept. Debian publishes debian-12 and debian-12-arm64 ("OS images": Arm images); Windows Server
# images are x86 only, so the settings refuse `os: windows` on an Arm series (config/compute_types.py).
IMAGE_FAMILIES = {
    ("linux", "x86_64"): ("debian-cloud", "debian-12"),
    ("linux", "arm64"): ("debian-cloud", "debian-12-arm64"),
    ("windows", "x86_64"): ("windows-cloud", "windows-2022"),
}

SHIELDED_VM = {"enable_secure_boot": True, "enable_vtpm": True, "enable_integrity_monitoring": True}

# SSH only through OS Login (IAM decides who logs in, and it is audited); project-wide keys,
# which would let their holders into every VM of the project, are refused; the interactive
# serial console, which bypasses the firewall, stays off.
LOCKED_DOWN_METADATA = {
    "enable-oslogin": "TRUE",
    "block-project-ssh-keys": "TRUE",
    "serial-port-enable": "FALSE",
}

# Access is decided by the service account's IAM grants; the legacy scopes would only narrow them further, per VM.
CLOUD_PLATFORM_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


def service_account(email: pulumi.Input[str]) -> dict[str, object]:
    return {"email": email, "scopes": CLOUD_PLATFORM_SCOPES}


def image_for(
    name: str, os: str, configured: str | None, parent: pulumi.Resource, *, architecture: str, compute_api: pulumi.Resource
) -> pulumi.Output[str]:
    """The configured image (taken as it is), or the newest of the family for the OS and processor as the first
    `up` found it, kept from then on under `name` (components/gcp/kept.py): a new image in the family replaces nothing."""
    if configured is not None:
        return pulumi.Output.from_input(configured)
    project, family = IMAGE_FAMILIES[(os, architecture)]
    # After the Compute Engine API is on: in a fresh project the lookup would fail before it.
    newest = gcp.compute.get_image_output(
        family=family, project=project, opts=pulumi.InvokeOutputOptions(parent=parent, depends_on=[compute_api])
    ).self_link
    return kept_value(f"{name}-image", newest, keepers={"family": f"{project}/{family}"}, parent=parent)

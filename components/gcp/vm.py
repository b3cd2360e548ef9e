"""What every TDCE VM on GCP shares, server and workers alike: its image, Shielded VM, OS Login, no serial port."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

# (image project, image family) per operating system and processor; the newest image of the family is
# looked up. Debian publishes debian-12 and debian-12-arm64 ("OS images": Arm images); Windows Server
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


def image_for(os: str, configured: str | None, parent: pulumi.Resource, *, architecture: str) -> str:
    """The configured image (taken as it is), or the newest of the family for the OS on the machine type's processor."""
    if configured is not None:
        return configured
    project, family = IMAGE_FAMILIES[(os, architecture)]
    return gcp.compute.get_image(family=family, project=project, opts=pulumi.InvokeOptions(parent=parent)).self_link

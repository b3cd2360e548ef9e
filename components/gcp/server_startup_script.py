"""The server's startup script: `server_startup_script.sh` behind a header of the values it needs."""

from __future__ import annotations

import shlex
from pathlib import Path

import pulumi

SCRIPT = (Path(__file__).resolve().parent / "server_startup_script.sh").read_text()
# Where the vendor's server keeps its state (001_ec271c3ff40761d0.txt 4.13), the same path as on AWS.
DATA_MOUNT_POINT = "/ebs"
# The data disk appears on the server as /dev/disk/by-id/google-<this>.
DATA_DEVICE_NAME = "tdce-data"


def render(*, admin_password_secret: str, project: str) -> str:
    values = {
        "DATA_DEVICE_NAME": DATA_DEVICE_NAME,
        "DATA_MOUNT_POINT": DATA_MOUNT_POINT,
        "ADMIN_PASSWORD_SECRET": admin_password_secret,
        "GOOGLE_CLOUD_PROJECT": project,
    }
    header = "\n".join(f"{key}={shlex.quote(value)}" for key, value in values.items())
    return f"#!/bin/bash\n{header}\n{SCRIPT}"


def server_startup_script(*, admin_password_secret: pulumi.Input[str], project: str) -> pulumi.Output[str]:
    return pulumi.Output.from_input(admin_password_secret).apply(
        lambda secret: render(admin_password_secret=secret, project=project)
    )

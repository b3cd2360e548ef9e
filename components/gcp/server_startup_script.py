"""The server's startup script on GCP: how to find the data disk, around the shared mount (`components/boot/`)."""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.boot.script import render

FIND_DEVICE = (Path(__file__).resolve().parent / "server_startup_script.sh").read_text()
# The data disk appears on the server as /dev/disk/by-id/google-<this>.
DATA_DEVICE_NAME = "tdce-data"


def server_startup_script(*, admin_password_secret: pulumi.Input[str], project: str) -> pulumi.Output[str]:
    return pulumi.Output.from_input(admin_password_secret).apply(
        lambda secret: render(
            values={"DATA_DEVICE_NAME": DATA_DEVICE_NAME},
            find_device=FIND_DEVICE,
            deployment_env={"TDCE_ADMIN_PASSWORD_SECRET": secret, "GOOGLE_CLOUD_PROJECT": project},
        )
    )

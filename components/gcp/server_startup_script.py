"""The server's boot scripts on GCP: the startup script around the shared mount (`components/boot/`), and the shutdown script."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pulumi

from components.boot.script import DATA_MOUNT_POINT, render

_HERE = Path(__file__).resolve().parent
FIND_DEVICE = (_HERE / "server_startup_script.sh").read_text()
SHUTDOWN_SCRIPT = (_HERE / "server_shutdown_script.sh").read_text().replace("@DATA_MOUNT_POINT@", DATA_MOUNT_POINT)
# The data disk appears on the server as /dev/disk/by-id/google-<this>.
DATA_DEVICE_NAME = "tdce-data"


def server_startup_script(*, deployment_env: pulumi.Input[Mapping[str, str]]) -> pulumi.Output[str]:
    """`deployment_env`: what /etc/tdce/deployment.env holds (components/gcp/deployment_env.py)."""
    return pulumi.Output.from_input(deployment_env).apply(
        lambda env: render(values={"DATA_DEVICE_NAME": DATA_DEVICE_NAME}, find_device=FIND_DEVICE, deployment_env=dict(env))
    )

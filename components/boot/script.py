"""The server's first-boot script on either cloud: its values, the cloud's way to find the data disk, the shared mount."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path

SHARED = (Path(__file__).resolve().parent / "mount_data_disk.sh").read_text()
# Where the vendor's server keeps its state (001_ec271c3ff40761d0.txt 4.13: /ebs/techila/server/...).
DATA_MOUNT_POINT = "/ebs"


def render(*, values: Mapping[str, str], find_device: str, deployment_env: Mapping[str, str], after: str = "") -> str:
    """A bash script: `values` as shell variables, the cloud's `find_device` (and any other functions), the
    shared mount, then `after`.

    `deployment_env` becomes /etc/tdce/deployment.env for the TDCE installer, beside TDCE_DATA_DIR;
    `after` runs once that file exists (AWS adds the server's own address to it); last, a service
    of the vendor's that started before the disk was mounted is started again on it.
    """
    env = "\n".join(f"{key}={value}" for key, value in deployment_env.items())
    assigned = {**values, "DATA_MOUNT_POINT": DATA_MOUNT_POINT, "DEPLOYMENT_ENV": env}
    header = "\n".join(f"{key}={shlex.quote(value)}" for key, value in assigned.items())
    return f"#!/bin/bash\n{header}\n{find_device}\n{SHARED}{after}restart_services_on_disk\n"

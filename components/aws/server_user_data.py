"""The server's first-boot script: `server_user_data.sh` behind a header of the values it needs."""

from __future__ import annotations

import shlex
from pathlib import Path

import pulumi

SCRIPT = (Path(__file__).resolve().parent / "server_user_data.sh").read_text()
# Where the vendor's server keeps its state (001_ec271c3ff40761d0.txt 4.13: /ebs/techila/server/...).
DATA_MOUNT_POINT = "/ebs"
# The name the volume is attached under; Nitro instances show it as NVMe whatever the name.
DATA_DEVICE_NAME = "/dev/sdf"


def render(*, data_volume_id: str, admin_password_secret_arn: str, region: str) -> str:
    values = {
        "DATA_VOLUME_ID": data_volume_id,
        "DATA_DEVICE_NAME": DATA_DEVICE_NAME,
        "DATA_MOUNT_POINT": DATA_MOUNT_POINT,
        "ADMIN_PASSWORD_SECRET_ARN": admin_password_secret_arn,
        "AWS_REGION": region,
    }
    header = "\n".join(f"{key}={shlex.quote(value)}" for key, value in values.items())
    return f"#!/bin/bash\n{header}\n{SCRIPT}"


def server_user_data(
    *, data_volume_id: pulumi.Input[str], admin_password_secret_arn: pulumi.Input[str], region: str
) -> pulumi.Output[str]:
    return pulumi.Output.all(data_volume_id, admin_password_secret_arn).apply(
        lambda ids: render(data_volume_id=ids[0], admin_password_secret_arn=ids[1], region=region)
    )

"""The server's first-boot script on AWS: how to find the data volume, around the shared mount (`components/boot/`),
and the server's own address added to the deployment env file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pulumi

from components.boot.script import render
from components.deployment_document import ADMIN_PASSWORD_SECRET_LINE

FUNCTIONS = (Path(__file__).resolve().parent / "server_user_data.sh").read_text()
# The name the volume is attached under; Nitro instances show it as NVMe whatever the name.
DATA_DEVICE_NAME = "/dev/sdf"


def server_user_data(
    *,
    data_volume_id: pulumi.Input[str],
    admin_password_secret: pulumi.Input[str],
    deployment_env: pulumi.Input[Mapping[str, str]],
    region: str,
) -> pulumi.Output[str]:
    return pulumi.Output.all(data_volume_id, admin_password_secret, deployment_env).apply(
        lambda resolved: render(
            values={"DATA_VOLUME_ID": resolved[0], "DATA_DEVICE_NAME": DATA_DEVICE_NAME},
            find_device=FUNCTIONS,
            deployment_env={ADMIN_PASSWORD_SECRET_LINE: resolved[1], "AWS_REGION": region, **resolved[2]},
            after="write_own_address\n",
        )
    )

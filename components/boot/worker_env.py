"""A declared pool's first boot: where its workers find the Techila Server, written to worker.env.

The worker image (vendor 4.4 custom image) carries the TDCE worker; this tells it the server's
private address and the two ports it dials (config/channels.py: signal, data).
"""

from __future__ import annotations

import base64

from components.deployment_document import ports

LINUX_PATH = "/etc/tdce/worker.env"
# EC2Launch (v2) runs a <powershell> block of user data at first boot.
WINDOWS_DIRECTORY = r"$env:ProgramData\TDCE"


def worker_env_lines(server_address: str) -> list[str]:
    return [
        f"TDCE_SERVER_ADDRESS={server_address}",
        f"TDCE_SIGNAL_PORT={ports()['signalPort']}",
        f"TDCE_DATA_PORT={ports()['dataPort']}",
    ]


def worker_boot_script(os: str, server_address: str) -> str:
    lines = worker_env_lines(server_address)
    if os == "windows":
        quoted = ", ".join(f'"{line}"' for line in lines)
        return (
            "<powershell>\n"
            f'New-Item -ItemType Directory -Force -Path "{WINDOWS_DIRECTORY}" | Out-Null\n'
            f'Set-Content -Path "{WINDOWS_DIRECTORY}\\worker.env" -Value @({quoted})\n'
            "</powershell>\n"
        )
    body = "\n".join(lines)
    return f"#!/bin/bash\nset -euo pipefail\ninstall -d -m 0755 /etc/tdce\ncat > {LINUX_PATH} <<'ENV'\n{body}\nENV\n"


def launch_template_user_data(os: str, server_address: str) -> str:
    """Launch templates take user data base64-encoded (EC2 RequestLaunchTemplateData.UserData)."""
    return base64.b64encode(worker_boot_script(os, server_address).encode()).decode()

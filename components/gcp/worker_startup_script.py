"""What a pool's worker learns at first boot: where its server is (vendor 001_ec271c3ff40761d0.txt 4.9: signal and data ports).

Written to /etc/tdce/worker.env (Windows: %ProgramData%\\tdce\\worker.env), where the TDCE worker of the
pool's image (vendor 4.4) reads it. The server's private address is a reserved internal address, so a
replaced server keeps it and running workers keep reaching it.
"""

from __future__ import annotations

import pulumi

from config.channels import DATA, SIGNAL

# Compute Engine runs `startup-script` on Linux and `windows-startup-script-ps1` on Windows at every boot
# ("About startup scripts"); both only write the file.
LINUX_KEY = "startup-script"
WINDOWS_KEY = "windows-startup-script-ps1"


def worker_env(server_ip: str) -> dict[str, str]:
    return {
        "TDCE_SERVER_ADDRESS": server_ip,
        "TDCE_SIGNAL_PORT": str(SIGNAL.ports[0].first),
        "TDCE_DATA_PORT": str(DATA.ports[0].first),
    }


def _linux(server_ip: str) -> str:
    lines = "\n".join(f"{key}={value}" for key, value in worker_env(server_ip).items())
    return f"#!/bin/bash\nset -eu\ninstall -d -m 0755 /etc/tdce\ncat > /etc/tdce/worker.env <<'ENV'\n{lines}\nENV\n"


def _windows(server_ip: str) -> str:
    values = ", ".join(f"'{key}={value}'" for key, value in worker_env(server_ip).items())
    return (
        "$dir = Join-Path $env:ProgramData 'tdce'\n"
        "New-Item -ItemType Directory -Force -Path $dir | Out-Null\n"
        f"Set-Content -Encoding ascii -Path (Join-Path $dir 'worker.env') -Value @({values})\n"
    )


def worker_startup_metadata(os: str, server_ip: pulumi.Input[str]) -> dict[str, pulumi.Output[str]]:
    """The metadata entry that writes worker.env on a pool's VM of this operating system."""
    if os == "windows":
        return {WINDOWS_KEY: pulumi.Output.from_input(server_ip).apply(_windows)}
    return {LINUX_KEY: pulumi.Output.from_input(server_ip).apply(_linux)}

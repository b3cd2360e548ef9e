"""The server's first-boot script, rendered for each cloud, is valid bash and never carries the admin password."""

from __future__ import annotations

import subprocess

import pytest

from config.stack_file import SECRET_PLACEHOLDER
from tests.support import of_type, plan_of


def rendered(stack: str) -> str:
    plan = plan_of(stack)
    if plan.settings.cloud == "aws":
        (server,) = of_type(plan, "aws:ec2/instance:Instance")
        return server.inputs["userData"]
    (server,) = of_type(plan, "gcp:compute/instance:Instance")
    return server.inputs["metadata"]["startup-script"]


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev", "gcp-prod", "gcp-restore"])
def test_boot_script_is_valid_bash_and_mounts_the_vendor_path(stack, tmp_path):
    script = rendered(stack)
    path = tmp_path / "boot.sh"
    path.write_text(script)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    # The vendor's data path: the server's files live under /ebs (001_ec271c3ff40761d0.txt, the
    # troubleshooting section's log paths, /ebs/techila/server/bin/…).
    assert "DATA_MOUNT_POINT=/ebs\n" in script
    assert "find_device()" in script and "mkfs.ext4" in script


@pytest.mark.parametrize("stack", ["aws-dev", "gcp-restore"])
def test_boot_script_names_where_the_password_is_never_the_password(stack):
    assert plan_of(stack).settings.dashboard_admin_password is not None
    script = rendered(stack)
    assert SECRET_PLACEHOLDER not in script
    assert "ADMIN_PASSWORD_SECRET" in script

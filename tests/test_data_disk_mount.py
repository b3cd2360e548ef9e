"""What the server's boot script does with the data disk, run for real with the system's commands stood in for.

The shared part of the script (components/boot/mount_data_disk.sh) runs under bash with its three
system paths pointed into a scratch directory and `blkid`, `mkfs.ext4`, `mount`, `mountpoint`,
`resize2fs` and `systemctl` replaced by stubs that log their arguments and answer as a disk in
the case at hand would. Expected behaviour comes from the tools' manuals: `blkid -p` exits 2 for
a device with no signature and 8 for colliding signatures (blkid(8)); systemd's `is-active` and
`is-failed` exit 0 only in that state (systemctl(1)).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.boot.script import SHARED

DEVICE = "/dev/fake-data-disk"
UUID = "0b1c2d3e-1111-4222-8333-944455556666"
STUBS = {
    "blkid": """
if [ "$1" = "-p" ]; then exit "${PROBE_RC:-0}"; fi
if [ -n "${FS_UUID:-}" ]; then echo "$FS_UUID"; exit 0; fi
exit 2
""",
    "mountpoint": '[ -e "$STATE/mounted" ]',
    "mount": 'touch "$STATE/mounted"',
    "mkfs.ext4": "",
    "resize2fs": "",
    "systemctl": """
case "$1" in
  is-active) [[ " ${ACTIVE:-} " == *" ${@: -1} "* ]] ;;
  is-failed) [[ " ${FAILED:-} " == *" ${@: -1} "* ]] ;;
esac
""",
}


@dataclass
class Boot:
    returncode: int
    stderr: str
    calls: list[str]
    root: Path

    @property
    def fstab(self) -> str:
        return (self.root / "fstab").read_text()

    def ran(self, command: str) -> list[str]:
        return [call for call in self.calls if call.split()[0] == command]


def boot(tmp_path: Path, *, fstab: str = "", mounted: bool = False, **disk: str) -> Boot:
    """One run of the script; `disk`: PROBE_RC, FS_UUID, ACTIVE, FAILED for the stubs."""
    stubs, state = tmp_path / "stubs", tmp_path / "state"
    stubs.mkdir()
    state.mkdir()
    for name, body in STUBS.items():
        path = stubs / name
        path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$STATE/calls"\n{body}\n')
        path.chmod(0o755)
    (tmp_path / "fstab").write_text(fstab)
    if mounted:
        (state / "mounted").touch()
    shared = SHARED
    for variable, place in {"FSTAB": "fstab", "UNIT_DIR": "units", "ENV_DIR": "etc-tdce"}.items():
        shared, count = re.subn(rf"^{variable}=.*$", f"{variable}={tmp_path / place}", shared, flags=re.M)
        assert count == 1, f"the script sets {variable} once"
    script = (
        f"DATA_MOUNT_POINT={tmp_path / 'ebs'}\nDEPLOYMENT_ENV='TDCE_STACK=aws-prod'\n"
        f"find_device() {{ echo {DEVICE}; }}\n{shared}restart_services_on_disk\n"
    )
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "STATE": str(state), **disk}
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=30)
    calls = (state / "calls").read_text().splitlines() if (state / "calls").exists() else []
    return Boot(done.returncode, done.stderr, calls, tmp_path)


def fstab_line(tmp_path: Path) -> str:
    return f"UUID={UUID} {tmp_path / 'ebs'} ext4 defaults,nofail 0 2\n"


def test_an_empty_disk_is_formatted_mounted_and_the_services_on_it_wait_for_it(tmp_path):
    first = boot(tmp_path, PROBE_RC="2", FS_UUID=UUID)
    assert first.returncode == 0, first.stderr
    assert first.ran("mkfs.ext4") == [f"mkfs.ext4 -L tdce-data {DEVICE}"]
    assert first.fstab == fstab_line(tmp_path)
    assert first.ran("mount") == [f"mount {tmp_path / 'ebs'}"]
    for unit in ("tgs.init.service", "postgresql@.service"):
        drop_in = tmp_path / "units" / f"{unit}.d" / "tdce-data-disk.conf"
        assert drop_in.read_text() == f"[Unit]\nRequiresMountsFor={tmp_path / 'ebs'}\n"
    assert "systemctl daemon-reload" in first.calls
    assert (tmp_path / "etc-tdce" / "deployment.env").read_text() == f"TDCE_DATA_DIR={tmp_path / 'ebs'}\nTDCE_STACK=aws-prod\n"


def test_a_disk_with_a_file_system_is_mounted_as_it_is_and_grown_to_the_disk(tmp_path):
    restored = boot(tmp_path, PROBE_RC="0", FS_UUID=UUID)
    assert restored.returncode == 0, restored.stderr
    assert restored.ran("mkfs.ext4") == []
    assert restored.ran("mount") == [f"mount {tmp_path / 'ebs'}"]
    assert restored.ran("resize2fs") == [f"resize2fs {DEVICE}"]


@pytest.mark.parametrize("probe", ["8", "4", "1"])
def test_a_disk_blkid_cannot_read_cleanly_is_neither_formatted_nor_mounted(tmp_path, probe):
    # 8: "ambivalent probing result" (two file systems' signatures); 4 and 1: usage or other errors.
    unclear = boot(tmp_path, PROBE_RC=probe, FS_UUID=UUID)
    assert unclear.returncode == 1
    assert unclear.ran("mkfs.ext4") == [] and unclear.ran("mount") == []
    assert f"blkid -p {DEVICE} exited {probe}" in unclear.stderr
    assert unclear.fstab == ""


def test_a_disk_with_a_partition_table_and_no_file_system_of_its_own_stops_the_script(tmp_path):
    partitioned = boot(tmp_path, PROBE_RC="0")  # blkid -p finds PTTYPE; there is no UUID to mount by
    assert partitioned.returncode == 1
    assert "no file system of its own" in partitioned.stderr
    assert partitioned.ran("mkfs.ext4") == [] and partitioned.ran("mount") == []
    assert partitioned.fstab == ""


def test_another_file_system_whose_uuid_begins_with_this_ones_does_not_stand_in_for_it(tmp_path):
    other = f"UUID={UUID}-0 /srv ext4 defaults 0 2\n"
    booted = boot(tmp_path, fstab=other, PROBE_RC="0", FS_UUID=UUID)
    assert booted.fstab == other + fstab_line(tmp_path)


def test_a_later_boot_finds_it_all_done_and_restarts_nothing(tmp_path):
    later = boot(tmp_path, fstab=fstab_line(tmp_path), mounted=True, PROBE_RC="0", FS_UUID=UUID, ACTIVE="tgs.init.service")
    assert later.returncode == 0, later.stderr
    assert later.fstab == fstab_line(tmp_path)
    assert later.ran("mount") == [] and later.ran("mkfs.ext4") == []
    assert "systemctl restart tgs.init.service" not in later.calls


@pytest.mark.parametrize(
    ("state", "restarted"),
    [({"ACTIVE": "tgs.init.service"}, True), ({"FAILED": "tgs.init.service"}, True), ({}, False)],
    ids=["running on the bare directory", "failed without its files", "not installed"],
)
def test_the_vendors_server_started_before_the_first_mount_is_started_again_on_the_disk(tmp_path, state, restarted):
    first = boot(tmp_path, PROBE_RC="0", FS_UUID=UUID, **state)
    assert first.returncode == 0, first.stderr
    assert ("systemctl restart tgs.init.service" in first.calls) is restarted
    if restarted:  # after the env file, which the server's installer reads, is complete
        assert first.calls.index("systemctl restart tgs.init.service") > first.calls.index("systemctl daemon-reload")

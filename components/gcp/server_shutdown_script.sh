#!/bin/bash
# Compute Engine runs this when the server stops or is deleted, a replacement included ("Running
# shutdown scripts": best effort, before the VM stops). The data disk is detached with the old server,
# so it is unmounted here first, with everything written out, and the new server mounts a clean
# file system. The startup script mounts it again at the next boot.
sync
if mountpoint -q "@DATA_MOUNT_POINT@"; then
  umount "@DATA_MOUNT_POINT@" || { sync; umount -l "@DATA_MOUNT_POINT@"; }
fi

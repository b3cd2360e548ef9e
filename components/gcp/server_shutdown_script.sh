#!/bin/bash
# Compute Engine runs this when the server stops or is deleted, a replacement included ("Running
# shutdown scripts": best effort, before the VM stops). The data disk is detached with the old server,
# so it is unmounted here first, with everything written out, and the new server mounts a clean
# file system. The startup script mounts it again at the next boot.
# The services whose files are on the disk stop first (the vendor's server, tgs.init, 001_… 4.11, and
# a local PostgreSQL): this script is ordered after neither, and unmounting under them would leave
# their last writes to a lazy unmount.
systemctl stop tgs.init.service 'postgresql@*.service' || true
sync
if mountpoint -q "@DATA_MOUNT_POINT@"; then
  umount "@DATA_MOUNT_POINT@" || { sync; umount -l "@DATA_MOUNT_POINT@"; }
fi

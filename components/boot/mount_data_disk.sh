# Mounts the data disk where the vendor's server keeps its state (/ebs, 001_ec271c3ff40761d0.txt
# 4.13) and tells the TDCE installer where the dashboard admin password is kept. The password
# itself never passes through user data or metadata, which anyone allowed to view the instance
# can read. Each step checks before it acts: GCP runs startup scripts at every boot.
# Expects, from the cloud's part above it: find_device, DATA_MOUNT_POINT and DEPLOYMENT_ENV.
set -euo pipefail

# What this writes outside the disk (tests/test_data_disk_mount.py points them elsewhere).
FSTAB=/etc/fstab
UNIT_DIR=/etc/systemd/system
ENV_DIR=/etc/tdce
# The services whose files are on the disk: the vendor's server (`tgs.init`, 4.11 and 4.13: its logs
# are under /ebs/techila/server) and, with the local database, PostgreSQL ("the database will be
# stored in EBS volume", 2.1.1; `postgresql@.service` is Debian's unit for every cluster).
SERVICES_ON_DISK="tgs.init.service postgresql@.service"

# The disk is attached after the server starts: wait for it.
device=""
for _ in $(seq 1 120); do
  if device=$(find_device); then break; fi
  sleep 5
done
if [ -z "$device" ]; then
  echo "tdce: the data disk never appeared" >&2
  exit 1
fi

# A disk restored from a snapshot already holds the server's data: format only one with nothing on
# it. `blkid -p` exits 2 when it finds no signature at all, and 8 when signatures collide (blkid(8));
# plain blkid says 2 for both, and mkfs.ext4 asks before overwriting a file system only on a
# terminal (e2fsprogs, misc/mke2fs.c: `if (isatty(0) && isatty(1) ...) CHECK_FS_EXIST`). So anything
# but a clean 2 stops here, and a disk without a file system of its own (a partition table) too.
probe=0
blkid -p "$device" >/dev/null 2>&1 || probe=$?
case "$probe" in
  0) ;;
  2) mkfs.ext4 -L tdce-data "$device" ;;
  *)
    echo "tdce: blkid -p $device exited $probe (signatures it cannot tell apart?): the data disk is neither empty nor one file system; not formatting it, not mounting it" >&2
    exit 1
    ;;
esac
uuid=$(blkid -s UUID -o value "$device" || true)
if [ -z "$uuid" ]; then
  echo "tdce: $device holds no file system of its own (a partition table?): the data disk must be one ext4 file system on the whole disk" >&2
  exit 1
fi
mkdir -p "$DATA_MOUNT_POINT"
grep -q "^UUID=$uuid " "$FSTAB" || echo "UUID=$uuid $DATA_MOUNT_POINT ext4 defaults,nofail 0 2" >> "$FSTAB"
mounted_now=""
if ! mountpoint -q "$DATA_MOUNT_POINT"; then
  mount "$DATA_MOUNT_POINT"
  mounted_now=yes
fi
# A disk made larger than its snapshot, or grown since (`server.dataDisk.sizeGb`): the file system
# follows, online (resize2fs(8): "if the filesystem is mounted, it can be used to expand the size of
# the mounted filesystem"); when it already fills the disk there is nothing to do.
resize2fs "$device"

# `nofail` lets the machine boot without the disk, and then nothing orders a service after it
# (systemd.mount(5): "the mount unit is not ordered before these target units"): each service on the
# disk requires it, from the next boot on (a drop-in applies whether or not the unit is installed yet).
for unit in $SERVICES_ON_DISK; do
  install -d "$UNIT_DIR/$unit.d"
  printf '[Unit]\nRequiresMountsFor=%s\n' "$DATA_MOUNT_POINT" > "$UNIT_DIR/$unit.d/tdce-data-disk.conf"
done
systemctl daemon-reload

install -d -m 0750 "$ENV_DIR"
umask 027
printf 'TDCE_DATA_DIR=%s\n%s\n' "$DATA_MOUNT_POINT" "$DEPLOYMENT_ENV" > "$ENV_DIR/deployment.env"

# The last step of the script (components/boot/script.py), after the cloud's own additions to the env
# file. This script runs after the services have started (AWS: cloud-init's last stage, after
# multi-user.target on Debian; GCP: google-startup-scripts.service, ordered after neither), so a
# service that started, or failed, on the bare directory is started again on the disk just mounted.
restart_services_on_disk() {
  [ -n "$mounted_now" ] || return 0
  if systemctl is-active --quiet tgs.init.service || systemctl is-failed --quiet tgs.init.service; then
    systemctl restart tgs.init.service
  fi
}

# Mounts the data disk where the vendor's server keeps its state (/ebs, 001_ec271c3ff40761d0.txt
# 4.13) and tells the TDCE installer where the dashboard admin password is kept. The password
# itself never passes through user data or metadata, which anyone allowed to view the instance
# can read. Each step checks before it acts: GCP runs startup scripts at every boot.
# Expects, from the cloud's part above it: find_device, DATA_MOUNT_POINT and DEPLOYMENT_ENV.
set -euo pipefail

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

# A disk restored from a snapshot already holds the server's data: format only an empty one.
if ! blkid "$device" >/dev/null 2>&1; then
  mkfs.ext4 -L tdce-data "$device"
fi
uuid=$(blkid -s UUID -o value "$device")
mkdir -p "$DATA_MOUNT_POINT"
grep -q "UUID=$uuid" /etc/fstab || echo "UUID=$uuid $DATA_MOUNT_POINT ext4 defaults,nofail 0 2" >> /etc/fstab
mountpoint -q "$DATA_MOUNT_POINT" || mount "$DATA_MOUNT_POINT"

install -d -m 0750 /etc/tdce
umask 027
printf 'TDCE_DATA_DIR=%s\n%s\n' "$DATA_MOUNT_POINT" "$DEPLOYMENT_ENV" > /etc/tdce/deployment.env

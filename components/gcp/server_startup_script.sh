# Runs at every boot of the server, as GCP runs startup scripts, so each step checks before it acts.
# Mounts the data disk where the vendor's server keeps its state (/ebs, 001_ec271c3ff40761d0.txt
# 4.13) and tells the TDCE installer which secret holds the dashboard admin password. The password
# itself never passes through metadata, which anyone allowed to view the instance can read.
set -euo pipefail

device="/dev/disk/by-id/google-$DATA_DEVICE_NAME"
# The disk is attached after the server starts: wait for it.
for _ in $(seq 1 120); do
  if [ -e "$device" ]; then break; fi
  sleep 5
done
if [ ! -e "$device" ]; then
  echo "tdce: data disk $DATA_DEVICE_NAME never appeared" >&2
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
cat > /etc/tdce/deployment.env <<ENV
TDCE_DATA_DIR=$DATA_MOUNT_POINT
TDCE_ADMIN_PASSWORD_SECRET=$ADMIN_PASSWORD_SECRET
GOOGLE_CLOUD_PROJECT=$GOOGLE_CLOUD_PROJECT
ENV

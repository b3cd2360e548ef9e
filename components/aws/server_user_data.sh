# Runs once, at the server's first boot, after the variables set above it.
# Mounts the data volume where the vendor's server keeps its state (/ebs, 001_ec271c3ff40761d0.txt
# 4.13) and tells the TDCE installer where the dashboard admin password is. The password itself
# never passes through user data, which anyone allowed to describe the instance can read.
set -euo pipefail

# On Nitro instances the volume shows up as an NVMe device whose serial is the volume ID.
find_device() {
  local candidate
  # Older instance types show it under the attachment's device name, or its Xen alias.
  for candidate in "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID//-/}" \
    "$DATA_DEVICE_NAME" "/dev/xvd${DATA_DEVICE_NAME#/dev/sd}"; do
    if [ -e "$candidate" ]; then readlink -f "$candidate"; return 0; fi
  done
  return 1
}

# The attachment is made after the instance starts: wait for it.
device=""
for _ in $(seq 1 120); do
  if device=$(find_device); then break; fi
  sleep 5
done
if [ -z "$device" ]; then
  echo "tdce: data volume $DATA_VOLUME_ID never appeared" >&2
  exit 1
fi

# A volume restored from a snapshot already holds the server's data: format only an empty one.
if ! blkid "$device" >/dev/null 2>&1; then
  mkfs.ext4 -L tdce-data "$device"
fi
uuid=$(blkid -s UUID -o value "$device")
mkdir -p "$DATA_MOUNT_POINT"
if ! grep -q "UUID=$uuid" /etc/fstab; then
  echo "UUID=$uuid $DATA_MOUNT_POINT ext4 defaults,nofail 0 2" >> /etc/fstab
fi
mountpoint -q "$DATA_MOUNT_POINT" || mount "$DATA_MOUNT_POINT"

install -d -m 0750 /etc/tdce
umask 027
cat > /etc/tdce/deployment.env <<ENV
TDCE_DATA_DIR=$DATA_MOUNT_POINT
TDCE_ADMIN_PASSWORD_SECRET_ARN=$ADMIN_PASSWORD_SECRET_ARN
AWS_REGION=$AWS_REGION
ENV

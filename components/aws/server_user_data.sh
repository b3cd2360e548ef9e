# The AWS data volume: on Nitro instances an NVMe device whose serial is the volume ID; on older
# instance types the attachment's device name, or its Xen alias.
find_device() {
  local candidate
  for candidate in "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID//-/}" \
    "$DATA_DEVICE_NAME" "/dev/xvd${DATA_DEVICE_NAME#/dev/sd}"; do
    if [ -e "$candidate" ]; then readlink -f "$candidate"; return 0; fi
  done
  return 1
}

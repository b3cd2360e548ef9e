# The GCP data disk: /dev/disk/by-id/google-<device name of the attachment>.
find_device() {
  local candidate="/dev/disk/by-id/google-$DATA_DEVICE_NAME"
  if [ -e "$candidate" ]; then readlink -f "$candidate"; return 0; fi
  return 1
}

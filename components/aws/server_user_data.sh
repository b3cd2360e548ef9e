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

# The server's own private address, which the stack cannot know before the instance exists: from
# the instance metadata (IMDSv2 only: a session token first), into the deployment env file.
write_own_address() {
  local token address
  token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
  address=$(curl -sSf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/local-ipv4)
  echo "TDCE_SERVER_PRIVATE_IP=$address" >> "$ENV_DIR/deployment.env"
}

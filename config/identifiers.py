"""Validated string types for the identifiers and addresses that settings carry."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"must be a CIDR such as 10.0.0.0/16 or 203.0.113.7/32, got {value!r} ({exc})") from None
    return str(network)


def _ipv4_cidr(value: str) -> str:
    normalised = _cidr(value)
    if ipaddress.ip_network(normalised).version != 4:
        raise ValueError(f"must be an IPv4 CIDR such as 10.20.0.0/16, got {value!r}")
    return normalised


def _pattern(regex: str, example: str, what: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {what} such as {example!r}, got {value!r}")
        return value

    return check


Cidr = Annotated[str, AfterValidator(_cidr)]
IPv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]

# AWS resource IDs: a prefix and 8 or 17 lowercase hex digits.
AWS_SNAPSHOT_ID = r"snap-[0-9a-f]{8}(?:[0-9a-f]{9})?"
AWS_IMAGE_ID = r"ami-[0-9a-f]{8}(?:[0-9a-f]{9})?"
AWS_SECURITY_GROUP_ID = r"sg-[0-9a-f]{8}(?:[0-9a-f]{9})?"
# Every pattern spells its classes in ASCII: Python's \d also matches other scripts' digits.
# An RDS cluster snapshot: its identifier or its ARN (arn:PARTITION:rds:REGION:ACCOUNT:cluster-snapshot:NAME).
AWS_CLUSTER_SNAPSHOT_ARN = r"arn:(?P<partition>aws[a-z-]*):rds:(?P<region>[a-z0-9-]+):[0-9]{12}:cluster-snapshot:[a-zA-Z0-9:-]+"
AWS_CLUSTER_SNAPSHOT = rf"(?:[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*|{AWS_CLUSTER_SNAPSHOT_ARN})"
# A GCP resource name (disks, snapshots, instances): RFC 1035 label.
GCP_NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"
# A Cloud SQL instance ID ("Instance settings": lowercase letters, numbers and hyphens, starting
# with a letter; project ID and instance ID together at most 98 characters). A trailing hyphen is
# refused as in every other GCP resource name.
CLOUD_SQL_INSTANCE_ID = r"[a-z](?:[a-z0-9-]*[a-z0-9])?"
CLOUD_SQL_MAX_QUALIFIED_LENGTH = 98

SecurityGroupId = Annotated[str, AfterValidator(_pattern(AWS_SECURITY_GROUP_ID, "sg-0123456789abcdef0", "a security group ID"))]
PoolName = Annotated[
    str,
    AfterValidator(
        _pattern(r"[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?", "linux-spot", "a lowercase name of up to 20 letters, digits and dashes")
    ),
]


def matches(regex: str, value: str) -> bool:
    return re.fullmatch(regex, value) is not None

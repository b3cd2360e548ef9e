"""Network settings: the VPC range and the subnets carved from it."""

from __future__ import annotations

import ipaddress
from itertools import combinations

from pydantic import Field, model_validator

from config.base import Finding, SettingsModel, Switch, raise_findings
from config.identifiers import IPv4Cidr

# Amazon EC2 API Reference, CreateVpc and CreateSubnet: "The allowed size for an IPv4 subnet is
# between a /28 netmask (16 IP addresses) and a /16 netmask (65,536 IP addresses)"; the same
# bounds hold for the VPC's own block.
AWS_PREFIX_RANGE = (16, 28)
# VPC "Subnets", Valid IPv4 ranges: a subnet's primary IPv4 range is /8 at most and /29 at least.
GCP_PREFIX_RANGE = (8, 29)
# VPC "Subnets", Prohibited IPv4 subnet ranges (Google's public API ranges are on that list too,
# but change with goog.json and cannot be checked offline).
GCP_PROHIBITED_RANGES = {
    "0.0.0.0/8": "current (local) network, RFC 1122",
    "127.0.0.0/8": "local host, RFC 1122",
    "169.254.0.0/16": "link-local, RFC 3927",
    "199.36.153.4/30": "Private Google Access virtual IP addresses (restricted.googleapis.com)",
    "199.36.153.8/30": "Private Google Access virtual IP addresses (private.googleapis.com)",
    "224.0.0.0/4": "multicast, RFC 5771",
    "255.255.255.255/32": "limited broadcast, RFC 8190 and RFC 919",
}


class NetworkSettings(SettingsModel):
    vpc_cidr: IPv4Cidr = "10.20.0.0/16"
    # One subnet per zone. Leave empty to carve them from the VPC range at `subnetPrefixLength`.
    subnet_cidrs: tuple[IPv4Cidr, ...] = ()
    subnet_prefix_length: int = Field(default=24, ge=16, le=28)
    flow_logs: Switch = False

    @model_validator(mode="after")
    def _subnets_fit_the_vpc(self) -> NetworkSettings:
        raise_findings(self._findings())
        return self

    def _findings(self) -> list[Finding]:
        vpc = ipaddress.ip_network(self.vpc_cidr)
        found: list[Finding] = []
        if "subnet_prefix_length" in self.model_fields_set and self.subnet_prefix_length <= vpc.prefixlen:
            found.append(
                (
                    ("subnetPrefixLength",),
                    f"must be longer than the VPC prefix /{vpc.prefixlen}, got /{self.subnet_prefix_length}",
                )
            )
        subnets = [ipaddress.ip_network(cidr) for cidr in self.subnet_cidrs]
        for index, subnet in enumerate(subnets):
            if not subnet.subnet_of(vpc):
                found.append((("subnetCidrs", index), f"must lie inside vpcCidr ({vpc}), got {subnet}"))
        for (i, first), (j, second) in combinations(enumerate(subnets), 2):
            if first.overlaps(second):
                found.append((("subnetCidrs", j), f"overlaps subnetCidrs[{i}] ({first}), got {second}"))
        return found

    @property
    def carved_prefix_length(self) -> int:
        """The prefix of subnets carved from the VPC: `subnetPrefixLength`, but always inside the VPC."""
        return max(self.subnet_prefix_length, ipaddress.ip_network(self.vpc_cidr).prefixlen + 1)

    def findings_for(self, cloud: str, zone_count: int) -> list[Finding]:
        """What the cloud would refuse: range sizes, reserved ranges, and room for one subnet per zone."""
        vpc = ipaddress.ip_network(self.vpc_cidr)
        low, high = AWS_PREFIX_RANGE if cloud == "aws" else GCP_PREFIX_RANGE
        found: list[Finding] = []
        if cloud == "aws" and not low <= vpc.prefixlen <= high:
            found.append((("vpcCidr",), f"must be /{low} to /{high} on aws (CreateVpc), got {vpc}"))
        if cloud == "gcp":
            found += [
                (("vpcCidr",), f"must not overlap {reserved} ({why}), which GCP refuses in subnets, got {vpc}")
                for reserved, why in GCP_PROHIBITED_RANGES.items()
                if vpc.overlaps(ipaddress.ip_network(reserved))
            ]
        for index, cidr in enumerate(self.subnet_cidrs):
            prefix = ipaddress.ip_network(cidr).prefixlen
            if not low <= prefix <= high:
                found.append((("subnetCidrs", index), f"must be /{low} to /{high} on {cloud}, got {cidr}"))
        if not self.subnet_cidrs and not found:
            found += self._carving_findings(cloud, vpc, low, high, zone_count)
        return found

    def _carving_findings(self, cloud: str, vpc: ipaddress.IPv4Network, low: int, high: int, zone_count: int) -> list[Finding]:
        prefix = self.carved_prefix_length
        key = ("subnetPrefixLength",) if "subnet_prefix_length" in self.model_fields_set else ("vpcCidr",)
        if not low <= prefix <= high:
            return [(key, f"subnets carved from {vpc} would be /{prefix}; {cloud} takes /{low} to /{high}")]
        room = 2 ** (prefix - vpc.prefixlen)
        if room < zone_count:
            why = f"{vpc} holds {room} subnet(s) of /{prefix}, and {zone_count} zones need one each"
            return [(key, f"{why}: widen vpcCidr or lengthen subnetPrefixLength")]
        return []

    def subnets_for(self, zone_count: int) -> tuple[str, ...]:
        """The subnet CIDRs for `zone_count` zones: the configured ones, or carved in order."""
        if self.subnet_cidrs:
            return self.subnet_cidrs[:zone_count]
        carved = ipaddress.ip_network(self.vpc_cidr).subnets(new_prefix=self.carved_prefix_length)
        return tuple(str(next(carved)) for _ in range(zone_count))

"""Network settings: the VPC range and the subnets carved from it."""

from __future__ import annotations

import ipaddress
from itertools import combinations

from pydantic import Field, model_validator

from config.base import Finding, SettingsModel, raise_findings
from config.identifiers import IPv4Cidr


class NetworkSettings(SettingsModel):
    vpc_cidr: IPv4Cidr = "10.20.0.0/16"
    # One subnet per zone. Leave empty to carve them from the VPC range at `subnetPrefixLength`.
    subnet_cidrs: tuple[IPv4Cidr, ...] = ()
    subnet_prefix_length: int = Field(default=24, ge=16, le=28)
    flow_logs: bool = False

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

    def subnets_for(self, zone_count: int) -> tuple[str, ...]:
        """The subnet CIDRs for `zone_count` zones: the configured ones, or carved in order."""
        if self.subnet_cidrs:
            return self.subnet_cidrs[:zone_count]
        vpc = ipaddress.ip_network(self.vpc_cidr)
        prefix = max(self.subnet_prefix_length, vpc.prefixlen + 1)
        carved = vpc.subnets(new_prefix=prefix)
        return tuple(str(next(carved)) for _ in range(zone_count))

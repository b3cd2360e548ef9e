"""Firewall rules generated from the channel matrix: one rule per open ingress channel, and nothing else gets in.

Cluster-internal channels name service accounts on both ends, never tags (anyone who may edit a VM
may set a tag) or CIDRs (worker addresses change). Channels from outside the cluster admit only the
CIDRs the settings give: user CIDRs, or for SSH Google's IAP range plus the admin CIDRs
(`000_8bca743440dfe33c.txt` section 5 for the GCP table).

Only channels into the deployment's VMs become rules here. The `database` channel lands on Cloud
SQL, which lives in Google's service network behind the peering, where this VPC's ingress rules do
not reach: it has no public address and answers only over the peering; the database component
keeps the workers out with an egress rule.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from config.channels import Role
from config.exposure import OpenChannel

# Below every allow rule (they keep the default 1000) and above GCP's implied deny (65535): the
# deny then shows in the console's rule list and in the plan, where the policy pack can insist on it.
DENY_ALL_PRIORITY = 65534
ANYWHERE_IPV4 = "0.0.0.0/0"


class Firewall(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        network: pulumi.Input[str],
        channels: Sequence[OpenChannel],
        service_accounts: Mapping[Role, pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`channels`: the open ingress channels (`config.exposure.enabled_ingress`); `service_accounts`: the email of each
        VM role (server, workers). Channels into anything else are left to that thing's component."""
        super().__init__("tdce:gcp:Firewall", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.rules: dict[str, gcp.compute.Firewall] = {}
        for open_channel in vm_channels(channels, service_accounts):
            for rule_name, sources in _sources(name, open_channel, service_accounts):
                channel = open_channel.channel
                self.rules[rule_name] = gcp.compute.Firewall(
                    rule_name,
                    network=network,
                    direction="INGRESS",
                    description=f"TDCE {channel.name}: {channel.purpose} ({channel.vendor_reference})",
                    allows=[{"protocol": channel.protocol, "ports": [str(ports) for ports in open_channel.ports]}],
                    target_service_accounts=[service_accounts[channel.target]],
                    **sources,
                    opts=child,
                )
        self.rules[f"{name}-deny-all-ingress"] = gcp.compute.Firewall(
            f"{name}-deny-all-ingress",
            network=network,
            direction="INGRESS",
            description="TDCE: nothing gets in that the channel matrix does not name",
            priority=DENY_ALL_PRIORITY,
            denies=[{"protocol": "all"}],
            source_ranges=[ANYWHERE_IPV4],
            opts=child,
        )
        self.rule_names = {key: rule.name for key, rule in self.rules.items()}
        self.register_outputs({"ruleNames": self.rule_names})


def vm_channels(channels: Sequence[OpenChannel], vm_roles: Collection[Role]) -> list[OpenChannel]:
    """The channels whose target is one of the VMs' roles: those this firewall admits."""
    return [open_channel for open_channel in channels if open_channel.channel.target in vm_roles]


def _sources(
    name: str, open_channel: OpenChannel, service_accounts: Mapping[Role, pulumi.Input[str]]
) -> list[tuple[str, dict[str, object]]]:
    """The rules one channel needs, by name, each with its source arguments."""
    channel = open_channel.channel
    rule_name = f"{name}-{channel.name}"
    accounts = [service_accounts[role] for role in channel.sources if role in service_accounts]
    if accounts:
        return [(rule_name, {"source_service_accounts": accounts})]
    if not open_channel.source_cidrs:
        # A GCP rule without sources admits 0.0.0.0/0; validated settings never get here.
        raise ValueError(f"channel {channel.name} is open but names no source CIDRs")
    # One rule holds IPv4 or IPv6 ranges, never both.
    by_version: dict[int, list[str]] = {}
    for cidr in open_channel.source_cidrs:
        by_version.setdefault(ipaddress.ip_network(cidr).version, []).append(cidr)
    return [
        (rule_name if version == 4 or 4 not in by_version else f"{rule_name}-ipv6", {"source_ranges": cidrs})
        for version, cidrs in sorted(by_version.items())
    ]

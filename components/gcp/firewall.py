"""Firewall rules from the rule specs: one rule per ingress spec into the VMs, and nothing else gets in.

The rules come from `config/rules.py`, the same derivation the AWS security groups use.
Cluster-internal channels name service accounts on both ends, never tags (anyone who may edit
a VM may set a tag) or CIDRs (worker addresses change). Channels from outside the cluster admit
only the CIDRs the settings give: user CIDRs, or for SSH Google's IAP range plus the admin
CIDRs (`000_8bca743440dfe33c.txt` section 5 for the GCP table).

The `database` channel lands on Cloud SQL, which lives in Google's service network behind the
peering, where this VPC's ingress rules do not reach (`guarded_roles` gives it no group); the
database component keeps the workers out with an egress rule. Egress is otherwise left to
GCP's implied allow rule: docs/dashboard-permissions-gcp.md ("What the machines may reach") says why.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp

from config.channels import CHANNELS_BY_NAME, Direction, Role
from config.rules import ANYWHERE_IPV4, RuleSpec

# Below every allow rule (they keep the default 1000) and above GCP's implied deny (65535): the
# deny then shows in the console's rule list and in the plan, where the policy pack can insist on it.
DENY_ALL_PRIORITY = 65534


class Firewall(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        network_id: pulumi.Input[str],
        rules: Sequence[RuleSpec],
        service_accounts: Mapping[Role, Sequence[pulumi.Input[str]]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`rules`: every rule spec of the stack; `service_accounts`: the emails each VM role (server, workers) runs as:
        the workers' own account and the extra ones the dashboard may start workers as (`tdce:dashboard`)."""
        super().__init__("tdce:gcp:Firewall", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for rule in rules:
            if rule.direction is not Direction.INGRESS:
                continue
            for suffix, sources in _sources(rule, service_accounts):
                purposes = "; ".join(CHANNELS_BY_NAME[channel].purpose for channel in rule.channels)
                gcp.compute.Firewall(
                    f"{name}-{'-'.join(rule.channels)}-from-{rule.peer.label}{suffix}",
                    network=network_id,
                    direction="INGRESS",
                    description=f"TDCE {rule.channels_label} from {rule.peer.label}: {purposes}",
                    allows=[{"protocol": rule.protocol, "ports": [rule.ports_label]}],
                    target_service_accounts=list(service_accounts[rule.group]),
                    **sources,
                    opts=child,
                )
        gcp.compute.Firewall(
            f"{name}-deny-all-ingress",
            network=network_id,
            direction="INGRESS",
            description="TDCE: nothing gets in that the channel matrix does not name",
            priority=DENY_ALL_PRIORITY,
            denies=[{"protocol": "all"}],
            source_ranges=[ANYWHERE_IPV4],
            # What the deny stops is what an administrator looks for when a channel does not work.
            log_config={"metadata": "INCLUDE_ALL_METADATA"},
            opts=child,
        )
        self.register_outputs({})


def _sources(rule: RuleSpec, service_accounts: Mapping[Role, Sequence[pulumi.Input[str]]]) -> list[tuple[str, dict[str, object]]]:
    """The GCP rules one spec needs, by name suffix, each with its source arguments."""
    if rule.peer.role is not None:
        return [("", {"source_service_accounts": list(service_accounts[rule.peer.role])})]
    # One rule holds IPv4 or IPv6 ranges, never both.
    by_version: dict[int, list[str]] = {}
    for cidr in rule.peer.cidrs:
        by_version.setdefault(ipaddress.ip_network(cidr).version, []).append(cidr)
    return [
        ("" if version == 4 or 4 not in by_version else "-ipv6", {"source_ranges": cidrs})
        for version, cidrs in sorted(by_version.items())
    ]

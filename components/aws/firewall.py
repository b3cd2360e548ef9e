"""Security groups for every guarded part of the deployment, and one rule resource per rule spec and CIDR.

The rules come from `config/rules.py`; this component only turns them into resources. Rule
names are stable (`signal-from-workers`, `web-from-198-51-100-0-24`, `server-to-anywhere-443`):
a name changes only when what the rule admits changes, so an edit never recreates an
identical rule, which AWS would refuse as a duplicate.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from config.channels import CHANNELS_BY_NAME, Direction, Role
from config.rules import ALL_PROTOCOLS, RuleSpec
from config.tags import AWS_TAGS, GROUP_ROLE_TAGS

# What AWS accepts in group and rule descriptions; anything else is dropped
# (EC2 API reference, SecurityGroupRule Description: a-z, A-Z, 0-9, spaces, ._-:/()#,@[]+=&;{}!$*).
_NOT_IN_DESCRIPTIONS = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")
# EC2 spells "every protocol" as -1.
AWS_ALL_PROTOCOLS = "-1"

# Fixed texts: a changed description replaces the group.
GROUP_DESCRIPTIONS = {
    Role.SERVER: "TDCE server: the channels workers and users open to it",
    Role.WORKERS: "TDCE workers: the channels the server and other workers open to them",
    Role.DATABASE: "TDCE database: PostgreSQL from the server and the rotation function only",
    Role.SECRET_ROTATION: "TDCE secret rotation function",
    Role.SECRETS_ENDPOINT: "TDCE Secrets Manager endpoint: HTTPS from the cluster",
    Role.RDS_ENDPOINT: "TDCE RDS API endpoint: HTTPS from the secret rotation function",
}
# Lambda keeps a VPC function's network interfaces in its group for up to 45 minutes after the
# function is deleted, and the group cannot be deleted before they are gone
# (hashicorp/terraform-provider-aws#10329; the provider's SecurityGroup docs). The default delete
# timeout is shorter; the first `destroy` would fail.
DELETE_TIMEOUTS = {Role.SECRET_ROTATION: "60m"}


def _delete_timeout(role: Role) -> pulumi.CustomTimeouts | None:
    timeout = DELETE_TIMEOUTS.get(role)
    return pulumi.CustomTimeouts(delete=timeout) if timeout else None


def cidr_slug(cidr: str) -> str:
    return re.sub(r"[^0-9a-z]", "-", cidr.lower())


def description(text: str) -> str:
    return _NOT_IN_DESCRIPTIONS.sub("", text)[:255]


def rule_name(rule: RuleSpec, cidr: str | None) -> str:
    """The rule's name below the firewall component, unique among the stack's rules."""
    if rule.direction is Direction.EGRESS:
        # Out to a group, a cloud service or anywhere: named by the peer's label (`server-to-anywhere-443`).
        peer = cidr_slug(cidr) if cidr is not None and len(rule.peer.cidrs) > 1 else rule.peer.label
        return f"{rule.group.value}-to-{peer}-{rule.ports_label}"
    # In from people's networks: one rule per CIDR, named by it (`web-from-198-51-100-0-24`).
    peer = cidr_slug(cidr) if cidr is not None else rule.peer.label
    several_ranges = any(len(CHANNELS_BY_NAME[name].ports) > 1 for name in rule.channels)
    suffix = f"-{rule.ports_label}" if several_ranges else ""
    return f"{'-'.join(rule.channels)}-from-{peer}{suffix}"


class Firewall(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        network_id: pulumi.Input[str],
        groups: Collection[Role],
        rules: Sequence[RuleSpec],
        s3_prefix_list_id: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        """`groups`: the roles that get a security group (`config.rules.guarded_roles`); `rules`: every rule spec."""
        super().__init__("tdce:aws:Firewall", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.group_ids: dict[Role, pulumi.Output[str]] = {
            role: aws.ec2.SecurityGroup(
                f"{name}-{role.value}",
                vpc_id=network_id,
                description=GROUP_DESCRIPTIONS[role],
                tags=AWS_TAGS.with_role(tags, GROUP_ROLE_TAGS[role]) if role in GROUP_ROLE_TAGS else dict(tags),
                opts=pulumi.ResourceOptions(parent=self, custom_timeouts=_delete_timeout(role)),
            ).id
            for role in sorted(groups)
        }
        self._s3_prefix_list_id = s3_prefix_list_id
        for rule in rules:
            for cidr in rule.peer.cidrs or (None,):
                self._rule(name, rule, cidr, tags, child)
        self.server_group_id = self.group_ids[Role.SERVER]
        self.worker_group_id = self.group_ids[Role.WORKERS]
        self.register_outputs({"groupIds": {role.value: group for role, group in self.group_ids.items()}})

    def _rule(self, name: str, rule: RuleSpec, cidr: str | None, tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> None:
        kind = aws.vpc.SecurityGroupIngressRule if rule.direction is Direction.INGRESS else aws.vpc.SecurityGroupEgressRule
        reach = {"from_port": rule.ports.first, "to_port": rule.ports.last} if rule.ports is not None else {}
        way = "from" if rule.direction is Direction.INGRESS else "to"
        purposes = "; ".join(CHANNELS_BY_NAME[channel].purpose for channel in rule.channels if channel in CHANNELS_BY_NAME)
        kind(
            f"{name}-{rule_name(rule, cidr)}",
            security_group_id=self.group_ids[rule.group],
            description=description(f"{rule.channels_label} {way} {cidr or rule.peer.label}: {purposes or rule.channels_label}"),
            ip_protocol=AWS_ALL_PROTOCOLS if rule.protocol == ALL_PROTOCOLS else rule.protocol,
            **reach,
            **self._peer(rule, cidr),
            tags=dict(tags),
            opts=opts,
        )

    def _peer(self, rule: RuleSpec, cidr: str | None) -> dict[str, pulumi.Input[str]]:
        if cidr is not None:
            family = "cidr_ipv6" if ipaddress.ip_network(cidr).version == 6 else "cidr_ipv4"
            return {family: cidr}
        if rule.peer.role is Role.OBJECT_STORAGE:
            # Bundles reach S3 through the VPC's gateway endpoint; its prefix list names S3's addresses.
            return {"prefix_list_id": self._s3_prefix_list_id}
        assert rule.peer.role is not None
        return {"referenced_security_group_id": self.group_ids[rule.peer.role]}

"""The server and worker security groups: one rule resource per channel and CIDR, generated from the channel matrix.

Rule names are stable (`signal`, `management-<cidr>`, `server-to-anywhere-<port>`): a name
changes only when what the rule admits changes, so an edit never recreates an identical rule,
which AWS would refuse as a duplicate.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from config.channels import CLOUD_API, Channel, Direction, PortRange, Role
from config.exposure import OpenChannel

ANYWHERE = "0.0.0.0/0"
ALL_PROTOCOLS = "-1"
# What AWS accepts in group and rule descriptions; anything else is dropped.
_NOT_IN_DESCRIPTIONS = re.compile(r"[^a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]")

GROUP_DESCRIPTIONS = {
    Role.SERVER: "TDCE server: the channels workers and users open to it",
    Role.WORKERS: "TDCE workers: the channels the server and other workers open to them",
}
# The matrix lists cloud-api for the server only, but workers reach HTTPS too: the data their
# jobs fetch (the reason they get public IPs, 001_ec271c3ff40761d0.txt 4.1) and AWS APIs.
WORKER_EXTRA_EGRESS: tuple[Channel, ...] = (CLOUD_API,)


@dataclass(frozen=True)
class Peer:
    """The other end of a rule: a security group, a CIDR or a prefix list."""

    slug: str
    group_id: pulumi.Input[str] | None = None
    cidr: str | None = None
    prefix_list_id: pulumi.Input[str] | None = None

    def rule_args(self) -> dict[str, pulumi.Input[str]]:
        if self.group_id is not None:
            return {"referenced_security_group_id": self.group_id}
        if self.prefix_list_id is not None:
            return {"prefix_list_id": self.prefix_list_id}
        assert self.cidr is not None
        family = "cidr_ipv6" if ipaddress.ip_network(self.cidr).version == 6 else "cidr_ipv4"
        return {family: self.cidr}


def cidr_slug(cidr: str) -> str:
    return re.sub(r"[^0-9a-z]", "-", cidr.lower())


def description(text: str) -> str:
    return _NOT_IN_DESCRIPTIONS.sub("", text)[:255]


def rule(
    kind: type[aws.vpc.SecurityGroupIngressRule] | type[aws.vpc.SecurityGroupEgressRule],
    name: str,
    *,
    group_id: pulumi.Input[str],
    peer: Peer,
    ports: PortRange | None,
    protocol: str,
    text: str,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> None:
    """One ingress or egress rule of `group_id` with `peer`; no ports means every port of `protocol`."""
    reach = {"from_port": ports.first, "to_port": ports.last} if ports is not None else {}
    kind(
        name,
        security_group_id=group_id,
        description=description(text),
        ip_protocol=protocol,
        **reach,
        **peer.rule_args(),
        tags=dict(tags),
        opts=opts,
    )


def connect(
    name: str,
    *,
    channel: Channel,
    client: Peer,
    target: Peer,
    purpose: str,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> None:
    """Both halves of a group-to-group channel: ingress on the target's group, egress on the client's."""
    assert client.group_id is not None and target.group_id is not None, "connect() joins two security groups"
    (ports,) = channel.ports
    for kind, rule_name, group_id, peer, text in (
        (aws.vpc.SecurityGroupIngressRule, f"{name}-from-{client.slug}", target.group_id, client, f"from {client.slug}"),
        (
            aws.vpc.SecurityGroupEgressRule,
            f"{name}-{client.slug}-to-{target.slug}",
            client.group_id,
            target,
            f"{client.slug} to {target.slug}",
        ),
    ):
        rule(
            kind,
            rule_name,
            group_id=group_id,
            peer=peer,
            ports=ports,
            protocol=channel.protocol,
            text=f"{channel.name} {text}: {purpose}",
            tags=tags,
            opts=opts,
        )


class Firewall(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        s3_prefix_list_id: pulumi.Input[str],
        channels: Sequence[OpenChannel],
        open_egress: bool,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("tdce:aws:Firewall", name, None, opts)
        self._name = name
        self._tags = dict(tags)
        self._child = pulumi.ResourceOptions(parent=self)
        # Fixed names and descriptions: changing either would replace the group.
        self._groups = {
            role: Peer(
                role.value,
                group_id=aws.ec2.SecurityGroup(
                    f"{name}-{role.value}", vpc_id=vpc_id, description=text, tags=self._tags, opts=self._child
                ).id,
            )
            for role, text in GROUP_DESCRIPTIONS.items()
        }
        self._s3 = Peer("s3", prefix_list_id=s3_prefix_list_id)
        # Channels into the other groups of the network (database, secrets endpoint) are opened by
        # the components that own those groups; the rest of the matrix is opened here.
        enabled = [c for c in channels if c.enabled and (c.channel.target in self._groups or not c.channel.target.inside_cluster)]
        for open_channel in enabled:
            if open_channel.channel.direction is Direction.INGRESS:
                self._ingress(open_channel)
        for role in (Role.SERVER, Role.WORKERS):
            self._egress(role, enabled, open_egress)

        self.server_group_id = self._groups[Role.SERVER].group_id
        self.worker_group_id = self._groups[Role.WORKERS].group_id
        self.register_outputs({"serverGroupId": self.server_group_id, "workerGroupId": self.worker_group_id})

    def _ingress(self, open_channel: OpenChannel) -> None:
        channel = open_channel.channel
        target = self._groups[channel.target]
        sources = [self._groups[role] for role in channel.sources if role.inside_cluster]
        sources += [Peer(cidr_slug(cidr), cidr=cidr) for cidr in open_channel.source_cidrs]
        for ports in open_channel.ports:
            for source in sources:
                suffix = "" if source.group_id is not None else f"-{source.slug}"
                if len(open_channel.ports) > 1:
                    suffix = f"-{ports}{suffix}"
                rule(
                    aws.vpc.SecurityGroupIngressRule,
                    f"{self._name}-{channel.name}{suffix}",
                    group_id=target.group_id,
                    peer=source,
                    ports=ports,
                    protocol=channel.protocol,
                    text=f"{channel.name} from {source.cidr or source.slug}: {channel.purpose}",
                    tags=self._tags,
                    opts=self._child,
                )

    def _egress(self, role: Role, enabled: Sequence[OpenChannel], open_egress: bool) -> None:
        group = self._groups[role]
        if open_egress:
            self._egress_rule(group, Peer("anywhere", cidr=ANYWHERE), None, ALL_PROTOCOLS, ["open-egress"])
            return
        uses = [(c.channel, c.ports) for c in enabled if role in c.channel.sources]
        if role is Role.WORKERS:
            uses += [(channel, channel.ports) for channel in WORKER_EXTRA_EGRESS]
        # Channels that share a destination and ports share one rule: AWS refuses duplicates.
        needed: dict[tuple[str, str, str], tuple[Peer, PortRange, str, list[str]]] = {}
        for channel, port_ranges in uses:
            peer = self._destination(channel)
            for ports in port_ranges:
                key = (peer.slug, str(ports), channel.protocol)
                needed.setdefault(key, (peer, ports, channel.protocol, []))[3].append(channel.name)
        for peer, ports, protocol, names in needed.values():
            self._egress_rule(group, peer, ports, protocol, names)

    def _destination(self, channel: Channel) -> Peer:
        if channel.target.inside_cluster:
            return self._groups[channel.target]
        if channel.target is Role.OBJECT_STORAGE:
            return self._s3
        return Peer("anywhere", cidr=ANYWHERE)

    def _egress_rule(self, group: Peer, peer: Peer, ports: PortRange | None, protocol: str, channels: list[str]) -> None:
        rule(
            aws.vpc.SecurityGroupEgressRule,
            f"{self._name}-{group.slug}-to-{peer.slug}-{ports or 'all'}",
            group_id=group.group_id,
            peer=peer,
            ports=ports,
            protocol=protocol,
            text=f"{group.slug} to {peer.slug}: {', '.join(dict.fromkeys(channels))}",
            tags=self._tags,
            opts=self._child,
        )

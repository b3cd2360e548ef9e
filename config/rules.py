"""The firewall rules a stack needs: one pure derivation from its open channels, for both clouds and the policy pack.

Each `RuleSpec` is one rule on one firewall group: ingress on the group of a channel's target
from each of its sources, egress on the group of each source towards the target. The AWS
security groups, the GCP firewall and the pack's expectations are all read from these rows,
so a channel becomes a rule in exactly one place.

Rules that would be the same rule at the cloud (same group, direction, protocol, ports and
peer) are merged into one row naming every channel it serves: AWS refuses duplicate rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from config.channels import Direction, PortRange, Role
from config.exposure import OpenChannel, roles_in
from config.settings import Settings

ANYWHERE_IPV4 = "0.0.0.0/0"
ALL_PROTOCOLS = "all"
# The machines every deployment runs: `access.openEgress` lets these reach anything.
MACHINES = (Role.SERVER, Role.WORKERS)


@dataclass(frozen=True, order=True)
class Peer:
    """The other end of a rule: a role of the deployment or a cloud service (`role`), or addresses (`cidrs`).

    `label` names it in rule names and messages: the role, `users`/`admins` for their CIDRs, `anywhere`.
    """

    label: str
    role: Role | None = None
    cidrs: tuple[str, ...] = ()

    @property
    def by_cidr(self) -> bool:
        return bool(self.cidrs)


ANYWHERE = Peer("anywhere", cidrs=(ANYWHERE_IPV4,))


@dataclass(frozen=True, order=True)
class RuleSpec:
    direction: Direction
    # The firewall group the rule belongs to: the target's for ingress, the source's for egress.
    group: Role
    peer: Peer
    protocol: str
    # None: every port (with protocol "all").
    ports: PortRange | None
    channels: tuple[str, ...]

    @property
    def ports_label(self) -> str:
        return str(self.ports) if self.ports is not None else "all"

    @property
    def channels_label(self) -> str:
        return ", ".join(self.channels)


def guarded_roles(settings: Settings) -> frozenset[Role]:
    """The roles that have a firewall group of their own on this stack's cloud.

    On GCP rules target the VMs' service accounts; Cloud SQL sits behind the service-networking
    peering, where this network's rules do not reach. On AWS the database, the rotation function
    and the Secrets Manager endpoint each have a security group.
    """
    present = roles_in(settings)
    if settings.cloud == "gcp":
        return frozenset(MACHINES)
    return frozenset(role for role in present if role.inside_cluster or role is Role.SECRET_ROTATION)


def rule_specs(settings: Settings, channels: Iterable[OpenChannel]) -> tuple[RuleSpec, ...]:
    guarded = guarded_roles(settings)
    enabled = [opened for opened in channels if opened.enabled]
    rows = [*_ingress(enabled, guarded), *_egress(enabled, guarded, settings.access.open_egress)]
    return _merged(rows)


def _ingress(enabled: list[OpenChannel], guarded: frozenset[Role]) -> Iterable[RuleSpec]:
    for opened in enabled:
        channel = opened.channel
        if channel.direction is not Direction.INGRESS or channel.target not in guarded:
            continue
        peers = [Peer(role.value, role=role) for role in opened.sources if role in guarded]
        if opened.source_cidrs:
            peers += [Peer(role.value, cidrs=opened.source_cidrs) for role in opened.sources if role in (Role.USERS, Role.ADMINS)]
        for peer in peers:
            for ports in opened.ports:
                yield RuleSpec(Direction.INGRESS, channel.target, peer, channel.protocol, ports, (channel.name,))


def _egress(enabled: list[OpenChannel], guarded: frozenset[Role], open_egress: bool) -> Iterable[RuleSpec]:
    for role in sorted(guarded):
        if open_egress and role in MACHINES:
            yield RuleSpec(Direction.EGRESS, role, ANYWHERE, ALL_PROTOCOLS, None, ("open-egress",))
            continue
        for opened in enabled:
            if role not in opened.sources:
                continue
            peer = _destination(opened.channel.target)
            for ports in opened.ports:
                yield RuleSpec(Direction.EGRESS, role, peer, opened.channel.protocol, ports, (opened.name,))


def _destination(target: Role) -> Peer:
    # A part of the deployment by its group (or, without one, as the cloud reaches it: Cloud SQL's
    # peering range); object storage through the cloud's private path (AWS: the S3 gateway
    # endpoint's prefix list); everything outside the cloud by address.
    if target.inside_cluster or target is Role.OBJECT_STORAGE:
        return Peer(target.value, role=target)
    return ANYWHERE


def _merged(rows: Iterable[RuleSpec]) -> tuple[RuleSpec, ...]:
    by_identity: dict[tuple, RuleSpec] = {}
    for row in rows:
        identity = (row.direction, row.group, row.peer.cidrs or row.peer.role, row.protocol, row.ports)
        earlier = by_identity.get(identity)
        if earlier is None:
            by_identity[identity] = row
        elif not set(row.channels) <= set(earlier.channels):
            by_identity[identity] = RuleSpec(
                earlier.direction,
                earlier.group,
                earlier.peer,
                earlier.protocol,
                earlier.ports,
                earlier.channels + row.channels,
            )
    return tuple(by_identity.values())

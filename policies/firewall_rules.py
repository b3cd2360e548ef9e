"""Firewall rules of every shape, AWS and GCP, ingress and egress, reduced to one form the policies can judge.

AWS states a rule three ways (a `SecurityGroupIngressRule` or `SecurityGroupEgressRule`, a
`SecurityGroupRule` of type ingress or egress, an inline `ingress`/`egress` block); GCP as the
`allows` of a firewall. Each becomes one `FirewallRule` per port span: direction, protocol,
ports, the peer it admits or reaches (CIDRs, groups or service accounts, itself, prefix lists,
network tags) and the group it belongs to. Parts unknown at preview are set aside one by one
(`Extracted.undecided`), so the parts that are known are still judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from config.channels import HIGHEST_PORT, LOWEST_PORT, LOWEST_USABLE_PORT, Direction, PortRange
from config.internet import WholeInternet, network_of, whole_internet
from config.resource_types import (
    AWS_DEFAULT_SECURITY_GROUP,
    AWS_EGRESS_RULE,
    AWS_GROUP_RULE,
    AWS_INGRESS_RULE,
    AWS_SECURITY_GROUP,
    GCP_FIREWALL,
)
from config.rules import ANYWHERE_IPV4
from policies.reading import Subject, count, get, has, strings, truthy

_PROTOCOL_NAMES = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# GCP's default sourceRanges (destinationRanges) when a rule gives none: an ingress rule that names
# no source at all admits 0.0.0.0/0, and an egress rule that names no destination reaches 0.0.0.0/0
# ("VPC firewall rules", sections "Sources for ingress rules" and "Destinations for egress rules":
# https://cloud.google.com/firewall/docs/firewalls).
GCP_DEFAULT_RANGE = (ANYWHERE_IPV4,)


@dataclass(frozen=True)
class FirewallRule:
    where: str  # which part of the resource, e.g. "ingress[1]" or "allows[0]"; empty for a rule resource
    direction: Direction
    protocol: str
    first: int
    last: int
    # The other end: the addresses it admits (ingress) or reaches (egress).
    cidrs: tuple[str, ...] = ()
    # Names a security group or service account as the other end (its ID may still be unknown).
    peer_groups: bool = False
    peers: frozenset[str] = frozenset()
    self_peer: bool = False
    # Other ends that are neither CIDRs nor groups: AWS prefix lists, GCP network tags.
    other_peers: tuple[str, ...] = ()
    prefix_lists: frozenset[str] = frozenset()
    # The group the rule belongs to, i.e. the machines it applies to (AWS security group, GCP targets).
    group: frozenset[str] = frozenset()

    @property
    def all_ports(self) -> bool:
        # From port 0 or from the lowest usable port (config/channels.py): both open every port.
        return self.protocol == "all" or (
            self.protocol in ("tcp", "udp") and self.first <= LOWEST_USABLE_PORT and self.last >= HIGHEST_PORT
        )

    def is_exactly(self, protocol: str, ports: PortRange) -> bool:
        return self.protocol == protocol and (self.first, self.last) == (ports.first, ports.last)

    def covers(self, ports: PortRange) -> bool:
        return self.protocol in ("tcp", "all") and ports.within(self)

    @property
    def whole_internet(self) -> tuple[WholeInternet, ...]:
        """Each address family whose whole internet the rule's CIDRs open, by one /0 or together (config/internet.py)."""
        return whole_internet(self.cidrs)

    @property
    def ports_label(self) -> str:
        if self.all_ports:
            return "all ports"
        return f"{self.protocol} {self.first}" + (f"-{self.last}" if self.last != self.first else "")

    @property
    def label(self) -> str:
        return f"{self.where}: {self.ports_label}" if self.where else self.ports_label

    @property
    def peers_label(self) -> str:
        parts = list(self.cidrs) + list(self.other_peers)
        if self.self_peer:
            parts.append("its own group")
        elif self.peer_groups:
            parts.append("a security group or service account")
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class Extracted:
    rules: tuple[FirewallRule, ...] = ()
    # The parts of the resource whose rules are unknown at preview.
    undecided: tuple[str, ...] = ()


def cidr_within(cidr: str, allowed: Iterable[str]) -> bool:
    network = network_of(cidr)
    if network is None:
        return False
    for candidate in allowed:
        other = network_of(candidate)
        if other is not None and network.version == other.version and network.subnet_of(other):
            return True
    return False


def cidrs_overlap(first: str, second: str) -> bool:
    a, b = network_of(first), network_of(second)
    return a is not None and b is not None and a.version == b.version and a.overlaps(b)


def _protocol(value: object) -> str:
    text = str(value).lower() if value is not None else "all"
    return _PROTOCOL_NAMES.get(text, text)


def _span(protocol: str, first: object, last: object) -> tuple[int, int]:
    # AWS writes "every port" as -1 (or leaves ports out with protocol -1).
    if protocol == "all" or first is None or int(float(first)) < 0:
        return LOWEST_PORT, HIGHEST_PORT
    return int(float(first)), int(float(last if last is not None else first))


def _ports(values: object, protocol_key: str) -> tuple[str, int, int]:
    protocol = _protocol(get(values, protocol_key))
    return (protocol, *_span(protocol, get(values, "fromPort"), get(values, "toPort")))


@dataclass(frozen=True)
class _RuleInputs:
    """Where an AWS rule resource keeps each part of its rule.

    The VPC rule resources (one CIDR of each family, one peer group, one prefix list) and
    `SecurityGroupRule` (lists of CIDRs and prefix lists, a `self` flag, the direction in `type`)
    state the same rule under other input names.
    """

    protocol: str
    cidrs: tuple[str, str]
    peer: str
    prefix_lists: str
    # The input that names the direction; None where the resource type is the direction.
    direction: str | None


_VPC_RULE = _RuleInputs("ipProtocol", ("cidrIpv4", "cidrIpv6"), "referencedSecurityGroupId", "prefixListId", None)
_GROUP_RULE = _RuleInputs("protocol", ("cidrBlocks", "ipv6CidrBlocks"), "sourceSecurityGroupId", "prefixListIds", "type")


def _from_rule_resource(subject: Subject, direction: Direction, inputs: _RuleInputs) -> list[FirewallRule]:
    p = subject.props
    if inputs.direction is not None and get(p, inputs.direction) != direction.value:
        return []
    protocol, first, last = _ports(p, inputs.protocol)
    group = subject.refs("securityGroupId")
    # `self` (SecurityGroupRule only) admits the rule's own group, as naming that group as the peer does.
    itself = truthy(get(p, "self"))
    peers = subject.refs(inputs.peer) | (group if itself else frozenset())
    peer_groups = itself or has(p, inputs.peer)
    # A prefix list comes from a VPC endpoint's output, unknown at preview: its refs name the endpoint.
    prefix_lists = subject.refs(inputs.prefix_lists) if has(p, inputs.prefix_lists) else frozenset()
    try:
        listed = tuple(strings(get(p, inputs.prefix_lists)))
    except UnknownValueError:
        listed = tuple(sorted(prefix_lists))
    return [
        FirewallRule(
            where="",
            direction=direction,
            protocol=protocol,
            first=first,
            last=last,
            cidrs=tuple(cidr for key in inputs.cidrs for cidr in strings(get(p, key)) if cidr),
            peer_groups=peer_groups,
            peers=peers,
            self_peer=itself or (peer_groups and bool(peers) and peers == group),
            other_peers=listed,
            prefix_lists=prefix_lists,
            group=group,
        )
    ]


def _inline(subject: Subject, direction: Direction, index: int, entry: Any) -> FirewallRule:
    group = frozenset({subject.urn})
    protocol, first, last = _ports(entry, "protocol")
    groups = strings(get(entry, "securityGroups"))
    itself = truthy(get(entry, "self"))
    lists = strings(get(entry, "prefixListIds"))
    return FirewallRule(
        where=f"{direction.value}[{index}]",
        direction=direction,
        protocol=protocol,
        first=first,
        last=last,
        cidrs=tuple(strings(get(entry, "cidrBlocks")) + strings(get(entry, "ipv6CidrBlocks"))),
        peer_groups=itself or bool(groups),
        peers=frozenset(groups) | (group if itself else frozenset()),
        self_peer=itself and not groups,
        other_peers=tuple(lists),
        prefix_lists=frozenset(lists),
        group=group,
    )


def _firewall_allow(subject: Subject, direction: Direction, index: int, allow: Any) -> list[FirewallRule]:
    p = subject.props
    if direction is Direction.INGRESS:
        cidrs = tuple(strings(get(p, "sourceRanges")))
        tags = tuple(f"tag:{tag}" for tag in strings(get(p, "sourceTags")))
        # Service accounts' emails are unknown at preview of a new stack: count them, read their refs.
        peer_groups = count(get(p, "sourceServiceAccounts")) > 0
        peers = subject.refs("sourceServiceAccounts")
    else:
        cidrs, tags, peer_groups, peers = tuple(strings(get(p, "destinationRanges"))), (), False, frozenset()
    if not (cidrs or tags or peer_groups):
        cidrs = GCP_DEFAULT_RANGE
    group = subject.refs("targetServiceAccounts") | {f"tag:{tag}" for tag in strings(get(p, "targetTags"))}
    protocol = _protocol(get(allow, "protocol"))
    rules = []
    for span in strings(get(allow, "ports")) or [None]:
        first, _, last = (span or "").partition("-")
        low, high = _span(protocol, first or None, last or first)
        rules.append(
            FirewallRule(
                where=f"allows[{index}]",
                direction=direction,
                protocol=protocol,
                first=low,
                last=high,
                cidrs=cidrs,
                peer_groups=peer_groups,
                peers=peers,
                self_peer=peer_groups and bool(peers) and peers == group,
                other_peers=tags,
                group=group,
            )
        )
    return rules


def _entries(value: Any) -> Any:
    """A list input whose elements are read one at a time, so one unknown element leaves the others judged."""
    return value if isinstance(value, Sequence) and not isinstance(value, str) else []


def _each(parts: list[tuple[str, Callable[[], list[FirewallRule]]]]) -> Extracted:
    rules: list[FirewallRule] = []
    undecided: list[str] = []
    for where, extract in parts:
        try:
            rules += extract()
        except UnknownValueError:
            undecided.append(where)
    return Extracted(rules=tuple(rules), undecided=tuple(undecided))


def _whole(subject: Subject, extract: Callable[[], list[FirewallRule]]) -> Extracted:
    return _each([(subject.name, extract)])


def firewall_rules(subject: Subject, direction: Direction) -> Extracted:
    """Every rule of one direction the resource states, and the parts unknown at preview."""
    kind = subject.type
    if (kind == AWS_INGRESS_RULE and direction is Direction.INGRESS) or (
        kind == AWS_EGRESS_RULE and direction is Direction.EGRESS
    ):
        return _whole(subject, lambda: _from_rule_resource(subject, direction, _VPC_RULE))
    if kind == AWS_GROUP_RULE:
        return _whole(subject, lambda: _from_rule_resource(subject, direction, _GROUP_RULE))
    if kind in (AWS_SECURITY_GROUP, AWS_DEFAULT_SECURITY_GROUP):
        if subject.sees_outputs:
            # A group's ingress/egress outputs are computed: unknown at preview, and after a refresh
            # they list every rule of the group, the separate rule resources' too (the provider reads
            # them all back). Inline rules are judged where the program writes them, in the group's
            # inputs (no-inline-security-group-rules, and the resource policies).
            return Extracted()
        key = direction.value
        try:
            entries = _entries(get(subject.props, key))
        except UnknownValueError:
            return Extracted(undecided=(key,))
        return _each([(f"{key}[{i}]", lambda i=i: [_inline(subject, direction, i, entries[i])]) for i in range(len(entries))])
    if kind == GCP_FIREWALL:
        return _from_firewall(subject, direction)
    return Extracted()


def _from_firewall(subject: Subject, direction: Direction) -> Extracted:
    try:
        stated = str(get(subject.props, "direction", default=Direction.INGRESS.name)).upper()
        if stated != direction.name or truthy(get(subject.props, "disabled")):
            return Extracted()
        allows = _entries(get(subject.props, "allows"))
    except UnknownValueError:
        return Extracted(undecided=("direction or allows",))
    return _each([(f"allows[{i}]", lambda i=i: _firewall_allow(subject, direction, i, allows[i])) for i in range(len(allows))])


def ingress_rules(subject: Subject) -> Extracted:
    return firewall_rules(subject, Direction.INGRESS)


def egress_rules(subject: Subject) -> Extracted:
    return firewall_rules(subject, Direction.EGRESS)

"""Which TDCE channel an ingress rule opens: the stack's rule specs when its config is known, else the matrix alone."""

from __future__ import annotations

from dataclasses import dataclass

from config.channels import CHANNELS, CHANNELS_BY_NAME, Channel, Direction, PortRange, Role
from config.resolved import ResolvedStack
from policies.firewall_rules import FirewallRule, cidr_within

CIDR_ROLES = (Role.USERS, Role.ADMINS)


@dataclass(frozen=True)
class Expected:
    """An ingress rule as this stack should have it (one rule spec), or a channel it keeps shut (`enabled` False)."""

    channel: Channel
    ports: tuple[PortRange, ...]
    # The CIDRs a user or administrator channel may admit; None while the settings are unknown.
    cidrs: tuple[str, ...] | None
    # None while the settings are unknown and the channel is optional.
    enabled: bool | None
    # The group the rule protects and the one it admits (None: by CIDR, or not known without settings).
    target: Role | None = None
    source: Role | None = None

    @property
    def sources(self) -> tuple[Role, ...]:
        return (self.source,) if self.source is not None else self.channel.sources

    @property
    def lands_on(self) -> Role:
        return self.target if self.target is not None else self.channel.target

    @property
    def name(self) -> str:
        return self.channel.name

    @property
    def by_cidr(self) -> bool:
        """People reach the cluster from networks (CIDRs); machines of the deployment by their groups."""
        return any(role in CIDR_ROLES for role in self.sources)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.channel.protocol} {'/'.join(map(str, self.ports))})"

    @property
    def cidr_setting(self) -> str:
        return "access.userCidrs" if Role.USERS in self.sources else "access.adminCidrs"


def expected_ingress(stack: ResolvedStack | None) -> tuple[Expected, ...]:
    if stack is None:
        return tuple(
            Expected(channel=c, ports=c.port_choices, cidrs=None, enabled=True if c.required else None)
            for c in CHANNELS
            if c.direction is Direction.INGRESS
        )
    rules = tuple(
        Expected(
            channel=CHANNELS_BY_NAME[spec.channels[0]],
            ports=(spec.ports,) if spec.ports is not None else (),
            cidrs=spec.peer.cidrs,
            enabled=True,
            target=spec.group,
            source=spec.peer.role if spec.peer.role is not None else Role(spec.peer.label),
        )
        for spec in stack.rules_of(Direction.INGRESS)
    )
    shut = tuple(
        Expected(channel=o.channel, ports=o.ports, cidrs=o.source_cidrs, enabled=False)
        for o in stack.channels
        if o.channel.direction is Direction.INGRESS and not o.enabled
    )
    return rules + shut


def by_ports(rule: FirewallRule, expectations: tuple[Expected, ...]) -> list[Expected]:
    """The channels whose protocol and exact port span the rule opens."""
    return [e for e in expectations if any(rule.is_exactly(e.channel.protocol, p) for p in e.ports)]


def kind_problems(rule: FirewallRule, expected: Expected) -> list[str]:
    """Whether the rule admits the kind of source the channel comes from: groups inside the cluster, CIDRs outside it."""
    sources = " and ".join(role.value for role in expected.sources)
    if not expected.by_cidr:
        problems = []
        if rule.cidrs or rule.other_peers:
            problems.append(
                f"admits {', '.join(rule.cidrs + rule.other_peers)}, while {expected.name} comes only from the {sources} group"
            )
        if not rule.peer_groups:
            problems.append(f"names no source group, while {expected.name} comes from the {sources} group")
        return problems
    problems = []
    if rule.peer_groups:
        problems.append(f"admits a security group or service account, while {expected.name} comes from {sources} by CIDR")
    if rule.other_peers:
        problems.append(f"admits {', '.join(rule.other_peers)}, while {expected.name} takes CIDRs only")
    if not rule.cidrs:
        problems.append(f"admits no CIDR, while {expected.name} comes from {sources} by CIDR")
    return problems


def cidr_problems(rule: FirewallRule, expected: Expected) -> list[str]:
    if expected.cidrs is None or not expected.by_cidr:
        return []
    outside = [c for c in rule.cidrs if not cidr_within(c, expected.cidrs)]
    if not outside:
        return []
    allowed = ", ".join(expected.cidrs) or "none configured"
    return [f"admits {', '.join(outside)}, outside {expected.cidr_setting} ({allowed})"]


def state_problems(expected: Expected) -> list[str]:
    if expected.enabled is False:
        return [f"opens {expected.name}, which is off in this stack ({expected.channel.enabled_by} is false)"]
    return []


def judge(rule: FirewallRule, expectations: tuple[Expected, ...]) -> list[str]:
    """Why the rule is no channel of this stack; empty when it is one."""
    head = f"{rule.label} from {rule.peers_label}"
    candidates = by_ports(rule, expectations)
    if not candidates:
        offered = ", ".join(e.label for e in expectations if e.enabled is not False)
        return [f"{head} is no TDCE channel; this stack's ingress channels are {offered}"]
    verdicts = [(e, kind_problems(rule, e) + cidr_problems(rule, e) + state_problems(e)) for e in candidates]
    if any(not problems for _, problems in verdicts):
        return []
    closest, problems = min(verdicts, key=lambda verdict: len(verdict[1]))
    return [f"{head} would be the {closest.name} channel, but it {problem}" for problem in problems]

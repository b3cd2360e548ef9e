"""Ingress rules of every shape, AWS and GCP, reduced to one form the port policies can judge.

AWS states a rule three ways (a `SecurityGroupIngressRule`, a `SecurityGroupRule` of type
ingress, an inline `ingress` block); GCP as the `allows` of a firewall. Each becomes one
`IngressRule` per port span: protocol, ports, what it admits (CIDRs, groups or service
accounts, itself) and which group it protects.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from config.channels import HIGHEST_PORT, LOWEST_PORT, PortRange, Role
from config.resource_types import (
    AWS_DATABASE_CLUSTER,
    AWS_GROUP_RULE,
    AWS_INGRESS_RULE,
    AWS_INSTANCE,
    AWS_LAMBDA_FUNCTION,
    AWS_LAUNCH_TEMPLATE,
    AWS_SECURITY_GROUP,
    AWS_SERVERLESS_APPLICATION,
    AWS_VPC_ENDPOINT,
    GCP_FIREWALL,
    GCP_INSTANCE,
    GCP_INSTANCE_TEMPLATES,
)
from policies.reading import Subject, get, has, items, strings, truthy

# The whole port space; TCP and UDP port numbers are 16 bits.
_PROTOCOL_NAMES = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# GCP admits the whole internet when an ingress rule names no source at all.
_GCP_DEFAULT_SOURCE = ("0.0.0.0/0",)


@dataclass(frozen=True)
class IngressRule:
    where: str  # which part of the resource, e.g. "ingress[1]" or "allows[0]"; empty for a rule resource
    protocol: str
    first: int
    last: int
    cidrs: tuple[str, ...] = ()
    # Names a security group or service account as source (its ID may still be unknown).
    from_groups: bool = False
    sources: frozenset[str] = frozenset()
    self_source: bool = False
    # Sources that are neither CIDRs nor groups: AWS prefix lists, GCP network tags.
    other_sources: tuple[str, ...] = ()
    targets: frozenset[str] = frozenset()

    @property
    def all_ports(self) -> bool:
        return self.protocol == "all" or (self.protocol in ("tcp", "udp") and self.first <= 1 and self.last >= HIGHEST_PORT)

    def is_exactly(self, protocol: str, ports: PortRange) -> bool:
        return self.protocol == protocol and (self.first, self.last) == (ports.first, ports.last)

    def covers(self, ports: PortRange) -> bool:
        return self.protocol in ("tcp", "all") and self.first <= ports.first and ports.last <= self.last

    @property
    def internet_cidrs(self) -> tuple[str, ...]:
        return tuple(c for c in self.cidrs if _network(c) is not None and _network(c).prefixlen == 0)

    @property
    def label(self) -> str:
        ports = (
            "all ports"
            if self.all_ports
            else f"{self.protocol} {self.first}" + (f"-{self.last}" if self.last != self.first else "")
        )
        return f"{self.where}: {ports}" if self.where else ports

    @property
    def sources_label(self) -> str:
        parts = list(self.cidrs) + list(self.other_sources)
        if self.self_source:
            parts.append("its own group")
        elif self.from_groups:
            parts.append("a security group or service account")
        return ", ".join(parts) or "nothing"


def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def cidr_within(cidr: str, allowed: Iterable[str]) -> bool:
    network = _network(cidr)
    if network is None:
        return False
    for candidate in allowed:
        other = _network(candidate)
        if other is not None and network.version == other.version and network.subnet_of(other):
            return True
    return False


def _protocol(value: object) -> str:
    text = str(value).lower() if value is not None else "all"
    return _PROTOCOL_NAMES.get(text, text)


def _span(protocol: str, first: object, last: object) -> tuple[int, int]:
    if protocol == "all" or first is None or int(float(first)) < 0:
        return LOWEST_PORT, HIGHEST_PORT
    return int(float(first)), int(float(last if last is not None else first))


def _ports(values: object, protocol_key: str) -> tuple[str, int, int]:
    protocol = _protocol(get(values, protocol_key))
    return (protocol, *_span(protocol, get(values, "fromPort"), get(values, "toPort")))


def _from_ingress_rule(subject: Subject) -> list[IngressRule]:
    p = subject.props
    protocol, first, last = _ports(p, "ipProtocol")
    sources, targets = subject.refs("referencedSecurityGroupId"), subject.refs("securityGroupId")
    from_groups = has(p, "referencedSecurityGroupId")
    return [
        IngressRule(
            where="",
            protocol=protocol,
            first=first,
            last=last,
            cidrs=tuple(c for c in (get(p, "cidrIpv4"), get(p, "cidrIpv6")) if c),
            from_groups=from_groups,
            sources=sources,
            self_source=from_groups and bool(sources) and sources == targets,
            other_sources=tuple(strings(get(p, "prefixListId"))),
            targets=targets,
        )
    ]


def _from_group_rule(subject: Subject) -> list[IngressRule]:
    p = subject.props
    if get(p, "type") != "ingress":
        return []
    protocol, first, last = _ports(p, "protocol")
    targets = subject.refs("securityGroupId")
    itself = truthy(get(p, "self"))
    return [
        IngressRule(
            where="",
            protocol=protocol,
            first=first,
            last=last,
            cidrs=tuple(strings(get(p, "cidrBlocks")) + strings(get(p, "ipv6CidrBlocks"))),
            from_groups=itself or has(p, "sourceSecurityGroupId"),
            sources=targets if itself else subject.refs("sourceSecurityGroupId"),
            self_source=itself,
            other_sources=tuple(strings(get(p, "prefixListIds"))),
            targets=targets,
        )
    ]


def _from_inline(subject: Subject) -> list[IngressRule]:
    rules = []
    targets = frozenset({subject.urn})
    for index, entry in enumerate(items(get(subject.props, "ingress"))):
        protocol, first, last = _ports(entry, "protocol")
        groups = strings(get(entry, "securityGroups"))
        itself = truthy(get(entry, "self"))
        rules.append(
            IngressRule(
                where=f"ingress[{index}]",
                protocol=protocol,
                first=first,
                last=last,
                cidrs=tuple(strings(get(entry, "cidrBlocks")) + strings(get(entry, "ipv6CidrBlocks"))),
                from_groups=itself or bool(groups),
                sources=frozenset(groups) | (targets if itself else frozenset()),
                self_source=itself and not groups,
                other_sources=tuple(strings(get(entry, "prefixListIds"))),
                targets=targets,
            )
        )
    return rules


def _from_firewall(subject: Subject) -> list[IngressRule]:
    p = subject.props
    if str(get(p, "direction", default="INGRESS")).upper() != "INGRESS" or truthy(get(p, "disabled")):
        return []
    cidrs = tuple(strings(get(p, "sourceRanges")))
    tags = tuple(f"tag:{tag}" for tag in strings(get(p, "sourceTags")))
    from_groups = bool(items(get(p, "sourceServiceAccounts")))
    if not (cidrs or tags or from_groups):
        cidrs = _GCP_DEFAULT_SOURCE
    sources = subject.refs("sourceServiceAccounts")
    targets = subject.refs("targetServiceAccounts") | {f"tag:{tag}" for tag in strings(get(p, "targetTags"))}
    rules = []
    for index, allow in enumerate(items(get(p, "allows"))):
        protocol = _protocol(get(allow, "protocol"))
        spans = strings(get(allow, "ports")) or [None]
        for span in spans:
            first, _, last = (span or "").partition("-")
            low, high = _span(protocol, first or None, last or first or None)
            rules.append(
                IngressRule(
                    where=f"allows[{index}]",
                    protocol=protocol,
                    first=low,
                    last=high,
                    cidrs=cidrs,
                    from_groups=from_groups,
                    sources=sources,
                    self_source=from_groups and bool(sources) and sources == targets,
                    other_sources=tags,
                    targets=targets,
                )
            )
    return rules


_EXTRACTORS: dict[str, Callable[[Subject], list[IngressRule]]] = {
    AWS_INGRESS_RULE: _from_ingress_rule,
    AWS_GROUP_RULE: _from_group_rule,
    AWS_SECURITY_GROUP: _from_inline,
    GCP_FIREWALL: _from_firewall,
}


def ingress_rules(subject: Subject) -> list[IngressRule]:
    extract = _EXTRACTORS.get(subject.type)
    return extract(subject) if extract else []


# Where each role's groups are named: the server is the one VM instance, workers start from
# launch or instance templates, and the managed database, the Secrets Manager endpoint and the
# secret-rotation function each name their own security groups.
ROLE_HOLDERS: tuple[tuple[str, Role, tuple[tuple[str, ...], ...]], ...] = (
    (AWS_INSTANCE, Role.SERVER, (("vpcSecurityGroupIds",), ("securityGroups",))),
    (AWS_LAUNCH_TEMPLATE, Role.WORKERS, (("vpcSecurityGroupIds",), ("networkInterfaces",))),
    (AWS_DATABASE_CLUSTER, Role.DATABASE, (("vpcSecurityGroupIds",),)),
    (AWS_VPC_ENDPOINT, Role.SECRETS_ENDPOINT, (("securityGroupIds",),)),
    (AWS_SERVERLESS_APPLICATION, Role.SECRET_ROTATION, (("parameters", "vpcSecurityGroupIds"),)),
    (AWS_LAMBDA_FUNCTION, Role.SECRET_ROTATION, (("vpcConfig", "securityGroupIds"),)),
    (GCP_INSTANCE, Role.SERVER, (("serviceAccount", "email"),)),
    *((template, Role.WORKERS, (("serviceAccount", "email"),)) for template in GCP_INSTANCE_TEMPLATES),
)


@dataclass(frozen=True)
class Topology:
    """Which groups (or service accounts) guard which role: a rule's target or source is matched against them through refs."""

    groups: Mapping[Role, frozenset[str]]

    @classmethod
    def of(cls, subjects: Iterable[Subject]) -> Topology:
        groups: dict[Role, set[str]] = {}
        for subject in subjects:
            for kind, role, paths in ROLE_HOLDERS:
                if subject.type == kind:
                    for path in paths:
                        groups.setdefault(role, set()).update(subject.refs(*path))
        return cls(groups={role: frozenset(refs) for role, refs in groups.items() if refs})

    def role(self, refs: frozenset[str]) -> Role | None:
        """The one role whose groups the refs name; None when unknown or ambiguous."""
        roles = [role for role, groups in self.groups.items() if refs & groups]
        return roles[0] if len(roles) == 1 else None

    def has(self, role: Role) -> bool:
        return role in self.groups

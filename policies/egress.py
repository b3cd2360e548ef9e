"""Egress: machines reach only what the matrix's egress rows name, and GCP workers never reach Cloud SQL.

On AWS every security group's egress is held to the stack's rule specs
(`ResolvedStack.rules_of(Direction.EGRESS)`, from `config/rules.py`): the same rows the firewall
component builds its egress rules from, so "all traffic out" exists only with
`access.openEgress`. A spec with no rule is reported too: without its egress a channel is shut
at the sender. GCP allows all egress by default (the matrix's egress rows need no rule there);
what the design adds is the deny that keeps workers off Cloud SQL's private range, since the
database authenticates the server alone and the workers run users' code.
"""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from config.channels import DATABASE, Direction, Role
from config.resolved import ResolvedStack
from config.resource_types import (
    AWS_EGRESS_RULE,
    AWS_GROUP_RULE,
    AWS_SECURITY_GROUP,
    AWS_VPC_ENDPOINT,
    GCP_DATABASE_INSTANCE,
    GCP_FIREWALL,
    GCP_GLOBAL_ADDRESS,
)
from config.rules import RuleSpec
from policies.firewall_rules import GCP_DEFAULT_RANGE, FirewallRule, cidr_within, cidrs_overlap, egress_rules
from policies.placement import Topology
from policies.reading import Subject, count, get, items, known_strings, number, settle, stack_subjects, strings, truthy
from policies.stack_settings import stack_resolved

AWS_EGRESS_HOLDERS = (AWS_EGRESS_RULE, AWS_GROUP_RULE, AWS_SECURITY_GROUP)
# GCP's default firewall rule priority (https://cloud.google.com/firewall/docs/firewalls#priority_order_for_firewall_rules).
GCP_DEFAULT_PRIORITY = 1000


@dataclass(frozen=True)
class PlacedEgress:
    rule: FirewallRule
    roles: frozenset[Role]


def _s3_endpoints(subjects: list[Subject]) -> frozenset[str]:
    """The S3 gateway endpoints of the stack, whose prefix lists carry object-storage traffic: their URNs (what
    a rule's prefix list refs name at preview) and their prefix list IDs once known."""
    found = set()
    for subject in subjects:
        try:
            if subject.type == AWS_VPC_ENDPOINT and str(get(subject.props, "serviceName")).endswith(".s3"):
                found.add(subject.urn)
                found |= known_strings(get(subject.props, "prefixListId"))
        except UnknownValueError:
            continue
    return frozenset(found)


def _matches(item: PlacedEgress, role: Role, spec: RuleSpec, topology: Topology, s3: frozenset[str]) -> bool:
    rule = item.rule
    if spec.group is not role or spec.protocol != rule.protocol:
        return False
    if spec.ports is None:
        if not rule.all_ports:
            return False
    elif (rule.first, rule.last) != (spec.ports.first, spec.ports.last):
        return False
    peer = spec.peer
    if peer.cidrs:
        return (
            bool(rule.cidrs)
            and all(cidr_within(c, peer.cidrs) for c in rule.cidrs)
            and not (rule.peer_groups or rule.other_peers)
        )
    if peer.role is Role.OBJECT_STORAGE:
        return bool(rule.prefix_lists & s3) and not (rule.cidrs or rule.peer_groups)
    peer_roles = item.roles if rule.self_peer else topology.roles(rule.peers)
    return rule.peer_groups and peer_roles == {peer.role} and not (rule.cidrs or rule.other_peers)


def _describe(spec: RuleSpec) -> str:
    return f"{spec.protocol} {spec.ports_label} to {spec.peer.label} ({spec.channels_label})"


def _aws_egress(subjects: list[Subject], stack: ResolvedStack, report: ReportViolation, undecided: list[str]) -> None:
    topology = Topology.of(subjects)
    s3 = _s3_endpoints(subjects)
    specs = stack.rules_of(Direction.EGRESS)
    placed: list[PlacedEgress] = []
    for subject in (s for s in subjects if s.type in AWS_EGRESS_HOLDERS):
        extracted = egress_rules(subject)
        undecided += extracted.undecided
        for rule in extracted.rules:
            name = subject.name
            if not rule.group or (rule.peer_groups and not rule.peers):
                undecided.append(f"{name} groups")
                continue
            roles = topology.roles(rule.group)
            if not roles:
                report(
                    f"{rule.label} to {rule.peers_label} belongs to a group no machine of this stack holds, so the pack "
                    "cannot tell whose egress it opens",
                    subject.urn,
                )
                continue
            item = PlacedEgress(rule, roles)
            placed.append(item)
            for role in sorted(roles):
                if not any(_matches(item, role, spec, topology, s3) for spec in specs):
                    own = [_describe(spec) for spec in specs if spec.group is role]
                    report(
                        f"{rule.label} to {rule.peers_label} on a group that protects the {role.value} is no egress rule of "
                        f"this stack; the {role.value}'s egress is {', '.join(own) or 'none'}",
                        subject.urn,
                    )
    if undecided:
        return  # a rule unknown at preview may be the one that opens a row no known rule opens
    for spec in specs:
        if not topology.has(spec.group):
            continue
        if not any(_matches(item, spec.group, spec, topology, s3) for item in placed if spec.group in item.roles):
            report(f"nothing opens egress {_describe(spec)} from the {spec.group.value}", None)


def _peering_ranges(subjects: list[Subject]) -> list[Subject]:
    return [s for s in subjects if s.type == GCP_GLOBAL_ADDRESS and get(s.props, "purpose") == "VPC_PEERING"]


def _range_cidr(address: Subject) -> str | None:
    start, length = get(address.props, "address"), number(get(address.props, "prefixLength"))
    return f"{start}/{length:g}" if start and length is not None else None


def _reaches(firewall: Subject, ranges: list[Subject]) -> bool:
    destinations = firewall.refs("destinationRanges")
    # A range made from the peering address is unknown at preview; its refs name the address.
    # An egress rule naming no destination reaches GCP's default range (GCP_DEFAULT_RANGE).
    cidrs = sorted(known_strings(get(firewall.props, "destinationRanges"))) or ([] if destinations else list(GCP_DEFAULT_RANGE))
    for address in ranges:
        if address.urn in destinations:
            return True
        if not cidrs:
            continue  # only what it was made from, and that is not this range: no address to read
        cidr = _range_cidr(address)
        if cidr and any(cidrs_overlap(c, cidr) for c in cidrs):
            return True
    return False


def _blocks_database(entry: object) -> bool:
    # A deny naming no protocol is no deny GCP accepts: it does not count as the guard.
    protocol = str(get(entry, "protocol")).lower()
    if protocol == "all":
        return True
    port = DATABASE.ports[0].first
    spans = strings(get(entry, "ports"))
    return protocol == "tcp" and (not spans or any(int(s.split("-")[0]) <= port <= int(s.split("-")[-1]) for s in spans))


def _gcp_egress(subjects: list[Subject], report: ReportViolation, undecided: list[str]) -> None:
    if not any(s.type == GCP_DATABASE_INSTANCE for s in subjects):
        return
    topology = Topology.of(subjects)
    ranges = _peering_ranges(subjects)
    guards: list[tuple[Subject, float]] = []
    opens: list[tuple[Subject, float]] = []
    for firewall in (s for s in subjects if s.type == GCP_FIREWALL):
        try:
            if str(get(firewall.props, "direction")).upper() != "EGRESS" or truthy(get(firewall.props, "disabled")):
                continue
            roles = topology.roles(firewall.refs("targetServiceAccounts"))
            untargeted = (
                count(get(firewall.props, "targetServiceAccounts")) == 0 and count(get(firewall.props, "targetTags")) == 0
            )
            priority = number(get(firewall.props, "priority")) or GCP_DEFAULT_PRIORITY
            if not _reaches(firewall, ranges):
                continue
            if roles == {Role.WORKERS} and any(_blocks_database(d) for d in items(get(firewall.props, "denies"))):
                guards.append((firewall, priority))
            elif (Role.WORKERS in roles or untargeted) and items(get(firewall.props, "allows")):
                opens.append((firewall, priority))
        except UnknownValueError:
            undecided.append(firewall.name)
    if not guards:
        if not undecided:
            report(
                "no egress firewall rule denies the workers' service account Cloud SQL's private range: jobs on the "
                "workers could reach the database",
                None,
            )
        return
    strongest = min(priority for _, priority in guards)
    # At equal priority a deny rule wins over an allow rule
    # (https://cloud.google.com/firewall/docs/firewalls#priority_order_for_firewall_rules).
    for firewall, priority in opens:
        if priority < strongest:
            report(
                f"allows egress from the workers to Cloud SQL's private range at priority {priority:g}, before the "
                f"deny (priority {strongest:g}), so the deny no longer applies",
                firewall.urn,
            )


def validate_egress_matches_channel(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    undecided: list[str] = []
    stack = stack_resolved()
    # Without the stack's settings there are no rule specs to hold egress to; stack-settings-readable says so.
    if stack is not None and stack.cloud == "aws":
        _aws_egress(subjects, stack, report, undecided)
    _gcp_egress(subjects, report, undecided)
    settle(undecided)


egress_matches_channel = StackValidationPolicy(
    name="egress-matches-channel",
    description=(
        "AWS egress is exactly the matrix's egress rows for this stack (config/rules.py): each group reaches only its "
        "channels' destinations, all traffic out only with access.openEgress, and every row it needs is open. On GCP "
        "an egress deny keeps the workers off Cloud SQL's private range, and no allow rule overrides it."
    ),
    validate=validate_egress_matches_channel,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Let the firewall component build egress from config/rules.py; set access.openEgress for unrestricted egress; "
        "keep the database component's deny rule for the workers."
    ),
)

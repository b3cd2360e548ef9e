"""Port rules: every ingress rule is a TDCE channel, every channel the stack needs is open, and nothing else.

The channel matrix (config/channels.py) is the only place a port is written down; these
policies read it. Resource policies judge a rule on its own before it is created; stack
policies use the relationships between resources (which group protects the server, which
the workers), which only the whole stack shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from config.channels import INTERCONNECT, SSH, WORKER_RDP, WORKER_SSH, Role
from config.resource_types import AWS_DEFAULT_SECURITY_GROUP, AWS_SECURITY_GROUP, GCP_FIREWALL
from policies.channel_match import Expected, by_ports, expected_ingress, judge, kind_problems
from policies.firewall_rules import FirewallRule, cidr_within, ingress_rules
from policies.placement import Topology, roles_label
from policies.reading import Subject, count, get, settle, stack_subjects, strings
from policies.stack_settings import stack_resolved

REMOTE_ACCESS = (SSH, WORKER_SSH, WORKER_RDP)


def validate_ingress_matches_channel(args: ResourceValidationArgs, report: ReportViolation) -> None:
    expectations = expected_ingress(stack_resolved())
    extracted = ingress_rules(Subject.of_args(args))
    for rule in extracted.rules:
        for problem in judge(rule, expectations):
            report(problem, None)
    settle(extracted.undecided)


ingress_matches_channel = ResourceValidationPolicy(
    name="ingress-matches-channel",
    description=(
        "Every ingress rule is a TDCE channel: protocol, port range and kind of source match a row of the channel "
        "matrix, user and administrator CIDRs are the configured ones, and optional channels only when switched on. "
        "Anything else is attack surface the cluster does not use."
    ),
    validate=validate_ingress_matches_channel,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Open ports only through the channel matrix. For CIDRs and optional channels change the stack's access.* "
        "settings; if TDCE really needs another port, add its row (with the vendor reference) to config/channels.py."
    ),
)


@dataclass(frozen=True)
class PlacedRule:
    """A rule with the roles its own group protects and the roles of the group it admits (None: by CIDR)."""

    subject: Subject
    rule: FirewallRule
    roles: frozenset[Role]
    source_roles: frozenset[Role] | None


def placed_ingress(subjects: list[Subject], topology: Topology) -> tuple[list[PlacedRule], list[str]]:
    placed: list[PlacedRule] = []
    undecided: list[str] = []
    for subject in subjects:
        extracted = ingress_rules(subject)
        undecided += extracted.undecided
        for rule in extracted.rules:
            roles = topology.roles(rule.group)
            if rule.self_peer:
                sources: frozenset[Role] | None = roles
            elif rule.peer_groups:
                sources = topology.roles(rule.peers)
            else:
                sources = None
            placed.append(PlacedRule(subject, rule, roles, sources))
    return placed, undecided


def validate_ingress_lands_on_channel_target(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    topology = Topology.of(subjects)
    expectations = expected_ingress(stack_resolved())
    placed, undecided = placed_ingress(subjects, topology)
    for subject in subjects:
        if subject.type == GCP_FIREWALL:
            _gcp_targets(subject, report, undecided)
    for item in placed:
        rule, subject = item.rule, item.subject
        if rule.where.startswith("allows") and _gcp_untargeted_or_tagged(subject):
            continue  # reported once for the firewall above
        if not rule.group:
            undecided.append(f"{subject.name} group")
            continue
        if not item.roles:
            report(
                f"{rule.label} belongs to a group no machine of this stack holds, so the pack cannot tell which "
                "machines it opens; put the group on the machines it is for, or tag it tdce:role",
                subject.urn,
            )
            continue
        candidates = [e for e in by_ports(rule, expectations) if e.enabled is not False]
        if not candidates:
            continue  # ingress-matches-channel names the stray port or the channel that is off
        names = " or ".join(dict.fromkeys(e.name for e in candidates))
        landing: list[Expected] = []
        for role in sorted(item.roles):
            here = [e for e in candidates if e.lands_on is role]
            landing += here
            if not here:
                targets = " or ".join(dict.fromkeys(e.lands_on.value for e in candidates))
                report(
                    f"{rule.label} opens {names} on a group that protects the {role.value}, but {names} lands on the {targets}",
                    subject.urn,
                )
        if not landing or item.source_roles is None:
            continue
        if not rule.peers and not rule.self_peer:
            undecided.append(f"{subject.name} source group")
            continue
        if not item.source_roles:
            report(
                f"{rule.label} admits a group no machine of this stack holds: {names} comes only from the deployment's groups",
                subject.urn,
            )
            continue
        wanted = {r for e in landing for r in e.sources}
        for source in sorted(item.source_roles - wanted):
            report(
                f"{rule.label} admits a group that holds the {source.value}, but {names} comes from the {roles_label(wanted)}",
                subject.urn,
            )
    settle(undecided)


def _gcp_untargeted_or_tagged(subject: Subject) -> bool:
    try:
        return count(get(subject.props, "targetServiceAccounts")) == 0
    except UnknownValueError:
        return False


def _gcp_targets(subject: Subject, report: ReportViolation, undecided: list[str]) -> None:
    extracted = ingress_rules(subject)
    if not extracted.rules:
        return
    try:
        accounts = count(get(subject.props, "targetServiceAccounts"))
        tags_ = strings(get(subject.props, "targetTags"))
    except UnknownValueError:
        undecided.append(f"{subject.name} targets")
        return
    if tags_:
        report(
            f"the firewall rule targets network tags ({', '.join(tags_)}), which anyone who may edit a VM can set; "
            "target the service account of the machines it is for",
            subject.urn,
        )
    elif not accounts:
        report("the firewall rule names no target service account, so it opens every VM in the network", subject.urn)


ingress_lands_on_channel_target = StackValidationPolicy(
    name="ingress-lands-on-channel-target",
    description=(
        "Each channel opens on the group it targets and from the group it comes from: signal and data on the server "
        "from the workers, worker-ssh and worker-rdp on the workers from the server, interconnect on the workers "
        "from themselves. A rule is judged by every machine its group protects (a group on both the server and a "
        "worker pool must suit both), and a group the pack cannot place, or a GCP rule on network tags, is refused."
    ),
    validate=validate_ingress_lands_on_channel_target,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Attach the rule to the group (or target service account) of the channel's target; name its source group; "
        "give each role its own group (extraSecurityGroups must not name the server's group)."
    ),
)


def _serves(item: PlacedRule, expected: Expected) -> bool:
    if not by_ports(item.rule, (expected,)) or kind_problems(item.rule, expected):
        return False
    if expected.lands_on not in item.roles:
        return False
    return expected.by_cidr or (item.source_roles is not None and expected.sources[0] in item.source_roles)


def validate_required_channels_open(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    topology = Topology.of(subjects)
    placed, undecided = placed_ingress(subjects, topology)
    missing: list[str] = []
    for expected in expected_ingress(stack_resolved()):
        # The database and the secrets endpoint need their channel only where they have a group
        # of their own (on GCP, Cloud SQL on a private IP has none).
        target = expected.lands_on
        if not expected.enabled or (target not in (Role.SERVER, Role.WORKERS) and not topology.has(target)):
            continue
        # People's channels have one source each (users or administrators), machines' channels one or more.
        for source in expected.sources:
            if source not in (Role.SERVER, Role.WORKERS) and not expected.by_cidr and not topology.has(source):
                continue
            wanted = replace(expected, source=source)
            serving = [item.rule for item in placed if _serves(item, wanted)]
            if not serving:
                missing.append(f"nothing opens {expected.label} from the {source.value} to the {target.value}")
            elif expected.cidrs:
                absent = [c for c in expected.cidrs if not any(cidr_within(c, rule.cidrs) for rule in serving)]
                if absent:
                    report(f"{expected.name} does not admit {', '.join(absent)} from {expected.cidr_setting}", None)
    if missing and undecided:
        # A rule unknown at preview may be the one that opens it: no verdict yet.
        settle(undecided)
    for problem in missing:
        report(problem, None)


required_channels_open = StackValidationPolicy(
    name="required-channels-open",
    description=(
        "The stack opens every channel TDCE needs, from each of its sources: signal, data, management and web always, "
        "the optional ones its settings switch on, the database's and the secrets endpoint's where they have a "
        "security group, from every configured CIDR. A missing channel leaves workers idle or users locked out."
    ),
    validate=validate_required_channels_open,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Restore the channel's rule in the firewall component; it is built from config/rules.py.",
)


def validate_no_remote_access_from_internet(args: ResourceValidationArgs, report: ReportViolation) -> None:
    extracted = ingress_rules(Subject.of_args(args))
    for rule in extracted.rules:
        exposed = sorted({str(p) for c in REMOTE_ACCESS for p in c.ports if rule.covers(p)})
        # A /0, or CIDRs of the one rule that together make the whole internet (config/internet.py, as
        # access.adminCidrs is held to). AWS's VPC rule resources hold one CIDR each: pieces spread over
        # several of them are judged by ingress-matches-channel against access.adminCidrs.
        opened = rule.whole_internet
        if opened and exposed:
            report(
                f"{rule.label} admits {', '.join(family.label for family in opened)}: port {', '.join(exposed)} open to "
                "the whole internet",
                None,
            )
    settle(extracted.undecided)


no_remote_access_from_internet = ResourceValidationPolicy(
    name="no-remote-access-from-internet",
    description=(
        "Nothing admits 0.0.0.0/0 or ::/0 on the SSH or RDP ports, nor CIDRs of one rule that cover it together: "
        "remote shells open to the internet are scanned and brute-forced within minutes."
    ),
    validate=validate_no_remote_access_from_internet,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="List your administrators' networks in access.adminCidrs (on GCP, SSH arrives through IAP).",
)


def validate_no_all_ports_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    extracted = ingress_rules(Subject.of_args(args))
    for rule in extracted.rules:
        if rule.all_ports:
            report(f"{rule.label} from {rule.peers_label}: every port is open", None)
    settle(extracted.undecided)


no_all_ports_ingress = ResourceValidationPolicy(
    name="no-all-ports-ingress",
    description="No ingress rule opens every port or every protocol, from anywhere: TDCE's channels are a handful of TCP ports.",
    validate=validate_no_all_ports_ingress,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Open the channel's own port range instead; worker-to-worker traffic is the interconnect channel.",
)


def validate_interconnect_within_workers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    extracted = ingress_rules(Subject.of_args(args))
    undecided = list(extracted.undecided)
    for rule in extracted.rules:
        if not any(rule.covers(p) for p in INTERCONNECT.ports):
            continue
        if rule.cidrs or rule.other_peers:
            report(
                f"{rule.label} admits {', '.join(rule.cidrs + rule.other_peers)}: the interconnect range is only for the "
                "workers' own group",
                None,
            )
        elif rule.peer_groups and not rule.self_peer:
            if not rule.peers or not rule.group:
                undecided.append(f"{rule.where or 'rule'} source group")
            else:
                report(f"{rule.label} admits another group: the interconnect range is only for the workers' own group", None)
    settle(undecided)


interconnect_within_workers = ResourceValidationPolicy(
    name="interconnect-within-workers",
    description=(
        f"The interconnect range ({INTERCONNECT.protocol.upper()} {INTERCONNECT.ports_label}) is open only from the worker "
        "group to itself: it lets jobs of one project talk to each other (003_d348c65316696df7.txt) and nothing outside "
        "the workers needs it."
    ),
    validate=validate_interconnect_within_workers,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Make the rule self-referencing: source group (or service account) = the worker group it protects.",
)


def validate_no_inline_security_group_rules(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in (AWS_SECURITY_GROUP, AWS_DEFAULT_SECURITY_GROUP):
        return
    # The inputs: what the program writes. The group's outputs list every rule the group has, the
    # separate resources' too, once the provider reads them back (and are unknown at preview).
    inline = [key for key in ("ingress", "egress") if count(get(args.props, key)) > 0]
    if not inline:
        return
    if args.resource_type == AWS_DEFAULT_SECURITY_GROUP:
        report(f"inline {' and '.join(inline)} on the VPC's default security group: it must stay empty", None)
    else:
        report(
            f"inline {' and '.join(inline)} on a security group: this stack's rules are separate rule resources, and "
            "the provider reconciles an inline list against AWS, deleting the separate rules, which are then recreated",
            None,
        )


no_inline_security_group_rules = ResourceValidationPolicy(
    name="no-inline-security-group-rules",
    description=(
        "Security groups state no inline ingress/egress: every rule is a separate rule resource. A group with both has "
        "each update undo the other (the provider reconciles the inline list against AWS), and the VPC's default "
        "group, which this stack adopts, must stay empty."
    ),
    validate=validate_no_inline_security_group_rules,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps="Move the inline blocks to SecurityGroupIngressRule / SecurityGroupEgressRule resources.",
)

PORT_POLICIES = [
    ingress_matches_channel,
    ingress_lands_on_channel_target,
    required_channels_open,
    no_remote_access_from_internet,
    no_all_ports_ingress,
    interconnect_within_workers,
    no_inline_security_group_rules,
]

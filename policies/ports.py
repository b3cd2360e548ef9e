"""Port rules: every ingress rule is a TDCE channel, every channel the stack needs is open, and nothing else.

The channel matrix (config/channels.py) is the only place a port is written down; these
policies read it. Resource policies judge a rule on its own before it is created; stack
policies use the relationships between resources (which group protects the server, which
the workers), which only the whole stack shows.
"""

from __future__ import annotations

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
from config.resource_types import AWS_EGRESS_RULE, AWS_GROUP_RULE, AWS_INGRESS_RULE, AWS_SECURITY_GROUP, GCP_FIREWALL
from policies.channel_match import by_ports, expected_ingress, judge, kind_problems
from policies.ingress import IngressRule, Topology, cidr_within, ingress_rules
from policies.reading import Subject, get, items, stack_subjects, undecidable
from policies.stack_settings import stack_resolved

REMOTE_ACCESS = (SSH, WORKER_SSH, WORKER_RDP)


def decidable_rules(subject: Subject) -> list[IngressRule]:
    # A rule whose ports or sources are unknown at preview is left to the resource policies,
    # which report it as "can't run during preview".
    try:
        return ingress_rules(subject)
    except UnknownValueError:
        return []


def validate_ingress_matches_channel(args: ResourceValidationArgs, report: ReportViolation) -> None:
    expectations = expected_ingress(stack_resolved())
    for rule in ingress_rules(Subject.of_args(args)):
        for problem in judge(rule, expectations):
            report(problem, None)


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


def validate_ingress_lands_on_channel_target(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    topology = Topology.of(subjects)
    expectations = expected_ingress(stack_resolved())
    for subject in subjects:
        if subject.type == GCP_FIREWALL and _untargeted(subject) and decidable_rules(subject):
            report("the firewall rule names no target service account, so it opens every VM in the network", subject.urn)
            continue
        for rule in decidable_rules(subject):
            role, candidates = topology.role(rule.targets), by_ports(rule, expectations)
            if role is None or not candidates:
                continue
            landing = [e for e in candidates if e.lands_on is role]
            names = " or ".join(dict.fromkeys(e.name for e in candidates))
            if not landing:
                targets = " or ".join(dict.fromkeys(e.lands_on.value for e in candidates))
                report(f"{rule.label} opens {names} on the {role.value} group, but {names} lands on the {targets}", subject.urn)
                continue
            source = role if rule.self_source else topology.role(rule.sources) if rule.from_groups else None
            if source is not None and not any(source in e.sources for e in landing):
                wanted = " or ".join(dict.fromkeys(r.value for e in landing for r in e.sources))
                report(f"{rule.label} admits the {source.value} group, but {names} comes from the {wanted}", subject.urn)


def _untargeted(subject: Subject) -> bool:
    try:
        return not items(get(subject.props, "targetServiceAccounts")) and not items(get(subject.props, "targetTags"))
    except UnknownValueError:
        return False


ingress_lands_on_channel_target = StackValidationPolicy(
    name="ingress-lands-on-channel-target",
    description=(
        "Each channel opens on the group it targets and from the group it comes from: signal and data on the server "
        "from the workers, worker-ssh and worker-rdp on the workers from the server, interconnect on the workers "
        "from themselves. The right port on the wrong group still exposes a machine that does not listen for it."
    ),
    validate=validate_ingress_lands_on_channel_target,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Attach the rule to the group (or target service account) of the channel's target; name its source group.",
)


def validate_required_channels_open(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    topology = Topology.of(subjects)
    rules = [(rule, topology.role(rule.targets)) for subject in subjects for rule in decidable_rules(subject)]
    for expected in expected_ingress(stack_resolved()):
        # The database and the secrets endpoint need their channel only where they have a group
        # of their own (on GCP, Cloud SQL on a private IP has none).
        target = expected.lands_on
        if not expected.enabled or (target not in (Role.SERVER, Role.WORKERS) and not topology.has(target)):
            continue
        serving = [
            rule
            for rule, role in rules
            if by_ports(rule, (expected,)) and not kind_problems(rule, expected) and role in (None, target)
        ]
        sources = " and ".join(role.value for role in expected.sources)
        if not serving:
            report(f"nothing opens {expected.label} from the {sources} to the {target.value}", None)
        elif expected.cidrs:
            missing = [c for c in expected.cidrs if not any(cidr_within(c, rule.cidrs) for rule in serving)]
            if missing:
                report(f"{expected.name} does not admit {', '.join(missing)} from {expected.cidr_setting}", None)


required_channels_open = StackValidationPolicy(
    name="required-channels-open",
    description=(
        "The stack opens every channel TDCE needs: signal, data, management and web always, the optional ones its "
        "settings switch on (the database's where it has a security group), from every configured CIDR. A missing "
        "channel leaves workers idle or users locked out."
    ),
    validate=validate_required_channels_open,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps="Restore the channel's rule in the firewall component; it is built from config/exposure.py.",
)


def validate_no_remote_access_from_internet(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule in ingress_rules(Subject.of_args(args)):
        exposed = sorted({str(p) for c in REMOTE_ACCESS for p in c.ports if rule.covers(p)})
        if rule.internet_cidrs and exposed:
            report(
                f"{rule.label} admits {', '.join(rule.internet_cidrs)}: port {', '.join(exposed)} open to the whole internet",
                None,
            )


no_remote_access_from_internet = ResourceValidationPolicy(
    name="no-remote-access-from-internet",
    description=(
        "Nothing admits 0.0.0.0/0 or ::/0 on the SSH or RDP ports: remote shells open to the internet are scanned "
        "and brute-forced within minutes."
    ),
    validate=validate_no_remote_access_from_internet,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="List your administrators' networks in access.adminCidrs (on GCP, SSH arrives through IAP).",
)


def validate_no_all_ports_ingress(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule in ingress_rules(Subject.of_args(args)):
        if rule.all_ports:
            report(f"{rule.label} from {rule.sources_label}: every port is open", None)


no_all_ports_ingress = ResourceValidationPolicy(
    name="no-all-ports-ingress",
    description="No ingress rule opens every port or every protocol, from anywhere: TDCE's channels are a handful of TCP ports.",
    validate=validate_no_all_ports_ingress,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps="Open the channel's own port range instead; worker-to-worker traffic is the interconnect channel.",
)


def validate_interconnect_within_workers(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for rule in ingress_rules(Subject.of_args(args)):
        if not any(rule.covers(p) for p in INTERCONNECT.ports):
            continue
        if rule.cidrs or rule.other_sources:
            report(
                f"{rule.label} admits {', '.join(rule.cidrs + rule.other_sources)}: the interconnect range is only for the "
                "workers' own group",
                None,
            )
        elif rule.from_groups and not rule.self_source:
            if not rule.sources or not rule.targets:
                undecidable(f"{rule.where or 'rule'} source group")
            report(f"{rule.label} admits another group: the interconnect range is only for the workers' own group", None)


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


RULE_RESOURCES = (AWS_INGRESS_RULE, AWS_EGRESS_RULE, AWS_GROUP_RULE)


def validate_no_inline_and_separate_rules(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    rule_resources = [s for s in subjects if s.type in RULE_RESOURCES]
    for group in (s for s in subjects if s.type == AWS_SECURITY_GROUP and _has_inline_rules(s)):
        separate = [r.urn.rsplit("::", 1)[-1] for r in rule_resources if group.urn in r.refs("securityGroupId")]
        if separate:
            report(
                f"inline ingress/egress and separate rule resources ({', '.join(separate)}) manage one group: "
                "each update undoes the other",
                group.urn,
            )


def _has_inline_rules(subject: Subject) -> bool:
    try:
        return bool(items(get(subject.props, "ingress")) or items(get(subject.props, "egress")))
    except UnknownValueError:
        return True


no_inline_and_separate_rules = StackValidationPolicy(
    name="no-inline-and-separate-rules",
    description=(
        "A security group has either inline ingress/egress blocks or separate rule resources, never both: the "
        "provider reconciles the inline list against AWS and deletes the separate rules, then they are recreated."
    ),
    validate=validate_no_inline_and_separate_rules,
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
    no_inline_and_separate_rules,
]

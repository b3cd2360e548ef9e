"""The VPC's default security group stays empty: nothing of the deployment uses it, so it admits nothing."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from config.resource_types import AWS_DEFAULT_SECURITY_GROUP, AWS_EGRESS_RULE, AWS_GROUP_RULE, AWS_INGRESS_RULE, AWS_VPC
from policies.reading import stack_subjects

RULE_RESOURCES = (AWS_INGRESS_RULE, AWS_EGRESS_RULE, AWS_GROUP_RULE)


def validate_default_security_group_closed(args: StackValidationArgs, report: ReportViolation) -> None:
    subjects = stack_subjects(args)
    defaults = [s for s in subjects if s.type == AWS_DEFAULT_SECURITY_GROUP]
    default_urns = {s.urn for s in defaults}
    vpcs = {s.urn for s in subjects if s.type == AWS_VPC}
    # Inline rules on the adopted group are judged on its inputs (no-inline-security-group-rules): its
    # ingress/egress outputs are unknown at preview and, after a refresh, list what AWS holds.
    for vpc in vpcs:
        if not any(vpc in group.refs("vpcId") for group in defaults):
            # AWS creates every VPC's default group with allow-all rules; only an adopting
            # DefaultSecurityGroup (managed by the program) empties it.
            report(
                "the VPC's default security group is not adopted (aws.ec2.DefaultSecurityGroup), so it keeps AWS's "
                "allow-all rules",
                vpc,
            )
    for rule in (s for s in subjects if s.type in RULE_RESOURCES):
        target = rule.refs("securityGroupId")
        own = rule.property_dependencies.get("securityGroupId", ())
        # A rule on `vpc.default_security_group_id` comes from the VPC itself.
        if target & default_urns or any(urn in vpcs for urn in own):
            report(f"{rule.name} adds a rule to the VPC's default security group: it must stay empty", rule.urn)


default_security_group_closed = StackValidationPolicy(
    name="default-security-group-closed",
    description=(
        "The VPC's default security group is adopted and no rule resource adds to it (its inline rules: "
        "no-inline-security-group-rules): a machine launched without a group lands in it, and nothing of TDCE needs "
        "it to admit anything."
    ),
    validate=validate_default_security_group_closed,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Keep the network component's DefaultSecurityGroup without ingress or egress; put rules on the role's own group."
    ),
)

NETWORK_POLICIES = [default_security_group_closed]

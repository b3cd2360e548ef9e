"""The port policies on synthetic resources, run in-process the way the pack runs them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from config.channels import (
    CHANNELS,
    DATA,
    INTERCONNECT,
    MANAGEMENT,
    SIGNAL,
    SSH,
    WEB,
    WORKER_RDP,
    WORKER_SSH,
    Direction,
    PortRange,
    Role,
)
from config.resource_types import (
    AWS_DEFAULT_SECURITY_GROUP,
    AWS_EGRESS_RULE,
    AWS_GROUP_RULE,
    AWS_INGRESS_RULE,
    AWS_INSTANCE,
    AWS_LAUNCH_TEMPLATE,
    AWS_SECURITY_GROUP,
    GCP_FIREWALL,
    GCP_INSTANCE,
    GCP_INSTANCE_TEMPLATES,
)
from config.settings import GCP_IAP_RANGE
from policies import ports
from policies.firewall_rules import Extracted, FirewallRule, cidr_within, cidrs_overlap, firewall_rules
from policies.reading import Subject, get, known_strings
from tests.policy_harness import UNKNOWN, StackResource, check_resource, check_stack, hand_config, stack_at_preview
from tests.policy_harness import at_preview as resource_at_preview
from tests.support import stack_values, with_setting

# A port no channel uses: one past the highest single-port channel.
STRAY = PortRange(*[max(p.last for c in CHANNELS for p in c.port_choices if p.first == p.last) + 1] * 2)
EVERYWHERE = "0.0.0.0/0"


@pytest.fixture
def aws_prod(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values, secret_keys = stack_values("aws-prod")
    hand_config(monkeypatch, "aws-prod", values)
    return values


@pytest.fixture
def no_stack_config(monkeypatch: pytest.MonkeyPatch) -> None:
    hand_config(monkeypatch, "aws-prod", None)


def rule(ports_: PortRange, *, cidr: str | None = None, group: str | None = None, target: str = "sg-server", protocol="tcp"):
    props = {"ipProtocol": protocol, "fromPort": ports_.first, "toPort": ports_.last, "securityGroupId": target}
    if cidr:
        props["cidrIpv4"] = cidr
    if group:
        props["referencedSecurityGroupId"] = group
    return props


def firewall(ports_: PortRange, **sources) -> dict:
    span = str(ports_.first) if ports_.first == ports_.last else f"{ports_.first}-{ports_.last}"
    return {"direction": "INGRESS", "allows": [{"protocol": "tcp", "ports": [span]}], **sources}


USER_CIDR = "198.51.100.0/24"  # in aws-prod's access.userCidrs
ADMIN_CIDR = "203.0.113.10/32"  # aws-prod's access.adminCidrs


class TestIngressMatchesChannel:
    def check(self, props, kind=AWS_INGRESS_RULE):
        return check_resource(ports.ingress_matches_channel, kind, props)

    def test_channel_rules_of_the_stack_pass(self, aws_prod):
        assert self.check(rule(SIGNAL.ports[0], group="sg-workers")) == []
        assert self.check(rule(MANAGEMENT.ports[0], cidr=USER_CIDR)) == []

    def test_a_port_outside_the_matrix_is_refused(self, aws_prod):
        (message,) = self.check(rule(STRAY, cidr=USER_CIDR))
        assert "is no TDCE channel" in message and str(STRAY.first) in message

    def test_a_worker_channel_from_a_cidr_is_refused(self, aws_prod):
        messages = self.check(rule(DATA.ports[0], cidr=USER_CIDR))
        assert any("would be the data channel" in m and "comes only from the workers group" in m for m in messages)

    def test_a_user_channel_from_an_unconfigured_cidr_is_refused(self, aws_prod):
        (message,) = self.check(rule(WEB.ports[0], cidr="192.0.2.0/24"))
        assert "outside access.userCidrs" in message

    def test_an_optional_channel_switched_off_is_refused(self, aws_prod):
        (message,) = self.check(rule(SSH.ports[0], cidr=ADMIN_CIDR))
        assert "access.ssh is false" in message

    def test_an_optional_channel_switched_on_passes(self, monkeypatch):
        values, secret_keys = stack_values("aws-prod")
        hand_config(monkeypatch, "aws-prod", with_setting(values, "access.ssh", True))
        assert self.check(rule(SSH.ports[0], cidr=ADMIN_CIDR)) == []

    def test_without_stack_config_the_matrix_alone_decides(self, no_stack_config):
        assert self.check(rule(MANAGEMENT.alternative_ports[0], cidr="192.0.2.0/24")) == []
        assert self.check(rule(STRAY, cidr=USER_CIDR)) != []

    def test_inline_blocks_are_judged_each(self, aws_prod):
        group = {"ingress": [{"protocol": "tcp", "fromPort": STRAY.first, "toPort": STRAY.last, "cidrBlocks": [USER_CIDR]}]}
        (message,) = self.check(group, AWS_SECURITY_GROUP)
        assert message.startswith("ingress[0]")

    def test_gcp_firewall_allows_are_judged(self, monkeypatch):
        values, secret_keys = stack_values("gcp-prod")
        hand_config(monkeypatch, "gcp-prod", values)
        assert self.check(firewall(SSH.ports[0], sourceRanges=[GCP_IAP_RANGE]), GCP_FIREWALL) == []
        assert self.check(firewall(STRAY, sourceRanges=[GCP_IAP_RANGE]), GCP_FIREWALL) != []

    def test_a_source_group_unknown_at_preview_still_counts_as_a_group(self, aws_prod):
        assert self.check(rule(SIGNAL.ports[0], group=UNKNOWN, target=UNKNOWN)) == []


class TestIngressMatchesChannelExactly:
    """aws-prod: user CIDRs 198.51.100.0/24 and 203.0.113.0/24, admin CIDR 203.0.113.10/32, ssh off."""

    def check(self, props, kind=AWS_INGRESS_RULE):
        return check_resource(ports.ingress_matches_channel, kind, props)

    def test_a_stray_port_is_told_the_stacks_channels(self, aws_prod):
        assert self.check(rule(STRAY, cidr=USER_CIDR)) == [
            f"tcp {STRAY.first} from {USER_CIDR} is no TDCE channel; this stack's ingress channels are signal (tcp 20001), "
            "data (tcp 20002), management (tcp 25001), web (tcp 443)"
        ]

    def test_a_machine_channel_from_a_cidr(self, aws_prod):
        head = f"tcp 20001 from {USER_CIDR} would be the signal channel, but it"
        assert self.check(rule(SIGNAL.ports[0], cidr=USER_CIDR)) == [
            f"{head} admits {USER_CIDR}, while signal comes only from the workers group",
            f"{head} names no source group, while signal comes from the workers group",
        ]

    def test_a_machine_channel_from_a_prefix_list_beside_its_group(self, aws_prod):
        props = {"type": "ingress", "protocol": "tcp", "fromPort": 20001, "toPort": 20001, "securityGroupId": "sg-server"}
        props |= {"prefixListIds": ["pl-1"], "sourceSecurityGroupId": "sg-w"}
        assert self.check(props, AWS_GROUP_RULE) == [
            "tcp 20001 from pl-1, a security group or service account would be the signal channel, but it admits pl-1, "
            "while signal comes only from the workers group"
        ]

    def test_a_people_channel_from_a_group_and_a_prefix_list(self, aws_prod):
        props = {"type": "ingress", "protocol": "tcp", "fromPort": 25001, "toPort": 25001, "securityGroupId": "sg-server"}
        props |= {"prefixListIds": ["pl-1"], "sourceSecurityGroupId": "sg-w"}
        head = "tcp 25001 from pl-1, a security group or service account would be the management channel, but it"
        assert self.check(props, AWS_GROUP_RULE) == [
            f"{head} admits a security group or service account, while management comes from users by CIDR",
            f"{head} admits pl-1, while management takes CIDRs only",
            f"{head} admits no CIDR, while management comes from users by CIDR",
        ]

    def test_a_cidr_outside_the_configured_ones(self, aws_prod):
        assert self.check(rule(MANAGEMENT.ports[0], cidr="192.0.2.0/24")) == [
            "tcp 25001 from 192.0.2.0/24 would be the management channel, but it admits 192.0.2.0/24, outside "
            "access.userCidrs (198.51.100.0/24, 203.0.113.0/24)"
        ]

    def test_a_channel_that_is_off_from_outside_its_cidrs(self, aws_prod):
        head = "tcp 22 from 192.0.2.0/24 would be the ssh channel, but it"
        assert self.check(rule(SSH.ports[0], cidr="192.0.2.0/24")) == [
            f"{head} admits 192.0.2.0/24, outside access.adminCidrs (203.0.113.10/32)",
            f"{head} opens ssh, which is off in this stack (access.ssh is false)",
        ]

    def test_without_stack_config_the_required_channels_are_still_required(self, no_stack_config):
        assert check_stack(ports.required_channels_open, aws_cluster()) == []
        assert check_stack(ports.required_channels_open, without(aws_cluster(), "signal-0")) == [
            (None, "nothing opens signal (tcp 20001) from the workers to the server")
        ]


class TestNoRemoteAccessFromInternet:
    def check(self, props, kind=AWS_INGRESS_RULE):
        return check_resource(ports.no_remote_access_from_internet, kind, props)

    def test_ssh_from_everywhere_is_refused(self):
        (message,) = self.check(rule(SSH.ports[0], cidr=EVERYWHERE))
        assert "whole internet" in message

    def test_rdp_from_every_ipv6_address_is_refused(self):
        props = {"type": "ingress", "protocol": "tcp", "fromPort": WORKER_RDP.ports[0].first, "toPort": WORKER_RDP.ports[0].last}
        assert self.check({**props, "ipv6CidrBlocks": ["::/0"]}, AWS_GROUP_RULE) != []

    def test_a_gcp_rule_naming_no_source_admits_everywhere(self):
        assert self.check(firewall(WORKER_SSH.ports[0]), GCP_FIREWALL) != []

    def test_ssh_from_an_admin_network_passes(self):
        assert self.check(rule(SSH.ports[0], cidr=ADMIN_CIDR)) == []


class TestNoAllPortsIngress:
    def test_all_traffic_even_from_its_own_group_is_refused(self):
        props = {"ipProtocol": "-1", "securityGroupId": "sg-workers", "referencedSecurityGroupId": "sg-workers"}
        assert check_resource(ports.no_all_ports_ingress, AWS_INGRESS_RULE, props) != []

    def test_a_gcp_allow_of_every_protocol_is_refused(self):
        props = {"allows": [{"protocol": "all"}], "sourceRanges": [USER_CIDR]}
        assert check_resource(ports.no_all_ports_ingress, GCP_FIREWALL, props) != []

    def test_a_channel_rule_passes(self):
        assert (
            check_resource(ports.no_all_ports_ingress, AWS_INGRESS_RULE, rule(INTERCONNECT.ports[0], group="sg-w", target="sg-w"))
            == []
        )


class TestInterconnectWithinWorkers:
    def check(self, props, kind=AWS_INGRESS_RULE):
        return check_resource(ports.interconnect_within_workers, kind, props)

    def test_a_known_source_on_a_group_unknown_at_preview_is_set_aside_not_refused(self):
        props = {**rule(INTERCONNECT.ports[0], group="sg-workers", target="sg-workers"), "securityGroupId": UNKNOWN}
        found, unknown = resource_at_preview(ports.interconnect_within_workers, AWS_INGRESS_RULE, props)
        assert found == [] and unknown is not None and "source group" in unknown

    def test_the_worker_group_to_itself_passes(self):
        assert self.check(rule(INTERCONNECT.ports[0], group="sg-workers", target="sg-workers")) == []
        props = {
            "type": "ingress",
            "protocol": "tcp",
            "fromPort": INTERCONNECT.ports[0].first,
            "toPort": INTERCONNECT.ports[0].last,
        }
        assert self.check({**props, "self": True, "securityGroupId": "sg-workers"}, AWS_GROUP_RULE) == []
        own_group_as_source = {**props, "sourceSecurityGroupId": "sg-workers", "securityGroupId": "sg-workers"}
        assert self.check(own_group_as_source, AWS_GROUP_RULE) == []

    def test_a_cidr_is_refused(self):
        (message,) = self.check(rule(INTERCONNECT.ports[0], cidr="10.0.0.0/16", target="sg-workers"))
        assert "10.0.0.0/16" in message

    def test_another_group_is_refused(self):
        assert self.check(rule(INTERCONNECT.ports[0], group="sg-server", target="sg-workers")) != []

    def test_gcp_between_the_worker_service_account_and_itself_passes(self):
        workers = ["workers@p.iam.gserviceaccount.com"]
        props = firewall(INTERCONNECT.ports[0], sourceServiceAccounts=workers, targetServiceAccounts=workers)
        assert self.check(props, GCP_FIREWALL) == []

    def test_groups_unknown_at_preview_give_no_verdict(self):
        with pytest.raises(UnknownValueError):
            self.check(rule(INTERCONNECT.ports[0], group=UNKNOWN, target=UNKNOWN))


# aws-prod's ingress as literal rows (000_8bca743440dfe33c.txt ports): name, target role, port, source role or CIDR.
AWS_PROD_INGRESS = (
    ("signal-0", Role.SERVER, 20001, Role.WORKERS),
    ("data-0", Role.SERVER, 20002, Role.WORKERS),
    ("management-0", Role.SERVER, 25001, "198.51.100.0/24"),
    ("management-1", Role.SERVER, 25001, "203.0.113.0/24"),
    ("web-0", Role.SERVER, 443, "198.51.100.0/24"),
    ("web-1", Role.SERVER, 443, "203.0.113.0/24"),
)
INTERCONNECT_INGRESS = (("interconnect-0", Role.WORKERS, (1024, 65535), Role.WORKERS),)


def aws_cluster(rows=AWS_PROD_INGRESS) -> list[StackResource]:
    """A compliant AWS stack: the two groups, their holders, and one rule per row."""
    groups = {Role.SERVER: "server-sg", Role.WORKERS: "workers-sg"}
    ids = {Role.SERVER: "sg-server", Role.WORKERS: "sg-workers"}
    resources = [
        StackResource("server-sg", AWS_SECURITY_GROUP),
        StackResource("workers-sg", AWS_SECURITY_GROUP),
        StackResource(
            "server", AWS_INSTANCE, {"vpcSecurityGroupIds": ["sg-server"]}, refs={"vpcSecurityGroupIds": ["server-sg"]}
        ),
        StackResource(
            "pool", AWS_LAUNCH_TEMPLATE, {"vpcSecurityGroupIds": ["sg-workers"]}, refs={"vpcSecurityGroupIds": ["workers-sg"]}
        ),
    ]
    for name, target, number, source in rows:
        first, last = number if isinstance(number, tuple) else (number, number)
        by_group = isinstance(source, Role)
        props = rule(
            PortRange(first, last), cidr=None if by_group else source, group=ids[source] if by_group else None, target=ids[target]
        )
        refs = {"securityGroupId": [groups[target]], **({"referencedSecurityGroupId": [groups[source]]} if by_group else {})}
        resources.append(StackResource(name, AWS_INGRESS_RULE, props, refs=refs))
    return resources


def without(resources: list[StackResource], name: str) -> list[StackResource]:
    return [r for r in resources if r.name != name]


def among_workers(resources: list[StackResource], name: str, channel) -> list[StackResource]:
    """The stack with rule `name` opening the channel's port on the worker group, from the worker group."""
    props = rule(channel.ports[0], group="sg-workers", target="sg-workers")
    refs = {"securityGroupId": ["workers-sg"], "referencedSecurityGroupId": ["workers-sg"]}
    return [StackResource(name, r.type, props, refs=refs) if r.name == name else r for r in resources]


class TestRequiredChannelsOpen:
    def test_a_stack_with_every_channel_passes(self, aws_prod):
        assert check_stack(ports.required_channels_open, aws_cluster()) == []

    def test_a_missing_worker_channel_is_reported(self, aws_prod):
        ((urn, message),) = check_stack(ports.required_channels_open, without(aws_cluster(), "data-0"))
        assert urn is None and "nothing opens data" in message

    def test_a_configured_user_cidr_left_out_is_reported(self, aws_prod):
        (violation,) = check_stack(ports.required_channels_open, without(aws_cluster(), "web-1"))
        assert "web does not admit 203.0.113.0/24" in violation[1]

    def test_an_optional_channel_switched_on_must_be_open(self, monkeypatch):
        values, secret_keys = stack_values("aws-prod")
        values = with_setting(values, "access.interconnect", True)
        hand_config(monkeypatch, "aws-prod", values)
        cluster = aws_cluster(AWS_PROD_INGRESS + INTERCONNECT_INGRESS)
        assert check_stack(ports.required_channels_open, cluster) == []
        assert "nothing opens interconnect" in check_stack(ports.required_channels_open, without(cluster, "interconnect-0"))[0][1]


class TestRequiredChannelsOpenExactly:
    def missing(self, resources) -> list[tuple[str | None, str]]:
        return check_stack(ports.required_channels_open, resources)

    def test_without_the_worker_pool_every_channel_of_the_workers_is_missing(self, monkeypatch):
        values, secret_keys = stack_values("aws-prod")
        hand_config(monkeypatch, "aws-prod", with_setting(values, "access.interconnect", True))
        resources = without(aws_cluster(), "pool")
        assert self.missing(resources) == [
            (None, "nothing opens signal (tcp 20001) from the workers to the server"),
            (None, "nothing opens data (tcp 20002) from the workers to the server"),
            (None, "nothing opens interconnect (tcp 1024-65535) from the workers to the workers"),
        ]

    def test_a_rule_on_the_wrong_target_does_not_open_the_channel(self, aws_prod):
        resources = among_workers(aws_cluster(), "signal-0", SIGNAL)
        assert self.missing(resources) == [(None, "nothing opens signal (tcp 20001) from the workers to the server")]

    def test_a_rule_unknown_at_preview_defers_nothing_when_nothing_is_missing(self, aws_prod):
        pending = StackResource("pending", AWS_INGRESS_RULE, {**rule(SIGNAL.ports[0], group="sg-workers"), "fromPort": UNKNOWN})
        assert self.missing(aws_cluster() + [pending]) == []


def both_roles_cluster() -> list[StackResource]:
    """aws_cluster with one more group that both the server and the worker pool hold."""
    resources = aws_cluster()
    resources.insert(0, StackResource("both-sg", AWS_SECURITY_GROUP))
    for r in resources:
        if r.name in ("server", "pool"):
            r.props["vpcSecurityGroupIds"] = [*r.props["vpcSecurityGroupIds"], "sg-both"]
            r.refs["vpcSecurityGroupIds"] = [*r.refs["vpcSecurityGroupIds"], "both-sg"]
    return resources


class TestIngressLandsOnChannelTargetExactly:
    def test_a_group_on_both_roles_is_judged_for_each_and_by_its_sources(self, aws_prod):
        props = rule(SIGNAL.ports[0], group="sg-both", target="sg-both")
        shared = StackResource(
            "shared", AWS_INGRESS_RULE, props, refs={"securityGroupId": ["both-sg"], "referencedSecurityGroupId": ["both-sg"]}
        )
        found = check_stack(ports.ingress_lands_on_channel_target, both_roles_cluster() + [shared])
        assert [(urn.rsplit("::", 1)[-1], m) for urn, m in found] == [
            ("shared", "tcp 20001 opens signal on a group that protects the workers, but signal lands on the server"),
            ("shared", "tcp 20001 admits a group that holds the server, but signal comes from the workers"),
        ]

    def test_every_rule_is_judged_whatever_comes_before_it(self, aws_prod):
        sources = {"sourceRanges": [USER_CIDR]}
        untargeted = StackResource("untargeted", GCP_FIREWALL, firewall(WEB.ports[0], **sources))
        no_group = StackResource("no-group", AWS_INGRESS_RULE, {**rule(WEB.ports[0], cidr=USER_CIDR), "securityGroupId": UNKNOWN})
        orphan = StackResource(
            "orphan", AWS_INGRESS_RULE, rule(WEB.ports[0], cidr=USER_CIDR, target="sg-o"), refs={"securityGroupId": ["orphan-sg"]}
        )
        stray = StackResource("stray", AWS_INGRESS_RULE, rule(STRAY, cidr=USER_CIDR), refs={"securityGroupId": ["server-sg"]})
        by_cidr = StackResource(
            "by-cidr", AWS_INGRESS_RULE, rule(WEB.ports[0], cidr=USER_CIDR), refs={"securityGroupId": ["server-sg"]}
        )
        pending_source = StackResource(
            "pending-source", AWS_INGRESS_RULE, rule(SIGNAL.ports[0], group=UNKNOWN), refs={"securityGroupId": ["server-sg"]}
        )
        unplaced_source = StackResource(
            "unplaced-source",
            AWS_INGRESS_RULE,
            rule(SIGNAL.ports[0], group="sg-x"),
            refs={"securityGroupId": ["server-sg"], "referencedSecurityGroupId": ["orphan-sg"]},
        )
        wrong_target = StackResource(
            "wrong-target",
            AWS_INGRESS_RULE,
            rule(WEB.ports[0], cidr=USER_CIDR, target="sg-workers"),
            refs={"securityGroupId": ["workers-sg"]},
        )
        extra = [untargeted, no_group, StackResource("orphan-sg", AWS_SECURITY_GROUP), orphan, stray, by_cidr]
        extra += [pending_source, unplaced_source, wrong_target]
        found, unknown = stack_at_preview(ports.ingress_lands_on_channel_target, aws_cluster() + extra)
        port = WEB.ports[0].first
        assert [(urn.rsplit("::", 1)[-1], m) for urn, m in found] == [
            ("untargeted", "the firewall rule names no target service account, so it opens every VM in the network"),
            (
                "orphan",
                f"tcp {port} belongs to a group no machine of this stack holds, so the pack cannot tell which machines it "
                "opens; put the group on the machines it is for, or tag it tdce:role",
            ),
            (
                "unplaced-source",
                "tcp 20001 admits a group no machine of this stack holds: signal comes only from the deployment's groups",
            ),
            ("wrong-target", f"tcp {port} opens web on a group that protects the workers, but web lands on the server"),
        ]
        assert unknown == "string value at .no-group group, pending-source source group can't be known during preview"


class TestIngressLandsOnChannelTarget:
    def test_every_channel_on_its_own_group_passes(self, aws_prod):
        assert check_stack(ports.ingress_lands_on_channel_target, aws_cluster()) == []

    def test_signal_opened_on_the_workers_is_reported(self, aws_prod):
        cluster = aws_cluster()
        ((urn, message),) = check_stack(ports.ingress_lands_on_channel_target, among_workers(cluster, "signal-0", SIGNAL))
        assert urn.endswith("::signal-0") and "on a group that protects the workers, but signal lands on the server" in message

    def test_worker_ssh_from_the_workers_themselves_is_reported(self, monkeypatch):
        values, secret_keys = stack_values("aws-prod")
        values = with_setting(values, "access.workerSsh", True)
        hand_config(monkeypatch, "aws-prod", values)
        cluster = aws_cluster(AWS_PROD_INGRESS + (("worker-ssh-0", Role.WORKERS, 22, Role.SERVER),))
        assert check_stack(ports.ingress_lands_on_channel_target, cluster) == []
        ((_, message),) = check_stack(ports.ingress_lands_on_channel_target, among_workers(cluster, "worker-ssh-0", WORKER_SSH))
        assert "admits a group that holds the workers, but worker-ssh comes from the server" in message

    def test_a_gcp_rule_without_target_is_reported(self, no_stack_config):
        untargeted = StackResource("web", GCP_FIREWALL, firewall(WEB.ports[0], sourceRanges=[USER_CIDR]))
        ((urn, message),) = check_stack(ports.ingress_lands_on_channel_target, [untargeted])
        assert urn == untargeted.urn and "every VM" in message


GCP_SERVER_SA = "tdce-server@p.iam.gserviceaccount.com"
GCP_WORKERS_SA = "tdce-workers@p.iam.gserviceaccount.com"
TAGS_MESSAGE = (
    "the firewall rule targets network tags (tdce-server, bastion), which anyone who may edit a VM can set; "
    "target the service account of the machines it is for"
)


class TestGcpFirewallTargets:
    def machines(self) -> list[StackResource]:
        return [
            StackResource("server", GCP_INSTANCE, {"serviceAccount": {"email": GCP_SERVER_SA}}),
            StackResource("pool", GCP_INSTANCE_TEMPLATES[0], {"serviceAccount": {"email": GCP_WORKERS_SA}}),
        ]

    def check(self, *firewalls: StackResource):
        return check_stack(ports.ingress_lands_on_channel_target, self.machines() + list(firewalls))

    def test_a_rule_targeting_the_right_service_account_passes(self, no_stack_config):
        ssh = StackResource(
            "ssh",
            GCP_FIREWALL,
            {**firewall(SSH.ports[0], sourceRanges=[GCP_IAP_RANGE]), "targetServiceAccounts": [GCP_SERVER_SA]},
        )
        assert self.check(ssh) == []

    def test_a_rule_targeting_the_wrong_service_account_is_judged_by_its_machines(self, no_stack_config):
        props = {**firewall(MANAGEMENT.ports[0], sourceRanges=[USER_CIDR]), "targetServiceAccounts": [GCP_WORKERS_SA]}
        management = StackResource("management", GCP_FIREWALL, props)
        port = MANAGEMENT.ports[0].first
        assert self.check(management) == [
            (
                management.urn,
                f"allows[0]: tcp {port} opens management on a group that protects the workers, "
                "but management lands on the server",
            )
        ]

    def test_a_rule_on_network_tags_is_refused_once_for_the_firewall(self, no_stack_config):
        props = firewall(SSH.ports[0], sourceRanges=[GCP_IAP_RANGE])
        props["allows"] = props["allows"] * 2
        tagged = StackResource("ssh", GCP_FIREWALL, {**props, "targetTags": ["tdce-server", "bastion"]})
        assert self.check(tagged) == [(tagged.urn, TAGS_MESSAGE)]

    def test_tags_beside_a_service_account_are_refused_and_the_rule_still_judged(self, no_stack_config):
        props = {**firewall(SSH.ports[0], sourceRanges=[GCP_IAP_RANGE]), "targetServiceAccounts": [GCP_SERVER_SA]}
        tagged = StackResource("ssh", GCP_FIREWALL, {**props, "targetTags": ["tdce-server", "bastion"]})
        assert self.check(tagged) == [(tagged.urn, TAGS_MESSAGE)]

    def test_an_untargeted_rule_is_refused_once(self, no_stack_config):
        props = firewall(SSH.ports[0], sourceRanges=[GCP_IAP_RANGE])
        props["allows"] = props["allows"] * 2
        untargeted = StackResource("ssh", GCP_FIREWALL, props)
        assert self.check(untargeted) == [
            (untargeted.urn, "the firewall rule names no target service account, so it opens every VM in the network")
        ]

    def test_an_egress_firewall_is_not_judged_here(self, no_stack_config):
        egress = StackResource("out", GCP_FIREWALL, {"direction": "EGRESS", "targetTags": ["x"], "allows": [{"protocol": "all"}]})
        assert self.check(egress) == []

    def test_targets_unknown_at_preview_are_set_aside(self, no_stack_config):
        props = {**firewall(SSH.ports[0], sourceRanges=[GCP_IAP_RANGE]), "targetServiceAccounts": UNKNOWN}
        with pytest.raises(UnknownValueError) as caught:
            self.check(StackResource("ssh", GCP_FIREWALL, props))
        assert caught.value.message == "string value at .ssh targets, ssh group can't be known during preview"


def at_preview(resources: list[StackResource]) -> list[StackResource]:
    """The stack as a preview of a new stack shows it: group IDs unknown, property dependencies known."""

    def hide(value):
        if isinstance(value, dict):
            return {key: hide(item) for key, item in value.items()}
        if isinstance(value, list):
            return [hide(item) for item in value]
        return UNKNOWN if isinstance(value, str) and value.startswith("sg-") else value

    return [StackResource(r.name, r.type, hide(r.props), r.protect, r.refs) for r in resources]


class TestStackPoliciesAtPreview:
    def test_unknown_group_ids_still_tell_server_from_workers(self, aws_prod):
        cluster = aws_cluster()
        assert check_stack(ports.required_channels_open, at_preview(cluster)) == []
        assert check_stack(ports.ingress_lands_on_channel_target, at_preview(cluster)) == []
        moved = at_preview(among_workers(cluster, "signal-0", SIGNAL))
        signal = next(r for r in moved if r.name == "signal-0")
        assert [urn for urn, _ in check_stack(ports.ingress_lands_on_channel_target, moved)] == [signal.urn]


class TestNoInlineSecurityGroupRules:
    """A resource policy: it reads the group's inputs, what the program writes."""

    @pytest.mark.parametrize("key", ["ingress", "egress"])
    def test_an_inline_block_on_a_group_is_refused(self, no_stack_config, key):
        (message,) = check_resource(ports.no_inline_security_group_rules, AWS_SECURITY_GROUP, {key: [{"protocol": "-1"}]})
        assert message.startswith(f"inline {key} on a security group: this stack's rules are separate rule resources")

    def test_an_inline_block_unknown_at_preview_is_still_a_block(self, no_stack_config):
        # The list is the program's; only an element's value is unknown.
        found = check_resource(ports.no_inline_security_group_rules, AWS_SECURITY_GROUP, {"egress": [UNKNOWN]})
        assert [m.split(":")[0] for m in found] == ["inline egress on a security group"]

    def test_an_inline_rule_on_the_adopted_default_group_is_refused(self, no_stack_config):
        props = {"vpcId": "vpc-1", "ingress": [{"protocol": "-1", "self": True}], "egress": [{"protocol": "-1"}]}
        found = check_resource(ports.no_inline_security_group_rules, AWS_DEFAULT_SECURITY_GROUP, props)
        assert found == ["inline ingress and egress on the VPC's default security group: it must stay empty"]

    @pytest.mark.parametrize("props", [{"vpcId": "vpc-1"}, {"ingress": [], "egress": []}], ids=["none", "empty lists"])
    def test_groups_without_inline_rules_pass(self, no_stack_config, props):
        assert check_resource(ports.no_inline_security_group_rules, AWS_SECURITY_GROUP, props) == []
        assert check_resource(ports.no_inline_security_group_rules, AWS_DEFAULT_SECURITY_GROUP, props) == []

    def test_after_a_refresh_a_group_s_outputs_listing_its_separate_rules_are_no_inline_rules(self, no_stack_config):
        # The provider reads every rule of a group back into its ingress/egress outputs, the separate
        # resources' too (terraform-provider-aws, security group Read): stack policies judge the rule
        # resources, not that copy.
        mirrored = {
            "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": [USER_CIDR]}],
            "egress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": ["pl-6da54004"]}],
        }
        outputs = Subject(AWS_SECURITY_GROUP, SUBJECT, unknown_checking_proxy(mirrored), sees_outputs=True)
        assert firewall_rules(outputs, Direction.INGRESS) == Extracted() == firewall_rules(outputs, Direction.EGRESS)
        # The same blocks in the inputs are the program's inline rules, which the resource policies judge.
        inputs = Subject(AWS_SECURITY_GROUP, SUBJECT, unknown_checking_proxy(mirrored))
        assert [r.where for r in firewall_rules(inputs, Direction.INGRESS).rules] == ["ingress[0]"]


# --- Every shape of firewall rule reduced to the one form the policies judge (policies/firewall_rules.py) ---

SUBJECT = "urn:pulumi:test::tdce::t::subject"
V6 = "2001:db8::/64"


def extracted(kind: str, props: dict, direction=Direction.INGRESS, property_dependencies=None) -> Extracted:
    subject = Subject(
        type=kind,
        urn=SUBJECT,
        props=unknown_checking_proxy(copy.deepcopy(props)),
        property_dependencies=property_dependencies or {},
    )
    return firewall_rules(subject, direction)


INGRESS, EGRESS = Direction.INGRESS, Direction.EGRESS


def expected(where: str, direction: Direction, protocol: str, first: int, last: int, **peers: Any) -> FirewallRule:
    """A rule the extraction must give, written out: where, direction, protocol, ports, then its peers and group."""
    return FirewallRule(where=where, direction=direction, protocol=protocol, first=first, last=last, **peers)


def only_rules(kind: str, props: dict, direction=Direction.INGRESS) -> tuple[FirewallRule, ...]:
    found = extracted(kind, props, direction)
    assert found.undecided == ()
    return found.rules


class TestVpcRuleExtraction:
    def test_cidr_rule_keeps_both_address_families_and_its_group(self):
        props = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": ADMIN_CIDR, "cidrIpv6": "2001:db8::/64"}
        assert only_rules(AWS_INGRESS_RULE, {**props, "securityGroupId": "sg-server"}) == (
            expected("", INGRESS, "tcp", 22, 22, cidrs=(ADMIN_CIDR, "2001:db8::/64"), group=frozenset({"sg-server"})),
        )

    def test_group_and_prefix_list_peers(self):
        props = {
            "ipProtocol": "6",
            "fromPort": 8443,
            "toPort": 8443,
            "referencedSecurityGroupId": "sg-workers",
            "prefixListId": "pl-0123",
            "securityGroupId": "sg-server",
        }
        assert only_rules(AWS_INGRESS_RULE, props) == (
            expected(  # fmt: skip
                "",
                INGRESS,
                "tcp",
                8443,
                8443,
                peer_groups=True,
                peers=frozenset({"sg-workers"}),
                other_peers=("pl-0123",),
                prefix_lists=frozenset({"pl-0123"}),
                group=frozenset({"sg-server"}),
            ),
        )

    def test_a_rule_from_its_own_group_is_a_self_rule(self):
        props = {
            "ipProtocol": "tcp",
            "fromPort": 1024,
            "toPort": 65535,
            "referencedSecurityGroupId": "sg-w",
            "securityGroupId": "sg-w",
        }
        (found,) = only_rules(AWS_INGRESS_RULE, props)
        assert (found.self_peer, found.peer_groups, found.peers) == (True, True, frozenset({"sg-w"}))

    def test_protocol_minus_one_is_every_port_whatever_ports_it_names(self):
        (found,) = only_rules(AWS_INGRESS_RULE, {"ipProtocol": "-1", "fromPort": 0, "toPort": 0, "cidrIpv4": EVERYWHERE})
        assert (found.protocol, found.first, found.last) == ("all", 0, 65535)

    def test_port_minus_one_is_every_port(self):
        (found,) = only_rules(AWS_INGRESS_RULE, {"ipProtocol": "icmp", "fromPort": -1, "toPort": -1, "cidrIpv4": EVERYWHERE})
        assert (found.protocol, found.first, found.last) == ("icmp", 0, 65535)

    def test_port_zero_starts_a_span_rather_than_meaning_every_port(self):
        (found,) = only_rules(AWS_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": 0, "toPort": 100, "cidrIpv4": EVERYWHERE})
        assert (found.first, found.last) == (0, 100)

    def test_a_missing_to_port_is_the_from_port(self):
        (found,) = only_rules(AWS_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": 22, "cidrIpv4": EVERYWHERE})
        assert (found.first, found.last) == (22, 22)

    def test_a_missing_protocol_counts_as_every_protocol(self):
        (found,) = only_rules(AWS_INGRESS_RULE, {"cidrIpv4": EVERYWHERE})
        assert (found.protocol, found.first, found.last, found.all_ports) == ("all", 0, 65535, True)

    def test_an_ingress_rule_is_no_egress_rule_and_the_reverse(self):
        props = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": EVERYWHERE}
        assert only_rules(AWS_INGRESS_RULE, props, Direction.EGRESS) == ()
        assert only_rules(AWS_EGRESS_RULE, props, Direction.INGRESS) == ()
        (found,) = only_rules(AWS_EGRESS_RULE, props, Direction.EGRESS)
        assert found.direction is Direction.EGRESS

    def test_an_unknown_part_sets_the_rule_aside_under_its_resource_name(self):
        found = extracted(AWS_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": UNKNOWN, "toPort": 22})
        assert found == Extracted(rules=(), undecided=("subject",))


class TestGroupRuleExtraction:
    def test_cidrs_of_both_families_and_prefix_lists(self):
        props = {
            "type": "ingress",
            "protocol": "tcp",
            "fromPort": 25000,
            "toPort": 25001,
            "cidrBlocks": [USER_CIDR],
            "ipv6CidrBlocks": ["2001:db8::/64"],
            "prefixListIds": ["pl-0123"],
            "securityGroupId": "sg-server",
        }
        assert only_rules(AWS_GROUP_RULE, props) == (
            expected(  # fmt: skip
                "",
                INGRESS,
                "tcp",
                25000,
                25001,
                cidrs=(USER_CIDR, "2001:db8::/64"),
                other_peers=("pl-0123",),
                prefix_lists=frozenset({"pl-0123"}),
                group=frozenset({"sg-server"}),
            ),
        )

    def test_a_source_group(self):
        props = {"type": "ingress", "protocol": "tcp", "fromPort": 22, "toPort": 22, "sourceSecurityGroupId": "sg-server"}
        assert only_rules(AWS_GROUP_RULE, {**props, "securityGroupId": "sg-workers"}) == (
            expected(  # fmt: skip
                "", INGRESS, "tcp", 22, 22, peer_groups=True, peers=frozenset({"sg-server"}), group=frozenset({"sg-workers"})
            ),
        )

    def test_self_names_its_own_group(self):
        props = {"type": "ingress", "protocol": "tcp", "fromPort": 1024, "toPort": 65535, "self": True, "securityGroupId": "sg-w"}
        assert only_rules(AWS_GROUP_RULE, props) == (
            expected(  # fmt: skip
                "",
                INGRESS,
                "tcp",
                1024,
                65535,
                peer_groups=True,
                peers=frozenset({"sg-w"}),
                self_peer=True,
                group=frozenset({"sg-w"}),
            ),
        )

    def test_a_rule_from_its_own_group_is_a_self_rule_as_with_self(self):
        # SecurityGroupRule's source_security_group_id may name the rule's own group instead of `self = true`.
        props = {"type": "ingress", "protocol": "tcp", "fromPort": 1024, "toPort": 65535, "sourceSecurityGroupId": "sg-w"}
        (found,) = only_rules(AWS_GROUP_RULE, {**props, "securityGroupId": "sg-w"})
        assert (found.self_peer, found.peer_groups, found.peers) == (True, True, frozenset({"sg-w"}))

    def test_the_type_decides_the_direction(self):
        props = {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": [EVERYWHERE]}
        assert only_rules(AWS_GROUP_RULE, props, Direction.INGRESS) == ()
        (found,) = only_rules(AWS_GROUP_RULE, props, Direction.EGRESS)
        assert (found.direction, found.protocol, found.first, found.last) == (Direction.EGRESS, "all", 0, 65535)


class TestInlineRuleExtraction:
    def test_every_block_becomes_a_rule_named_by_its_place(self):
        props = {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 22,
                    "toPort": 22,
                    "cidrBlocks": [ADMIN_CIDR],
                    "ipv6CidrBlocks": ["2001:db8::/64"],
                },
                {"protocol": "tcp", "fromPort": 1024, "toPort": 65535, "self": True, "prefixListIds": ["pl-0123"]},
                {"protocol": "tcp", "fromPort": 8443, "toPort": 8443, "self": True, "securityGroups": ["sg-workers"]},
                {"protocol": "udp", "fromPort": 53, "toPort": 53, "securityGroups": ["sg-server"]},
            ]
        }
        own = frozenset({SUBJECT})
        assert only_rules(AWS_SECURITY_GROUP, props) == (
            expected("ingress[0]", INGRESS, "tcp", 22, 22, cidrs=(ADMIN_CIDR, V6), group=own),
            expected(  # fmt: skip
                "ingress[1]",
                INGRESS,
                "tcp",
                1024,
                65535,
                peer_groups=True,
                peers=own,
                self_peer=True,
                other_peers=("pl-0123",),
                prefix_lists=frozenset({"pl-0123"}),
                group=own,
            ),
            expected(  # fmt: skip
                "ingress[2]", INGRESS, "tcp", 8443, 8443, peer_groups=True, peers=frozenset({"sg-workers", SUBJECT}), group=own
            ),
            expected("ingress[3]", INGRESS, "udp", 53, 53, peer_groups=True, peers=frozenset({"sg-server"}), group=own),
        )

    def test_egress_blocks_are_egress_rules_of_the_default_group_too(self):
        props = {"egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": [EVERYWHERE]}]}
        assert only_rules(AWS_DEFAULT_SECURITY_GROUP, props, Direction.EGRESS) == (
            expected("egress[0]", EGRESS, "all", 0, 65535, cidrs=(EVERYWHERE,), group=frozenset({SUBJECT})),
        )
        assert only_rules(AWS_DEFAULT_SECURITY_GROUP, props, Direction.INGRESS) == ()

    def test_an_unknown_block_is_set_aside_and_the_others_judged(self):
        props = {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [ADMIN_CIDR]}, UNKNOWN]}
        found = extracted(AWS_SECURITY_GROUP, props)
        assert [r.where for r in found.rules] == ["ingress[0]"] and found.undecided == ("ingress[1]",)

    def test_an_unknown_list_is_set_aside_whole(self):
        assert extracted(AWS_SECURITY_GROUP, {"ingress": UNKNOWN}) == Extracted(rules=(), undecided=("ingress",))


IAP = "35.235.240.0/20"
SERVER_SA = "server@p.iam.gserviceaccount.com"
WORKER_SA = "workers@p.iam.gserviceaccount.com"


class TestGcpFirewallExtraction:
    def test_each_port_span_of_each_allow_is_a_rule(self):
        props = {
            "direction": "INGRESS",
            "sourceRanges": [IAP],
            "sourceTags": ["bastion"],
            "targetTags": ["tdce-server"],
            "allows": [{"protocol": "tcp", "ports": ["22", "1024-65535"]}, {"protocol": "udp"}],
        }
        common = dict(
            direction=Direction.INGRESS, cidrs=(IAP,), other_peers=("tag:bastion",), group=frozenset({"tag:tdce-server"})
        )
        assert only_rules(GCP_FIREWALL, props) == (
            FirewallRule(where="allows[0]", protocol="tcp", first=22, last=22, **common),
            FirewallRule(where="allows[0]", protocol="tcp", first=1024, last=65535, **common),
            FirewallRule(where="allows[1]", protocol="udp", first=0, last=65535, **common),
        )

    def test_service_accounts_are_the_peers_and_the_targets(self):
        props = {
            "sourceServiceAccounts": [WORKER_SA],
            "targetServiceAccounts": [SERVER_SA],
            "allows": [{"protocol": "tcp", "ports": ["25000"]}],
        }
        assert only_rules(GCP_FIREWALL, props) == (
            expected(  # fmt: skip
                "allows[0]",
                INGRESS,
                "tcp",
                25000,
                25000,
                peer_groups=True,
                peers=frozenset({WORKER_SA}),
                group=frozenset({SERVER_SA}),
            ),
        )

    def test_a_rule_from_its_own_targets_is_a_self_rule(self):
        props = {"sourceServiceAccounts": [WORKER_SA], "targetServiceAccounts": [WORKER_SA], "allows": [{"protocol": "all"}]}
        (found,) = only_rules(GCP_FIREWALL, props)
        assert (found.self_peer, found.all_ports) == (True, True)

    def test_protocol_all_is_every_port_whatever_ports_it_lists(self):
        (found,) = only_rules(GCP_FIREWALL, {"sourceRanges": [IAP], "allows": [{"protocol": "all", "ports": ["22"]}]})
        assert (found.first, found.last) == (0, 65535)

    def test_no_source_admits_the_whole_internet(self):
        (found,) = only_rules(GCP_FIREWALL, {"allows": [{"protocol": "tcp", "ports": ["22"]}]})
        assert (found.cidrs, found.peer_groups, found.group) == ((EVERYWHERE,), False, frozenset())

    def test_egress_reaches_its_destination_ranges_and_no_source_service_account(self):
        props = {
            "direction": "EGRESS",
            "destinationRanges": ["10.20.0.0/16"],
            "sourceServiceAccounts": [WORKER_SA],
            "sourceTags": ["bastion"],
            "targetServiceAccounts": [WORKER_SA],
            "allows": [{"protocol": "tcp", "ports": ["5432"]}],
        }
        assert only_rules(GCP_FIREWALL, props, Direction.INGRESS) == ()
        assert only_rules(GCP_FIREWALL, props, Direction.EGRESS) == (
            expected("allows[0]", EGRESS, "tcp", 5432, 5432, cidrs=("10.20.0.0/16",), group=frozenset({WORKER_SA})),
        )

    def test_egress_with_no_destination_reaches_the_whole_internet(self):
        (found,) = only_rules(GCP_FIREWALL, {"direction": "EGRESS", "allows": [{"protocol": "all"}]}, Direction.EGRESS)
        assert found.cidrs == (EVERYWHERE,)

    def test_a_disabled_firewall_states_no_rule(self):
        props = {"disabled": True, "sourceRanges": [EVERYWHERE], "allows": [{"protocol": "tcp", "ports": ["22"]}]}
        assert only_rules(GCP_FIREWALL, props) == ()

    def test_an_unknown_direction_sets_the_firewall_aside(self):
        props = {"direction": UNKNOWN, "allows": [{"protocol": "tcp", "ports": ["22"]}]}
        assert extracted(GCP_FIREWALL, props) == Extracted(rules=(), undecided=("direction or allows",))

    def test_an_unknown_allow_is_set_aside_and_the_others_judged(self):
        props = {"sourceRanges": [IAP], "allows": [{"protocol": "tcp", "ports": ["22"]}, {"protocol": "tcp", "ports": UNKNOWN}]}
        found = extracted(GCP_FIREWALL, props)
        assert [r.where for r in found.rules] == ["allows[0]"] and found.undecided == ("allows[1]",)

    def test_other_resources_state_no_rule(self):
        assert extracted(AWS_INSTANCE, {"ingress": [{"protocol": "-1"}]}) == Extracted()


class TestRuleArithmetic:
    def test_covers_needs_the_whole_span_inside_the_rule(self):
        rule_ = FirewallRule(where="", direction=Direction.INGRESS, protocol="tcp", first=100, last=200)
        assert rule_.covers(PortRange(150, 200)) and not rule_.covers(PortRange(300, 300))
        assert not rule_.covers(PortRange(50, 150))

    def test_every_protocol_covers_tcp_ports_and_udp_covers_none(self):
        every = FirewallRule(where="", direction=Direction.INGRESS, protocol="all", first=0, last=65535)
        udp = FirewallRule(where="", direction=Direction.INGRESS, protocol="udp", first=0, last=65535)
        assert every.covers(PortRange(22, 22)) and not udp.covers(PortRange(22, 22))

    def test_a_cidr_with_host_bits_is_read_as_its_network(self):
        assert cidr_within("10.0.0.5/24", ["10.0.0.0/16"])
        assert cidrs_overlap("10.0.0.5/24", "10.0.0.0/25")

    def test_a_malformed_cidr_is_within_nothing(self):
        assert not cidr_within("not-a-cidr", [EVERYWHERE])
        assert not cidr_within("2001:db8::/64", [EVERYWHERE])


class TestReadingInputs:
    def test_a_list_index_past_the_end_or_into_a_string_is_the_default(self):
        props = unknown_checking_proxy({"a": [1, 2], "s": "xy"})
        assert (get(props, "a", 1), get(props, "a", 2, default="none"), get(props, "s", 0)) == (2, "none", None)

    def test_known_strings_skip_the_unknown_parts_only(self):
        value = unknown_checking_proxy({"a": ["x", {"b": "y"}], "c": UNKNOWN, "d": "z"})
        assert known_strings(value) == {"x", "y", "z"}

    def test_refs_follow_the_path_into_an_input(self):
        props = {"parameters": {"vpcSecurityGroupIds": "sg-1", "functionName": "rotate"}}
        subject = Subject(type="t", urn="u", props=unknown_checking_proxy(props))
        assert subject.refs("parameters", "vpcSecurityGroupIds") == frozenset({"sg-1"})

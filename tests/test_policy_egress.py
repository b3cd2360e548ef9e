"""egress-matches-channel, default-security-group-closed and database-secrets-rotate on literal stacks."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UnknownValueError

from config.resource_types import (
    AWS_DEFAULT_SECURITY_GROUP,
    AWS_EGRESS_RULE,
    AWS_GROUP_RULE,
    AWS_INGRESS_RULE,
    AWS_INSTANCE,
    AWS_LAUNCH_TEMPLATE,
    AWS_SECRET,
    AWS_SECRET_ROTATION,
    AWS_SECRET_VERSION,
    AWS_SECURITY_GROUP,
    AWS_VPC,
    AWS_VPC_ENDPOINT,
    GCP_DATABASE_INSTANCE,
    GCP_FIREWALL,
    GCP_GLOBAL_ADDRESS,
    GCP_INSTANCE,
    GCP_INSTANCE_TEMPLATES,
    GCP_SECRET,
    GCP_SECRET_VERSION,
    RANDOM_PASSWORD,
)
from policies import database, egress, network
from tests.policy_harness import UNKNOWN, StackResource, check_stack, hand_config, stack_at_preview
from tests.support import stack_values, with_setting

ANYWHERE = "0.0.0.0/0"
# aws-prod's egress, written out from the matrix (000_8bca743440dfe33c.txt): group, protocol, port, peer.
AWS_PROD_EGRESS = (
    ("server", 80, ANYWHERE),  # license
    ("server", 443, ANYWHERE),  # license, cloud-api
    ("server", 443, "s3"),  # storage through the S3 gateway endpoint
    ("workers", 20001, "server"),  # signal
    ("workers", 20002, "server"),  # data
    ("workers", 443, ANYWHERE),  # external-data
    ("workers", 443, "s3"),  # storage
)
GROUP_IDS = {"server": "sg-server", "workers": "sg-workers"}


@pytest.fixture
def aws_prod(monkeypatch):
    hand_config(monkeypatch, "aws-prod", stack_values("aws-prod")[0])


def egress_rule(name: str, group: str, number: int, peer: str, protocol: str = "tcp") -> StackResource:
    props = {"ipProtocol": protocol, "fromPort": number, "toPort": number, "securityGroupId": GROUP_IDS[group]}
    refs = {"securityGroupId": [f"{group}-sg"]}
    if peer == "s3":
        props["prefixListId"], refs["prefixListId"] = "pl-1", ["s3"]
    elif peer in GROUP_IDS:
        props["referencedSecurityGroupId"], refs["referencedSecurityGroupId"] = GROUP_IDS[peer], [f"{peer}-sg"]
    else:
        props["cidrIpv4"] = peer
    return StackResource(name, AWS_EGRESS_RULE, props, refs=refs)


def aws_stack(*extra: StackResource, rows=AWS_PROD_EGRESS) -> list[StackResource]:
    resources = [
        StackResource("server-sg", AWS_SECURITY_GROUP, {}),
        StackResource("workers-sg", AWS_SECURITY_GROUP, {}),
        StackResource("s3", AWS_VPC_ENDPOINT, {"serviceName": "com.amazonaws.eu-west-1.s3", "vpcEndpointType": "Gateway"}),
        StackResource(
            "server", AWS_INSTANCE, {"vpcSecurityGroupIds": ["sg-server"]}, refs={"vpcSecurityGroupIds": ["server-sg"]}
        ),
        StackResource(
            "pool", AWS_LAUNCH_TEMPLATE, {"vpcSecurityGroupIds": ["sg-workers"]}, refs={"vpcSecurityGroupIds": ["workers-sg"]}
        ),
    ]
    resources += [egress_rule(f"{g}-{n}-{p}", g, n, p) for g, n, p in rows]
    return resources + list(extra)


def all_traffic_out() -> list[StackResource]:
    """Every group's rule to all ports anywhere, as `access.openEgress` asks for."""
    return [
        StackResource(
            f"{g}-all",
            AWS_EGRESS_RULE,
            {"ipProtocol": "-1", "cidrIpv4": ANYWHERE, "securityGroupId": GROUP_IDS[g]},
            refs={"securityGroupId": [f"{g}-sg"]},
        )
        for g in GROUP_IDS
    ]


def messages(resources) -> list[str]:
    return [m for _, m in check_stack(egress.egress_matches_channel, resources)]


class TestAwsEgress:
    def test_the_matrix_egress_passes(self, aws_prod):
        assert messages(aws_stack()) == []

    def test_all_traffic_out_is_refused_without_open_egress(self, aws_prod):
        everything = StackResource(
            "all-out",
            AWS_EGRESS_RULE,
            {"ipProtocol": "-1", "cidrIpv4": ANYWHERE, "securityGroupId": "sg-workers"},
            refs={"securityGroupId": ["workers-sg"]},
        )
        (message,) = messages(aws_stack(everything))
        assert "all ports to 0.0.0.0/0 on a group that protects the workers is no egress rule" in message

    def test_all_traffic_out_passes_with_open_egress(self, monkeypatch):
        hand_config(monkeypatch, "aws-prod", with_setting(stack_values("aws-prod")[0], "access.openEgress", True))
        everything = all_traffic_out()
        # With open egress the machines have one rule each (config/rules.py): the narrow ones are no longer specs.
        assert messages(aws_stack(*everything, rows=())) == []

    def test_a_stray_port_and_a_wrong_peer_are_each_reported(self, aws_prod):
        stray = egress_rule("stray", "server", 8080, ANYWHERE)
        wrong_peer = egress_rule("signal-to-workers", "workers", 20001, "workers")
        found = check_stack(egress.egress_matches_channel, aws_stack(stray, wrong_peer))
        assert sorted(urn.rsplit("::", 1)[-1] for urn, _ in found) == ["signal-to-workers", "stray"]

    def test_a_group_rule_s_egress_is_judged_and_a_group_s_egress_output_is_not(self, aws_prod):
        # The group's egress output is the provider's copy of every rule the group has (the separate
        # resources' after a refresh); an inline block is refused on the group's inputs instead
        # (no-inline-security-group-rules).
        inline = StackResource(
            "workers-sg",
            AWS_SECURITY_GROUP,
            {"egress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [ANYWHERE]}]},
        )
        rule = StackResource(
            "rule",
            AWS_GROUP_RULE,
            {
                "type": "egress",
                "protocol": "udp",
                "fromPort": 53,
                "toPort": 53,
                "cidrBlocks": [ANYWHERE],
                "securityGroupId": "sg-server",
            },
            refs={"securityGroupId": ["server-sg"]},
        )
        resources = [r for r in aws_stack(rule) if r.name != "workers-sg"] + [inline]
        for r in resources:
            if r.name == "pool":
                r.refs = {"vpcSecurityGroupIds": ["workers-sg"]}
        (message,) = messages(resources)
        assert message.startswith("udp 53 to 0.0.0.0/0 on a group that protects the server")

    def test_a_missing_egress_row_is_reported(self, aws_prod):
        resources = [r for r in aws_stack() if r.name != "workers-20001-server"]
        assert messages(resources) == ["nothing opens egress tcp 20001 to server (signal) from the workers"]

    def test_egress_on_a_group_no_machine_holds_is_refused(self, aws_prod):
        orphan = StackResource("orphan-sg", AWS_SECURITY_GROUP, {})
        rule = StackResource(
            "out",
            AWS_EGRESS_RULE,
            {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": ANYWHERE, "securityGroupId": "sg-o"},
            refs={"securityGroupId": ["orphan-sg"]},
        )
        assert any("no machine of this stack holds" in m for m in messages(aws_stack(orphan, rule)))


def group_rule(name: str, group: str, number: int, **peers) -> StackResource:
    props = {"type": "egress", "protocol": "tcp", "fromPort": number, "toPort": number, "securityGroupId": GROUP_IDS[group]}
    return StackResource(
        name, AWS_GROUP_RULE, {**props, **peers.pop("props", {})}, refs={"securityGroupId": [f"{group}-sg"], **peers}
    )


def reported(resources) -> list[tuple[str, str]]:
    return [((urn or "").rsplit("::", 1)[-1], message) for urn, message in check_stack(egress.egress_matches_channel, resources)]


SERVER_EGRESS = "tcp 80 to anywhere (license), tcp 443 to anywhere (license, cloud-api), tcp 443 to object-storage (storage)"


class TestAwsEgressExactly:
    def test_a_rule_of_the_wrong_protocol_is_reported_with_the_roles_egress(self, aws_prod):
        udp = egress_rule("udp-443", "server", 443, ANYWHERE, protocol="udp")
        assert reported(aws_stack(udp)) == [
            (
                "udp-443",
                "udp 443 to 0.0.0.0/0 on a group that protects the server is no egress rule of this stack; "
                f"the server's egress is {SERVER_EGRESS}",
            )
        ]

    def test_ipv6_everywhere_is_not_the_matrixs_everywhere(self, aws_prod):
        props = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv6": "::/0", "securityGroupId": "sg-server"}
        v6 = StackResource("v6", AWS_EGRESS_RULE, props, refs={"securityGroupId": ["server-sg"]})
        assert [name for name, _ in reported(aws_stack(v6))] == ["v6"]

    def test_a_rule_naming_a_cidr_and_a_prefix_list_at_once_matches_neither_row(self, aws_prod):
        both = group_rule(
            "both", "server", 443, prefixListIds=["s3"], props={"cidrBlocks": [ANYWHERE], "prefixListIds": ["pl-1"]}
        )
        assert [name for name, _ in reported(aws_stack(both))] == ["both"]

    def test_a_rule_naming_a_group_and_a_cidr_at_once_matches_no_row(self, aws_prod):
        both = group_rule(
            "both",
            "workers",
            20001,
            sourceSecurityGroupId=["server-sg"],
            props={"sourceSecurityGroupId": "sg-server", "cidrBlocks": [ANYWHERE]},
        )
        assert [name for name, _ in reported(aws_stack(both))] == ["both"]

    def test_a_prefix_list_of_another_endpoint_is_not_object_storage(self, aws_prod):
        secrets = StackResource("secrets", AWS_VPC_ENDPOINT, {"serviceName": "com.amazonaws.eu-west-1.secretsmanager"})
        props = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListId": "pl-2", "securityGroupId": "sg-server"}
        to_secrets = StackResource(
            "to-secrets", AWS_EGRESS_RULE, props, refs={"securityGroupId": ["server-sg"], "prefixListId": ["secrets"]}
        )
        assert [name for name, _ in reported(aws_stack(secrets, to_secrets))] == ["to-secrets"]

    def test_an_endpoint_unknown_at_preview_leaves_the_s3_endpoint_found(self, aws_prod):
        unknown = StackResource("pending", AWS_VPC_ENDPOINT, {"serviceName": UNKNOWN})
        resources = aws_stack()
        resources.insert(2, unknown)
        assert reported(resources) == []

    def test_a_narrow_rule_beside_open_egress_is_reported(self, monkeypatch):
        hand_config(monkeypatch, "aws-prod", with_setting(stack_values("aws-prod")[0], "access.openEgress", True))
        everything = all_traffic_out()
        narrow = egress_rule("narrow", "server", 8080, ANYWHERE)
        assert [name for name, _ in reported(aws_stack(*everything, narrow, rows=()))] == ["narrow"]

    def test_egress_on_the_database_group_is_no_row_of_the_database(self, aws_prod):
        db = StackResource("db-sg", AWS_SECURITY_GROUP, {})
        cluster = StackResource(
            "cluster", "aws:rds/cluster:Cluster", {"vpcSecurityGroupIds": ["sg-db"]}, refs={"vpcSecurityGroupIds": ["db-sg"]}
        )
        props = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": ANYWHERE, "securityGroupId": "sg-db"}
        out = StackResource("db-out", AWS_EGRESS_RULE, props, refs={"securityGroupId": ["db-sg"]})
        assert reported(aws_stack(db, cluster, out)) == [
            (
                "db-out",
                "tcp 443 to 0.0.0.0/0 on a group that protects the database is no egress rule of this stack; "
                "the database's egress is none",
            )
        ]

    def test_a_group_no_machine_holds_is_reported_on_the_rule(self, aws_prod):
        orphan = StackResource("orphan-sg", AWS_SECURITY_GROUP, {})
        props = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": ANYWHERE, "securityGroupId": "sg-o"}
        rule = StackResource("out", AWS_EGRESS_RULE, props, refs={"securityGroupId": ["orphan-sg"]})
        assert reported(aws_stack(orphan, rule)) == [
            (
                "out",
                "tcp 443 to 0.0.0.0/0 belongs to a group no machine of this stack holds, so the pack cannot tell whose "
                "egress it opens",
            )
        ]

    def test_a_refreshed_group_whose_outputs_list_its_rules_passes(self, aws_prod):
        # After `pulumi refresh` the group's egress output lists its rule resources' rules, the
        # object-storage one by the endpoint's prefix list ID (pl-…), not the endpoint's URN.
        blocks = [
            {"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": ["pl-6da54004"]},
            {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [ANYWHERE]},
        ]
        resources = [
            StackResource(r.name, r.type, {**r.props, "egress": blocks}, refs=r.refs) if r.type == AWS_SECURITY_GROUP else r
            for r in aws_stack()
        ]
        assert reported(resources) == []

    def test_rules_on_unknown_groups_are_all_set_aside_and_no_row_is_called_missing(self, aws_prod):
        unknown_group = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": ANYWHERE, "securityGroupId": UNKNOWN}
        pending = [StackResource(f"pending-{i}", AWS_EGRESS_RULE, unknown_group) for i in (1, 2)]
        # A group's own egress output is unknown at preview (the provider computes it): not a rule to wait for.
        blocks = StackResource("blocks-sg", AWS_SECURITY_GROUP, {"egress": UNKNOWN})
        resources = [r for r in aws_stack() if r.name != "workers-20001-server"]
        with pytest.raises(UnknownValueError) as caught:
            check_stack(egress.egress_matches_channel, [*resources, blocks, *pending])
        assert caught.value.message == "string value at .pending-1 groups, pending-2 groups can't be known during preview"


WORKER_SA = "workers@p.iam.gserviceaccount.com"


def gcp_stack(*extra: StackResource) -> list[StackResource]:
    return [
        StackResource("worker-sa-user", GCP_INSTANCE_TEMPLATES[0], {"serviceAccount": {"email": WORKER_SA}}),
        StackResource("server", GCP_INSTANCE, {"serviceAccount": {"email": "server@p.iam.gserviceaccount.com"}}),
        StackResource("range", GCP_GLOBAL_ADDRESS, {"purpose": "VPC_PEERING", "prefixLength": 16, "address": "10.99.0.0"}),
        StackResource("sql", GCP_DATABASE_INSTANCE, {"databaseVersion": "POSTGRES_16"}),
        *extra,
    ]


DENY = StackResource(
    "deny-workers",
    GCP_FIREWALL,
    {
        "direction": "EGRESS",
        "denies": [{"protocol": "all"}],
        "targetServiceAccounts": [WORKER_SA],
        "destinationRanges": ["10.99.0.0/16"],
    },
    refs={"destinationRanges": ["range"]},
)


class TestGcpWorkersKeptFromTheDatabase:
    @pytest.fixture(autouse=True)
    def gcp_prod(self, monkeypatch):
        hand_config(monkeypatch, "gcp-prod", stack_values("gcp-prod")[0])

    def test_the_deny_passes(self):
        assert messages(gcp_stack(DENY)) == []

    def test_without_the_deny_it_is_reported(self):
        (message,) = messages(gcp_stack())
        assert "no egress firewall rule denies the workers" in message

    def test_a_deny_on_another_range_or_account_does_not_count(self):
        elsewhere = StackResource("deny", GCP_FIREWALL, {**DENY.props, "destinationRanges": ["192.168.0.0/16"]})
        server_only = StackResource(
            "deny", GCP_FIREWALL, {**DENY.props, "targetServiceAccounts": ["server@p.iam.gserviceaccount.com"]}, refs=DENY.refs
        )
        assert messages(gcp_stack(elsewhere)) != [] and messages(gcp_stack(server_only)) != []

    def test_an_allow_before_the_deny_is_reported(self):
        allow = StackResource(
            "allow",
            GCP_FIREWALL,
            {
                "direction": "EGRESS",
                "priority": 900,
                "allows": [{"protocol": "tcp", "ports": ["5432"]}],
                "destinationRanges": ["10.99.0.0/16"],
            },
        )
        ((urn, message),) = check_stack(egress.egress_matches_channel, gcp_stack(DENY, allow))
        assert urn == allow.urn and "priority 900" in message
        later = StackResource("allow", GCP_FIREWALL, {**allow.props, "priority": 2000})
        assert messages(gcp_stack(DENY, later)) == []


def gcp_firewall(name: str, **props) -> StackResource:
    return StackResource(name, GCP_FIREWALL, {"direction": "EGRESS", "destinationRanges": ["10.99.0.0/16"], **props})


ALLOW_DATABASE = {"allows": [{"protocol": "tcp", "ports": ["5432"]}]}


class TestGcpEgressExactly:
    @pytest.fixture(autouse=True)
    def gcp_prod(self, monkeypatch):
        hand_config(monkeypatch, "gcp-prod", stack_values("gcp-prod")[0])

    @pytest.mark.parametrize(
        "not_a_guard",
        [
            {**DENY.props, "disabled": True},
            {**DENY.props, "direction": "INGRESS"},
            {k: v for k, v in DENY.props.items() if k != "direction"},
        ],
    )
    def test_a_disabled_or_ingress_deny_is_no_guard(self, not_a_guard):
        assert reported(gcp_stack(StackResource("deny", GCP_FIREWALL, not_a_guard, refs=DENY.refs))) == [("", NO_DENY)]

    def test_firewalls_before_the_deny_do_not_hide_it(self):
        ingress = StackResource("ssh", GCP_FIREWALL, {"direction": "INGRESS", "allows": [{"protocol": "tcp", "ports": ["22"]}]})
        off_range = gcp_firewall("off-range", destinationRanges=["192.168.0.0/16"], **ALLOW_DATABASE)
        assert reported(gcp_stack(ingress, off_range, DENY)) == []

    def test_a_deny_without_destination_ranges_covers_the_database_range(self):
        deny = StackResource("deny", GCP_FIREWALL, {k: v for k, v in DENY.props.items() if k != "destinationRanges"})
        assert reported(gcp_stack(deny)) == []

    def test_a_deny_computed_from_the_peering_range_counts_before_its_address_is_known(self):
        resources = [r for r in gcp_stack() if r.name != "range"]
        pending = StackResource("range", GCP_GLOBAL_ADDRESS, {"purpose": "VPC_PEERING", "prefixLength": 16})
        deny = StackResource("deny", GCP_FIREWALL, {**DENY.props, "destinationRanges": ["198.18.0.0/16"]}, refs=DENY.refs)
        assert reported([*resources, pending, deny]) == []

    def test_only_a_peering_range_is_the_databases(self):
        resources = [r for r in gcp_stack() if r.name != "range"]
        endpoint = StackResource(
            "range", GCP_GLOBAL_ADDRESS, {"purpose": "GCE_ENDPOINT", "prefixLength": 16, "address": "10.99.0.0"}
        )
        assert reported([*resources, endpoint, DENY]) == [("", NO_DENY)]

    @pytest.mark.parametrize(
        ("targets", "opens"),
        [
            ({}, True),  # every VM of the network, the workers among them
            ({"targetServiceAccounts": [WORKER_SA]}, True),
            ({"targetServiceAccounts": ["server@p.iam.gserviceaccount.com"]}, False),
            ({"targetTags": ["tdce-server"]}, False),
        ],
    )
    def test_an_earlier_allow_counts_where_it_reaches_the_workers(self, targets, opens):
        allow = gcp_firewall("allow", priority=900, **ALLOW_DATABASE, **targets)
        message = (
            "allows egress from the workers to Cloud SQL's private range at priority 900, before the deny "
            "(priority 1000), so the deny no longer applies"
        )
        assert reported(gcp_stack(DENY, allow)) == ([("allow", message)] if opens else [])

    def test_at_equal_priority_the_deny_wins(self):
        # GCP: a deny rule takes precedence over an allow rule of the same priority.
        assert reported(gcp_stack(DENY, gcp_firewall("allow", priority=1000, **ALLOW_DATABASE))) == []
        assert reported(gcp_stack(DENY, gcp_firewall("allow", **ALLOW_DATABASE))) == []
        assert [n for n, _ in reported(gcp_stack(DENY, gcp_firewall("allow", priority=999, **ALLOW_DATABASE)))] == ["allow"]

    def test_a_firewall_unknown_at_preview_defers_the_missing_deny(self):
        with pytest.raises(UnknownValueError) as caught:
            check_stack(egress.egress_matches_channel, gcp_stack(gcp_firewall("pending", disabled=UNKNOWN)))
        assert caught.value.message == "string value at .pending can't be known during preview"


NO_DENY = (
    "no egress firewall rule denies the workers' service account Cloud SQL's private range: jobs on the "
    "workers could reach the database"
)


class TestWhichDenyKeepsWorkersOffTheDatabase:
    """Cloud SQL for PostgreSQL listens on 5432 (config/channels.py DATABASE; the vendor's 001_ec271c3ff40761d0.txt)."""

    @pytest.fixture(autouse=True)
    def gcp_prod(self, monkeypatch):
        hand_config(monkeypatch, "gcp-prod", stack_values("gcp-prod")[0])

    @pytest.mark.parametrize(
        ("deny", "guards"),
        [
            ({"protocol": "all"}, True),
            ({"protocol": "tcp"}, True),
            ({"protocol": "TCP", "ports": ["5432"]}, True),
            ({"protocol": "tcp", "ports": ["22", "5000-6000"]}, True),
            ({"protocol": "tcp", "ports": ["5431-5432"]}, True),
            ({"protocol": "tcp", "ports": ["5432-5433"]}, True),
            ({"protocol": "tcp", "ports": ["5433"]}, False),
            ({"protocol": "tcp", "ports": ["5433-6000"]}, False),
            ({"protocol": "tcp", "ports": ["1-5431"]}, False),
            ({"protocol": "udp", "ports": ["5432"]}, False),
            ({"ports": ["5432"]}, False),
        ],
    )
    def test_the_deny_must_cover_the_database_port(self, deny, guards):
        firewall = StackResource("deny-workers", GCP_FIREWALL, {**DENY.props, "denies": [deny]}, refs=DENY.refs)
        assert messages(gcp_stack(firewall)) == ([] if guards else [NO_DENY])


class TestDefaultSecurityGroup:
    def stack(self, *extra):
        return [
            StackResource("vpc", AWS_VPC, {}),
            StackResource("default", AWS_DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-1"}, refs={"vpcId": ["vpc"]}),
            *extra,
        ]

    def test_an_empty_adopted_default_group_passes(self):
        assert check_stack(network.default_security_group_closed, self.stack()) == []

    def test_its_outputs_are_no_rules_of_its_own(self):
        # Its ingress/egress outputs are the provider's (unknown at preview, what AWS holds after a refresh);
        # an inline rule the program writes is refused on its inputs (no-inline-security-group-rules).
        rules = {"ingress": UNKNOWN, "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": [ANYWHERE]}]}
        default = StackResource("default", AWS_DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-1", **rules}, refs={"vpcId": ["vpc"]})
        assert stack_at_preview(network.default_security_group_closed, [StackResource("vpc", AWS_VPC, {}), default]) == ([], None)

    @pytest.mark.parametrize("kind", [AWS_INGRESS_RULE, AWS_EGRESS_RULE, AWS_GROUP_RULE])
    def test_separate_rules_on_it_are_reported(self, kind):
        on_default = StackResource("rule", kind, {"securityGroupId": "sg-default"}, refs={"securityGroupId": ["default"]})
        on_vpc_default = StackResource("rule2", kind, {"securityGroupId": "sg-default"}, refs={"securityGroupId": ["vpc"]})
        assert len(check_stack(network.default_security_group_closed, self.stack(on_default, on_vpc_default))) == 2

    def test_a_vpc_whose_default_group_is_not_adopted_is_reported(self):
        ((urn, _),) = check_stack(network.default_security_group_closed, [StackResource("vpc", AWS_VPC, {})])
        assert urn.endswith("::vpc")


class TestDefaultSecurityGroupExactly:
    def test_every_way_a_default_group_opens_is_reported_on_its_resource(self):
        inline = {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": [ANYWHERE]}]}
        resources = [
            StackResource("vpc", AWS_VPC, {}),
            StackResource("vpc-2", AWS_VPC, {}),
            StackResource("vpc-3", AWS_VPC, {}),
            StackResource("default", AWS_DEFAULT_SECURITY_GROUP, {"vpcId": "vpc-1", **inline}, refs={"vpcId": ["vpc"]}),
            StackResource(
                "default-2",
                AWS_DEFAULT_SECURITY_GROUP,
                {"vpcId": "vpc-2", "ingress": UNKNOWN, "egress": UNKNOWN},
                refs={"vpcId": ["vpc-2"]},
            ),
            StackResource("on-default", AWS_INGRESS_RULE, {"securityGroupId": "sg-d"}, refs={"securityGroupId": ["default"]}),
            StackResource("on-vpc-default", AWS_GROUP_RULE, {"securityGroupId": "sg-d"}, refs={"securityGroupId": ["vpc"]}),
            StackResource("elsewhere", AWS_EGRESS_RULE, {"securityGroupId": "sg-literal"}),
        ]
        found, unknown = stack_at_preview(network.default_security_group_closed, resources)
        assert [(urn.rsplit("::", 1)[-1], m) for urn, m in found] == [
            (
                "vpc-3",
                "the VPC's default security group is not adopted (aws.ec2.DefaultSecurityGroup), so it keeps AWS's "
                "allow-all rules",
            ),
            ("on-default", "on-default adds a rule to the VPC's default security group: it must stay empty"),
            ("on-vpc-default", "on-vpc-default adds a rule to the VPC's default security group: it must stay empty"),
        ]
        # The adopted groups' own ingress/egress outputs (known or not) are no verdict here.
        assert unknown is None


class TestDatabaseSecretsRotate:
    def aws(self, rotated: bool) -> list[StackResource]:
        resources = [
            StackResource("cluster", "aws:rds/cluster:Cluster", {"manageMasterUserPassword": True}),
            StackResource("user", AWS_SECRET, {"description": "application user"}),
            StackResource("admin", AWS_SECRET, {"description": "dashboard admin"}),
            StackResource(
                "user-value",
                AWS_SECRET_VERSION,
                {"secretId": "user-id"},
                refs={"secretString": ["cluster"], "secretId": ["user"]},
            ),
        ]
        if rotated:
            resources.append(StackResource("rotation", AWS_SECRET_ROTATION, {"secretId": "user-id"}, refs={"secretId": ["user"]}))
        return resources

    def test_an_aws_database_secret_without_rotation_is_reported(self):
        ((urn, _),) = check_stack(database.database_secrets_rotate, self.aws(rotated=False))
        assert urn.endswith("::user")
        assert check_stack(database.database_secrets_rotate, self.aws(rotated=True)) == []

    def test_a_secret_tagged_for_the_database_counts(self):
        tagged = StackResource("tagged", AWS_SECRET, {"tags": {"tdce:role": "database"}})
        assert len(check_stack(database.database_secrets_rotate, [tagged])) == 1

    def gcp(self, secret_props: dict, iam_login: bool = False) -> list[StackResource]:
        sql = {"rootPassword": "[secret]"}
        if iam_login:
            sql["settings"] = {"databaseFlags": [{"name": "cloudsql.iam_authentication", "value": "on"}]}
        return [
            StackResource("password", RANDOM_PASSWORD, {"length": 32}),
            StackResource("sql", GCP_DATABASE_INSTANCE, sql, refs={"rootPassword": ["password"]}),
            StackResource("secret", GCP_SECRET, secret_props),
            StackResource(
                "value", GCP_SECRET_VERSION, {"secret": "secret-id"}, refs={"secretData": ["password"], "secret": ["secret"]}
            ),
        ]

    def test_a_gcp_database_secret_needs_rotation_and_its_topic(self):
        rotation = {
            "rotation": {"rotationPeriod": "2592000s", "nextRotationTime": "2030-01-01T00:00:00Z"},
            "topics": [{"name": "t"}],
        }
        assert check_stack(database.database_secrets_rotate, self.gcp(rotation)) == []
        assert "no rotation" in check_stack(database.database_secrets_rotate, self.gcp({"replication": {}}))[0][1]
        no_topic = {"rotation": rotation["rotation"]}
        assert "no Pub/Sub topic" in check_stack(database.database_secrets_rotate, self.gcp(no_topic))[0][1]

    def test_a_gcp_admin_password_needs_no_rotation_when_the_server_logs_in_with_iam(self):
        # Cloud SQL's IAM database authentication: the server holds no password; the admin's is break-glass.
        assert check_stack(database.database_secrets_rotate, self.gcp({"replication": {}}, iam_login=True)) == []

    def test_with_the_instance_s_settings_unknown_at_preview_an_unrotated_secret_is_undecided(self):
        # The engine may send a whole nested output unknown at preview (pulumi/pulumi#7854): whether the
        # server logs in with IAM, and so whether the secret must rotate, is then not known.
        resources = self.gcp({"replication": {}})
        resources[1] = StackResource(
            "sql", GCP_DATABASE_INSTANCE, {"rootPassword": "[secret]", "settings": UNKNOWN}, refs=resources[1].refs
        )
        found, unknown = stack_at_preview(database.database_secrets_rotate, resources)
        assert (
            found == []
            and unknown == "string value at .secret (whether the database logs in with IAM) can't be known during preview"
        )


NO_AWS_ROTATION = "the database secret has no rotation (aws.secretsmanager.SecretRotation): its password never changes"
NO_GCP_PERIOD = "the database secret has no rotation.rotationPeriod: its password never changes"
NO_GCP_TOPIC = "the database secret's rotation names no Pub/Sub topic, so nothing is told to rotate it"
ROTATION_SCHEDULE = {"rotationPeriod": "2592000s", "nextRotationTime": "2030-01-01T00:00:00Z"}


def named(found) -> list[tuple[str, str]]:
    return [(urn.rsplit("::", 1)[-1], message) for urn, message in found]


class TestWhichSecretsHoldADatabaseCredential:
    def rotate(self, resources):
        return named(check_stack(database.database_secrets_rotate, resources))

    def test_every_unrotated_aws_database_secret_is_reported(self):
        resources = [
            StackResource("cluster", "aws:rds/cluster:Cluster", {"manageMasterUserPassword": True}),
            StackResource("user", AWS_SECRET, {}),
            StackResource("reader", AWS_SECRET, {}),
            StackResource("rotated", AWS_SECRET, {}),
            *[
                StackResource(f"{s}-value", AWS_SECRET_VERSION, {}, refs={"secretString": ["cluster"], "secretId": [s]})
                for s in ("user", "reader", "rotated")
            ],
            StackResource("rotation", AWS_SECRET_ROTATION, {"secretId": "rotated-id"}, refs={"secretId": ["rotated"]}),
        ]
        assert self.rotate(resources) == [("user", NO_AWS_ROTATION), ("reader", NO_AWS_ROTATION)]

    def test_a_secret_filled_from_something_else_is_no_database_secret(self):
        resources = [
            StackResource("cluster", "aws:rds/cluster:Cluster", {}),
            StackResource("key", RANDOM_PASSWORD, {"length": 32}),
            StackResource("api-key", AWS_SECRET, {}),
            StackResource("api-key-value", AWS_SECRET_VERSION, {}, refs={"secretString": ["key"], "secretId": ["api-key"]}),
            StackResource("literal", AWS_SECRET, {}),
            StackResource("literal-value", AWS_SECRET_VERSION, {"secretString": "x"}, refs={"secretId": ["literal"]}),
            StackResource("orphan-value", AWS_SECRET_VERSION, {}, refs={"secretString": ["cluster"]}),
        ]
        assert self.rotate(resources) == []

    def test_a_gcp_secret_labelled_for_the_database_counts_even_when_its_tags_are_unknown(self):
        labelled = StackResource("labelled", GCP_SECRET, {"tags": UNKNOWN, "labels": {"tdce-role": "database"}})
        other = StackResource("other", GCP_SECRET, {"labels": {"tdce-role": "server"}})
        assert self.rotate([labelled, other]) == [("labelled", NO_GCP_PERIOD)]

    def gcp(self, secret_props: dict, flags=None) -> list[StackResource]:
        sql = {"settings": {"databaseFlags": flags}} if flags is not None else {}
        return [
            StackResource("sql", GCP_DATABASE_INSTANCE, sql),
            StackResource("secret", GCP_SECRET, {"labels": {"tdce-role": "database"}, **secret_props}),
        ]

    @pytest.mark.parametrize(
        ("props", "expected"),
        [
            ({"rotation": ROTATION_SCHEDULE, "topics": [{"name": "t"}]}, []),
            ({"rotation": ROTATION_SCHEDULE}, [("secret", NO_GCP_TOPIC)]),
            ({"rotation": {"nextRotationTime": "2030-01-01T00:00:00Z"}, "topics": [{"name": "t"}]}, [("secret", NO_GCP_PERIOD)]),
            ({"topics": [{"name": "t"}]}, [("secret", NO_GCP_PERIOD)]),
        ],
    )
    def test_a_gcp_database_secret_rotates_with_a_period_and_a_topic(self, props, expected):
        assert self.rotate(self.gcp(props)) == expected

    def test_only_the_iam_authentication_flag_turned_on_exempts_the_password(self):
        on = [{"name": "cloudsql.iam_authentication", "value": "on"}]
        off = [{"name": "cloudsql.iam_authentication", "value": "off"}, {"name": "log_connections", "value": "on"}]
        assert self.rotate(self.gcp({}, flags=on)) == []
        assert self.rotate(self.gcp({}, flags=off)) == [("secret", NO_GCP_PERIOD)]
        # Flags unknown at preview: whether the password must rotate is not known yet, so no verdict.
        found, unknown = stack_at_preview(database.database_secrets_rotate, self.gcp({}, flags=UNKNOWN))
        assert (
            found == []
            and unknown == "string value at .secret (whether the database logs in with IAM) can't be known during preview"
        )

    def test_a_rotation_unknown_at_preview_is_set_aside(self):
        with pytest.raises(UnknownValueError) as caught:
            check_stack(database.database_secrets_rotate, self.gcp({"rotation": UNKNOWN}))
        assert caught.value.message == "string value at .secret can't be known during preview"


class TestMissingEgressRowsPastAnAbsentRole:
    def test_rows_after_one_of_a_role_the_stack_lacks_are_still_called_missing(self, monkeypatch):
        # aws-aurora: the rotation function's egress rows (to the database, before the secrets
        # endpoint's rows in the matrix) are skipped, since this stack has no rotation group.
        hand_config(monkeypatch, "aws-aurora", stack_values("aws-aurora")[0])
        assert reported(aws_stack()) == [
            ("", "nothing opens egress tcp 5432 to database (database) from the server"),
            ("", "nothing opens egress tcp 443 to secrets-endpoint (secrets-endpoint) from the server"),
            ("", "nothing opens egress tcp 443 to secrets-endpoint (secrets-endpoint) from the workers"),
        ]

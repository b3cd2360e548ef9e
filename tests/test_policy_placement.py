"""Port policies on rules spread over blocks, several offending rules, parts unknown at preview, and groups of two roles."""

from __future__ import annotations

import pytest
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from config import tags
from config.channels import DATA, DATABASE, INTERCONNECT, MANAGEMENT, SIGNAL, WEB, PortRange, Role, port
from config.resource_types import (
    AWS_DATABASE_CLUSTER,
    AWS_INGRESS_RULE,
    AWS_INSTANCE,
    AWS_LAUNCH_TEMPLATE,
    AWS_SECURITY_GROUP,
    AWS_VPC_ENDPOINT,
    GCP_FIREWALL,
)
from policies import ports
from policies.placement import Topology, roles_label
from policies.reading import Subject
from tests.policy_harness import UNKNOWN, StackResource, at_preview, check_resource, check_stack, hand_example_config

USER_CIDR = "198.51.100.0/24"  # aws-prod's access.userCidrs
OTHER_USER_CIDR = "203.0.113.0/24"
STRAY_A, STRAY_B = port(8080), port(9090)  # no channel's port (000_8bca743440dfe33c.txt tables)


@pytest.fixture(autouse=True)
def aws_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    hand_example_config(monkeypatch, "aws-prod")


def block(ports_: PortRange, **peer) -> dict:
    return {"protocol": "tcp", "fromPort": ports_.first, "toPort": ports_.last, **peer}


class TestEveryBlockIsJudged:
    def test_two_stray_inline_blocks_after_a_good_one_are_both_reported(self):
        group = {
            "ingress": [
                block(WEB.ports[0], cidrBlocks=[USER_CIDR]),
                block(STRAY_A, cidrBlocks=[USER_CIDR]),
                block(STRAY_B, cidrBlocks=[USER_CIDR]),
            ]
        }
        found = check_resource(ports.ingress_matches_channel, AWS_SECURITY_GROUP, group)
        assert [m.split(":")[0] for m in found] == ["ingress[1]", "ingress[2]"]

    def test_an_interconnect_rule_in_a_later_allows_entry_is_caught(self):
        firewall = {
            "direction": "INGRESS",
            "sourceRanges": ["10.0.0.0/8"],
            "allows": [{"protocol": "tcp", "ports": ["20001"]}, {"protocol": "tcp", "ports": ["1024-65535"]}],
        }
        (message,) = check_resource(ports.interconnect_within_workers, GCP_FIREWALL, firewall)
        assert message.startswith("allows[1]")

    def test_an_interconnect_rule_in_a_later_inline_block_is_caught(self):
        span = INTERCONNECT.ports[0]
        group = {
            "ingress": [block(span, self=True), block(span, cidrBlocks=["10.0.0.0/8"]), block(span, cidrBlocks=["0.0.0.0/0"])]
        }
        found = check_resource(ports.interconnect_within_workers, AWS_SECURITY_GROUP, group)
        assert [m.split(":")[0] for m in found] == ["ingress[1]", "ingress[2]"]

    def test_a_block_unknown_at_preview_does_not_hide_the_known_ones(self):
        group = {"ingress": [UNKNOWN, block(STRAY_A, cidrBlocks=[USER_CIDR]), block(WEB.ports[0], cidrBlocks=[USER_CIDR])]}
        found, advisory = at_preview(ports.ingress_matches_channel, AWS_SECURITY_GROUP, group)
        assert [m.split(":")[0] for m in found] == ["ingress[1]"]
        assert advisory is not None and "ingress[0]" in advisory

    def test_an_unknown_source_group_in_one_block_leaves_the_cidr_block_reported(self):
        span = INTERCONNECT.ports[0]
        group = {"ingress": [block(span, securityGroups=[UNKNOWN]), block(span, cidrBlocks=["10.0.0.0/8"])]}
        found, advisory = at_preview(ports.interconnect_within_workers, AWS_SECURITY_GROUP, group)
        assert [m.split(":")[0] for m in found] == ["ingress[1]"] and advisory is not None

    def test_rules_of_all_ports_in_several_allows_entries_are_each_reported(self):
        firewall = {"direction": "INGRESS", "sourceRanges": [USER_CIDR], "allows": [{"protocol": "all"}, {"protocol": "udp"}]}
        assert len(check_resource(ports.no_all_ports_ingress, GCP_FIREWALL, firewall)) == 2


IDS = {"server-sg": "sg-server", "workers-sg": "sg-workers", "database-sg": "sg-database", "stray-sg": "sg-stray"}


def group_rule(name: str, ports_: PortRange, on: str, source: str | None = None, cidr: str | None = None) -> StackResource:
    props = {"ipProtocol": "tcp", "fromPort": ports_.first, "toPort": ports_.last, "securityGroupId": IDS[on]}
    refs = {"securityGroupId": [on]}
    if source:
        props["referencedSecurityGroupId"] = IDS[source]
        refs["referencedSecurityGroupId"] = [source]
    if cidr:
        props["cidrIpv4"] = cidr
    return StackResource(name, AWS_INGRESS_RULE, props, refs=refs)


def cluster(worker_groups=("workers-sg",), *rules: StackResource, database: bool = False) -> list[StackResource]:
    resources = [StackResource(name, AWS_SECURITY_GROUP, {"vpcId": "vpc-1"}) for name in IDS]
    resources.append(
        StackResource("server", AWS_INSTANCE, {"vpcSecurityGroupIds": ["sg-server"]}, refs={"vpcSecurityGroupIds": ["server-sg"]})
    )
    resources.append(
        StackResource(
            "pool",
            AWS_LAUNCH_TEMPLATE,
            {"vpcSecurityGroupIds": [IDS[g] for g in worker_groups]},
            refs={"vpcSecurityGroupIds": list(worker_groups)},
        )
    )
    if database:
        resources.append(
            StackResource(
                "db",
                AWS_DATABASE_CLUSTER,
                {"vpcSecurityGroupIds": ["sg-database"]},
                refs={"vpcSecurityGroupIds": ["database-sg"]},
            )
        )
    return resources + list(rules)


COMPLIANT = (
    group_rule("signal", SIGNAL.ports[0], "server-sg", source="workers-sg"),
    group_rule("data", DATA.ports[0], "server-sg", source="workers-sg"),
    group_rule("management-0", MANAGEMENT.ports[0], "server-sg", cidr=USER_CIDR),
    group_rule("management-1", MANAGEMENT.ports[0], "server-sg", cidr=OTHER_USER_CIDR),
    group_rule("web-0", WEB.ports[0], "server-sg", cidr=USER_CIDR),
    group_rule("web-1", WEB.ports[0], "server-sg", cidr=OTHER_USER_CIDR),
)


def lands(resources) -> list[tuple[str | None, str]]:
    return check_stack(ports.ingress_lands_on_channel_target, resources)


class TestJudgedByEveryMachine:
    def test_a_compliant_cluster_passes(self):
        assert lands(cluster(("workers-sg",), *COMPLIANT)) == []
        assert check_stack(ports.required_channels_open, cluster(("workers-sg",), *COMPLIANT)) == []

    def test_the_server_group_on_a_worker_pool_makes_its_user_rules_wrong_for_the_workers(self):
        found = lands(cluster(("workers-sg", "server-sg"), *COMPLIANT))
        flagged = {urn.rsplit("::", 1)[-1] for urn, _ in found}
        # Management and web reach the workers now; signal and data admit the group the workers share with the server.
        assert {"management-0", "management-1", "web-0", "web-1"} <= flagged
        assert all("protects the workers" in m or "holds the server" in m for _, m in found)

    def test_the_right_port_and_target_from_the_wrong_group_is_refused(self):
        wrong = group_rule("data", DATA.ports[0], "server-sg", source="database-sg")
        resources = cluster(("workers-sg",), *COMPLIANT[:1], wrong, *COMPLIANT[2:], database=True)
        ((urn, message),) = lands(resources)
        assert urn.endswith("::data") and "holds the database, but data comes from the workers" in message

    def test_a_rule_on_a_group_no_machine_holds_is_refused(self):
        stray = group_rule("stray", WEB.ports[0], "stray-sg", cidr=USER_CIDR)
        ((urn, message),) = lands(cluster(("workers-sg",), *COMPLIANT, stray))
        assert urn.endswith("::stray") and "no machine of this stack holds" in message

    def test_a_source_group_no_machine_holds_is_refused(self):
        stray = group_rule("signal", SIGNAL.ports[0], "server-sg", source="stray-sg")
        ((urn, message),) = lands(cluster(("workers-sg",), stray, *COMPLIANT[1:]))
        assert urn.endswith("::signal") and "admits a group no machine" in message

    def test_a_group_tagged_with_its_role_is_placed(self):
        tagged = StackResource("dashboard-workers", AWS_SECURITY_GROUP, {"tags": {"tdce:role": "worker-pool"}})
        span = INTERCONNECT.ports[0]
        props = {
            "ipProtocol": "tcp",
            "fromPort": span.first,
            "toPort": span.last,
            "securityGroupId": "x",
            "referencedSecurityGroupId": "x",
        }
        refs = {"securityGroupId": ["dashboard-workers"], "referencedSecurityGroupId": ["dashboard-workers"]}
        rule = StackResource("interconnect", AWS_INGRESS_RULE, props, refs=refs)
        assert lands(cluster(("workers-sg",), *COMPLIANT) + [tagged, rule]) == []


class TestRequiredChannelsFromEachSource:
    @pytest.fixture(autouse=True)
    def aws_aurora(self, monkeypatch):
        hand_example_config(monkeypatch, "aws-aurora")

    def test_the_database_channel_from_the_server_is_required_even_when_the_rotation_function_has_its_own(self):
        rotation_group = StackResource("rotation-sg", AWS_SECURITY_GROUP, {})
        rotation = StackResource(
            "rotation",
            "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
            {"parameters": {"vpcSecurityGroupIds": "sg-rotation"}},
            refs={"parameters": ["rotation-sg"]},
        )
        IDS["rotation-sg"] = "sg-rotation"
        from_rotation = group_rule("database-from-rotation", DATABASE.ports[0], "database-sg", source="rotation-sg")
        from_server = group_rule("database-from-server", DATABASE.ports[0], "database-sg", source="server-sg")
        base = cluster(("workers-sg",), *COMPLIANT[:2], *COMPLIANT[2:5:2], database=True) + [rotation_group, rotation]
        messages = [m for _, m in check_stack(ports.required_channels_open, base + [from_rotation])]
        assert "nothing opens database (tcp 5432) from the server to the database" in messages
        messages = [m for _, m in check_stack(ports.required_channels_open, base + [from_rotation, from_server])]
        assert not any("database" in m for m in messages), messages
        messages = [m for _, m in check_stack(ports.required_channels_open, base + [from_server])]
        # Once: each rule spec of the database channel has its own source.
        assert messages.count("nothing opens database (tcp 5432) from the secret-rotation to the database") == 1

    def test_a_missing_channel_after_one_that_is_off_or_has_no_target_is_still_reported(self):
        # aws-aurora leaves ssh off, and this stack has no database group: both come before the
        # secrets endpoint in the matrix, whose channel from the server and the workers is missing.
        endpoint = StackResource(
            "secrets",
            AWS_VPC_ENDPOINT,
            {"serviceName": "com.amazonaws.eu-west-1.secretsmanager", "securityGroupIds": ["sg-se"]},
        )
        found = [m for _, m in check_stack(ports.required_channels_open, cluster(("workers-sg",), *COMPLIANT) + [endpoint])]
        assert [m for m in found if "secrets-endpoint" in m] == [
            "nothing opens secrets-endpoint (tcp 443) from the server to the secrets-endpoint",
            "nothing opens secrets-endpoint (tcp 443) from the workers to the secrets-endpoint",
        ]
        assert not any("to the database" in m for m in found)


def test_a_rule_unknown_at_preview_defers_a_missing_channel_to_an_advisory():
    unknown = StackResource("later", AWS_INGRESS_RULE, {"ipProtocol": "tcp", "fromPort": UNKNOWN, "toPort": UNKNOWN})
    resources = [r for r in cluster(("workers-sg",), *COMPLIANT) if r.name != "data"] + [unknown]
    with pytest.raises(UnknownValueError):
        check_stack(ports.required_channels_open, resources)


class TestTopologyOfEndpointsAndTags:
    def subject(self, name: str, kind: str, props: dict) -> Subject:
        return Subject(type=kind, urn=f"urn:pulumi:test::tdce::{kind}::{name}", props=unknown_checking_proxy(props))

    def test_interface_endpoints_are_placed_by_their_service_and_groups_by_their_role_tag(self):
        subjects = [
            self.subject("pending", AWS_VPC_ENDPOINT, {"serviceName": UNKNOWN, "securityGroupIds": ["sg-pending"]}),
            self.subject("s3", AWS_VPC_ENDPOINT, {"serviceName": "com.amazonaws.eu-west-1.s3", "securityGroupIds": ["sg-s3"]}),
            self.subject(
                "secrets",
                AWS_VPC_ENDPOINT,
                {"serviceName": "com.amazonaws.eu-west-1.secretsmanager", "securityGroupIds": ["sg-se"]},
            ),
            self.subject("rds", AWS_VPC_ENDPOINT, {"serviceName": "com.amazonaws.eu-west-1.rds", "securityGroupIds": ["sg-rds"]}),
            self.subject("tagged", AWS_SECURITY_GROUP, {"tags": {"tdce:role": tags.DATABASE}}),
            self.subject("untagged", AWS_SECURITY_GROUP, {"tags": {"Name": "x"}}),
            self.subject("unknown-tags", AWS_SECURITY_GROUP, {"tags": UNKNOWN}),
        ]
        assert Topology.of(subjects).groups == {
            Role.SECRETS_ENDPOINT: frozenset({"sg-se"}),
            Role.RDS_ENDPOINT: frozenset({"sg-rds"}),
            Role.DATABASE: frozenset({"urn:pulumi:test::tdce::aws:ec2/securityGroup:SecurityGroup::tagged"}),
        }

    def test_a_role_tag_that_is_not_a_string_places_nothing(self):
        odd = self.subject("odd", AWS_SECURITY_GROUP, {"tags": {"tdce:role": ["worker-pool"]}})
        assert Topology.of([odd]).groups == {}

    def test_roles_are_listed_in_order(self):
        assert roles_label([Role.WORKERS, Role.SERVER]) == "server and workers"


SERVER_ACCOUNT = "tdce-server@my-project.iam.gserviceaccount.com"
WORKER_ACCOUNT = "tdce-worker@my-project.iam.gserviceaccount.com"
ACT_AS = "gcp:serviceaccount/iAMMember:IAMMember"


class TestGcpWorkersPlacedByWhoTheServerMayActAs:
    """A stack without declared pools: the dashboard's workers run as the account the server may act as."""

    @pytest.fixture(autouse=True)
    def gcp_prod(self, monkeypatch):
        hand_example_config(monkeypatch, "gcp-prod")

    @staticmethod
    def from_workers(name: str, span: PortRange, source_refs: list[str] | None = None) -> StackResource:
        props = {
            "direction": "INGRESS",
            "allows": [{"protocol": "tcp", "ports": [str(span.first)]}],
            "sourceServiceAccounts": [WORKER_ACCOUNT],
            "targetServiceAccounts": [SERVER_ACCOUNT],
        }
        return StackResource(name, GCP_FIREWALL, props, refs={"sourceServiceAccounts": source_refs} if source_refs else {})

    def stack(self, *extra: StackResource) -> list[StackResource]:
        server = StackResource("server", "gcp:compute/instance:Instance", {"serviceAccount": {"email": SERVER_ACCOUNT}})
        rules = [self.from_workers("signal", SIGNAL.ports[0]), self.from_workers("data", DATA.ports[0])]
        return [server, *rules, *extra]

    @staticmethod
    def acting_as(member: str, role: str = "roles/iam.serviceAccountUser") -> StackResource:
        account = f"projects/my-project/serviceAccounts/{WORKER_ACCOUNT}"
        return StackResource("server-acts-as-worker", ACT_AS, {"serviceAccountId": account, "role": role, "member": member})

    def unplaced(self, resources) -> set[str]:
        return {urn.rsplit("::", 1)[-1] for urn, message in lands(resources) if "admits a group no machine" in message}

    def test_without_the_grant_the_workers_account_is_held_by_nothing(self):
        assert self.unplaced(self.stack()) == {"signal", "data"}

    def test_the_account_the_server_may_act_as_holds_the_workers(self):
        resources = self.stack(self.acting_as(f"serviceAccount:{SERVER_ACCOUNT}"))
        assert lands(resources) == []

    def test_the_grant_places_the_account_by_reference_while_its_name_is_unknown(self):
        worker = StackResource("worker", "gcp:serviceaccount/account:Account", {"accountId": "tdce-worker"})
        grant = StackResource(
            "server-acts-as-worker",
            ACT_AS,
            {"serviceAccountId": UNKNOWN, "role": "roles/iam.serviceAccountUser", "member": f"serviceAccount:{SERVER_ACCOUNT}"},
            refs={"serviceAccountId": ["worker"]},
        )
        server = StackResource("server", "gcp:compute/instance:Instance", {"serviceAccount": {"email": SERVER_ACCOUNT}})
        rules = [self.from_workers("signal", SIGNAL.ports[0], ["worker"]), self.from_workers("data", DATA.ports[0], ["worker"])]
        assert self.unplaced([server, worker, grant, *rules]) == set()

    def test_acting_as_granted_to_someone_else_places_nothing(self):
        resources = self.stack(self.acting_as("user:alice@example.com"))
        assert self.unplaced(resources) == {"signal", "data"}

    def test_another_role_on_the_account_places_nothing(self):
        resources = self.stack(self.acting_as(f"serviceAccount:{SERVER_ACCOUNT}", role="roles/iam.serviceAccountTokenCreator"))
        assert self.unplaced(resources) == {"signal", "data"}

    def test_a_binding_that_lists_the_server_among_its_members_places_the_account(self):
        binding = StackResource(
            "acting-as-binding",
            "gcp:serviceaccount/iAMBinding:IAMBinding",
            {
                "serviceAccountId": f"projects/my-project/serviceAccounts/{WORKER_ACCOUNT}",
                "role": "roles/iam.serviceAccountUser",
                "members": ["user:alice@example.com", f"serviceAccount:{SERVER_ACCOUNT}"],
            },
        )
        assert self.unplaced(self.stack(binding)) == set()

    def test_a_grant_whose_role_is_unknown_at_preview_places_nothing(self):
        grant = self.acting_as(f"serviceAccount:{SERVER_ACCOUNT}")
        grant.props["role"] = UNKNOWN
        assert self.unplaced(self.stack(grant)) == {"signal", "data"}

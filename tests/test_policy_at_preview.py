"""The policies on what the engine sends at `pulumi preview` of a new stack, in-process: stack policies get
each resource's outputs, where what the provider computes is unknown, and inputs made from other
resources' outputs are unknown too (pulumi/pulumi step_generator.go; tdce/recording.py's preview)."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from config.channels import Direction
from config.resource_types import (
    AWS_BUCKET_ENCRYPTION,
    AWS_BUCKET_POLICY,
    AWS_BUCKETS,
    AWS_EGRESS_RULE,
    AWS_ROLE,
    AWS_SECURITY_GROUP,
    AWS_VPC_ENDPOINT,
    GCP_CUSTOM_ROLE,
    GCP_FIREWALL,
    GCP_GLOBAL_ADDRESS,
    GCP_IAM_GRANTS,
)
from policies import buckets, compute, data, database, identity, ports
from policies.firewall_rules import firewall_rules
from policies.reading import Subject, count, is_set, provider_mirror
from tests.policy_harness import UNKNOWN, StackResource, check_resource, hand_config, stack_at_preview
from tests.policy_harness import at_preview as resource_at_preview
from tests.support import stack_values
from tests.test_policy_egress import DENY, WORKER_SA, aws_stack, gcp_stack, messages

BUCKET = AWS_BUCKETS[0]
ENCRYPTION = AWS_BUCKET_ENCRYPTION[0]
TLS_ONLY = json.dumps(
    {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
)
SSE = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]


def subject(props: dict, sees_outputs: bool) -> Subject:
    return Subject("t", "urn:pulumi:test::tdce::t::s", unknown_checking_proxy(props), sees_outputs=sees_outputs)


class TestReading:
    def test_a_wholly_unknown_output_is_the_provider_s_mirror_only_for_a_stack_policy(self):
        assert provider_mirror(subject({"inlinePolicies": UNKNOWN}, sees_outputs=True), "inlinePolicies") is True
        assert provider_mirror(subject({"inlinePolicies": UNKNOWN}, sees_outputs=False), "inlinePolicies") is False

    @pytest.mark.parametrize(
        "props", [{"inlinePolicies": [UNKNOWN]}, {"inlinePolicies": []}, {}], ids=["an unknown element", "empty", "absent"]
    )
    def test_a_list_the_program_wrote_or_left_out_is_no_mirror(self, props):
        assert provider_mirror(subject(props, sees_outputs=True), "inlinePolicies") is False

    def test_an_unknown_value_made_from_another_resource_is_the_program_s_not_a_mirror(self):
        # The engine sends property dependencies only for inputs made from other resources' outputs.
        made = Subject(
            "t",
            "urn:pulumi:test::tdce::t::s",
            unknown_checking_proxy({"policy": UNKNOWN}),
            property_dependencies={"policy": ("urn:role",)},
            sees_outputs=True,
        )
        assert provider_mirror(made, "policy") is False

    @pytest.mark.parametrize(("props", "expected"), [({"k": UNKNOWN}, True), ({"k": "x"}, True), ({"k": ""}, False), ({}, False)])
    def test_a_value_unknown_at_preview_is_set(self, props, expected):
        assert is_set(unknown_checking_proxy(props), "k") is expected

    def test_a_list_s_elements_are_counted_unread(self):
        assert count(unknown_checking_proxy({"k": [UNKNOWN, UNKNOWN]})["k"]) == 2


class TestBuckets:
    def bucket(self, **outputs) -> StackResource:
        # The bucket's own encryption and policy outputs: unknown at preview when the program states none.
        return StackResource("bundles", BUCKET, {"serverSideEncryptionConfiguration": UNKNOWN, "policy": UNKNOWN, **outputs})

    def attached(self, kind: str, props: dict) -> StackResource:
        return StackResource(
            f"bundles-{kind.rsplit(':', 1)[1]}", kind, {"bucket": UNKNOWN, **props}, refs={"bucket": ["bundles"]}
        )

    def test_an_attached_encryption_configuration_passes_at_preview(self):
        resources = [self.bucket(), self.attached(ENCRYPTION, {"rules": SSE})]
        assert stack_at_preview(buckets.bucket_encrypted, resources) == ([], None)

    def test_without_an_attached_configuration_the_bucket_s_unknown_output_is_no_encryption(self):
        ((urn, message),), unknown = stack_at_preview(buckets.bucket_encrypted, [self.bucket()])
        assert message == "the bucket has no default encryption configuration" and unknown is None

    def test_an_attached_configuration_unknown_at_preview_is_undecided_not_a_violation(self):
        resources = [self.bucket(), self.attached(ENCRYPTION, {"rules": UNKNOWN})]
        assert stack_at_preview(buckets.bucket_encrypted, resources) == (
            [],
            "string value at .bundles encryption can't be known during preview",
        )

    def test_a_bucket_after_one_that_holds_is_still_left_undecided(self):
        logs = StackResource("logs", BUCKET, {"serverSideEncryptionConfiguration": UNKNOWN, "policy": UNKNOWN})
        logs_encryption = StackResource(
            "logs-encryption", ENCRYPTION, {"bucket": UNKNOWN, "rules": UNKNOWN}, refs={"bucket": ["logs"]}
        )
        resources = [self.bucket(), self.attached(ENCRYPTION, {"rules": SSE}), logs, logs_encryption]
        assert stack_at_preview(buckets.bucket_encrypted, resources) == (
            [],
            "string value at .logs encryption can't be known during preview",
        )

    def test_the_bucket_s_own_configuration_made_from_another_resource_is_undecided_not_absent(self):
        # `server_side_encryption_configuration` built from a KMS key's ARN: unknown at preview, the program's.
        key = StackResource("key", "aws:kms/key:Key", {"arn": UNKNOWN})
        bucket = StackResource(
            "bundles", BUCKET, {"serverSideEncryptionConfiguration": UNKNOWN}, refs={"serverSideEncryptionConfiguration": ["key"]}
        )
        assert stack_at_preview(buckets.bucket_encrypted, [key, bucket]) == (
            [],
            "string value at .bundles encryption can't be known during preview",
        )

    def test_encryption_the_bucket_states_itself_counts(self):
        inline = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}}
        assert stack_at_preview(buckets.bucket_encrypted, [self.bucket(serverSideEncryptionConfiguration=inline)]) == ([], None)

    def test_a_tls_only_policy_attached_passes_and_none_is_a_violation_at_preview(self):
        resources = [self.bucket(), self.attached(AWS_BUCKET_POLICY, {"policy": TLS_ONLY})]
        assert stack_at_preview(buckets.bucket_tls_only, resources) == ([], None)
        ((_, message),), unknown = stack_at_preview(buckets.bucket_tls_only, [self.bucket()])
        assert message.startswith("no bucket policy denies requests without TLS") and unknown is None

    def test_an_attached_policy_unknown_at_preview_is_undecided(self):
        resources = [self.bucket(), self.attached(AWS_BUCKET_POLICY, {"policy": UNKNOWN})]
        assert stack_at_preview(buckets.bucket_tls_only, resources) == (
            [],
            "string value at .bundles policy can't be known during preview",
        )


class TestSecurityGroups:
    def test_inline_blocks_in_a_group_s_inputs_are_refused_with_both_named(self):
        (message,) = check_resource(
            ports.no_inline_security_group_rules, AWS_SECURITY_GROUP, {"ingress": [{"protocol": "-1"}], "egress": [UNKNOWN]}
        )
        assert message == (
            "inline ingress and egress on a security group: this stack's rules are separate rule resources, and the "
            "provider reconciles an inline list against AWS, deleting the separate rules, which are then recreated"
        )

    def test_a_prefix_list_unknown_at_preview_names_its_endpoint(self):
        rule = Subject(
            AWS_EGRESS_RULE,
            "urn:pulumi:test::tdce::rule::out",
            unknown_checking_proxy(
                {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListId": UNKNOWN, "securityGroupId": UNKNOWN}
            ),
            property_dependencies={"prefixListId": ("urn:endpoint",), "securityGroupId": ("urn:group",)},
            sees_outputs=True,
        )
        (extracted,) = firewall_rules(rule, Direction.EGRESS).rules
        assert extracted.prefix_lists == {"urn:endpoint"} and extracted.other_peers == ("urn:endpoint",)
        assert extracted.group == {"urn:group"}


class TestObjectStorageByPrefixListId:
    @pytest.fixture(autouse=True)
    def aws_prod(self, monkeypatch):

        hand_config(monkeypatch, "aws-prod", stack_values("aws-prod")[0])

    def test_a_rule_naming_the_endpoint_s_known_prefix_list_id_is_the_object_storage_row(self):
        # After a refresh, or a rule made by hand, without property dependencies: the endpoint's prefix
        # list ID (an output of the endpoint) is what both name.

        resources = aws_stack()
        for r in resources:
            if r.type == AWS_VPC_ENDPOINT:
                r.props["prefixListId"] = "pl-6da54004"
            if r.type == AWS_EGRESS_RULE and "prefixListId" in r.props:
                r.props["prefixListId"] = "pl-6da54004"
                r.refs.pop("prefixListId", None)
        assert messages(resources) == []


class TestResourceInputsUnknownAtPreview:
    def test_a_machine_s_email_unknown_at_preview_is_undecided(self):
        # It may be the default account's, from an invoke on a project the stack creates.
        found, unknown = resource_at_preview(
            compute.no_default_service_account, "gcp:compute/instance:Instance", {"serviceAccount": {"email": UNKNOWN}}
        )
        assert found == [] and unknown == "string value at .serviceAccount.email can't be known during preview"

    def test_a_final_snapshot_identifier_unknown_at_preview_is_set(self):
        props = {"deletionProtection": True, "finalSnapshotIdentifier": UNKNOWN}
        assert check_resource(data.database_deletion_safeguards, "aws:rds/cluster:Cluster", props) == []

    def test_a_private_network_unknown_at_preview_is_set(self):
        props = {"settings": {"ipConfiguration": {"ipv4Enabled": False, "privateNetwork": UNKNOWN}}}
        assert check_resource(database.database_private_only, "gcp:sql/databaseInstance:DatabaseInstance", props) == []


class TestIdentityAtPreview:
    @pytest.fixture(autouse=True)
    def gcp_stack(self, monkeypatch):
        monkeypatch.setenv("PULUMI_STACK", "gcp-prod")

    def test_a_role_s_unknown_copies_of_its_policies_are_not_waited_for(self):
        role = StackResource("server", AWS_ROLE, {"inlinePolicies": UNKNOWN, "managedPolicyArns": UNKNOWN})
        assert stack_at_preview(identity.iam_least_privilege, [role]) == ([], None)

    def test_inline_policies_the_program_writes_are_judged(self):
        everything = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        role = StackResource("server", AWS_ROLE, {"inlinePolicies": [{"name": "all", "policy": everything}]})
        found, _ = stack_at_preview(identity.iam_least_privilege, [role])
        assert [m.split(" ")[0] for _, m in found] and all(m.startswith("inlinePolicies[0]") for _, m in found)

    def grants(self, role_props: dict, condition) -> list[StackResource]:
        custom = StackResource(
            "operator", GCP_CUSTOM_ROLE, {"roleId": "tdceOperator", "permissions": ["compute.instances.create"]}
        )
        grant = StackResource(
            "server-operator", GCP_IAM_GRANTS[0], {**role_props, "condition": condition}, refs={"role": ["operator"]}
        )
        return [custom, grant]

    def test_a_custom_role_named_by_its_unknown_output_is_judged_by_its_permissions(self):
        ((_, message),), unknown = stack_at_preview(identity.iam_least_privilege, self.grants({"role": UNKNOWN}, None))
        assert message.startswith("grants the custom role operator, which changes Compute Engine resources") and unknown is None

    def test_its_condition_unknown_at_preview_is_undecided(self):
        found, unknown = stack_at_preview(identity.iam_least_privilege, self.grants({"role": UNKNOWN}, UNKNOWN))
        assert found == [] and unknown == "string value at .server-operator can't be known during preview"

    def test_an_unknown_role_from_no_custom_role_is_undecided(self):
        grant = StackResource("grant", GCP_IAM_GRANTS[0], {"role": UNKNOWN})
        assert stack_at_preview(identity.iam_least_privilege, [grant]) == (
            [],
            "string value at .grant can't be known during preview",
        )

    def test_a_condition_is_read_only_for_compute_rights(self):
        client = StackResource("client", GCP_IAM_GRANTS[0], {"role": "roles/cloudsql.client", "condition": UNKNOWN})
        assert stack_at_preview(identity.iam_least_privilege, [client]) == ([], None)

    def test_every_binding_of_a_project_policy_is_judged(self):
        policy = {"bindings": [{"role": "roles/cloudsql.client"}, {"role": "roles/compute.admin"}]}
        resource = StackResource("policy", "gcp:projects/iAMPolicy:IAMPolicy", {"policyData": json.dumps(policy)})
        ((_, message),), _ = stack_at_preview(identity.iam_least_privilege, [resource])
        assert message.startswith("grants roles/compute.admin, which changes Compute Engine resources")


class TestGcpDenyAtPreview:
    @pytest.fixture(autouse=True)
    def gcp_prod(self, monkeypatch):

        hand_config(monkeypatch, "gcp-prod", stack_values("gcp-prod")[0])

    def test_a_range_unknown_at_preview_reaches_what_it_was_made_from_and_nothing_else(self):

        # At preview the peering range's address is unknown, and so is every range made from it.
        resources = [
            StackResource(r.name, r.type, {**r.props, "address": UNKNOWN}) if r.type == GCP_GLOBAL_ADDRESS else r
            for r in gcp_stack()
        ]
        deny = StackResource(DENY.name, DENY.type, {**DENY.props, "destinationRanges": [UNKNOWN]}, refs=DENY.refs)
        # An allow for the workers, ahead of the deny, to a range made from another address: not Cloud SQL's.
        other = StackResource("other-range", GCP_GLOBAL_ADDRESS, {"addressType": "INTERNAL", "address": UNKNOWN})
        allow = StackResource(
            "allow-elsewhere",
            GCP_FIREWALL,
            {
                "direction": "EGRESS",
                "allows": [{"protocol": "tcp"}],
                "targetServiceAccounts": [WORKER_SA],
                "destinationRanges": [UNKNOWN],
                "priority": 100,
            },
            refs={"destinationRanges": ["other-range"]},
        )
        assert messages([*resources, deny]) == []
        assert messages([*resources, other, deny, allow]) == []


class TestNoRemoteAccessFromInternetAtPreview:
    """CIDRs of one rule that together make the whole internet are the internet (config/internet.py)."""

    SSH_FROM = {"direction": "INGRESS", "allows": [{"protocol": "tcp", "ports": ["22"]}]}

    def test_two_halves_of_the_ipv4_internet_known_at_preview_are_refused(self):
        props = {**self.SSH_FROM, "sourceRanges": ["0.0.0.0/1", "128.0.0.0/1"], "targetServiceAccounts": [UNKNOWN]}
        assert resource_at_preview(ports.no_remote_access_from_internet, GCP_FIREWALL, props) == (
            ["allows[0]: tcp 22 admits 0.0.0.0/1 + 128.0.0.0/1 (together 0.0.0.0/0): port 22 open to the whole internet"],
            None,
        )

    def test_a_half_and_a_range_unknown_at_preview_are_undecided_not_passed(self):
        props = {**self.SSH_FROM, "sourceRanges": ["0.0.0.0/1", UNKNOWN]}
        assert resource_at_preview(ports.no_remote_access_from_internet, GCP_FIREWALL, props) == (
            [],
            "string value at .allows[0] can't be known during preview",
        )

    def test_two_halves_that_leave_a_quarter_out_pass(self):
        props = {**self.SSH_FROM, "sourceRanges": ["0.0.0.0/1", "128.0.0.0/2"]}
        assert resource_at_preview(ports.no_remote_access_from_internet, GCP_FIREWALL, props) == ([], None)

"""iam-least-privilege and role-trust-scoped on literal IAM documents: the IAM contract of docs/policy-pack.md, both ways."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from config.resource_types import (
    AWS_BUCKETS,
    AWS_INSTANCE_PROFILE,
    AWS_ROLE,
    AWS_SECURITY_GROUP,
    AWS_SUBNET,
    AWS_VPC,
    GCP_CUSTOM_ROLE,
    GCP_IAM_GRANTS,
)
from policies import identity, role_trust
from policies.iam_documents import DocumentContext, Findings, broad, document_findings, is_read
from policies.reading import Subject
from tests.policy_harness import UNKNOWN, StackResource, check_resource, check_stack, hand_config, stack_at_preview

STACK = "aws-prod"
VPC_ID, SUBNET_ID, OTHER_VPC_ID = "vpc-0a1b2c3d", "subnet-0a1b2c3d", "vpc-99999999"
VPC_ARN = f"arn:aws:ec2:eu-west-1:111122223333:vpc/{VPC_ID}"
SUBNET_ARN = f"arn:aws:ec2:eu-west-1:111122223333:subnet/{SUBNET_ID}"
WORKER_ROLE_ARN = "arn:aws:iam::111122223333:role/tdce-worker-role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(autouse=True)
def stack_name(monkeypatch: pytest.MonkeyPatch) -> None:
    hand_config(monkeypatch, STACK, None)


def iam(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resources, condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def stack_with(*statements: dict, machine: bool = True, policy=None) -> list[StackResource]:
    """A VPC, a subnet, a bucket named by Pulumi, a role (behind an instance profile when `machine`) and its policy."""
    resources = [
        StackResource("vpc", AWS_VPC, {"cidrBlock": "10.0.0.0/16"}),
        StackResource("subnet", AWS_SUBNET, {"vpcId": VPC_ID}, refs={"vpcId": ["vpc"]}),
        StackResource(
            "instance-subnet-user", AWS_SECURITY_GROUP, {"vpcId": VPC_ID, "name": SUBNET_ID}, refs={"name": ["subnet"]}
        ),
        StackResource("bundles", AWS_BUCKETS[0], {"forceDestroy": False}),
        StackResource("role", AWS_ROLE, {"assumeRolePolicy": "{}"}),
        StackResource("policy", ROLE_POLICY, {"policy": policy or iam(*statements), "role": "role-id"}, refs={"role": ["role"]}),
    ]
    if machine:
        resources.append(StackResource("profile", AWS_INSTANCE_PROFILE, {"role": "role-id"}, refs={"role": ["role"]}))
    return resources


def problems(*statements: dict, **options) -> list[str]:
    return [message for _, message in check_stack(identity.iam_least_privilege, stack_with(*statements, **options))]


TAG_EQUALS = {"StringEquals": {"aws:ResourceTag/tdce:stack": STACK}}
MUTATING = ["ec2:TerminateInstances", "ec2:CreateTags"]


class TestDeploymentCondition:
    @pytest.mark.parametrize(
        "condition",
        [
            {"StringEquals": {"aws:RequestTag/tdce:stack": STACK}},
            {"StringEquals": {"aws:ResourceTag/tdce:stack": STACK}},
            {"StringEquals": {"ec2:ResourceTag/tdce:stack": STACK}},
            {"StringEquals": {"autoscaling:ResourceTag/tdce:stack": [STACK]}},
            {"StringLike": {"aws:ResourceTag/tdce:stack": STACK}},
            {"StringEquals": {"AWS:ResourceTag/TDCE:STACK": STACK}},  # condition keys are case-insensitive
            {"ArnEquals": {"ec2:Vpc": VPC_ARN}},
            {"ArnLike": {"ec2:Subnet": [SUBNET_ARN]}},
        ],
    )
    def test_a_mutating_action_on_every_resource_with_a_deployment_condition_passes(self, condition):
        assert problems(allow(MUTATING, "*", condition)) == []

    @pytest.mark.parametrize(
        "condition",
        [
            None,
            {"StringEquals": {"aws:ResourceTag/tdce:stack": "aws-dev"}},
            {"StringEquals": {"aws:ResourceTag/tdce:stack": [STACK, "aws-dev"]}},
            {"StringLike": {"aws:ResourceTag/tdce:stack": "aws-*"}},
            {"StringNotEquals": {"aws:ResourceTag/tdce:stack": STACK}},
            {"StringEquals": {"aws:ResourceTag/owner": STACK}},
            {"ArnEquals": {"ec2:Vpc": f"arn:aws:ec2:eu-west-1:111122223333:vpc/{OTHER_VPC_ID}"}},
            {"ArnLike": {"ec2:Vpc": "arn:aws:ec2:eu-west-1:111122223333:vpc/*"}},
            {"ArnEquals": {"ec2:Vpc": SUBNET_ARN}},
            {"StringEquals": {"ec2:Vpc": VPC_ARN}},
        ],
    )
    def test_the_same_action_without_a_deployment_condition_is_refused(self, condition):
        (message,) = problems(allow(MUTATING, "*", condition))
        assert "ec2:TerminateInstances, ec2:CreateTags on * without a deployment condition" in message

    @pytest.mark.parametrize(
        "resource",
        [
            "arn:aws:ec2:eu-west-1:111122223333:instance/*",
            "arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/tdce-*",
            "arn:aws:ec2:eu-west-1:111122223333:launch-template/lt-?",
        ],
    )
    def test_a_wildcard_in_the_resource_name_needs_the_condition_too(self, resource):
        assert problems(allow(MUTATING, resource)) != []
        assert problems(allow(MUTATING, resource, TAG_EQUALS)) == []

    def test_named_resources_and_reads_need_no_condition(self):
        named = "arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:0ab1:autoScalingGroupName/tdce-pool"
        assert problems(allow(["autoscaling:SetDesiredCapacity"], named)) == []
        assert (
            problems(allow(["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups", "ec2:GetConsoleOutput"], "*")) == []
        )

    def test_data_reads_on_every_resource_need_the_condition(self):
        (message,) = problems(allow(["secretsmanager:GetSecretValue"], "*"))
        assert "secretsmanager:GetSecretValue on *" in message
        assert problems(allow(["secretsmanager:GetSecretValue"], "*", TAG_EQUALS)) == []

    def test_the_network_unknown_to_the_pack_gives_no_verdict(self):
        resources = [r for r in stack_with(allow(MUTATING, "*", {"ArnEquals": {"ec2:Vpc": VPC_ARN}})) if r.name != "subnet"]
        unknown_id = StackResource("vpc-user", AWS_SECURITY_GROUP, {"vpcId": UNKNOWN}, refs={"vpcId": ["vpc"]})
        resources = [r for r in resources if r.name != "instance-subnet-user"] + [unknown_id]
        with pytest.raises(UnknownValueError) as raised:
            check_stack(identity.iam_least_privilege, resources)
        assert "network condition" in raised.value.message

    def test_every_offending_statement_is_reported(self):
        found = problems(allow(MUTATING, "*"), allow(["ec2:RunInstances"], "*"), allow("s3:*", "arn:aws:s3:::x"))
        assert len(found) == 4, found  # two unconditioned statements, a wildcard action, a foreign bucket


class TestPassRole:
    def test_a_named_role_passed_to_ec2_passes(self):
        condition = {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
        assert problems(allow("iam:PassRole", [WORKER_ROLE_ARN], condition)) == []

    def test_an_unnamed_role_is_refused_even_with_the_condition(self):
        condition = {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
        for resource in ("*", "arn:aws:iam::111122223333:role/tdce-*"):
            (message,) = problems(allow("iam:PassRole", resource, condition))
            assert "only named role ARNs" in message

    def test_a_named_role_without_passed_to_service_is_refused(self):
        (message,) = problems(allow("iam:PassRole", WORKER_ROLE_ARN))
        assert "iam:PassedToService" in message
        (message,) = problems(allow("iam:PassRole", WORKER_ROLE_ARN, {"StringLike": {"iam:PassedToService": "*"}}))
        assert "iam:PassedToService" in message


class TestBeyondTheStack:
    OWN = "arn:aws:s3:::bundles-4f3a2b1"  # Pulumi's auto-name: the logical name and a random suffix

    def test_this_stacks_bucket_passes(self):
        assert problems(allow(["s3:GetObject", "s3:PutObject"], [f"{self.OWN}/*"]), allow("s3:ListBucket", self.OWN)) == []

    @pytest.mark.parametrize("resource", ["arn:aws:s3:::*", "arn:aws:s3:::*/*", "*/*", "arn:aws:s3:::other-bucket/*"])
    def test_resources_beyond_the_stack_are_refused_in_machine_roles(self, resource):
        assert problems(allow(["s3:GetObject"], resource, TAG_EQUALS)) != []

    def test_object_actions_on_every_resource_are_refused_in_machine_roles(self):
        assert any("every bucket" in m for m in problems(allow(["s3:PutObject"], "*", TAG_EQUALS)))

    def test_a_role_without_an_instance_profile_is_no_machine_role(self):
        assert problems(allow(["s3:GetObject"], "arn:aws:s3:::other-bucket/*"), machine=False) == []


class TestActionsAndManagedPolicies:
    @pytest.mark.parametrize("action", ["*", "s3:*", "ec2:Create*", "iam:*Role*"])
    def test_wildcard_actions_are_refused(self, action):
        assert problems(allow(action, "arn:aws:s3:::bundles-1/x")) != []

    def test_read_only_action_wildcards_pass(self):
        assert problems(allow("ec2:Describe*", "*")) == []

    def test_deny_statements_and_negations(self):
        assert problems({"Effect": "Deny", "Action": "*", "Resource": "*"}) == []
        assert problems({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::bundles-1"}) != []

    @pytest.mark.parametrize(
        "arn",
        [
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/PowerUserAccess",
            "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
            "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
        ],
    )
    def test_administrator_class_managed_policies_are_refused_however_attached(self, arn):
        role = StackResource("role", AWS_ROLE, {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", arn]})
        ((urn, message),) = check_stack(identity.iam_least_privilege, [role])
        assert urn == role.urn and arn in message
        attachment = StackResource("attach", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"policyArn": arn})
        assert check_stack(identity.iam_least_privilege, [attachment]) != []
        exclusive = StackResource(
            "all", "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", {"policyArns": [arn]}
        )
        assert check_stack(identity.iam_least_privilege, [exclusive]) != []

    def test_service_role_policies_pass(self):
        arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
        role = StackResource("role", AWS_ROLE, {"managedPolicyArns": [arn]})
        assert check_stack(identity.iam_least_privilege, [role]) == []


PREFIX_CONDITION = {
    "title": "this stack's workers",
    # gcp-prod's prefix, by config/gcp_names.py's rules: `tdce-`, the stack's name, `--`.
    "expression": 'resource.name.extract("/instanceGroupManagers/{name}").startsWith("tdce-gcp-prod--")',
}


class TestGcpGrants:
    @pytest.fixture(autouse=True)
    def gcp_stack(self, monkeypatch):
        monkeypatch.setenv("PULUMI_STACK", "gcp-prod")

    @pytest.mark.parametrize("kind", GCP_IAM_GRANTS)
    @pytest.mark.parametrize("role", ["roles/owner", "roles/editor", "roles/viewer"])
    def test_basic_roles_are_refused_on_any_grant(self, kind, role):
        assert check_stack(identity.iam_least_privilege, [StackResource("grant", kind, {"role": role})]) != []

    def test_basic_roles_in_a_whole_policy_are_refused(self):
        data = json.dumps({"bindings": [{"role": "roles/viewer", "members": ["user:a@example.com"]}]})
        grant = StackResource("policy", "gcp:projects/iAMPolicy:IAMPolicy", {"policyData": data})
        assert check_stack(identity.iam_least_privilege, [grant]) != []

    def scaler(self, permissions, condition=None) -> list[StackResource]:
        role = StackResource("scaler", GCP_CUSTOM_ROLE, {"roleId": "tdce_scaler", "permissions": permissions})
        props = {"role": "projects/p/roles/tdce_scaler", "member": "serviceAccount:s@p.iam.gserviceaccount.com"}
        if condition:
            props["condition"] = condition
        return [role, StackResource("grant", GCP_IAM_GRANTS[0], props, refs={"role": ["scaler"]})]

    def test_a_project_grant_of_compute_writes_needs_the_prefix_condition(self):
        writes = ["compute.instanceGroupManagers.update", "compute.instances.get"]
        ((_, message),) = check_stack(identity.iam_least_privilege, self.scaler(writes))
        assert "'tdce-gcp-prod--'" in message
        assert check_stack(identity.iam_least_privilege, self.scaler(writes, PREFIX_CONDITION)) == []
        other_stack = {**PREFIX_CONDITION, "expression": PREFIX_CONDITION["expression"].replace("gcp-prod", "gcp-dev")}
        assert check_stack(identity.iam_least_privilege, self.scaler(writes, other_stack)) != []
        no_name = {"title": "t", "expression": 'request.time < timestamp("2030-01-01T00:00:00Z") && "tdce-gcp-prod--" != ""'}
        assert check_stack(identity.iam_least_privilege, self.scaler(writes, no_name)) != []
        # Another stack's prefix that begins with this one's name (gcp-prod-eu) is not this stack's.
        longer = {**PREFIX_CONDITION, "expression": PREFIX_CONDITION["expression"].replace("gcp-prod--", "gcp-prod-eu--")}
        assert check_stack(identity.iam_least_privilege, self.scaler(writes, longer)) != []
        # The images' condition names the prefix after the resource path; that counts as well.
        images = {"title": "t", "expression": 'resource.name.startsWith("projects/p/global/images/tdce-gcp-prod--")'}
        assert check_stack(identity.iam_least_privilege, self.scaler(writes, images)) == []

    def test_the_prefix_in_the_conditions_title_alone_does_not_count(self):
        # Only the expression limits the grant; the title is a label (IAM Conditions overview,
        # https://cloud.google.com/iam/docs/conditions-overview#structure).
        writes = ["compute.instanceGroupManagers.update"]
        titled = {
            "title": 'resource.name.startsWith("tdce-gcp-prod--")',
            "expression": 'request.time < timestamp("2030-01-01T00:00:00Z")',
        }
        assert len(check_stack(identity.iam_least_privilege, self.scaler(writes, titled))) == 1
        member = "serviceAccount:s@p.iam.gserviceaccount.com"
        binding = {"role": "roles/compute.instanceAdmin.v1", "members": [member], "condition": titled}
        whole = StackResource("policy", "gcp:projects/iAMPolicy:IAMPolicy", {"policyData": json.dumps({"bindings": [binding]})})
        assert len(check_stack(identity.iam_least_privilege, [whole])) == 1
        binding["condition"] = PREFIX_CONDITION
        whole = StackResource("policy", "gcp:projects/iAMPolicy:IAMPolicy", {"policyData": json.dumps({"bindings": [binding]})})
        assert check_stack(identity.iam_least_privilege, [whole]) == []

    def test_a_project_grant_of_compute_reads_needs_no_condition(self):
        assert check_stack(identity.iam_least_privilege, self.scaler(["compute.instances.get", "compute.instances.list"])) == []

    def test_predefined_compute_roles_count_as_writes(self):
        grant = StackResource("grant", GCP_IAM_GRANTS[0], {"role": "roles/compute.instanceAdmin.v1"})
        assert check_stack(identity.iam_least_privilege, [grant]) != []
        on_one_bucket = StackResource(
            "grant", "gcp:storage/bucketIAMMember:BucketIAMMember", {"role": "roles/storage.objectAdmin"}
        )
        assert check_stack(identity.iam_least_privilege, [on_one_bucket]) == []

    def test_acting_as_every_service_account_is_refused(self):
        grant = StackResource("grant", GCP_IAM_GRANTS[0], {"role": "roles/iam.serviceAccountUser"})
        assert check_stack(identity.iam_least_privilege, [grant]) != []
        on_the_worker = StackResource("grant", "gcp:serviceaccount/iAMMember:IAMMember", {"role": "roles/iam.serviceAccountUser"})
        assert check_stack(identity.iam_least_privilege, [on_the_worker]) == []


def trust(*statements: dict) -> dict:
    return {"assumeRolePolicy": iam(*statements)}


def trusted(principal, condition=None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return statement


class TestRoleTrust:
    def check(self, props):
        return check_resource(role_trust.role_trust_scoped, AWS_ROLE, props)

    @pytest.mark.parametrize("service", role_trust.PASSED_ROLE_SERVICES)
    def test_services_handed_the_role_by_this_account_pass(self, service):
        assert self.check(trust(trusted({"Service": service}))) == []

    def test_everyone_is_refused(self):
        assert self.check(trust(trusted("*"))) != []
        assert self.check(trust(trusted({"AWS": "*"}, {"StringEquals": {"sts:ExternalId": "x"}}))) != []

    def test_another_account_needs_a_condition(self):
        assert self.check(trust(trusted({"AWS": "arn:aws:iam::999988887777:root"}))) != []
        assert self.check(trust(trusted({"AWS": "999988887777"}))) != []
        assert self.check(trust(trusted({"AWS": "999988887777"}, {"StringEquals": {"sts:ExternalId": "tdce"}}))) == []

    def test_the_stacks_own_account_needs_none(self, monkeypatch):
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"aws:allowedAccountIds": '["999988887777"]'}))
        assert self.check(trust(trusted({"AWS": "arn:aws:iam::999988887777:role/admin"}))) == []

    def test_other_services_need_the_source_account(self):
        assert self.check(trust(trusted({"Service": "sns.amazonaws.com"}))) != []
        scoped = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
        assert self.check(trust(trusted({"Service": "sns.amazonaws.com"}, scoped))) == []
        other_key = {"StringEquals": {"aws:PrincipalTag/x": "y"}}
        assert self.check(trust(trusted({"Service": "sns.amazonaws.com"}, other_key))) != []

    def test_identity_providers_need_a_condition(self):
        assert self.check(trust(trusted({"Federated": "arn:aws:iam::111122223333:oidc-provider/x"}))) != []

    def test_every_offending_statement_is_reported(self):
        assert len(self.check(trust(trusted("*"), trusted({"Service": "sns.amazonaws.com"})))) == 2


class TestLaunchingFromPublicImages:
    """The one exception to the deployment condition: `ec2:RunInstances` on public images only (`ec2:Public`)."""

    IMAGES = "arn:aws:ec2:eu-west-1::image/*"

    def test_run_instances_on_public_images_passes(self):
        assert problems(allow(["ec2:RunInstances"], [self.IMAGES], {"Bool": {"ec2:Public": "true"}})) == []

    def test_without_the_public_condition_it_is_refused(self):
        (message,) = problems(allow(["ec2:RunInstances"], [self.IMAGES]))
        assert "without a deployment condition" in message

    def test_another_action_on_public_images_is_refused(self):
        (message,) = problems(allow(["ec2:DeregisterImage"], [self.IMAGES], {"Bool": {"ec2:Public": "true"}}))
        assert "ec2:DeregisterImage" in message

    def test_other_resources_in_the_statement_are_not_excused(self):
        instances = "arn:aws:ec2:eu-west-1:111122223333:instance/*"
        (message,) = problems(allow(["ec2:RunInstances"], [self.IMAGES, instances], {"Bool": {"ec2:Public": "true"}}))
        assert instances in message


class TestWhatCountsAsBroadOrAsComputeWrites:
    @pytest.mark.parametrize(
        ("arn", "broad"),
        [
            ("arn:aws:iam::aws:policy/AdministratorAccess", True),
            ("arn:aws:iam::aws:policy/job-function/NetworkAdministrator", True),
            ("arn:aws:iam::aws:policy/AmazonEC2FullAccess", True),
            ("arn:aws-us-gov:iam::aws:policy/PowerUserAccess", True),
            ("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", False),
            ("arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup", False),
            # A customer-managed policy is judged by its own document, whatever its name.
            ("arn:aws:iam::111122223333:policy/AdministratorAccess", False),
        ],
    )
    def test_administrator_class_managed_policies(self, arn, broad):
        assert identity.broad_managed_policy(arn) is broad

    @pytest.fixture
    def gcp_stack(self, monkeypatch):
        monkeypatch.setenv("PULUMI_STACK", "gcp-prod")

    def grants(self, role: str, refs=None, permissions=("compute.instances.setMetadata",)) -> list[StackResource]:
        return [
            StackResource("operator", GCP_CUSTOM_ROLE, {"roleId": "tdceOperator", "permissions": list(permissions)}),
            StackResource("account", "gcp:serviceaccount/account:Account", {"accountId": "tdce-server"}),
            StackResource("grant", GCP_IAM_GRANTS[0], {"role": role}, refs=refs or {}),
        ]

    def compute_writes(self, resources) -> list[str]:
        return [urn.rsplit("::", 1)[-1] for urn, m in check_stack(identity.iam_least_privilege, resources) if "Compute" in m]

    def test_a_custom_role_is_found_by_the_resource_it_comes_from(self, gcp_stack):
        assert self.compute_writes(self.grants("projects/p/roles/renamed", refs={"role": ["operator"]})) == ["grant"]

    def test_a_custom_role_is_found_by_its_full_name(self, gcp_stack):
        assert self.compute_writes(self.grants("projects/p/roles/tdceOperator")) == ["grant"]
        assert self.compute_writes(self.grants("projects/p/roles/other")) == []

    def test_a_role_computed_from_something_else_than_a_custom_role(self, gcp_stack):
        assert self.compute_writes(self.grants("roles/logging.logWriter", refs={"role": ["account"]})) == []

    def test_reads_of_every_kind_are_no_writes(self, gcp_stack):
        reads = ("compute.instances.get", "compute.instances.list", "compute.instances.getIamPolicy", "storage.objects.create")
        assert self.compute_writes(self.grants("projects/p/roles/tdceOperator", permissions=reads)) == []


TRUSTED_ACCOUNT = "123456789012"


class TestTrustProblemsExactly:
    def test_each_offending_statement_by_sid_or_place(self):
        statements = [
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
            "not a statement",
            {"Sid": "Anyone", "Effect": "Allow", "Principal": "*"},
            {"Effect": "Allow", "Principal": {"AWS": ["*"]}},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}},
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": ["arn:aws:iam::111122223333:root", "444455556666", f"arn:aws:iam::{TRUSTED_ACCOUNT}:role/x"]
                },
            },
            {"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}},
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}},
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": TRUSTED_ACCOUNT}},
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Condition": {"StringEquals": {"sts:ExternalId": "tdce"}},
            },
            {"Effect": "Allow", "Principal": {"AWS": "not-an-account"}},
        ]
        assert role_trust.trust_problems(iam(*statements), frozenset({TRUSTED_ACCOUNT})) == [
            "Statement[Anyone] trusts Principal *: anyone in any account may assume the role",
            "Statement[3] trusts Principal *: anyone in any account may assume the role",
            "Statement[4] trusts with NotPrincipal: everyone except a list",
            "Statement[5] trusts arn:aws:iam::111122223333:root of another account without a condition "
            "(sts:ExternalId, aws:PrincipalOrgID)",
            "Statement[5] trusts 444455556666 of another account without a condition (sts:ExternalId, aws:PrincipalOrgID)",
            "Statement[6] trusts the identity provider accounts.google.com without a condition on its claims",
            "Statement[7] trusts lambda.amazonaws.com without aws:SourceAccount or aws:SourceArn (confused deputy)",
            "Statement[10] trusts not-an-account of another account without a condition (sts:ExternalId, aws:PrincipalOrgID)",
        ]

    @pytest.mark.parametrize("document", [None, "not json", json.dumps(["Statement"]), {"Statement": {"Effect": "Deny"}}])
    def test_a_document_without_allow_statements_trusts_no_one(self, document):
        assert role_trust.trust_problems(document, frozenset()) == []

    def test_the_role_policy_reports_each_problem_and_reads_the_stacks_accounts(self, monkeypatch):
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"aws:allowedAccountIds": f'["{TRUSTED_ACCOUNT}"]'}))
        props = trust(trusted({"AWS": f"arn:aws:iam::{TRUSTED_ACCOUNT}:root"}), trusted({"AWS": "444455556666"}))
        assert check_resource(role_trust.role_trust_scoped, AWS_ROLE, props) == [
            "Statement[1] trusts 444455556666 of another account without a condition (sts:ExternalId, aws:PrincipalOrgID)"
        ]
        assert check_resource(role_trust.role_trust_scoped, "aws:iam/user:User", props) == []

    @pytest.mark.parametrize("config", [None, "{}", '{"aws:allowedAccountIds": "not json"}', '{"aws:region": "eu-west-1"}'])
    def test_without_readable_allowed_accounts_no_account_is_the_stacks(self, monkeypatch, config):
        if config is not None:
            monkeypatch.setenv("PULUMI_CONFIG", config)
        assert role_trust.own_accounts() == frozenset()


FOREIGN = allow(["s3:GetObject"], "arn:aws:s3:::other-bucket/*")
FOREIGN_PROBLEM = "Statement[0] names arn:aws:s3:::other-bucket/*, a bucket that is not this stack's"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def least_privilege(resources) -> list[tuple[str, str]]:
    return [((urn or "").rsplit("::", 1)[-1], message) for urn, message in check_stack(identity.iam_least_privilege, resources)]


class TestWhichDocumentsBelongToMachines:
    def machine_role(self, **props) -> list[StackResource]:
        return [
            StackResource("bundles", AWS_BUCKETS[0], {}),
            StackResource("role", AWS_ROLE, {"assumeRolePolicy": "{}", **props}),
            StackResource("profile", AWS_INSTANCE_PROFILE, {"role": "role-id"}, refs={"role": ["role"]}),
            StackResource("other-role", AWS_ROLE, {"assumeRolePolicy": "{}", **props}),
        ]

    def test_a_policy_attached_to_a_machine_role_is_a_machine_policy(self):
        resources = self.machine_role() + [
            StackResource("shared", "aws:iam/policy:Policy", {"policy": iam(FOREIGN)}),
            StackResource(
                "attach", ATTACHMENT, {"role": "role-id", "policyArn": "arn"}, refs={"role": ["role"], "policyArn": ["shared"]}
            ),
            # An AWS-managed policy: its ARN comes from no resource of the stack.
            StackResource("managed", ATTACHMENT, {"role": "role-id", "policyArn": READ_ONLY}, refs={"role": ["role"]}),
        ]
        assert least_privilege(resources) == [("shared", FOREIGN_PROBLEM)]

    def test_a_policy_attached_to_another_role_is_not(self):
        resources = self.machine_role() + [
            StackResource("shared", "aws:iam/policy:Policy", {"policy": iam(FOREIGN)}),
            StackResource(
                "attach",
                ATTACHMENT,
                {"role": "other-id", "policyArn": "arn"},
                refs={"role": ["other-role"], "policyArn": ["shared"]},
            ),
        ]
        assert least_privilege(resources) == []

    def test_inline_policies_of_a_machine_role_are_named_by_place(self):
        inline = [{"name": "ok", "policy": iam(allow("ec2:Describe*", "*"))}, {"name": "foreign", "policy": iam(FOREIGN)}]
        found = least_privilege(self.machine_role(inlinePolicies=inline))
        assert found == [("role", f"inlinePolicies[1] {FOREIGN_PROBLEM}")]

    def test_documents_unknown_at_preview_leave_the_others_judged(self):
        resources = self.machine_role() + [
            StackResource("pending", ROLE_POLICY, {"policy": UNKNOWN, "role": "role-id"}, refs={"role": ["role"]}),
            StackResource("known", ROLE_POLICY, {"policy": iam(FOREIGN), "role": "role-id"}, refs={"role": ["role"]}),
        ]
        found, unknown = stack_at_preview(identity.iam_least_privilege, resources)
        assert [(urn.rsplit("::", 1)[-1], m) for urn, m in found] == [("known", FOREIGN_PROBLEM)]
        assert unknown == "string value at .pending policy can't be known during preview"

    def test_managed_policy_arns_unknown_at_preview_leave_the_others_judged(self):
        admin = "arn:aws:iam::aws:policy/AdministratorAccess"
        resources = [
            StackResource("vpc", AWS_VPC, {}),
            StackResource("pending", ATTACHMENT, {"policyArn": UNKNOWN, "policyArns": [admin]}),
            StackResource("exclusive", AWS_ROLE, {"managedPolicyArns": [admin]}),
        ]
        found, unknown = stack_at_preview(identity.iam_least_privilege, resources)
        message = f"attaches {admin}, which allows far more than TDCE needs"
        assert [(urn.rsplit("::", 1)[-1], m) for urn, m in found] == [
            ("pending", f"policyArns {message}"),
            ("exclusive", f"managedPolicyArns {message}"),
        ]
        assert unknown == "string value at .pending policyArn can't be known during preview"


class TestGcpGrantsExactly:
    @pytest.fixture(autouse=True)
    def gcp_stack(self, monkeypatch):
        monkeypatch.setenv("PULUMI_STACK", "gcp-prod")

    def test_each_grant_is_reported_on_itself(self):
        resources = [
            StackResource("pending", GCP_IAM_GRANTS[0], {"role": UNKNOWN}),
            StackResource("viewer", GCP_IAM_GRANTS[0], {"role": "roles/viewer"}),
            StackResource("act-as", GCP_IAM_GRANTS[0], {"role": "roles/iam.serviceAccountTokenCreator"}),
            StackResource(
                "policy",
                "gcp:projects/iAMPolicy:IAMPolicy",
                {
                    "policyData": json.dumps(
                        {"bindings": [{"role": "roles/owner"}, "junk", {"role": "roles/iam.serviceAccountUser"}]}
                    )
                },
            ),
            StackResource("not-json", "gcp:projects/iAMPolicy:IAMPolicy", {"policyData": "not json"}),
        ]
        found, unknown = stack_at_preview(identity.iam_least_privilege, resources)
        assert [(urn.rsplit("::", 1)[-1], m) for urn, m in found] == [
            ("viewer", "grants the basic role roles/viewer: every permission of every service"),
            (
                "act-as",
                "grants roles/iam.serviceAccountTokenCreator on the whole project: grant it on the one service account it is for",
            ),
            ("policy", "grants the basic role roles/owner: every permission of every service"),
            ("policy", "grants roles/iam.serviceAccountUser on the whole project: grant it on the one service account it is for"),
        ]
        assert unknown == "string value at .pending can't be known during preview"

    def test_compute_writes_without_a_condition_are_reported_on_the_grant(self):
        grant = StackResource("admin", GCP_IAM_GRANTS[0], {"role": "roles/compute.admin"})
        assert least_privilege([grant]) == [
            (
                "admin",
                "grants roles/compute.admin, which changes Compute Engine resources, on the whole project without an IAM "
                "condition on resource.name and this stack's prefix 'tdce-gcp-prod--': it reaches every VM and group of "
                "the project",
            )
        ]

    def test_the_whole_project_policy_is_held_to_the_project_wide_rules_binding_by_binding(self):
        bindings = [
            {"role": "roles/compute.instanceAdmin.v1", "members": ["serviceAccount:s@p.iam.gserviceaccount.com"]},
            {
                "role": "roles/compute.instanceAdmin.v1",
                "members": ["serviceAccount:s@p.iam.gserviceaccount.com"],
                "condition": PREFIX_CONDITION,
            },
        ]
        policy = StackResource("policy", "gcp:projects/iAMPolicy:IAMPolicy", {"policyData": json.dumps({"bindings": bindings})})
        ((name, message),) = least_privilege([policy])
        assert name == "policy" and message.startswith("grants roles/compute.instanceAdmin.v1, which changes Compute Engine")

    def test_a_custom_role_unknown_at_preview_leaves_the_others_known(self):
        resources = [
            StackResource("pending", GCP_CUSTOM_ROLE, {"roleId": "pending", "permissions": UNKNOWN}),
            StackResource("operator", GCP_CUSTOM_ROLE, {"roleId": "tdceOperator", "permissions": ["compute.instances.delete"]}),
            StackResource("grant", GCP_IAM_GRANTS[0], {"role": "projects/p/roles/tdceOperator"}),
        ]
        assert [name for name, _ in least_privilege(resources)] == ["grant"]


# --- IAM documents statement by statement (policies/iam_documents.py) ---

TAGGED_TO_THE_STACK = {"StringEquals": {"aws:ResourceTag/tdce:stack": STACK}}
UNSCOPED = "without a deployment condition (the tdce:stack tag, this stack's VPC or subnets)"


class TestDocumentFindingsExactly:
    CONTEXT = DocumentContext(STACK, None, None, True, lambda bucket: bucket.startswith("bundles-"))

    def test_every_problem_of_every_statement_in_order(self):
        statements = [
            {"Effect": "Deny", "Action": "*", "Resource": "*"},
            {"Sid": "Everything", "Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::x"},
            {
                "Effect": "Allow",
                "Action": ["*", "s3:*", "ec2:Create*", "ec2:Describe*", "iam:PassRole"],
                "Resource": ["arn:aws:iam::111122223333:role/tdce-*", WORKER_ROLE_ARN],
            },
            allow("ec2:TerminateInstances", "*", {"ArnEquals": {"ec2:Vpc": VPC_ARN}}),
            allow(
                ["s3:GetObject", "s3:ListBucket"],
                ["*/*", "arn:aws:s3:::tdce-*", "arn:aws:s3:::other/*", "arn:aws:s3:::bundles-1/*", "*"],
            ),
            allow("ec2:RunInstances", "arn:aws:ec2:eu-west-1::image/*", {"Bool": {"ec2:Public": ["true"]}}),
            allow("ec2:RunInstances", "arn:aws:ec2:eu-west-1::image/*", {"Bool": {"ec2:Public": True}}),
            allow("ec2:CreateTags", "*", TAGGED_TO_THE_STACK),
            allow("ec2:CreateTags", "*", {"Null": "junk", **TAGGED_TO_THE_STACK}),
            allow("ec2:CreateTags", "*", {"ArnEquals": {"ec2:Vpc": []}}),
            allow("ec2:DeleteTags", "*", {"ArnLike": {"ec2:Subnet": SUBNET_ARN}}),
        ]
        assert document_findings(iam(*statements), self.CONTEXT) == Findings(
            problems=(
                "Statement[Everything] allows with NotAction: everything except a list",
                "Statement[Everything] allows with NotResource: everything except a list",
                "Statement[2] allows every action of *",
                "Statement[2] allows every action of s3:*",
                "Statement[2] allows ec2:Create*: a wildcard over actions that change things",
                "Statement[2] allows iam:PassRole on arn:aws:iam::111122223333:role/tdce-*: only named role ARNs may be passed",
                "Statement[2] allows iam:PassRole without StringEquals on iam:PassedToService",
                f"Statement[2] allows *, s3:*, ec2:Create* on arn:aws:iam::111122223333:role/tdce-* {UNSCOPED}",
                f"Statement[4] allows s3:GetObject on */*, arn:aws:s3:::tdce-*, * {UNSCOPED}",
                "Statement[4] names */*: every object of every bucket",
                "Statement[4] names arn:aws:s3:::tdce-*: buckets beyond this stack",
                "Statement[4] names arn:aws:s3:::other/*, a bucket that is not this stack's",
                "Statement[4] allows s3:GetObject on *: every bucket of the account",
                f"Statement[9] allows ec2:CreateTags on * {UNSCOPED}",
            ),
            undecided=("Statement[3] network condition", "Statement[10] network condition"),
        )

    @pytest.mark.parametrize("document", [None, "not json", json.dumps([allow("*", "*")])])
    def test_a_document_that_is_no_policy_finds_nothing(self, document):
        assert document_findings(document, self.CONTEXT) == Findings(problems=(), undecided=())

    @pytest.mark.parametrize(
        ("resource", "wide"),
        [
            ("*", True),
            ("*/*", True),
            ("arn:partial*", True),
            ("not-an-arn:a:s3:::bundles-1/*", True),
            ("arn:aws:s3:::bundles-1/*", False),
            ("arn:aws:s3:::bundles-*", True),
            ("arn:aws:ec2:eu-west-1:111122223333:instance/*", True),
            ("arn:aws:logs:eu-west-1:111122223333:log-group:tdce-aws-prod:*", False),
            ("arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/tdce-aws-prod", True),
        ],
    )
    def test_which_resources_range_over_resources(self, resource, wide):
        assert broad(resource) is wide

    @pytest.mark.parametrize(
        ("action", "read"),
        [
            ("ec2:DescribeInstances", True),
            ("s3:ListBucket", True),
            ("s3:GetObject", False),
            ("ec2:CreateTags", False),
            ("*", False),
        ],
    )
    def test_which_actions_only_read(self, action, read):
        assert is_read(action) is read


class TestWhichBucketsAreTheStacks:
    def test_named_prefixed_and_auto_named_buckets(self):
        resources = [
            StackResource("pending", AWS_BUCKETS[0], {"bucket": UNKNOWN}),
            StackResource("named", AWS_BUCKETS[0], {"bucket": "tdce-bundles-prod"}),
            StackResource("prefixed", AWS_BUCKETS[1], {"bucketPrefix": "tdce-logs-"}),
            StackResource("results", AWS_BUCKETS[1], {}),
            StackResource("role", AWS_ROLE, {"assumeRolePolicy": "{}"}),
            StackResource("profile", AWS_INSTANCE_PROFILE, {"role": "role-id"}, refs={"role": ["role"]}),
        ]
        own = ["tdce-bundles-prod", "tdce-logs-20260101", "results-4f3a2b1"]
        foreign = ["tdce-bundles-prod2", "tdce-bundles", "pending-1", "named-4f3a2b1"]
        statements = [allow("s3:GetObject", f"arn:aws:s3:::{name}/*") for name in own + foreign]
        resources.append(
            StackResource("policy", ROLE_POLICY, {"policy": iam(*statements), "role": "role-id"}, refs={"role": ["role"]})
        )
        assert least_privilege(resources) == [
            ("policy", f"Statement[{index}] names arn:aws:s3:::{name}/*, a bucket that is not this stack's")
            for index, name in enumerate(own + foreign)
            if name in foreign
        ]


class TestIdsReadFromTheStacksOwnResources:
    """`single_source_ids`: the VPC IDs the pack reads off the inputs computed from the stack's VPC alone."""

    VPC_URN = "urn:pulumi:aws-prod::tdce::aws:ec2/vpc:Vpc::tdce-network-vpc"

    def subnet(self, name: str, vpc_id) -> Subject:
        return Subject(
            type="aws:ec2/subnet:Subnet",
            urn=f"urn:pulumi:aws-prod::tdce::aws:ec2/subnet:Subnet::{name}",
            props=unknown_checking_proxy({"vpcId": vpc_id}),
            property_dependencies={"vpcId": (self.VPC_URN,)},
        )

    def test_an_input_unknown_at_preview_leaves_the_known_ones_read(self):
        subjects = [Subject(type=AWS_VPC, urn=self.VPC_URN, props={}), self.subnet("a", UNKNOWN), self.subnet("b", "vpc-0123")]
        assert identity.single_source_ids(subjects, AWS_VPC) == frozenset({"vpc-0123"})

    def test_an_unknown_input_leaves_the_next_input_of_the_same_resource_read(self):
        peering = Subject(
            type="aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
            urn="urn:pulumi:aws-prod::tdce::aws:ec2/vpcPeeringConnection:VpcPeeringConnection::peering",
            props=unknown_checking_proxy({"vpcId": UNKNOWN, "peerVpcId": "vpc-0456"}),
            property_dependencies={"vpcId": (self.VPC_URN,), "peerVpcId": (self.VPC_URN,)},
        )
        subjects = [Subject(type=AWS_VPC, urn=self.VPC_URN, props={}), peering]
        assert identity.single_source_ids(subjects, AWS_VPC) == frozenset({"vpc-0456"})

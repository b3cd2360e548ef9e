"""AWS IAM: every policy grants named actions on this stack's resources; "*" only for read-only describe calls."""

from __future__ import annotations

import json
from functools import cache

import pytest

from tdce.mock_cloud.aws import ACCOUNT_ID
from tdce.planner import Plan
from tests.support import of_type, plan_of, plan_variant

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
NAMED_SECRET = "tdce/license-key"
SECRET_ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT_ID}:secret:tdce/db-AbCdEf"
STACKS = ("aws-prod", "aws-dev")


@cache
def with_worker_secrets() -> Plan:
    return plan_variant("aws-prod", {"workerSecrets": [NAMED_SECRET, SECRET_ARN]})


def statements(plan: Plan, name_part: str = "") -> list[dict]:
    found = []
    policies = [*of_type(plan, ROLE_POLICY), *of_type(plan, MANAGED_POLICY), *of_type(plan, "aws:s3/bucketPolicy:BucketPolicy")]
    for policy in policies:
        if name_part in policy.name:
            found += json.loads(policy.inputs["policy"])["Statement"]
    return found


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def bucket(plan: Plan) -> str:
    return f"arn:aws:s3:::{plan.outputs['bucketName']}"


@pytest.mark.parametrize("plan", [lambda: plan_of("aws-prod"), lambda: plan_of("aws-dev"), with_worker_secrets])
def test_no_policy_grants_a_wildcard_action_and_star_resources_only_for_describe_calls(plan):
    plan = plan()
    granted = [s for s in statements(plan) if s["Effect"] == "Allow"]
    assert granted
    for statement in granted:
        assert not any("*" in action for action in as_list(statement["Action"])), statement
        if "*" in as_list(statement["Resource"]):
            assert all(action.split(":", 1)[1].startswith("Describe") for action in statement["Action"]), statement


def test_worker_policy_reads_only_bundles_when_no_secrets_are_configured():
    plan = plan_of("aws-prod")
    (statement,) = statements(plan, "identity-worker")
    assert statement["Action"] == ["s3:GetObject"]
    assert statement["Resource"] == [f"{bucket(plan)}/*"]


def test_worker_policy_names_only_the_bundles_and_the_configured_secrets():
    plan = with_worker_secrets()
    granted = {
        (action, resource) for s in statements(plan, "identity-worker") for action in s["Action"] for resource in s["Resource"]
    }
    assert granted == {
        ("s3:GetObject", f"{bucket(plan)}/*"),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT_ID}:secret:{NAMED_SECRET}-??????"),
        ("secretsmanager:GetSecretValue", SECRET_ARN),
    }


def test_worker_secrets_bring_a_secrets_manager_endpoint_open_to_the_cluster_on_https_only():
    assert not of_type(plan_of("aws-prod"), "aws:ec2/vpcEndpoint:VpcEndpoint")[1:]
    plan = with_worker_secrets()
    (endpoint,) = [e for e in of_type(plan, "aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Interface"]
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.secretsmanager"
    assert endpoint.inputs["privateDnsEnabled"] is True
    assert endpoint.inputs["subnetIds"] == plan.outputs["subnetIds"]
    (group,) = endpoint.inputs["securityGroupIds"]
    rules = [
        r.inputs
        for r in of_type(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == group
    ]
    clients = {plan.outputs["workerFirewallGroup"], plan.outputs["serverFirewallGroup"]}
    assert {r["referencedSecurityGroupId"] for r in rules} == clients
    # HTTPS, 443: docs/channels.md's secrets-endpoint row (an interface endpoint serves the AWS API over TLS).
    assert [(r["ipProtocol"], r["fromPort"], r["toPort"]) for r in rules] == [("tcp", 443, 443)] * 2


def test_server_reads_and_writes_the_bundle_bucket_and_reads_only_its_own_secret():
    plan = plan_of("aws-prod")
    granted = {(a, r) for s in statements(plan, "identity-server") for a in s["Action"] for r in s["Resource"]}
    resources = {resource for _, resource in granted}
    assert resources == {bucket(plan), f"{bucket(plan)}/*", plan.outputs["dashboardAdminPasswordSecret"]}
    assert {("s3:PutObject", f"{bucket(plan)}/*"), ("s3:GetObject", f"{bucket(plan)}/*")} <= granted
    assert ("secretsmanager:GetSecretValue", plan.outputs["dashboardAdminPasswordSecret"]) in granted


def test_roles_are_assumable_by_ec2_only_and_profiles_carry_them():
    plan = plan_of("aws-prod")
    instance_roles = [r for r in of_type(plan, "aws:iam/role:Role") if "identity" in r.name]
    assert len(instance_roles) == 2
    for role in instance_roles:
        # The EC2 User Guide's trust policy for an instance profile's role, and nothing more: EC2 takes
        # the role only through a profile this account hands it (iam:PassRole), and no guide says EC2
        # sends aws:SourceAccount, so a condition on it could leave the instances without credentials.
        assert json.loads(role.inputs["assumeRolePolicy"])["Statement"] == [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole"]}
        ]
    profiles = of_type(plan, "aws:iam/instanceProfile:InstanceProfile")
    assert {p.inputs["role"] for p in profiles} == {r.name for r in instance_roles}


def test_bucket_refuses_every_request_not_made_over_tls():
    plan = plan_of("aws-prod")
    (statement,) = statements(plan, "tls-only")
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert set(statement["Resource"]) == {bucket(plan), f"{bucket(plan)}/*"}

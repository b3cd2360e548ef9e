"""The pack as the Pulumi CLI runs it: a subprocess driven over gRPC, on the real example plans and mutations of them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2

from config.channels import CHANNELS, DATA, DATABASE, INTERCONNECT, MANAGEMENT, SIGNAL, SSH, WEB, PortRange
from config.resource_types import AWS_LAUNCH_TEMPLATE, GCP_INSTANCE_TEMPLATES
from policies.pack import POLICIES
from tdce.cli import main
from tdce.planner import plan_config
from tdce.policy_runner import PREVIEW, PolicyPackError, PolicyPackProcess, PolicyReport, check_plan, config_defaults
from tdce.recording import UNKNOWN_SHOWN_AS, RecordedResource
from tests.support import DELETE, plan_of, preview_plan_of, recorded, stack_values, with_setting

# aws-dev sets tdce:dashboardAdminPassword with --secret: the CLI hands it over decrypted and unmarked.
STACKS = ("aws-prod", "aws-aurora", "gcp-prod", "aws-dev")
STRAY = PortRange(*[max(p.last for c in CHANNELS for p in c.port_choices if p.first == p.last) + 1] * 2)
EVERYWHERE = "0.0.0.0/0"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
FIREWALL = "gcp:compute/firewall:Firewall"


class RememberingPack(PolicyPackProcess):
    """A pack process that answers a resource it has seen, byte for byte, from its first answer.

    The pack's resource policies are functions of the request and the configuration the process was
    started with, so the answer cannot differ; the mutation tests below change one or two resources
    of an 85-resource plan, and the pack now analyzes only those (the stack analysis still sees all).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._answers: dict[bytes, analyzer_pb2.AnalyzeResponse] = {}

    def _analyze_resource(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        key = request.SerializeToString(deterministic=True)
        if key not in self._answers:
            self._answers[key] = super()._analyze_resource(request)
        return self._answers[key]


class StartedOnFirstUse(dict):
    """Example stack → its pack process, started when a test first asks for that stack's."""

    def __missing__(self, stack: str) -> PolicyPackProcess:
        values, secret_keys = stack_values(stack)
        pack = RememberingPack(project="tdce", stack=stack, config=values, secret_keys=sorted(secret_keys))
        self[stack] = pack.__enter__()
        return self[stack]


@pytest.fixture(scope="module")
def packs() -> Iterator[dict[str, PolicyPackProcess]]:
    """One pack process per example stack, as the CLI starts one per preview, shared by the tests here
    (each worker of the suite starts only the stacks its share of the tests asks for)."""
    started = StartedOnFirstUse()
    try:
        yield started
    finally:
        for pack in started.values():
            pack.stop()


def analyze(packs: dict[str, PolicyPackProcess], stack: str, resources: list[RecordedResource]) -> PolicyReport:
    return packs[stack].analyze(resources)


def test_the_pack_describes_every_policy_with_level_and_severity(packs) -> None:
    info = packs["aws-prod"].info
    described = {policy.name: policy for policy in info.policies}
    assert info.name == "tdce" and set(described) == {policy.name for policy in POLICIES}
    for policy in info.policies:
        assert policy.description and policy.enforcementLevel and policy.severity, policy.name
    # A week of backups; the vendor's 30 days between rotations (001_ec271c3ff40761d0.txt 4.8.2).
    assert config_defaults(described["backups-retained"]) == {"minDays": 7}
    assert config_defaults(described["secret-rotation"]) == {"maxDays": 30}


# Violations the example plans carry until the components catch up, each with the change that removes it.
# The test below fails when one of them goes away (delete its row then) or another appears.


@pytest.mark.parametrize("stack", STACKS)
def test_the_example_plans_pass_clean(packs, stack: str) -> None:
    report = analyze(packs, stack, plan_of(stack).resources)
    found = {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in report.violations}
    assert found == set(), [(v.policy, v.message) for v in report.violations]


@pytest.mark.parametrize("stack", ["aws-prod", "gcp-prod"])
def test_a_stack_whose_workers_all_come_from_the_dashboard_passes_clean(stack: str) -> None:
    """The vendor's own set-up (its stack declares no pool; the dashboard starts every worker): the
    worker group is held by no machine of the plan, and the pack still places it, by the group's
    role tag on AWS and by the account the server may act as on GCP."""
    values, secret_keys = stack_values(stack)
    values = with_setting(values, "workers", DELETE)
    plan = plan_config(f"{stack}-dashboard-only", values, secret_keys)
    assert not [r for r in plan.resources if r.type in (AWS_LAUNCH_TEMPLATE, *GCP_INSTANCE_TEMPLATES)]
    report = check_plan(plan, values, sorted(secret_keys))
    assert [(v.policy, v.message) for v in report.violations] == []


@pytest.mark.parametrize("stack", ["gcp_prod", "gcp-prod-" + "x" * 30], ids=["an underscore", "too long for the prefix"])
def test_a_gcp_stack_whose_prefix_takes_the_digest_passes_clean(stack: str) -> None:
    # Compute names take no '_', and a prefix leaves the dashboard 32 characters (config/gcp_names.py):
    # such a stack's grants are conditioned on the digest form of its name, which the pack must expect.
    values, secret_keys = stack_values("gcp-prod")
    plan = plan_config(stack, values, secret_keys)
    report = check_plan(plan, values, sorted(secret_keys))
    assert [(v.policy, v.message) for v in report.violations] == []


def test_a_value_unknown_at_preview_gives_an_advisory_not_a_verdict(packs) -> None:
    rule = recorded(
        "aws-prod",
        INGRESS_RULE,
        "preview",
        inputs={
            "ipProtocol": INTERCONNECT.protocol,
            "fromPort": INTERCONNECT.ports[0].first,
            "toPort": INTERCONNECT.ports[0].last,
            "securityGroupId": UNKNOWN_SHOWN_AS,
            "referencedSecurityGroupId": UNKNOWN_SHOWN_AS,
        },
    )
    report = analyze(packs, "aws-prod", [rule])
    advisories = [v for v in report.violations if v.policy == "interconnect-within-workers"]
    assert [v.enforcement for v in advisories] == ["advisory"] and "can't run policy" in advisories[0].message
    assert advisories[0].urn == rule.urn


# Mutations of the real plans. Resources are found by what they do, never by name.


def _ports_of(resource: RecordedResource) -> list[tuple[int, int]]:
    if resource.type == INGRESS_RULE:
        return [(resource.inputs.get("fromPort"), resource.inputs.get("toPort"))]
    if resource.type == FIREWALL:
        spans = [span for allow in resource.inputs.get("allows", []) for span in allow.get("ports", [])]
        return [tuple(int(part) for part in (span.split("-") * 2)[:2]) for span in spans]
    return []


def opening(resources: list[RecordedResource], ports: PortRange) -> RecordedResource:
    return next(r for r in resources if (ports.first, ports.last) in _ports_of(r))


def of_type(resources: list[RecordedResource], kind: str) -> RecordedResource:
    return next(r for r in resources if r.type == kind)


def copy_as(resource: RecordedResource, name: str, **inputs) -> RecordedResource:
    clone = copy.deepcopy(resource)
    clone.name, clone.urn = name, resource.urn.rsplit("::", 1)[0] + f"::{name}"
    clone.inputs.update(inputs)
    # An input set by hand no longer comes from the resource it came from.
    for key in inputs:
        clone.property_dependencies.pop(key, None)
    return clone


def open_ssh_to_the_world(resources):
    web = opening(resources, WEB.ports[0])
    ssh = SSH.ports[0]
    resources.append(copy_as(web, "mutant", fromPort=ssh.first, toPort=ssh.last, cidrIpv4=EVERYWHERE))
    return resources[-1].urn


def open_gcp_ssh_to_the_world(resources):
    ssh = opening(resources, SSH.ports[0])
    ssh.inputs["sourceRanges"] = [EVERYWHERE]
    return ssh.urn


def open_gcp_ssh_to_the_world_in_two_halves(resources):
    # No /0 in the rule, yet the two halves of the IPv4 internet admit every address.
    ssh = opening(resources, SSH.ports[0])
    ssh.inputs["sourceRanges"] = ["0.0.0.0/1", "128.0.0.0/1"]
    return ssh.urn


def add_a_stray_port(resources):
    resources.append(copy_as(opening(resources, WEB.ports[0]), "mutant", fromPort=STRAY.first, toPort=STRAY.last))
    return resources[-1].urn


def make_the_interconnect_a_cidr(resources):
    interconnect = opening(resources, INTERCONNECT.ports[0])
    del interconnect.inputs["sourceServiceAccounts"]
    interconnect.inputs["sourceRanges"] = ["192.0.2.0/24"]
    return interconnect.urn


def drop_volume_encryption(resources):
    volume = of_type(resources, "aws:ebs/volume:Volume")
    volume.inputs["encrypted"] = False
    return volume.urn


def unprotect(kind: str) -> Callable[[list[RecordedResource]], str]:
    def mutate(resources):
        disk = of_type(resources, kind)
        disk.options["protect"] = False
        return disk.urn

    return mutate


def remove(ports: PortRange) -> Callable[[list[RecordedResource]], str]:
    def mutate(resources):
        resources.remove(opening(resources, ports))
        return ""

    return mutate


def switch_imds_to_optional(resources):
    template = of_type(resources, "aws:ec2/launchTemplate:LaunchTemplate")
    template.inputs["metadataOptions"]["httpTokens"] = "optional"
    return template.urn


def move_signal_to_the_workers(resources):
    signal = opening(resources, SIGNAL.ports[0])
    signal.inputs["securityGroupId"] = signal.inputs["referencedSecurityGroupId"]
    # As a program that put the rule on the worker group would report it to the engine.
    signal.property_dependencies["securityGroupId"] = signal.property_dependencies["referencedSecurityGroupId"]
    return signal.urn


def add_inline_ingress_to_the_server_group(resources):
    # By the group the server's instance depends on for its groups: its ID is unknown at preview.
    (group_urn,) = of_type(resources, "aws:ec2/instance:Instance").property_dependencies["vpcSecurityGroupIds"]
    group = next(r for r in resources if r.urn == group_urn)
    web = WEB.ports[0]
    user_cidr = opening(resources, web).inputs["cidrIpv4"]
    group.inputs["ingress"] = [{"protocol": "tcp", "fromPort": web.first, "toPort": web.last, "cidrBlocks": [user_cidr]}]
    return group.urn


CLUSTER = "aws:rds/cluster:Cluster"


def set_cluster_input(**inputs) -> Callable[[list[RecordedResource]], str]:
    def mutate(resources):
        cluster = of_type(resources, CLUSTER)
        cluster.inputs.update(inputs)
        return cluster.urn

    return mutate


def rotate_every(days: int) -> Callable[[list[RecordedResource]], str]:
    def mutate(resources):
        rotation = of_type(resources, "aws:secretsmanager/secretRotation:SecretRotation")
        rotation.inputs["rotationRules"] = {"automaticallyAfterDays": days}
        return rotation.urn

    return mutate


def open_the_database_to_a_cidr(resources):
    database = opening(resources, DATABASE.ports[0])
    resources.append(copy_as(database, "mutant", cidrIpv4="10.0.0.0/8", referencedSecurityGroupId=None))
    return resources[-1].urn


DEFAULT_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance"


def where(resources: list[RecordedResource], kind: str, test: Callable[[RecordedResource], bool]) -> RecordedResource:
    return next(r for r in resources if r.type == kind and test(r))


def server_group(resources: list[RecordedResource]) -> RecordedResource:
    server = of_type(resources, "aws:ec2/instance:Instance")
    (urn,) = server.property_dependencies["vpcSecurityGroupIds"]
    return next(r for r in resources if r.urn == urn)


def an_inline_rule_on_the_default_group(resources):
    default = of_type(resources, DEFAULT_GROUP)
    default.inputs["ingress"] = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]
    return default.urn


def a_separate_rule_on_the_default_group(resources):
    default = of_type(resources, DEFAULT_GROUP)
    mutant = copy_as(opening(resources, WEB.ports[0]), "mutant", securityGroupId="sg-default")
    mutant.property_dependencies["securityGroupId"] = [default.urn]
    resources.append(mutant)
    return mutant.urn


def administrator_through_managed_policy_arns(resources):
    role = where(resources, ROLE, lambda r: "ec2.amazonaws.com" in r.inputs["assumeRolePolicy"])
    role.inputs["managedPolicyArns"] = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    return role.urn


def target_network_tags(resources):
    web = opening(resources, WEB.ports[0])
    del web.inputs["targetServiceAccounts"]
    web.property_dependencies.pop("targetServiceAccounts", None)
    web.inputs["targetTags"] = ["tdce-server"]
    return web.urn


def grant_a_basic_role(resources):
    grant = of_type(resources, "gcp:storage/bucketIAMMember:BucketIAMMember")
    grant.inputs["role"] = "roles/viewer"
    return grant.urn


def worker_policy_on(resource: str) -> Callable[[list[RecordedResource]], str]:
    def mutate(resources):
        policy = where(
            resources, ROLE_POLICY, lambda r: json.loads(r.inputs["policy"])["Statement"][0]["Action"] == ["s3:GetObject"]
        )
        document = json.loads(policy.inputs["policy"])
        document["Statement"][0]["Resource"] = [resource]
        policy.inputs["policy"] = json.dumps(document)
        return policy.urn

    return mutate


def server_group_on_a_worker_pool(resources):
    group = server_group(resources)
    template = of_type(resources, "aws:ec2/launchTemplate:LaunchTemplate")
    # The group's ID, unknown at preview as the engine sends it.
    template.inputs["networkInterfaces"][0]["securityGroups"].append(group.id or UNKNOWN_SHOWN_AS)
    template.property_dependencies["networkInterfaces"] = [*template.property_dependencies["networkInterfaces"], group.urn]
    return opening(resources, MANAGEMENT.ports[0]).urn


def cloud_sql_ip(**changes) -> Callable[[list[RecordedResource]], str]:
    def mutate(resources):
        sql = of_type(resources, CLOUD_SQL)
        sql.inputs["settings"]["ipConfiguration"].update(changes)
        return sql.urn

    return mutate


def remove_the_user_secret_rotation(resources):
    secrets = {r.urn for r in resources if r.type == "aws:secretsmanager/secret:Secret"}
    rotation = where(
        resources,
        "aws:secretsmanager/secretRotation:SecretRotation",
        lambda r: set(r.property_dependencies.get("secretId", ())) & secrets,
    )
    resources.remove(rotation)
    return rotation.property_dependencies["secretId"][0]


def iam_login_off(resources):
    # Without IAM database authentication the server would log in with the administrator's password,
    # which then must rotate; gcp-prod deliberately keeps it unrotated only because IAM login is on.
    instance = where(resources, "gcp:sql/databaseInstance:DatabaseInstance", lambda r: True)
    flags = instance.inputs["settings"]["databaseFlags"]
    instance.inputs["settings"]["databaseFlags"] = [f for f in flags if f["name"] != "cloudsql.iam_authentication"]
    secret = where(resources, "gcp:secretmanager/secret:Secret", lambda r: r.name == "tdce-database-admin-password-secret")
    return secret.urn


def all_traffic_out(resources):
    out = where(resources, EGRESS_RULE, lambda r: r.inputs.get("cidrIpv4") == EVERYWHERE)
    mutant = copy_as(out, "mutant", ipProtocol="-1")
    del mutant.inputs["fromPort"], mutant.inputs["toPort"]
    resources.append(mutant)
    return mutant.urn


def remove_the_workers_database_deny(resources):
    deny = where(resources, FIREWALL, lambda r: r.inputs.get("direction") == "EGRESS")
    resources.remove(deny)
    return ""


def remove_an_egress_row(resources):
    resources.remove(where(resources, EGRESS_RULE, lambda r: r.inputs.get("fromPort") == SIGNAL.ports[0].first))
    return ""


def trust_everyone(resources):
    role = of_type(resources, ROLE)
    role.inputs["assumeRolePolicy"] = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
    )
    return role.urn


def data_from_the_database_group(resources):
    database_group = next(
        r for r in resources if r.urn == of_type(resources, CLUSTER).property_dependencies["vpcSecurityGroupIds"][0]
    )
    data = opening(resources, DATA.ports[0])
    data.inputs["referencedSecurityGroupId"] = database_group.id or UNKNOWN_SHOWN_AS
    data.property_dependencies["referencedSecurityGroupId"] = [database_group.urn]
    return data.urn


def the_database_loses_the_servers_rule(resources):
    group = server_group(resources)
    resources.remove(
        where(
            resources,
            INGRESS_RULE,
            lambda r: (
                r.inputs.get("fromPort") == DATABASE.ports[0].first
                and r.property_dependencies.get("referencedSecurityGroupId") == [group.urn]
            ),
        )
    )
    return ""


def interconnect_in_a_later_allows_entry(resources):
    web = opening(resources, WEB.ports[0])
    web.inputs["allows"].append({"protocol": "tcp", "ports": [str(INTERCONNECT.ports[0])]})
    return web.urn


def web_from_an_unconfigured_cidr(resources):
    resources.append(copy_as(opening(resources, WEB.ports[0]), "mutant", cidrIpv4="198.18.0.0/15"))
    return resources[-1].urn


def signal_on_every_protocol(resources):
    signal = opening(resources, SIGNAL.ports[0])
    signal.inputs["allows"] = [{"protocol": "all"}]
    return signal.urn


def remove_the_bucket_encryption(resources):
    encryption = of_type(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    resources.remove(encryption)
    (bucket,) = encryption.property_dependencies["bucket"]
    return bucket


def a_role_policy_allowing_everything(resources):
    # A document written out in full, so known at preview too (the program's own are built from ARNs).
    policy = copy_as(of_type(resources, ROLE_POLICY), "mutant")
    policy.inputs["policy"] = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    resources.append(policy)
    return policy.urn


MUTATIONS = {
    "gcp signal on every protocol": ("gcp-prod", signal_on_every_protocol, "no-all-ports-ingress"),
    "bucket encryption configuration removed": ("aws-prod", remove_the_bucket_encryption, "bucket-encrypted"),
    "a role policy allowing everything": ("aws-prod", a_role_policy_allowing_everything, "iam-least-privilege"),
    "ssh open to the world": ("aws-prod", open_ssh_to_the_world, "no-remote-access-from-internet"),
    "gcp ssh open to the world": ("gcp-prod", open_gcp_ssh_to_the_world, "no-remote-access-from-internet"),
    "gcp ssh open to the world in two halves": (
        "gcp-prod",
        open_gcp_ssh_to_the_world_in_two_halves,
        "no-remote-access-from-internet",
    ),
    "a stray port": ("aws-prod", add_a_stray_port, "ingress-matches-channel"),
    "interconnect from a cidr": ("gcp-prod", make_the_interconnect_a_cidr, "interconnect-within-workers"),
    "data volume unencrypted": ("aws-prod", drop_volume_encryption, "volumes-encrypted"),
    "data volume unprotected": ("aws-prod", unprotect("aws:ebs/volume:Volume"), "stateful-resources-protected"),
    "data disk unprotected": ("gcp-prod", unprotect("gcp:compute/disk:Disk"), "stateful-resources-protected"),
    "data channel removed": ("aws-prod", remove(DATA.ports[0]), "required-channels-open"),
    "gcp signal channel removed": ("gcp-prod", remove(SIGNAL.ports[0]), "required-channels-open"),
    "imds optional": ("aws-prod", switch_imds_to_optional, "imdsv2-required"),
    "signal on the worker group": ("aws-prod", move_signal_to_the_workers, "ingress-lands-on-channel-target"),
    "inline rules beside rule resources": ("aws-prod", add_inline_ingress_to_the_server_group, "no-inline-security-group-rules"),
    "aurora without deletion protection": (
        "aws-aurora",
        set_cluster_input(deletionProtection=False),
        "database-deletion-safeguards",
    ),
    "aurora without final snapshot": ("aws-aurora", set_cluster_input(skipFinalSnapshot=True), "database-deletion-safeguards"),
    "aurora kept one day": ("aws-aurora", set_cluster_input(backupRetentionPeriod=1), "backups-retained"),
    "aurora unprotected": ("aws-aurora", unprotect(CLUSTER), "stateful-resources-protected"),
    "database secret rotated quarterly": ("aws-aurora", rotate_every(90), "secret-rotation"),
    "database open to a cidr": ("aws-aurora", open_the_database_to_a_cidr, "ingress-matches-channel"),
    "inline rule on the default group": ("aws-prod", an_inline_rule_on_the_default_group, "no-inline-security-group-rules"),
    "separate rule on the default group": ("aws-prod", a_separate_rule_on_the_default_group, "default-security-group-closed"),
    "administrator through managedPolicyArns": ("aws-prod", administrator_through_managed_policy_arns, "iam-least-privilege"),
    "gcp rule on network tags": ("gcp-prod", target_network_tags, "ingress-lands-on-channel-target"),
    "gcp basic role": ("gcp-prod", grant_a_basic_role, "iam-least-privilege"),
    "worker policy on every bucket": ("aws-prod", worker_policy_on("arn:aws:s3:::*"), "iam-least-privilege"),
    "worker policy on every object": ("aws-prod", worker_policy_on("*/*"), "iam-least-privilege"),
    "worker policy on another bucket": ("aws-prod", worker_policy_on("arn:aws:s3:::someone-else/*"), "iam-least-privilege"),
    "server group on a worker pool": ("aws-prod", server_group_on_a_worker_pool, "ingress-lands-on-channel-target"),
    "cloud sql public ip": ("gcp-prod", cloud_sql_ip(ipv4Enabled=True), "database-private-only"),
    "cloud sql authorized networks": (
        "gcp-prod",
        cloud_sql_ip(authorizedNetworks=[{"value": "192.0.2.0/24"}]),
        "database-private-only",
    ),
    "aurora user secret rotation removed": ("aws-aurora", remove_the_user_secret_rotation, "database-secrets-rotate"),
    "gcp database without iam login, its secret unrotated": ("gcp-prod", iam_login_off, "database-secrets-rotate"),
    "all traffic out": ("aws-prod", all_traffic_out, "egress-matches-channel"),
    "an egress row removed": ("aws-prod", remove_an_egress_row, "egress-matches-channel"),
    "gcp workers database deny removed": ("gcp-prod", remove_the_workers_database_deny, "egress-matches-channel"),
    "role trusts everyone": ("aws-prod", trust_everyone, "role-trust-scoped"),
    "data from the database group": ("aws-aurora", data_from_the_database_group, "ingress-lands-on-channel-target"),
    "database loses the server's rule": ("aws-aurora", the_database_loses_the_servers_rule, "required-channels-open"),
    "interconnect in a later allows entry": ("gcp-prod", interconnect_in_a_later_allows_entry, "interconnect-within-workers"),
    "web from an unconfigured cidr, secret set": ("aws-dev", web_from_an_unconfigured_cidr, "ingress-matches-channel"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_mutation_of_a_real_plan_is_caught_by_its_policy(packs, mutation: str) -> None:
    stack, mutate, policy = MUTATIONS[mutation]
    resources = copy.deepcopy(plan_of(stack).resources)
    urn = mutate(resources)
    report = analyze(packs, stack, resources)
    caught = [v for v in report.mandatory if v.policy == policy]
    assert caught, [(v.policy, v.message) for v in report.violations]
    assert urn in {v.urn for v in caught}


# Mutations of a document the program builds from ARNs, which is unknown at `pulumi preview` of a new
# stack: the pack can only say it cannot run the policy then, and judges it after `pulumi up`.
UNDECIDABLE_AT_PREVIEW = {"worker policy on every bucket", "worker policy on every object", "worker policy on another bucket"}


@pytest.mark.parametrize("mutation", sorted(set(MUTATIONS) - UNDECIDABLE_AT_PREVIEW))
def test_a_mutation_is_caught_at_preview_of_a_new_stack_too(packs, mutation: str) -> None:
    """IDs and computed outputs unknown, as the engine gives them at preview (planner.plan_resolved)."""
    stack, mutate, policy = MUTATIONS[mutation]
    resources = copy.deepcopy(preview_plan_of(stack).resources)
    urn = mutate(resources)
    report = packs[stack].analyze(resources, PREVIEW)
    caught = [v for v in report.mandatory if v.policy == policy]
    assert caught, [(v.policy, v.message) for v in report.violations]
    assert urn in {v.urn for v in caught}


# What the pack cannot judge at preview of each example stack, as CrossGuard says it: an advisory
# "can't run policy … during preview". Each is a value made from other resources' outputs:
# - iam-least-privilege: the AWS policy documents name this stack's ARNs;
# - bucket-tls-only: the bucket policy names the auto-named bucket's ARN;
# - interconnect-within-workers: a resource policy sees no property dependencies, so a rule whose
#   group and source group are both unknown IDs is undecided (the stack policies place it);
# - no-default-service-account: a machine's email made from another resource may be the default
#   account's (an invoke on a new project), and a resource policy cannot tell which resource.
AT_PREVIEW_UNDECIDED = {
    "aws-prod": {("iam-least-privilege", ""), ("bucket-tls-only", "")},
    "aws-aurora": {("iam-least-privilege", ""), ("bucket-tls-only", "")},
    "aws-dev": {
        ("iam-least-privilege", ""),
        ("bucket-tls-only", ""),
        ("interconnect-within-workers", "tdce-firewall-interconnect-from-workers"),
    },
    "gcp-prod": {
        ("interconnect-within-workers", "tdce-firewall-interconnect-from-workers"),
        ("no-default-service-account", "tdce-server-vm"),
        ("no-default-service-account", "tdce-workers-linux-spot"),
    },
}


@pytest.mark.parametrize("stack", STACKS)
def test_at_preview_of_a_new_stack_the_example_plans_pass_with_only_these_advisories(packs, stack: str) -> None:
    report = packs[stack].analyze(preview_plan_of(stack).resources, PREVIEW)
    assert report.mandatory == (), [(v.policy, v.message) for v in report.mandatory]
    assert all("during preview" in v.message for v in report.violations), [v.message for v in report.violations]
    assert {(v.policy, v.urn.rsplit("::", 1)[-1] if v.urn else "") for v in report.violations} == AT_PREVIEW_UNDECIDED[stack]


TEST_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def refuse(level):
    def validate(args, report):
        if args.resource_type == "aws:s3/bucket:Bucket":
            report("refused by the test pack")
    return ResourceValidationPolicy(name=f"{level.value}-bucket", description="Refuses buckets.", validate=validate,
                                    enforcement_level=level)

PolicyPack("test", [refuse(EnforcementLevel.MANDATORY), refuse(EnforcementLevel.ADVISORY)])
"""


def test_the_pack_process_is_stopped_after_use(tmp_path) -> None:
    (tmp_path / "__main__.py").write_text(TEST_PACK)
    with PolicyPackProcess(project="tdce", stack="aws-prod", config={}, pack_dir=tmp_path) as pack:
        running = pack._process
        assert running.poll() is None
    assert running.poll() is not None


def test_a_pack_that_prints_before_serving_is_reported_and_stopped(tmp_path) -> None:
    (tmp_path / "__main__.py").write_text("print('hello')\nimport time\ntime.sleep(60)\n")
    pack = PolicyPackProcess(project="tdce", stack="aws-prod", config={}, pack_dir=tmp_path)
    with pytest.raises(PolicyPackError, match="first line should be its port, got 'hello'"):
        pack.__enter__()
    assert pack._process.poll() is not None


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> None:
    """`tdce plan` on the session's cached plans: these tests are about what follows the planning."""
    monkeypatch.setattr("tdce.planner.plan_stack", lambda stack, config_dir: plan_of(stack))


def test_plan_exits_2_on_a_mandatory_violation_and_lists_it(tmp_path, capsys, planned) -> None:
    (tmp_path / "__main__.py").write_text(TEST_PACK)
    out = tmp_path / "plan.json"
    assert main(["plan", "aws-prod", "--policy-pack", str(tmp_path), "--json", str(out)]) == 2
    violations = json.loads(out.read_text())["policyViolations"]
    assert {(v["policy"], v["enforcementLevel"]) for v in violations} == {
        ("mandatory-bucket", "mandatory"),
        ("advisory-bucket", "advisory"),
    }
    assert all("aws:s3/bucket:Bucket::" in v["urn"] for v in violations)
    # The pack judged the preview of a new stack and the plan after up, and the bucket in both.
    assert all(v["phases"] == ["preview", "up"] for v in violations)
    printed = capsys.readouterr().out
    assert "mandatory-bucket" in printed and "refused by the test pack" in printed


def test_plan_without_policy_skips_the_pack(tmp_path, planned) -> None:
    out = tmp_path / "plan.json"
    assert main(["plan", "aws-prod", "--no-policy", "--policy-pack", str(tmp_path / "missing"), "--json", str(out)]) == 0
    assert "policyViolations" not in json.loads(out.read_text())


def test_the_policy_page_lists_every_policy_with_its_level_and_severity() -> None:
    readme = (Path(__file__).resolve().parent.parent / "docs" / "policy-pack.md").read_text()
    section = readme[readme.index("<!-- BEGIN policies -->") : readme.index("<!-- END policies -->")]
    rows = {cells[1].strip("` "): cells for cells in (line.split("|") for line in section.splitlines()) if len(cells) > 5}
    for policy in POLICIES:
        assert policy.name in rows, policy.name
        assert (rows[policy.name][3].strip(), rows[policy.name][4].strip()) == (
            policy.enforcement_level.value,
            policy.severity.value,
        )


MIRROR_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

def volume(args, report):
    if args.resource_type == "aws:ebs/volume:Volume":
        report(f"provider={args.provider.resource_type} protect={args.opts.protect} parent={args.opts.parent}")

def rules(args, report):
    for r in args.resources:
        if r.resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            groups = sorted(d.name for d in r.property_dependencies.get("securityGroupId", []))
            report(f"parent={r.parent.resource_type} securityGroupId from {groups}", r.urn)

def shown(props):
    def one(key):
        if key not in list(props):
            return "absent"
        try:
            props[key]
        except UnknownValueError:
            return "unknown"
        return "known"
    return " ".join(f"{key}={one(key)}" for key in ("vpcId", "arn", "ingress"))

GROUP = "aws:ec2/securityGroup:SecurityGroup"

def group_inputs(args, report):
    if args.resource_type == GROUP and args.name == "tdce-firewall-server":
        report("inputs " + shown(args.props))

def group_outputs(args, report):
    for r in args.resources:
        if r.resource_type == GROUP and r.name == "tdce-firewall-server":
            report("outputs " + shown(r.props), r.urn)

PolicyPack("mirror", [
    ResourceValidationPolicy(name=name, description="Shows what the pack sees.", validate=validate,
                             enforcement_level=EnforcementLevel.ADVISORY)
    for name, validate in (("volume", volume), ("group-inputs", group_inputs))
] + [
    StackValidationPolicy(name=name, description="Shows what the pack sees.", validate=validate,
                          enforcement_level=EnforcementLevel.ADVISORY)
    for name, validate in (("rules", rules), ("group-outputs", group_outputs))
])
"""


def test_the_pack_sees_provider_options_parent_and_property_dependencies(tmp_path) -> None:
    (tmp_path / "__main__.py").write_text(MIRROR_PACK)
    plan = plan_of("aws-prod")
    with PolicyPackProcess(project="tdce", stack="aws-prod", config={}, pack_dir=tmp_path) as pack:
        report = pack.analyze(plan.resources)
    volume = of_type(plan.resources, "aws:ebs/volume:Volume")
    (seen,) = [v.message for v in report.violations if v.policy == "volume"]
    assert seen == f"provider=pulumi:providers:aws protect=True parent={volume.parent}"
    signal = opening(plan.resources, SIGNAL.ports[0])
    server_group = next(r for r in plan.resources if r.id == signal.inputs["securityGroupId"])
    (seen,) = [v.message for v in report.violations if v.policy == "rules" and v.urn == signal.urn]
    assert seen == f"parent={signal.parent.split('::')[-2].split('$')[-1]} securityGroupId from {[server_group.name]}"


def test_resource_policies_see_inputs_and_stack_policies_outputs_unknown_at_preview_as_the_engine_sends_them(tmp_path) -> None:
    # pulumi/pulumi step_generator.go: resource policies get the inputs; "AnalyzeStack is called on the
    # final outputs of each resource". At preview of a new stack the group's VPC ID (another
    # resource's output) is unknown, and so are its ARN and its rules, which the provider computes.
    (tmp_path / "__main__.py").write_text(MIRROR_PACK)
    seen = ("group-inputs", "group-outputs")
    with PolicyPackProcess(project="tdce", stack="aws-prod", config={}, pack_dir=tmp_path) as pack:
        after_up = sorted(v.message for v in pack.analyze(plan_of("aws-prod").resources).violations if v.policy in seen)
        at_preview = sorted(
            v.message for v in pack.analyze(preview_plan_of("aws-prod").resources, PREVIEW).violations if v.policy in seen
        )
    assert after_up == ["inputs vpcId=known arn=absent ingress=absent", "outputs vpcId=known arn=known ingress=absent"]
    assert at_preview == ["inputs vpcId=unknown arn=absent ingress=absent", "outputs vpcId=unknown arn=unknown ingress=unknown"]


ENV_PACK = """
import os
from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

def show(args, report):
    report(" ".join(sorted(k for k in os.environ if k.startswith("PULUMI_"))) + " cwd=" + os.getcwd())

PolicyPack("env", [StackValidationPolicy(name="env", description="Shows the environment.", validate=show,
                                         enforcement_level=EnforcementLevel.ADVISORY)])
"""


def test_the_runner_gives_the_pack_exactly_what_the_cli_gives(tmp_path, monkeypatch) -> None:
    (tmp_path / "__main__.py").write_text(ENV_PACK)
    # A variable the shell happens to carry must not reach the pack when the CLI would not pass it.
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", '["tdce:dashboardAdminPassword"]')
    values, secret_keys = stack_values("aws-dev")
    with PolicyPackProcess(
        project="tdce", stack="aws-dev", config=values, secret_keys=sorted(secret_keys), pack_dir=tmp_path
    ) as pack:
        (seen,) = [v.message for v in pack.analyze([]).violations]
    names, cwd = seen.split(" cwd=")
    assert set(names.split()) == {"PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN"}
    assert Path(cwd) == tmp_path


def test_a_stack_with_a_secret_is_read_through_the_real_pack(packs) -> None:
    report = analyze(packs, "aws-dev", plan_of("aws-dev").resources)
    assert not [v for v in report.violations if v.policy == "stack-settings-readable"]


def test_unreadable_settings_are_a_mandatory_violation_saying_why() -> None:
    values, _ = stack_values("aws-prod")
    broken = {**values, "tdce:workers": '[{"name": "x", "maxCount": -1}]'}
    with PolicyPackProcess(project="tdce", stack="aws-prod", config=broken) as pack:
        report = pack.analyze(plan_of("aws-prod").resources)
    (violation,) = [v for v in report.violations if v.policy == "stack-settings-readable"]
    assert violation.enforcement == "mandatory" and "tdce:workers[0]" in violation.message
    with PolicyPackProcess(project="tdce", stack="aws-prod", config={}) as pack:
        report = pack.analyze(plan_of("aws-prod").resources)
    (violation,) = [v for v in report.violations if v.policy == "stack-settings-readable"]
    assert "PULUMI_CONFIG is not set" in violation.message


def test_two_offending_rules_of_one_resource_are_both_reported(packs) -> None:
    resources = copy.deepcopy(plan_of("aws-prod").resources)
    group = server_group(resources)
    group.inputs["ingress"] = [
        {"protocol": "tcp", "fromPort": STRAY.first, "toPort": STRAY.last, "cidrBlocks": ["198.51.100.0/24"]},
        {"protocol": "tcp", "fromPort": SSH.ports[0].first, "toPort": SSH.ports[0].last, "cidrBlocks": [EVERYWHERE]},
    ]
    report = analyze(packs, "aws-prod", resources)
    judged = [v.message.split(":")[0] for v in report.mandatory if v.policy == "ingress-matches-channel" and v.urn == group.urn]
    assert list(dict.fromkeys(judged)) == ["ingress[0]", "ingress[1]"]

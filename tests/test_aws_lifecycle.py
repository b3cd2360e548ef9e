"""Issue 15 on AWS, compute and identity: what the first `up`, a second `up` and `destroy` need, on the recorded plan."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pulumi
import pytest

from components.aws import images as images_module
from config.errors import ConfigError
from tdce.mock_cloud.aws import ACCOUNT_ID, MARKETPLACE_IMAGE_ID
from tdce.plan_warnings import plan_warnings
from tests.support import of_type, only, plan_of, plan_variant, settings_of, stack_values, with_setting

INSTANCE = "aws:ec2/instance:Instance"
DOC = (Path(__file__).resolve().parent.parent / "docs" / "deployment-document.md").read_text()
# The vendor's port table (000_8bca743440dfe33c.txt; DESIGN.md's channel matrix): workers dial these.
SIGNAL_PORT, DATA_PORT = 20001, 20002


def named(plan, type_token: str, suffix: str):
    (resource,) = [r for r in of_type(plan, type_token) if r.name.endswith(suffix)]
    return resource


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev"])
def test_the_address_association_and_the_server_wait_for_the_gateway_and_the_default_route(stack):
    plan = plan_of(stack)
    gateway = named(plan, "aws:ec2/internetGateway:InternetGateway", "network-gateway")
    route = named(plan, "aws:ec2/route:Route", "network-internet")
    for resource in (only(plan, INSTANCE), only(plan, "aws:ec2/eipAssociation:EipAssociation")):
        assert {gateway.urn, route.urn} <= set(resource.dependencies), resource.name


def test_editing_the_boot_script_never_stops_the_server():
    # The provider stops and starts an instance whose userData changes; the script runs at first boot only.
    assert "userData" in only(plan_of("aws-prod"), INSTANCE).options["ignoreChanges"]


def test_a_configured_image_is_looked_up_with_deprecated_images_included(monkeypatch):
    asked = {}

    class Found:
        root_device_name = pulumi.Output.from_input("/dev/xvda")

    def get_ami_output(**kwargs):
        asked.update(kwargs)
        return Found()

    monkeypatch.setattr(images_module.aws.ec2, "get_ami_output", get_ami_output)
    images = images_module.Images.__new__(images_module.Images)
    images._invoke, images._found = None, {}
    images.for_("ami-0123456789abcdef0", "linux", "x86_64")
    assert asked["include_deprecated"] is True


@pytest.mark.parametrize(
    ("stack", "pools"),
    # One group a pool (config/Pulumi.<stack>.yaml's tdce:workers), whoever owns its capacity.
    [("aws-prod", ["linux-ondemand", "linux-spot"]), ("aws-dev", ["dev-spot"])],
)
def test_a_pool_does_not_abort_up_on_the_first_failed_launch(stack, pools):
    groups = of_type(plan_of(stack), "aws:autoscaling/group:Group")
    assert sorted(group.name for group in groups) == [f"tdce-workers-{pool}-group" for pool in pools]
    for group in groups:
        assert group.inputs["ignoreFailedScalingActivities"] is True
        assert group.inputs["waitForCapacityTimeout"] == "15m"


def test_a_partial_secret_arn_gets_the_random_suffix():
    partial = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT_ID}:secret:tdce/licence"
    plan = plan_variant("aws-prod", {"workerSecrets": [partial]})
    (policy,) = [p for p in of_type(plan, "aws:iam/rolePolicy:RolePolicy") if p.name.endswith("identity-worker-policy")]
    resources = {r for s in json.loads(policy.inputs["policy"])["Statement"] for r in s["Resource"]}
    assert f"{partial}-??????" in resources and partial not in resources


def test_with_deletion_protection_off_nothing_is_protected_and_on_the_data_volume_is():
    assert plan_of("aws-dev").settings.deletion_protection is False
    assert [r.name for r in plan_of("aws-dev").resources if r.options.get("protect")] == []
    assert only(plan_of("aws-prod"), "aws:ebs/volume:Volume").options["protect"] is True


@pytest.mark.parametrize("stack", ["aws-prod", "aws-aurora"])
def test_every_security_group_waits_longer_to_delete(stack):
    groups = of_type(plan_of(stack), "aws:ec2/securityGroup:SecurityGroup")
    assert groups
    # At least the 45 minutes the provider documents for groups Lambda used; the rotation function's
    # group keeps its own 60 (hashicorp/terraform-provider-aws#10329).
    expected = {group.name: {"delete": "45m"} for group in groups} | (
        {"tdce-firewall-secret-rotation": {"delete": "60m"}} if stack == "aws-aurora" else {}
    )
    assert {group.name: group.options["customTimeouts"] for group in groups} == expected


# --- the deployment document ---


def document(plan) -> dict:
    return json.loads(plan.outputs["deploymentDocument"])


def documented_keys() -> set[str]:
    body = DOC.split("## Keys", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w.]+)` \|", body, re.M))


def flat_keys(value: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, inner in value.items():
        keys.add(prefix + key)
        if isinstance(inner, dict) and key in ("server", "deploymentTag", "allowedExtra"):
            keys |= flat_keys(inner, f"{prefix}{key}.")
    return keys


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev"])
def test_the_document_has_exactly_the_documented_keys_and_the_stacks_values(stack):
    plan = plan_of(stack)
    told = document(plan)
    assert flat_keys(told) == documented_keys()
    assert told["deploymentTag"] == {"key": "tdce:stack", "value": stack}
    assert told["networkId"] == plan.outputs["networkId"] and told["subnetIds"] == plan.outputs["subnetIds"]
    assert told["workerFirewallGroup"] == plan.outputs["workerFirewallGroup"]
    assert told["server"] == {"privateIp": plan.outputs["serverPrivateIp"], "signalPort": SIGNAL_PORT, "dataPort": DATA_PORT}
    assert told["workerIdentity"].endswith(":instance-profile/tdce-identity-worker-profile")


def test_the_document_is_an_ssm_parameter_only_the_server_role_is_granted():
    plan = plan_of("aws-prod")
    parameter = only(plan, "aws:ssm/parameter:Parameter")
    assert parameter.inputs["name"] == "/tdce/aws-prod/deployment"
    assert json.loads(parameter.inputs["insecureValue"]) == document(plan)
    arn = f"arn:aws:ssm:eu-west-1:{ACCOUNT_ID}:parameter/tdce/aws-prod/deployment"
    granted = [
        (p.inputs["role"], s)
        for p in [*of_type(plan, "aws:iam/rolePolicy:RolePolicy"), *of_type(plan, "aws:iam/policy:Policy")]
        for s in json.loads(p.inputs["policy"])["Statement"]
        if any(a.startswith("ssm:") for a in s["Action"])
    ]
    assert granted == [("tdce-identity-server-role", {"Sid": "ReadTheDeploymentDocument", "Effect": "Allow",
                                                      "Action": ["ssm:GetParameter"], "Resource": [arn]})]  # fmt: skip


def test_first_boot_writes_the_deployment_env_with_the_servers_own_address():
    plan = plan_of("aws-prod")
    script = only(plan, INSTANCE).inputs["userData"]
    told = document(plan)
    for line in (
        f"TDCE_NETWORK_ID={told['networkId']}",
        f"TDCE_SUBNET_IDS={','.join(told['subnetIds'])}",
        f"TDCE_WORKER_IDENTITY={told['workerIdentity']}",
        f"TDCE_SIGNAL_PORT={SIGNAL_PORT}",
        f"TDCE_DATA_PORT={DATA_PORT}",
        "TDCE_DEPLOYMENT_PARAMETER=/tdce/aws-prod/deployment",
    ):
        assert line in script
    # The address joins the env file before a vendor service that started early is started again.
    assert script.rstrip().endswith("write_own_address\nrestart_services_on_disk")
    assert "latest/meta-data/local-ipv4" in script and "X-aws-ec2-metadata-token" in script


@pytest.mark.parametrize(("os", "marker"), [("linux", "/etc/tdce/worker.env"), ("windows", r"\TDCE\worker.env")])
def test_a_declared_pools_first_boot_writes_worker_env_with_the_servers_address(os, marker):
    pool = {"name": "p", "os": os, "instanceType": "c5.2xlarge", "maxCount": 2}
    plan = plan_variant("aws-prod", {"workers": [pool]})
    (template,) = of_type(plan, "aws:ec2/launchTemplate:LaunchTemplate")
    script = base64.b64decode(template.inputs["userData"]).decode()
    assert marker in script
    for line in (
        f"TDCE_SERVER_ADDRESS={plan.outputs['serverPrivateIp']}",
        f"TDCE_SIGNAL_PORT={SIGNAL_PORT}",
        f"TDCE_DATA_PORT={DATA_PORT}",
    ):
        assert line in script


# --- the server image ---


def test_a_marketplace_product_code_pins_the_newest_image_of_the_listing_and_silences_the_warning():
    plan = plan_variant("aws-prod", {"server.marketplaceProductCode": "aw0evgkw8e5c1q413zgy5pjce"})
    instance = only(plan, INSTANCE)
    assert instance.inputs["ami"] == MARKETPLACE_IMAGE_ID
    assert "ami" in instance.options["ignoreChanges"]
    assert not [line for line in plan_warnings(plan.settings) if "server" in line]


def test_the_plain_default_image_is_one_warning_line_for_the_server_and_one_per_pool():
    lines = plan_warnings(plan_of("aws-prod").settings)
    assert len([line for line in lines if line.startswith("the server boots plain Debian 12")]) == 1
    assert len([line for line in lines if line.startswith("pool ")]) == len(plan_of("aws-prod").settings.workers)


def test_tdce_plan_prints_the_warning_on_stderr(capsys, tmp_path):
    from tdce.cli import main

    assert main(["plan", "aws-dev", "--no-policy"]) == 0
    err = capsys.readouterr().err
    assert "warning: the server boots plain Debian 12 and will not run TDCE" in err


# --- settings refused offline ---


@pytest.mark.parametrize(
    ("path", "value", "line"),
    [
        ("dashboard.extraWorkerRoles", ["arn:aws:iam::123456789012:user/alice"],
         "tdce:dashboard.extraWorkerRoles[0]: must be an IAM role ARN such as"),
        ("dashboard.extraWorkerRoles", ["arn:aws:iam::123456789012:role/tdce-*"],
         "tdce:dashboard.extraWorkerRoles[0]: must name one role, without wildcards"),
        ("dashboard.extraWorkerSecurityGroups", ["sg-0123456789abcdef0", "sg-0123456789abcdef0"],
         "tdce:dashboard.extraWorkerSecurityGroups[1]: lists sg-0123456789abcdef0 twice"),
        ("server.marketplaceProductCode", "Not A Code",
         "tdce:server.marketplaceProductCode: must be an AWS Marketplace product code"),
    ],
)  # fmt: skip
def test_bad_dashboard_and_image_settings_are_one_line_naming_the_key(path, value, line):
    values, secrets = stack_values("aws-prod")
    with pytest.raises(ConfigError) as refused:
        settings_of(with_setting(values, path, value), secrets)
    assert any(str(problem).startswith(line) for problem in refused.value.problems), refused.value.problems

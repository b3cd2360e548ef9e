"""Every component of the vendor's CloudFormation stack (001_ec271c3ff40761d0.txt 4.10) has its counterpart in the plan."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tdce.planner import Plan
from tests.support import of_type, plan_of

PARITY_DOCUMENT = (Path(__file__).resolve().parent.parent / "docs" / "vendor-parity.md").read_text()
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def named(type_token: str, part: str = "") -> Callable[[Plan], bool]:
    return lambda plan: any(part in r.name for r in of_type(plan, type_token))


def ingress(channel: str) -> Callable[[Plan], bool]:
    return lambda plan: any(r.inputs["description"].startswith(f"{channel} from ") for r in of_type(plan, INGRESS))


def gateway_attached(plan: Plan) -> bool:
    gateways = of_type(plan, "aws:ec2/internetGateway:InternetGateway")
    return any(g.inputs.get("vpcId") == plan.outputs["networkId"] for g in gateways)


# What each stack file switches on, with docs/settings.md's defaults for what it leaves out (access.ssh,
# interconnect, workerSsh, workerRdp: false; bucket.forceDestroy: true): config/Pulumi.aws-prod.yaml
# sets ssh false, interconnect false, bucket.forceDestroy false; config/Pulumi.aws-dev.yaml sets ssh,
# interconnect and workerSsh true, bucket.forceDestroy true.
STACK_FILES = {
    "aws-prod": {"ssh": False, "interconnect": False, "workerSsh": False, "workerRdp": False, "forceDestroy": False},
    "aws-dev": {"ssh": True, "interconnect": True, "workerSsh": True, "workerRdp": False, "forceDestroy": True},
}


def bucket_emptied_on_destroy_by_setting(plan: Plan) -> bool:
    (bucket,) = of_type(plan, "aws:s3/bucket:Bucket")
    return bucket.inputs["forceDestroy"] is STACK_FILES[plan.stack]["forceDestroy"]


def switched_on(key: str) -> Callable[[str], bool]:
    return lambda stack: STACK_FILES[stack][key]


def group(output: str) -> Callable[[Plan], bool]:
    return lambda plan: plan.outputs[output] in {g.id for g in of_type(plan, "aws:ec2/securityGroup:SecurityGroup")}


ALWAYS: Callable[[str], bool] = lambda stack: True  # noqa: E731

# Vendor component → (its counterpart is in the plan, when the stack's settings call for it).
COUNTERPARTS: dict[str, tuple[Callable[[Plan], bool], Callable[[str], bool]]] = {
    "TechilaVPC": (named("aws:ec2/vpc:Vpc"), ALWAYS),
    "TechilaSubnet": (named("aws:ec2/subnet:Subnet"), ALWAYS),
    "TechilaInternetGateway": (named("aws:ec2/internetGateway:InternetGateway"), ALWAYS),
    "TechilaGatewayAttachment": (gateway_attached, ALWAYS),
    "TechilaRouteTable": (named("aws:ec2/routeTable:RouteTable"), ALWAYS),
    "TechilaRoute": (named("aws:ec2/route:Route"), ALWAYS),
    "TechilaSubnetRouteTableAssociation": (named("aws:ec2/routeTableAssociation:RouteTableAssociation"), ALWAYS),
    "TechilaS3Endpoint": (named("aws:ec2/vpcEndpoint:VpcEndpoint", "-s3"), ALWAYS),
    "TechilaS3Bucket": (named("aws:s3/bucket:Bucket"), ALWAYS),
    "TechilaS3DeleteLambda": (bucket_emptied_on_destroy_by_setting, ALWAYS),
    "TechilaS3DeleteLambdaRole": (bucket_emptied_on_destroy_by_setting, ALWAYS),
    "TechilaRunS3DeleteLambda": (bucket_emptied_on_destroy_by_setting, ALWAYS),
    "TechilaServerInstance": (named("aws:ec2/instance:Instance"), ALWAYS),
    "TechilaServerEIP": (named("aws:ec2/eip:Eip"), ALWAYS),
    "TechilaServerEIPAssociation": (named("aws:ec2/eipAssociation:EipAssociation"), ALWAYS),
    "TechilaServerDataDisk": (named("aws:ebs/volume:Volume"), ALWAYS),
    "TechilaServerDataDiskMountPoint": (named("aws:ec2/volumeAttachment:VolumeAttachment"), ALWAYS),
    "TechilaServerRole": (named("aws:iam/role:Role", "server"), ALWAYS),
    "TechilaServerInstanceProfile": (named("aws:iam/instanceProfile:InstanceProfile", "server"), ALWAYS),
    "TechilaWorkerRole": (named("aws:iam/role:Role", "worker"), ALWAYS),
    "TechilaWorkerInstanceProfile": (named("aws:iam/instanceProfile:InstanceProfile", "worker"), ALWAYS),
    "TechilaServerSecurityGroup": (group("serverFirewallGroup"), ALWAYS),
    "TechilaServerSecurityGroupIngressSignal": (ingress("signal"), ALWAYS),
    "TechilaServerSecurityGroupIngressData": (ingress("data"), ALWAYS),
    "TechilaServerSecurityGroupIngressManagement": (ingress("management"), ALWAYS),
    "TechilaServerSecurityGroupIngressHTTPS": (ingress("web"), ALWAYS),
    "TechilaServerSecurityGroupIngressSSH": (ingress("ssh"), switched_on("ssh")),
    "TechilaWorkerSecurityGroup": (group("workerFirewallGroup"), ALWAYS),
    "TechilaWorkerSecurityGroupIngress": (ingress("interconnect"), switched_on("interconnect")),
    "TechilaWorkerSecurityGroupIngressSSH": (ingress("worker-ssh"), switched_on("workerSsh")),
    "TechilaWorkerSecurityGroupIngressRDP": (ingress("worker-rdp"), switched_on("workerRdp")),
}
# No counterpart by design; the parity document says why.
WITHOUT_COUNTERPART = ("TechilaServerSecurityGroupIngressP2P", "TechilaWaitCondition", "TechilaWaitConditionHandle")
AURORA_VARIANT = (
    "TechilaAuroraDBCluster",
    "TechilaAuroraDBMasterSecret",
    "TechilaAuroraDBUserSecret",
    "TechilaAuroraDBMasterSecretAttachment",
    "TechilaAuroraDBUserSecretAttachment",
    "TechilaMasterSecretRotationSchedule",
    "TechilaDBClusterSecurityGroupIngressPSQL",
    "TechilaDBClusterSecurityGroupIngressPSQLLambda",
    "TechilaDBClusterSecurityGroup",
    "TechilaSecretsLambdaSecurityGroup",
    "TechilaSecretsEndpointSecurityGroup",
)


@pytest.mark.parametrize("stack", ["aws-prod", "aws-dev"])
@pytest.mark.parametrize("vendor_component", COUNTERPARTS)
def test_vendor_component_has_its_counterpart_when_the_settings_call_for_it(stack, vendor_component):
    plan = plan_of(stack)
    present, wanted = COUNTERPARTS[vendor_component]
    assert present(plan) is wanted(stack)


def test_the_vendor_p2p_rule_gets_no_invented_ports():
    for stack in ("aws-prod", "aws-dev"):
        assert not [r for r in of_type(plan_of(stack), INGRESS) if "p2p" in r.name.lower() or "P2P" in r.inputs["description"]]


@pytest.mark.parametrize("vendor_component", [*COUNTERPARTS, *WITHOUT_COUNTERPART, *AURORA_VARIANT])
def test_parity_document_has_a_row_for_every_vendor_component(vendor_component):
    rows = [line for line in PARITY_DOCUMENT.splitlines() if line.startswith("|")]
    assert any(re.search(rf"\b{vendor_component}\b", row) for row in rows), vendor_component


def test_parity_document_lists_p2p_as_an_open_question():
    questions = PARITY_DOCUMENT.split("## Open questions", 1)[1]
    assert "P2P" in questions

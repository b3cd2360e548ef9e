"""The plan as `pulumi preview` of a new stack sees it, which the pack is also run on: nothing is created
yet, so IDs and the outputs providers compute are unknown, and so is every input made from them."""

from __future__ import annotations

from config.resource_types import AWS_SECURITY_GROUP
from tdce.analyzer_requests import analyze_request, stack_resource
from tdce.recording import UNKNOWN, UNKNOWN_SHOWN_AS
from tests.support import plan_of, preview_plan_of

SIGNAL_RULE = "tdce-firewall-signal-from-workers"


def named(plan, name):
    return next(r for r in plan.resources if r.name == name)


def test_at_preview_no_created_resource_has_an_id_and_providers_keep_theirs():
    resources = preview_plan_of("aws-prod").resources
    created = [r for r in resources if r.custom and not r.type.startswith("pulumi:providers:")]
    assert created and all(r.id is None for r in created)
    # Providers are configured, not created, by the program: the plan keeps their IDs (a simplification:
    # a new provider's ID is unknown at a real preview too, which no policy reads).
    assert all(r.id for r in resources if r.type.startswith("pulumi:providers:"))


def test_a_security_group_s_computed_outputs_are_unknown_at_preview_and_known_after_up():
    group = named(preview_plan_of("aws-prod"), "tdce-firewall-server")
    # terraform-provider-aws aws_security_group, "Attribute Reference": arn, id, owner_id, tags_all; and
    # ingress/egress, which the provider reads back (Optional + Computed).
    assert {"arn", "ownerId", "tagsAll", "ingress", "egress"} <= {k for k, v in group.computed.items() if v == UNKNOWN_SHOWN_AS}
    assert group.outputs["vpcId"] == UNKNOWN_SHOWN_AS  # an input made from the VPC's ID
    after_up = named(plan_of("aws-prod"), "tdce-firewall-server")
    # The offline cloud's ARN (tdce/mock_cloud/aws.py): aws-prod's region and the offline account.
    assert after_up.outputs["arn"].startswith("arn:aws:ec2:eu-west-1:123456789012:")


def test_inputs_made_from_other_resources_are_unknown_at_preview():
    rule = named(preview_plan_of("aws-prod"), SIGNAL_RULE)
    assert rule.inputs["securityGroupId"] == UNKNOWN_SHOWN_AS and rule.inputs["referencedSecurityGroupId"] == UNKNOWN_SHOWN_AS
    # What it was made from still reaches the engine (and the pack): the property dependencies.
    assert rule.property_dependencies["securityGroupId"] == [named(preview_plan_of("aws-prod"), "tdce-firewall-server").urn]
    assert rule.inputs["fromPort"] == 20001


def test_stack_outputs_at_preview_are_unknown_except_what_invokes_answer():
    outputs = preview_plan_of("aws-prod").outputs
    assert outputs["serverPublicIp"] == UNKNOWN_SHOWN_AS and outputs["dataDiskId"] == UNKNOWN_SHOWN_AS
    # The engine runs invokes at preview: the image lookup is answered.
    assert outputs["serverImage"] == plan_of("aws-prod").outputs["serverImage"] != UNKNOWN_SHOWN_AS


def test_the_pack_gets_inputs_per_resource_and_outputs_for_the_stack_with_the_engine_s_unknown_marker():
    plan = preview_plan_of("aws-prod")
    by_urn = {r.urn: r for r in plan.resources}
    group = named(plan, "tdce-firewall-server")
    per_resource = analyze_request(group, by_urn).properties
    for_the_stack = stack_resource(group, by_urn).properties
    assert "arn" not in per_resource and for_the_stack["arn"] == UNKNOWN
    assert per_resource["vpcId"] == for_the_stack["vpcId"] == UNKNOWN
    assert AWS_SECURITY_GROUP == group.type


def test_a_changed_input_shows_in_the_outputs_over_what_the_provider_computes():
    group = named(preview_plan_of("aws-prod"), "tdce-firewall-server")
    changed = type(group)(**{**group.__dict__, "inputs": {**group.inputs, "ingress": [{"protocol": "-1"}]}})
    assert changed.outputs["ingress"] == [{"protocol": "-1"}] and group.outputs["ingress"] == UNKNOWN_SHOWN_AS


def test_every_example_stack_plans_at_preview():
    for stack in ("aws-prod", "aws-aurora", "aws-dev", "aws-restore", "gcp-prod", "gcp-restore"):
        plan = preview_plan_of(stack)
        assert len(plan.resources) == len(plan_of(stack).resources), stack


def test_an_input_a_test_removes_leaves_the_output_the_provider_computes_unknown():
    # A security group without `ingress` in its inputs has the provider's computed `ingress`: unknown at preview.
    group = named(preview_plan_of("aws-prod"), "tdce-firewall-server")
    changed = type(group)(**{**group.__dict__, "inputs": {k: v for k, v in group.inputs.items() if k != "description"}})
    assert changed.outputs["description"] == UNKNOWN_SHOWN_AS and group.outputs["description"] != UNKNOWN_SHOWN_AS


def test_a_secret_unknown_at_preview_is_unknown_to_the_pack_and_shows_no_value():
    # The SDK sends {secret, unknown}; pulumi-policy unwraps it and meets the unknown (its deserialize).
    # The admin password's secret version is given the generated password, which is unknown at preview.
    value = named(preview_plan_of("aws-prod"), "tdce-dashboard-admin-password-value")
    assert value.inputs["secretString"] == UNKNOWN_SHOWN_AS
    assert named(plan_of("aws-prod"), "tdce-dashboard-admin-password-value").inputs["secretString"] == "[secret]"

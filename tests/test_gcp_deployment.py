"""The GCP deployment as a whole: one provider from the settings, labels, component tree, outputs, and GCP-only setting rules."""

from __future__ import annotations

import importlib
import inspect

import pytest

from config.errors import ConfigError
from tdce.planner import Plan
from tests.support import of_type, plan_of, settings_of, stack_values, with_setting

GCP_STACKS = ["gcp-prod", "gcp-restore"]
PROVIDER = "pulumi:providers:gcp"


def gcp_resources(plan: Plan) -> list:
    return [r for r in plan.resources if r.custom and r.type.startswith("gcp:")]


def accepts_labels(type_token: str) -> bool:
    """Whether the installed pulumi_gcp SDK lets this resource type carry labels."""
    module_path, _, class_name = type_token.removeprefix("gcp:").partition(":")
    module = importlib.import_module(f"pulumi_gcp.{module_path.split('/')[0]}")
    return "labels" in inspect.signature(getattr(module, f"{class_name}Args").__init__).parameters


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_resource_uses_the_one_provider_configured_from_the_settings(stack):
    plan = plan_of(stack)
    (provider,) = of_type(plan, PROVIDER)
    assert (provider.inputs["project"], provider.inputs["region"]) == (plan.settings.project, plan.settings.region)
    for resource in gcp_resources(plan):
        assert resource.provider is not None and resource.provider.startswith(provider.urn), resource.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_resource_sits_under_a_gcp_component(stack):
    plan = plan_of(stack)
    components = {r.urn: r.type for r in plan.resources if not r.custom}
    for resource in gcp_resources(plan):
        assert components.get(resource.parent, "").startswith("tdce:gcp:"), resource.name
        assert resource.name.startswith("tdce-"), resource.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_labelable_resource_carries_the_user_labels_and_the_stack_label(stack):
    plan = plan_of(stack)
    expected = {**plan.settings.tags, "tdce-stack": stack}
    labelled = 0
    for resource in gcp_resources(plan):
        if resource.type == "gcp:sql/databaseInstance:DatabaseInstance":
            labels = resource.inputs["settings"].get("userLabels", {})
        elif accepts_labels(resource.type):
            labels = resource.inputs.get("labels", {})
        else:
            continue
        assert expected.items() <= labels.items(), resource.name
        labelled += 1
    assert labelled >= 10


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_outputs_give_operators_what_they_connect_to_and_nothing_secret(stack):
    plan = plan_of(stack)
    outputs = plan.outputs
    assert outputs["dashboardUrl"] == f"https://{outputs['serverPublicIp']}/"
    # The vendor's management port (000_8bca743440dfe33c.txt, GCP table: Required3); the examples keep it.
    assert outputs["sdkEndpoint"] == f"{outputs['serverPublicIp']}:25001"
    assert outputs["workerGroupNames"] == {pool.name: f"tdce-workers-{pool.name}" for pool in plan.settings.workers}
    for key in (
        "bucketName",
        "networkId",
        "dataDiskId",
        "dashboardAdminPasswordSecret",
        "databaseConnectionName",
    ):
        assert outputs[key] and outputs[key] != "[secret]", key
    assert outputs["serverIdentity"].endswith(f"@{plan.settings.project}.iam.gserviceaccount.com")


def test_the_two_example_stacks_get_service_accounts_of_their_own():
    assert plan_of("gcp-prod").outputs["serverIdentity"] != plan_of("gcp-restore").outputs["serverIdentity"]
    assert plan_of("gcp-prod").settings.project == plan_of("gcp-restore").settings.project


def gcp_prod_with(path: str, value) -> None:
    values, secret_keys = stack_values("gcp-prod")
    settings_of(with_setting(values, path, value), secret_keys)


def test_a_backup_time_off_the_hour_is_rejected_on_gcp():
    with pytest.raises(ConfigError) as caught:
        gcp_prod_with("backup.dailyAtUtc", "01:30")
    assert "tdce:backup.dailyAtUtc: must be on the hour" in str(caught.value)


def test_a_spot_price_cap_is_rejected_on_gcp():
    with pytest.raises(ConfigError) as caught:
        gcp_prod_with("workers[0].spotMaxPrice", "0.10")
    assert "tdce:workers[0].spotMaxPrice: is AWS only" in str(caught.value)


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_network_is_custom_mode_with_private_google_access_nat_and_flow_logs_as_configured(stack):
    plan = plan_of(stack)
    (network,) = of_type(plan, "gcp:compute/network:Network")
    (subnet,) = of_type(plan, "gcp:compute/subnetwork:Subnetwork")
    (nat,) = of_type(plan, "gcp:compute/routerNat:RouterNat")
    assert network.inputs["autoCreateSubnetworks"] is False
    # gcp-prod names its subnetwork; gcp-restore's is the first /24 of its 10.41.0.0/16.
    assert subnet.inputs["ipCidrRange"] == {"gcp-prod": "10.40.0.0/20", "gcp-restore": "10.41.0.0/24"}[stack]
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert ("logConfig" in subnet.inputs) == plan.settings.network.flow_logs
    assert [entry["name"] for entry in nat.inputs["subnetworks"]] == [subnet.id]


def test_the_example_stacks_show_flow_logs_on_and_off():
    assert {plan_of(stack).settings.network.flow_logs for stack in GCP_STACKS} == {True, False}

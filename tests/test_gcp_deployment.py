"""The GCP deployment as a whole: one provider from the settings, labels, component tree, outputs, and GCP-only setting rules."""

from __future__ import annotations

import importlib
import inspect

import pytest

from config.errors import ConfigError
from tdce.planner import Plan
from tests.support import DELETE, of_type, plan_of, plan_variant, settings_of, stack_values, with_setting

GCP_STACKS = ["gcp-prod", "gcp-restore"]
PROVIDER = "pulumi:providers:gcp"


def gcp_resources(plan: Plan) -> list:
    return [r for r in plan.resources if r.custom and r.type.startswith("gcp:")]


def accepts_labels(type_token: str) -> bool:
    """Whether the installed pulumi_gcp SDK lets this resource type carry labels."""
    module_path, _, class_name = type_token.removeprefix("gcp:").partition(":")
    module = importlib.import_module(f"pulumi_gcp.{module_path.split('/')[0]}")
    return "labels" in inspect.signature(getattr(module, f"{class_name}Args").__init__).parameters


SERVICE = "gcp:projects/service:Service"
# Which Google API a resource's calls go to, by the SDK module of its type, or the module's folder,
# from Google's REST references: Compute Engine v1; IAM v1 (projects.serviceAccounts, projects.roles);
# Cloud Resource Manager v1 (projects.setIamPolicy, which a project-level member edits); Cloud
# Storage JSON v1; Secret Manager v1; Cloud SQL Admin v1; Service Networking v1 (services.connections).
# `projects/service` is the Service Usage API, which Google turns on in every project.
API_OF_MODULE = {
    "compute": "compute.googleapis.com",
    "serviceaccount": "iam.googleapis.com",
    "projects/iAMCustomRole": "iam.googleapis.com",
    "projects/iAMMember": "cloudresourcemanager.googleapis.com",
    "projects/service": None,
    "storage": "storage.googleapis.com",
    "secretmanager": "secretmanager.googleapis.com",
    "sql": "sqladmin.googleapis.com",
    "servicenetworking": "servicenetworking.googleapis.com",
}
# What a VM granted one of these roles calls as it runs, which no resource of the stack does (the
# roles' permissions are logging.logEntries.create and monitoring.timeSeries.create).
API_OF_RUNTIME_ROLE = {
    "roles/logging.logWriter": "logging.googleapis.com",
    "roles/monitoring.metricWriter": "monitoring.googleapis.com",
}
PROJECT_GRANT = "gcp:projects/iAMMember:IAMMember"
CLOUD_SQL_APIS = {"sqladmin.googleapis.com", "servicenetworking.googleapis.com"}


def api_of(type_token: str) -> str | None:
    module = type_token.removeprefix("gcp:").rpartition(":")[0]
    for key in (module, module.partition("/")[0]):
        if key in API_OF_MODULE:
            return API_OF_MODULE[key]
    raise AssertionError(f"{type_token}: which API serves it? add its module to API_OF_MODULE")


def apis_called(plan: Plan) -> set[str]:
    """The APIs the plan's resources call, and those its VMs are granted to call."""
    by_resources = {api for r in gcp_resources(plan) if (api := api_of(r.type))}
    by_vms = {
        API_OF_RUNTIME_ROLE[g.inputs["role"]] for g in of_type(plan, PROJECT_GRANT) if g.inputs["role"] in API_OF_RUNTIME_ROLE
    }
    return by_resources | by_vms


def test_a_resource_type_of_no_known_api_is_named():
    with pytest.raises(AssertionError, match="gcp:pubsub/topic:Topic"):
        api_of("gcp:pubsub/topic:Topic")


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_resource_uses_the_provider_configured_from_the_settings_which_waits_for_the_apis(stack):
    plan = plan_of(stack)
    providers = {p.name: p for p in of_type(plan, PROVIDER)}
    provider, api_provider = providers["tdce-gcp"], providers["tdce-gcp-apis"]
    for each in (provider, api_provider):
        assert (each.inputs["project"], each.inputs["region"]) == (plan.settings.project, plan.settings.region)
    services = of_type(plan, SERVICE)
    assert {service.urn for service in services} <= set(provider.dependencies)
    for resource in gcp_resources(plan):
        expected = api_provider if resource.type == SERVICE else provider
        assert resource.provider is not None and resource.provider.startswith(expected.urn), resource.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_the_stack_enables_every_api_it_uses_and_leaves_them_on_when_destroyed(stack):
    plan = plan_of(stack)
    services = of_type(plan, SERVICE)
    enabled = {service.inputs["service"] for service in services}
    assert enabled == apis_called(plan)
    assert CLOUD_SQL_APIS | set(API_OF_RUNTIME_ROLE.values()) <= enabled
    for service in services:
        assert service.inputs["disableOnDestroy"] is False, service.name


def test_a_stack_without_cloud_sql_enables_no_cloud_sql_api():
    plan = plan_variant("gcp-prod", {"database.engine": "local", "database.cloudsql": DELETE})
    enabled = {service.inputs["service"] for service in of_type(plan, SERVICE)}
    assert enabled == apis_called(plan)
    assert not enabled & CLOUD_SQL_APIS


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_zones_and_images_are_looked_up_only_after_the_compute_api_is_on(stack):
    plan = plan_of(stack)
    (compute,) = [s for s in of_type(plan, SERVICE) if s.inputs["service"] == "compute.googleapis.com"]
    stores = of_type(plan, "random:index/randomShuffle:RandomShuffle")
    assert stores
    for store in stores:
        # The lookup feeding the kept value waited for the API (an invoke's dependsOn becomes the input's dependency).
        assert compute.urn in store.property_dependencies.get("inputs", []), store.name


def test_zones_are_looked_up_once_and_kept_unless_the_stack_names_them():
    plan = plan_of("gcp-prod")
    (zones,) = [s for s in of_type(plan, "random:index/randomShuffle:RandomShuffle") if s.name == "tdce-zones"]
    assert zones.inputs["inputs"] == ["europe-north1-a", "europe-north1-b"]
    assert zones.options["ignoreChanges"] == ["inputs"] and zones.inputs["keepers"] == {"region": "europe-north1"}
    assert "tdce-zones" not in {s.name for s in of_type(plan_of("gcp-restore"), "random:index/randomShuffle:RandomShuffle")}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_resource_sits_under_a_gcp_component(stack):
    plan = plan_of(stack)
    components = {r.urn: r.type for r in plan.resources if not r.custom}
    for resource in gcp_resources(plan):
        assert components.get(resource.parent, "").startswith("tdce:gcp:"), resource.name
        assert resource.name.startswith("tdce-"), resource.name


# config/Pulumi.<stack>.yaml's tdce:tags.
USER_LABELS = {"gcp-prod": {"owner": "research-computing", "environment": "prod"}, "gcp-restore": {"environment": "restore"}}
# gcp-prod's one pool is the dashboard's (capacityOwner's default, docs/settings.md); gcp-restore's
# linux-ondemand says `capacityOwner: pulumi`.
WORKER_GROUPS = {"gcp-prod": {}, "gcp-restore": {"linux-ondemand": "tdce-workers-linux-ondemand"}}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_labelable_resource_carries_the_user_labels_and_the_stack_label(stack):
    plan = plan_of(stack)
    expected = {**USER_LABELS[stack], "tdce-stack": stack}
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
    # Groups only for the pools Pulumi sizes; the dashboard starts the others' workers from their templates.
    assert outputs["workerGroupNames"] == WORKER_GROUPS[stack]
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

"""GCP server and worker VMs: hardened, dedicated identities, replaced without losing the address, the disk or running jobs."""

from __future__ import annotations

import pytest

from tdce.planner import Plan
from tests.support import of_type, plan_of, plan_variant

INSTANCE = "gcp:compute/instance:Instance"
TEMPLATE = "gcp:compute/instanceTemplate:InstanceTemplate"
GROUP = "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager"
GCP_STACKS = ["gcp-prod", "gcp-restore"]
POOL_PREFIX = "tdce-workers-"


def vms(plan: Plan) -> list:
    """The server and every worker template: whatever boots a VM."""
    return of_type(plan, INSTANCE) + of_type(plan, TEMPLATE)


def pools(plan: Plan) -> dict:
    return {pool.name: pool for pool in plan.settings.workers}


def templates_and_pools(plan: Plan) -> list[tuple]:
    """Each worker template with the pool settings it was made from."""
    return [(template, pools(plan)[template.name.removeprefix(POOL_PREFIX)]) for template in of_type(plan, TEMPLATE)]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_vm_is_a_shielded_vm(stack):
    plan = plan_of(stack)
    assert len(vms(plan)) == 1 + len(plan.settings.workers)
    for vm in vms(plan):
        assert vm.inputs["shieldedInstanceConfig"] == {
            "enableSecureBoot": True,
            "enableVtpm": True,
            "enableIntegrityMonitoring": True,
        }, vm.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_vm_logs_in_through_os_login_without_project_keys_or_serial_console(stack):
    for vm in vms(plan_of(stack)):
        metadata = vm.inputs["metadata"]
        assert metadata["enable-oslogin"] == "TRUE", vm.name
        assert metadata["block-project-ssh-keys"] == "TRUE", vm.name
        assert metadata["serial-port-enable"] == "FALSE", vm.name
        assert "ssh-keys" not in metadata, vm.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_no_vm_runs_as_the_default_compute_service_account(stack):
    plan = plan_of(stack)
    (server,) = of_type(plan, INSTANCE)
    assert server.inputs["serviceAccount"]["email"] == plan.outputs["serverIdentity"]
    for template in of_type(plan, TEMPLATE):
        assert template.inputs["serviceAccount"]["email"] == plan.outputs["workerIdentity"], template.name
    for vm in vms(plan):
        assert not vm.inputs["serviceAccount"]["email"].endswith("-compute@developer.gserviceaccount.com")
    assert plan.outputs["serverIdentity"] != plan.outputs["workerIdentity"]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_server_keeps_its_static_address_and_is_never_replaced_by_a_newer_image(stack):
    plan = plan_of(stack)
    (server,) = of_type(plan, INSTANCE)
    assert server.inputs["networkInterfaces"][0]["accessConfigs"] == [{"natIp": plan.outputs["serverPublicIp"]}]
    assert "bootDisk.initializeParams.image" in server.options["ignoreChanges"]
    assert "debian-12" in server.inputs["bootDisk"]["initializeParams"]["image"]
    # The address and the data disk can belong to one server at a time.
    assert server.options["deleteBeforeReplace"] is True


PREFIX = {"gcp-prod": "tdce-gcp-prod--", "gcp-restore": "tdce-gcp-restore--"}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_pulumi_sized_pools_are_groups_at_their_count_and_dashboard_sized_pools_are_prefixed_templates(stack):
    plan = plan_of(stack)
    groups = {group.name.removeprefix(POOL_PREFIX): group for group in of_type(plan, GROUP)}
    for template, pool in templates_and_pools(plan):
        if pool.capacity_owner == "pulumi":
            group = groups.pop(pool.name)
            assert group.inputs["targetSize"] == pool.desired_count
            assert "targetSize" not in group.options["ignoreChanges"]
            # Neither the group nor its instances carry the prefix the server's grant is conditioned on.
            assert not group.inputs["baseInstanceName"].startswith(PREFIX[stack])
            assert not template.inputs["namePrefix"].startswith(PREFIX[stack])
        else:
            # The server starts this pool's workers from its template: the template's name has the prefix.
            assert template.inputs["namePrefix"] == f"{PREFIX[stack]}{pool.name}-"
    assert groups == {}


def test_the_example_stacks_show_both_capacity_owners():
    owners = {pool.capacity_owner for stack in GCP_STACKS for pool in plan_of(stack).settings.workers}
    assert owners == {"dashboard", "pulumi"}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_spot_pools_run_on_spot_vms_that_are_deleted_when_preempted(stack):
    for template, pool in templates_and_pools(plan_of(stack)):
        scheduling = template.inputs.get("scheduling", {})
        if pool.purchase == "spot":
            assert scheduling["provisioningModel"] == "SPOT"
            assert scheduling["preemptible"] is True and scheduling["automaticRestart"] is False
            assert scheduling["instanceTerminationAction"] in ("STOP", "DELETE")
        else:
            assert scheduling.get("provisioningModel", "STANDARD") == "STANDARD", template.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_workers_get_a_public_address_only_when_their_pool_asks_for_one(stack):
    for template, pool in templates_and_pools(plan_of(stack)):
        (interface,) = template.inputs["networkInterfaces"]
        assert bool(interface.get("accessConfigs")) == pool.public_ip, template.name


# Template → (os, instanceType, disk.sizeGb, disk.type), from config/Pulumi.<stack>.yaml's tdce:workers
# with docs/settings.md's defaults (os linux, disk.sizeGb 100, the disk type left to the cloud's
# default, pd-balanced on GCP as for dataDisk.type).
TEMPLATE_SETTINGS = {
    "gcp-prod": {"tdce-workers-linux-spot": ("linux", "c2-standard-16", 100, "pd-balanced")},
    "gcp-restore": {
        "tdce-workers-linux-ondemand": ("linux", "c2-standard-8", 100, "pd-balanced"),
        "tdce-workers-windows-spot": ("windows", "n2-standard-8", 100, "pd-balanced"),
    },
}


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_templates_follow_the_pool_os_machine_type_and_disk(stack):
    templates = {template.name: template for template in of_type(plan_of(stack), TEMPLATE)}
    assert set(templates) == set(TEMPLATE_SETTINGS[stack])
    for name, (os, machine_type, size_gb, disk_type) in TEMPLATE_SETTINGS[stack].items():
        template = templates[name]
        (disk,) = template.inputs["disks"]
        assert template.inputs["machineType"] == machine_type
        assert (disk["diskSizeGb"], disk["diskType"]) == (size_gb, disk_type)
        assert ("windows-cloud" in disk["sourceImage"]) == (os == "windows"), name


# A managed instance group for each pool whose capacity Pulumi owns (`capacityOwner: pulumi`), none for
# the pools the dashboard sizes: gcp-prod's one pool, linux-spot, has no capacityOwner (the dashboard
# sizes it, docs/settings.md); gcp-restore's linux-ondemand says `capacityOwner: pulumi`, windows-spot
# does not (config/Pulumi.<stack>.yaml). The variant makes gcp-prod's pool Pulumi's.
PULUMI_OWNED = {"capacityOwner": "pulumi", "desiredCount": 1}
GROUPS = {
    "gcp-prod": [],
    "gcp-restore": ["tdce-workers-linux-ondemand"],
    "gcp-prod-pulumi-owned": ["tdce-workers-linux-spot"],
}
TEMPLATES = {
    "gcp-prod": ["tdce-workers-linux-spot"],
    "gcp-restore": ["tdce-workers-linux-ondemand", "tdce-workers-windows-spot"],
    "gcp-prod-pulumi-owned": ["tdce-workers-linux-spot"],
}


def plan_named(case: str) -> Plan:
    if case == "gcp-prod-pulumi-owned":
        return plan_variant("gcp-prod", {f"workers[0].{key}": value for key, value in PULUMI_OWNED.items()})
    return plan_of(case)


@pytest.mark.parametrize("case", sorted(GROUPS))
def test_a_changed_template_is_created_under_a_new_name_before_the_old_one_goes(case):
    plan = plan_named(case)
    templates = of_type(plan, TEMPLATE)
    assert sorted(t.name for t in templates) == TEMPLATES[case]
    for template in templates:
        assert template.inputs["namePrefix"].endswith("-") and "name" not in template.inputs
        assert template.options["deleteBeforeReplace"] is False
    groups = of_type(plan, GROUP)
    assert sorted(g.name for g in groups) == GROUPS[case]
    for group in groups:
        (version,) = group.inputs["versions"]
        # The unique link changes with every new template, so the group moves to it.
        assert "uniqueId=" in version["instanceTemplate"]


@pytest.mark.parametrize("case", ["gcp-restore", "gcp-prod-pulumi-owned"])
def test_a_new_template_never_replaces_running_workers(case):
    groups = of_type(plan_named(case), GROUP)
    assert sorted(g.name for g in groups) == GROUPS[case]
    assert groups
    for group in groups:
        assert group.inputs["updatePolicy"]["type"] == "OPPORTUNISTIC"
        assert group.inputs["updatePolicy"]["instanceRedistributionType"] == "NONE"


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_server_mounts_its_data_disk_and_learns_where_the_password_is_kept_not_the_password(stack):
    plan = plan_of(stack)
    (server,) = of_type(plan, INSTANCE)
    (attached,) = server.inputs["attachedDisks"]
    script = server.inputs["metadata"]["startup-script"]
    assert f"DATA_DEVICE_NAME={attached['deviceName']}" in script
    assert f"ADMIN_PASSWORD_SECRET={plan.outputs['dashboardAdminPasswordSecret']}" in script
    assert "mount" in script and "[secret]" not in script
    # In metadata, where a change updates the server; `metadataStartupScript` would replace it.
    assert "metadataStartupScript" not in server.inputs


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_every_pool_writes_worker_env_with_the_servers_reserved_address_and_the_vendor_ports(stack):
    plan = plan_of(stack)
    (server,) = of_type(plan, INSTANCE)
    (interface,) = server.inputs["networkInterfaces"]
    address = interface["networkIp"]
    # The server's internal address is reserved, so a replaced server keeps it.
    reserved = [a for a in of_type(plan, "gcp:compute/address:Address") if a.inputs.get("addressType") == "INTERNAL"]
    assert len(reserved) == 1 and reserved[0].urn in server.dependencies
    for template, pool in templates_and_pools(plan):
        metadata = template.inputs["metadata"]
        key = "windows-startup-script-ps1" if pool.os == "windows" else "startup-script"
        script = metadata[key]
        # 000_8bca743440dfe33c.txt, GCP table: Required1 (20001) and Required2 (20002).
        for line in (f"TDCE_SERVER_ADDRESS={address}", "TDCE_SIGNAL_PORT=20001", "TDCE_DATA_PORT=20002"):
            assert line in script, (template.name, line)
        assert ("/etc/tdce/worker.env" in script) == (pool.os == "linux")


def test_spot_groups_take_capacity_in_any_zone_and_on_demand_groups_spread_evenly():
    plan = plan_variant("gcp-prod", {"workers[0].capacityOwner": "pulumi"})
    (spot,) = of_type(plan, GROUP)
    # distributionPolicy.targetShape ANY: batch workloads on preemptible capacity.
    assert spot.inputs["distributionPolicyTargetShape"] == "ANY"
    (on_demand,) = of_type(plan_of("gcp-restore"), GROUP)
    assert "distributionPolicyTargetShape" not in on_demand.inputs


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_default_images_are_looked_up_once_and_kept_so_no_new_release_replaces_a_template(stack):
    plan = plan_of(stack)
    kept = {store.name: store for store in of_type(plan, "random:index/randomShuffle:RandomShuffle")}
    for template, pool in templates_and_pools(plan):
        store = kept[f"tdce-workers-{pool.name}-image"]
        assert store.options["ignoreChanges"] == ["inputs"]
        family = "windows-cloud/windows-2022" if pool.os == "windows" else "debian-cloud/debian-12"
        assert store.inputs["keepers"] == {"family": family}
        (disk,) = template.inputs["disks"]
        assert store.urn in template.property_dependencies.get("disks", [])
        assert disk["sourceImage"] == store.inputs["inputs"][0]
    (server,) = of_type(plan, INSTANCE)
    assert kept["tdce-server-vm-image"].urn in server.property_dependencies.get("bootDisk", [])

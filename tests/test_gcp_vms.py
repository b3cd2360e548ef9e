"""GCP server and worker VMs: hardened, dedicated identities, replaced without losing the address, the disk or running jobs."""

from __future__ import annotations

import pytest

from tdce.planner import Plan
from tests.support import of_type, plan_of

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


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_dashboard_owned_groups_ignore_target_size_and_pulumi_owned_groups_enforce_it(stack):
    plan = plan_of(stack)
    groups = of_type(plan, GROUP)
    assert len(groups) == len(plan.settings.workers)
    for group in groups:
        pool = pools(plan)[group.name.removeprefix(POOL_PREFIX)]
        assert group.inputs["targetSize"] == pool.desired_count
        assert ("targetSize" in group.options["ignoreChanges"]) == (pool.capacity_owner == "dashboard"), group.name


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


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_templates_follow_the_pool_os_machine_type_and_disk(stack):
    for template, pool in templates_and_pools(plan_of(stack)):
        (disk,) = template.inputs["disks"]
        assert template.inputs["machineType"] == pool.instance_type
        assert (disk["diskSizeGb"], disk["diskType"]) == (pool.disk.size_gb, pool.disk.type)
        assert ("windows-cloud" in disk["sourceImage"]) == (pool.os == "windows"), template.name


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_a_changed_template_is_created_under_a_new_name_before_the_old_one_goes(stack):
    plan = plan_of(stack)
    for template in of_type(plan, TEMPLATE):
        assert template.inputs["namePrefix"] == f"{template.name}-" and "name" not in template.inputs
        assert template.options["deleteBeforeReplace"] is False
    for group in of_type(plan, GROUP):
        (version,) = group.inputs["versions"]
        # The unique link changes with every new template, so the group moves to it.
        assert "uniqueId=" in version["instanceTemplate"]


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_a_new_template_never_replaces_running_workers(stack):
    for group in of_type(plan_of(stack), GROUP):
        assert group.inputs["updatePolicy"]["type"] == "OPPORTUNISTIC"
        assert group.inputs["updatePolicy"]["instanceRedistributionType"] == "NONE"


@pytest.mark.parametrize("stack", GCP_STACKS)
def test_server_mounts_its_data_disk_and_learns_where_the_password_is_kept_not_the_password(stack):
    plan = plan_of(stack)
    (server,) = of_type(plan, INSTANCE)
    (attachment,) = of_type(plan, "gcp:compute/attachedDisk:AttachedDisk")
    script = server.inputs["metadata"]["startup-script"]
    assert f"DATA_DEVICE_NAME={attachment.inputs['deviceName']}" in script
    assert f"ADMIN_PASSWORD_SECRET={plan.outputs['dashboardAdminPasswordSecret']}" in script
    assert "mount" in script and "[secret]" not in script
    # In metadata, where a change updates the server; `metadataStartupScript` would replace it.
    assert "metadataStartupScript" not in server.inputs

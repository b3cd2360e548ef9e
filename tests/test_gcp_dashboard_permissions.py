"""The server's GCP grants, as recorded: every dashboard operation of docs/dashboard-permissions-gcp.md is allowed on
this stack's resources and on no other stack's (issue 11).

The permissions each operation needs are Google's ("Create and start a Compute Engine instance": Required
permissions; the Compute Engine API reference's IAM Permissions of instances.insert/delete/start/stop,
instanceTemplates.insert/delete, images.insert/delete/deprecate, disks.delete, and the operations' get),
written here as literal tables; the verdicts come from tests/gcp_iam.py, a model of IAM's decision.
"""

from __future__ import annotations

import pytest

from tests.gcp_iam import Binding, Request, allowed, condition_holds
from tests.support import of_type, plan_of, plan_variant

PROJECT = "tdce-prod-example"
ZONE = "europe-north1-a"
REGION = "europe-north1"
THIS_PREFIX = "tdce-gcp-prod--"
# Another stack in the same project whose name starts like this one's: its prefix must not match ours.
OTHER_PREFIX = "tdce-gcp-prod-eu--"

INSTANCE = "compute.googleapis.com/Instance"
DISK = "compute.googleapis.com/Disk"
IMAGE = "compute.googleapis.com/Image"
TEMPLATE = "compute.googleapis.com/InstanceTemplate"
PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
SUBNETWORK = "compute.googleapis.com/Subnetwork"
ACCOUNT = "iam.googleapis.com/ServiceAccount"
OPERATION = "compute.googleapis.com/Operation"
GROUP = "compute.googleapis.com/RegionInstanceGroupManager"

# Predefined roles the stack grants, with the permissions of them these operations use
# (IAM "Roles and permissions" reference: Service Account User holds iam.serviceAccounts.actAs).
PREDEFINED = {
    "roles/iam.serviceAccountUser": frozenset(
        {"iam.serviceAccounts.actAs", "iam.serviceAccounts.get", "iam.serviceAccounts.list"}
    ),
    "roles/logging.logWriter": frozenset({"logging.logEntries.create"}),
    "roles/monitoring.metricWriter": frozenset({"monitoring.timeSeries.create"}),
    "roles/cloudsql.client": frozenset({"cloudsql.instances.connect", "cloudsql.instances.get"}),
    "roles/cloudsql.instanceUser": frozenset({"cloudsql.instances.login"}),
}


def server_bindings(plan) -> list[Binding]:
    member = f"serviceAccount:{plan.outputs['serverIdentity']}"
    custom = {
        f"projects/{role.inputs['project']}/roles/{role.inputs['roleId']}": frozenset(role.inputs["permissions"])
        for role in of_type(plan, "gcp:projects/iAMCustomRole:IAMCustomRole")
    }

    def permissions(role: str) -> frozenset[str]:
        return custom.get(role) or PREDEFINED[role]

    bindings = []
    for grant in of_type(plan, "gcp:projects/iAMMember:IAMMember"):
        if grant.inputs["member"] == member:
            condition = grant.inputs.get("condition", {}).get("expression")
            bindings.append(Binding("project", permissions(grant.inputs["role"]), condition))
    for grant in of_type(plan, "gcp:compute/subnetworkIAMMember:SubnetworkIAMMember"):
        assert grant.inputs["member"] == member
        bindings.append(Binding(grant.inputs["subnetwork"], permissions(grant.inputs["role"])))
    for grant in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember"):
        assert grant.inputs["member"] == member
        bindings.append(Binding(grant.inputs["serviceAccountId"], permissions(grant.inputs["role"])))
    return bindings


def operations(prefix: str, subnetwork: str, worker: str) -> dict[str, list[Request]]:
    """Each dashboard operation as the permission checks Google makes, on resources named with `prefix`."""
    instance = f"projects/{PROJECT}/zones/{ZONE}/instances/{prefix}w-1"
    disk = f"projects/{PROJECT}/zones/{ZONE}/disks/{prefix}w-1"
    template = f"projects/{PROJECT}/global/instanceTemplates/{prefix}t-1"
    image = f"projects/{PROJECT}/global/images/{prefix}img-1"
    account = f"projects/{PROJECT}/serviceAccounts/{worker}"
    return {
        "start a worker from a template, public IP on": [
            Request("compute.instances.create", INSTANCE, instance),
            Request("compute.disks.create", DISK, disk),
            Request("compute.instanceTemplates.useReadOnly", TEMPLATE, template),
            Request("compute.instances.setMetadata", INSTANCE, instance),
            Request("compute.instances.setLabels", INSTANCE, instance),
            Request("compute.instances.setServiceAccount", INSTANCE, instance),
            Request("compute.subnetworks.use", SUBNETWORK, subnetwork),
            Request("compute.subnetworks.useExternalIp", SUBNETWORK, subnetwork),
            Request("iam.serviceAccounts.actAs", ACCOUNT, account),
        ],
        "start a worker from a custom image": [
            Request("compute.instances.create", INSTANCE, instance),
            Request("compute.disks.create", DISK, disk),
            Request("compute.images.useReadOnly", IMAGE, image),
            Request("compute.subnetworks.use", SUBNETWORK, subnetwork),
            Request("iam.serviceAccounts.actAs", ACCOUNT, account),
        ],
        "make an instance template": [
            Request("compute.instanceTemplates.create", TEMPLATE, template),
            Request("iam.serviceAccounts.actAs", ACCOUNT, account),
        ],
        "delete an instance template": [Request("compute.instanceTemplates.delete", TEMPLATE, template)],
        "stop and start a worker": [
            Request("compute.instances.stop", INSTANCE, instance),
            Request("compute.instances.start", INSTANCE, instance),
        ],
        "shut a worker down": [Request("compute.instances.delete", INSTANCE, instance)],
        "make a custom image from a worker": [
            Request("compute.images.create", IMAGE, image),
            # Google's pages name either on the source disk: useReadOnly (images.insert), or
            # `compute.disks.use` "if the image is created from a disk" (custom images, custom roles).
            Request("compute.disks.useReadOnly", DISK, disk),
            Request("compute.disks.use", DISK, disk),
        ],
        "deprecate and delete a custom image": [
            Request("compute.images.deprecate", IMAGE, image),
            Request("compute.images.delete", IMAGE, image),
        ],
        "delete a leftover disk": [Request("compute.disks.delete", DISK, disk)],
        "label a disk and an image": [
            Request("compute.disks.setLabels", DISK, disk),
            Request("compute.images.setLabels", IMAGE, image),
        ],
    }


# Reads are checked on the project (list) or on resources without attributes (operations): not per stack.
READS = [
    Request("compute.instances.list", PROJECT_TYPE, f"projects/{PROJECT}"),
    Request("compute.instanceTemplates.list", PROJECT_TYPE, f"projects/{PROJECT}"),
    Request("compute.images.list", PROJECT_TYPE, f"projects/{PROJECT}"),
    Request("compute.instanceGroupManagers.list", PROJECT_TYPE, f"projects/{PROJECT}"),
    Request("compute.zoneOperations.get", OPERATION, f"projects/{PROJECT}/zones/{ZONE}/operations/operation-1"),
    Request("compute.globalOperations.get", OPERATION, f"projects/{PROJECT}/global/operations/operation-2"),
    Request("compute.regionOperations.get", OPERATION, f"projects/{PROJECT}/regions/{REGION}/operations/operation-3"),
]

# Every dashboard operation, each allowed on this stack's resources and refused, step by step, on another
# stack's (the refusal on the other stack's is asserted for each operation, not written per row).
OPERATIONS = [
    "start a worker from a template, public IP on",
    "start a worker from a custom image",
    "make an instance template",
    "delete an instance template",
    "stop and start a worker",
    "shut a worker down",
    "make a custom image from a worker",
    "deprecate and delete a custom image",
    "delete a leftover disk",
    "label a disk and an image",
]


@pytest.fixture(scope="module")
def prod():
    return plan_of("gcp-prod")


def _own(plan) -> tuple[str, str]:
    return plan.outputs["subnetIds"][0], plan.outputs["workerIdentity"]


def test_the_operations_table_is_the_list_checked(prod):
    subnetwork, worker = _own(prod)
    assert sorted(operations(THIS_PREFIX, subnetwork, worker)) == sorted(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_each_dashboard_operation_is_allowed_on_this_stack_and_refused_on_another(prod, operation):
    bindings = server_bindings(prod)
    subnetwork, worker = _own(prod)
    mine = operations(THIS_PREFIX, subnetwork, worker)[operation]
    other_worker = f"tdce-gcp-prod-eu-worker@{PROJECT}.iam.gserviceaccount.com"
    theirs = operations(OTHER_PREFIX, f"projects/{PROJECT}/regions/{REGION}/subnetworks/other-subnet", other_worker)[operation]
    assert mine and len(theirs) == len(mine)  # all() of no steps would pass anything
    assert [r for r in mine if not allowed(bindings, r)] == []
    # Every step that names another stack's resource is refused, not merely one of them.
    assert [r for r in theirs if allowed(bindings, r)] == []


def test_the_server_reads_what_it_polls_and_lists(prod):
    bindings = server_bindings(prod)
    assert [request.permission for request in READS if not allowed(bindings, request)] == []


def test_no_managed_instance_group_can_be_changed_by_the_server_not_even_this_stacks(prod):
    bindings = server_bindings(prod)
    for verb in ("create", "update", "delete", "use"):
        for name in (f"{THIS_PREFIX}pool", "tdce-workers-linux-ondemand", "gke-cluster-default-pool-grp"):
            request = Request(
                f"compute.instanceGroupManagers.{verb}",
                GROUP,
                f"projects/{PROJECT}/regions/{REGION}/instanceGroupManagers/{name}",
            )
            assert not allowed(bindings, request), request


def test_pulumi_resources_of_the_stack_are_out_of_the_servers_reach(prod):
    bindings = server_bindings(prod)
    (disk,) = of_type(prod, "gcp:compute/disk:Disk")
    (server,) = of_type(prod, "gcp:compute/instance:Instance")
    data_disk = f"projects/{PROJECT}/zones/{ZONE}/disks/{disk.name}"
    server_vm = f"projects/{PROJECT}/zones/{ZONE}/instances/{server.name}"
    assert not allowed(bindings, Request("compute.disks.delete", DISK, data_disk))
    assert not allowed(bindings, Request("compute.instances.delete", INSTANCE, server_vm))
    assert not allowed(bindings, Request("compute.instances.setServiceAccount", INSTANCE, server_vm))


def test_the_server_may_act_as_the_worker_account_and_the_extra_ones_only():
    extra = f"tdce-special-worker@{PROJECT}.iam.gserviceaccount.com"
    plan = plan_variant("gcp-prod", {"dashboard.extraWorkerServiceAccounts": [extra]})
    bindings = server_bindings(plan)
    for account, expected in (
        (plan.outputs["workerIdentity"], True),
        (extra, True),
        (plan.outputs["serverIdentity"], False),
        (f"{123456789012}-compute@developer.gserviceaccount.com", False),
    ):
        request = Request("iam.serviceAccounts.actAs", ACCOUNT, f"projects/{PROJECT}/serviceAccounts/{account}")
        assert allowed(bindings, request) is expected, account


def test_an_extra_account_of_another_project_is_granted_in_its_own_project():
    # IAM API, projects.serviceAccounts: the resource name is projects/PROJECT_ID/serviceAccounts/EMAIL,
    # the account's own project; the stack's would name an account that is not there.
    central = "tdce-gpu-worker@central-accounts.iam.gserviceaccount.com"
    plan = plan_variant("gcp-prod", {"dashboard.extraWorkerServiceAccounts": [central]})
    (grant,) = [r for r in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember") if r.name.endswith("-acts-as-extra-0")]
    assert grant.inputs["serviceAccountId"] == f"projects/central-accounts/serviceAccounts/{central}"


def test_workers_running_as_an_extra_account_are_kept_off_cloud_sql_too():
    # The channel matrix lets only the server reach the database: the egress deny names every account
    # workers may run as, the extra ones the dashboard may start them as (vendor 4.17) included.
    extra = f"tdce-special-worker@{PROJECT}.iam.gserviceaccount.com"
    plan = plan_variant("gcp-prod", {"dashboard.extraWorkerServiceAccounts": [extra]})
    (deny,) = [r for r in of_type(plan, "gcp:compute/firewall:Firewall") if r.name == "tdce-database-deny-workers"]
    assert deny.inputs["targetServiceAccounts"] == [plan.outputs["workerIdentity"], extra]


def test_no_basic_role_and_every_mutating_project_grant_is_conditioned_on_this_stacks_prefix(prod):
    custom = {
        f"projects/{r.inputs['project']}/roles/{r.inputs['roleId']}": r.inputs["permissions"]
        for r in of_type(prod, "gcp:projects/iAMCustomRole:IAMCustomRole")
    }
    reads = ("get", "list", "getFromFamily")
    conditioned = []
    for grant in of_type(prod, "gcp:projects/iAMMember:IAMMember"):
        assert grant.inputs["role"] not in ("roles/owner", "roles/editor", "roles/viewer")
        mutating = [
            p for p in custom.get(grant.inputs["role"], []) if p.startswith("compute.") and p.rsplit(".", 1)[1] not in reads
        ]
        if mutating:
            expression = grant.inputs["condition"]["expression"]
            assert "resource.name" in expression and THIS_PREFIX in expression
            conditioned.append(grant.name)
    # The one grant of the dashboard operator role, which holds every mutating compute permission.
    assert conditioned == ["tdce-identity-server-runs-workers"]


# The condition's own verdicts on names, literal: the closing "--" keeps stacks whose names share a start apart.
NAME_VERDICTS = [
    (INSTANCE, f"projects/{PROJECT}/zones/{ZONE}/instances/tdce-gcp-prod--w1", True),
    (INSTANCE, f"projects/{PROJECT}/zones/europe-north1-c/instances/tdce-gcp-prod--w1", True),
    (INSTANCE, f"projects/{PROJECT}/zones/{ZONE}/instances/tdce-gcp-prod-eu--w1", False),
    (INSTANCE, f"projects/{PROJECT}/zones/{ZONE}/instances/tdce-gcp-prod-w1", False),
    (INSTANCE, f"projects/other-project/zones/{ZONE}/instances/tdce-gcp-prod--w1", False),
    (DISK, f"projects/{PROJECT}/zones/{ZONE}/disks/tdce-gcp-prod--w1", True),
    (DISK, f"projects/{PROJECT}/zones/{ZONE}/disks/tdce-server-data-1a2b3c4", False),
    (IMAGE, f"projects/{PROJECT}/global/images/tdce-gcp-prod--img", True),
    (IMAGE, "projects/debian-cloud/global/images/tdce-gcp-prod--img", False),
    (TEMPLATE, f"projects/{PROJECT}/global/instanceTemplates/tdce-gcp-prod--t", True),
    (TEMPLATE, f"projects/{PROJECT}/global/instanceTemplates/tdce-workers-linux-spot-x", False),
    ("compute.googleapis.com/Snapshot", f"projects/{PROJECT}/global/snapshots/tdce-gcp-prod--s", False),
    (GROUP, f"projects/{PROJECT}/regions/{REGION}/instanceGroupManagers/tdce-gcp-prod--g", False),
]


@pytest.mark.parametrize(("resource_type", "name", "expected"), NAME_VERDICTS)
def test_the_prefix_condition_on_names(prod, resource_type, name, expected):
    (conditioned,) = [b for b in server_bindings(prod) if b.condition and "compute.googleapis.com" in b.condition]
    assert condition_holds(conditioned.condition, Request("compute.instances.delete", resource_type, name)) is expected

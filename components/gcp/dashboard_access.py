"""What the Techila Server may do in the project to start and stop its own workers (vendor 3.4, 3.5, 4.1, 4.4).

Three grants, docs/dashboard-permissions-gcp.md lists every operation:
- `OPERATOR_PERMISSIONS`: every mutating permission, on the project, under one IAM condition that
  names the resource type and the name prefix of this stack (`config/gcp_names.py`). Compute Engine
  recognises resource attributes for instances, disks, images and (global) instance templates, among
  others ("Resource attributes for IAM Conditions", https://cloud.google.com/iam/docs/conditions-resource-attributes),
  so each permission here is one that Google checks on one of those four types.
- `READER_PERMISSIONS`: reads, on the project, unconditioned. List permissions are checked on the
  project and operations, zones and machine types have no resource attributes, so a name condition
  would refuse them ("Configure resource-based access": parent-only permissions,
  https://cloud.google.com/iam/docs/configuring-resource-based-access). None of them changes anything.
- `SUBNET_PERMISSIONS`: on this stack's subnetwork only (a resource-level binding): subnetworks have no
  resource attributes either, but they take an allow policy of their own.

Not granted at all: the mutating permissions of managed instance groups (`compute.instanceGroupManagers.*`).
Instance group managers are not among the resource types with resource attributes, so a condition on
their name never grants ("If part of a condition uses an attribute that isn't available for a
resource, then that part of the condition is never interpreted as granting access"), and they take no
allow policy of their own; unconditioned, the grant would resize every group in the project, GKE node
pools included. The dashboard starts workers as instances instead, from its own templates or a
dashboard-owned pool's template.
"""

from __future__ import annotations

from collections.abc import Mapping

INSTANCE = "compute.googleapis.com/Instance"
DISK = "compute.googleapis.com/Disk"
IMAGE = "compute.googleapis.com/Image"
INSTANCE_TEMPLATE = "compute.googleapis.com/InstanceTemplate"

# Permission → the resource type Google checks it on. From the Compute Engine API reference (the
# "IAM Permissions" of instances.insert/delete/start/stop/setLabels, disks.delete/setLabels,
# images.insert/delete/setLabels/deprecate, instanceTemplates.insert/delete) and "Create and start a
# Compute Engine instance", Required permissions: instances.create, disks.create (a new boot disk),
# setMetadata, setLabels, setServiceAccount, and instanceTemplates.useReadOnly for an instance made from a template.
OPERATOR_PERMISSIONS: Mapping[str, str] = {
    "compute.instances.create": INSTANCE,
    "compute.instances.delete": INSTANCE,
    "compute.instances.start": INSTANCE,
    "compute.instances.stop": INSTANCE,
    "compute.instances.setMetadata": INSTANCE,
    "compute.instances.setLabels": INSTANCE,
    "compute.instances.setServiceAccount": INSTANCE,
    "compute.disks.create": DISK,
    "compute.disks.delete": DISK,
    "compute.disks.setLabels": DISK,
    # A custom image is made from a worker's boot disk (vendor 4.4). Google's pages differ on what
    # images.insert checks on the source disk: useReadOnly, or `compute.disks.use` "if the image is
    # created from a disk" ("Managing access to custom images", custom roles). Both, on this stack's
    # disks only: neither reaches another deployment's.
    "compute.disks.use": DISK,
    "compute.disks.useReadOnly": DISK,
    "compute.images.create": IMAGE,
    "compute.images.delete": IMAGE,
    "compute.images.setLabels": IMAGE,
    "compute.images.deprecate": IMAGE,
    # Booting a worker from a custom image of this project.
    "compute.images.useReadOnly": IMAGE,
    "compute.instanceTemplates.create": INSTANCE_TEMPLATE,
    "compute.instanceTemplates.delete": INSTANCE_TEMPLATE,
    "compute.instanceTemplates.useReadOnly": INSTANCE_TEMPLATE,
}

READER_PERMISSIONS: tuple[str, ...] = (
    "compute.instances.get",
    "compute.instances.list",
    "compute.disks.get",
    "compute.disks.list",
    "compute.images.get",
    "compute.images.list",
    "compute.images.getFromFamily",
    "compute.instanceTemplates.get",
    "compute.instanceTemplates.list",
    "compute.instanceGroupManagers.get",
    "compute.instanceGroupManagers.list",
    "compute.machineTypes.get",
    "compute.machineTypes.list",
    "compute.zones.get",
    "compute.zones.list",
    "compute.regions.get",
    # Every mutating call returns an operation the caller polls.
    "compute.zoneOperations.get",
    "compute.regionOperations.get",
    "compute.globalOperations.get",
)

# On the subnetwork: put a worker in it, with or without a public address (vendor 4.1).
SUBNET_PERMISSIONS: tuple[str, ...] = ("compute.subnetworks.use", "compute.subnetworks.useExternalIp")


# The part of a resource name after which the resource's own name follows, per type ("Resource attributes
# for IAM Conditions", Resource name format: projects/P/zones/Z/instances/N, projects/P/zones/Z/disks/N,
# projects/P/global/images/N, projects/P/global/instanceTemplates/N).
NAME_AFTER = {
    INSTANCE: "/instances/",
    DISK: "/disks/",
    IMAGE: "/images/",
    INSTANCE_TEMPLATE: "/instanceTemplates/",
}
ZONAL = (INSTANCE, DISK)


def prefix_condition_expression(project: str, prefix: str) -> str:
    """The CEL expression: the resource is one of the four types, in this project, and its name starts with the prefix.

    Zonal names hold their zone, so their own name is taken with `extract`, as in Google's "Match Compute
    Engine VMs in any location" ("Configure resource-based access"); a condition holds at most 12
    logical operators (IAM Conditions overview, Limitations), and this one has 9 whatever the zones.
    No clause lets other types through, so a permission checked on any other type is never granted
    (Google's "Custom roles" example on the same page).
    """
    clauses = []
    for resource_type, marker in NAME_AFTER.items():
        if resource_type in ZONAL:
            name = (
                f'resource.name.startsWith("projects/{project}/zones/") && '
                f'resource.name.extract("{marker}{{name}}").startsWith("{prefix}")'
            )
        else:
            name = f'resource.name.startsWith("projects/{project}/global{marker}{prefix}")'
        clauses.append(f'(resource.type == "{resource_type}" && {name})')
    return " || ".join(clauses)

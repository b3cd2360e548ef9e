"""`tdce teardown STACK --dry-run | --yes` on GCP: list or delete what the Techila Server made in the
project, so `pulumi destroy` can finish.

What the server makes is found by its name: everything it may create starts with the stack's prefix
(config/gcp_names.py; its IAM grant allows nothing else). Of those, a resource must also carry the
deployment's label (`tdce-stack=<stack label>`), or the run refuses and deletes nothing: a name alone
could be a coincidence. What Pulumi made and named with the prefix stays, told apart by the `tdce-role`
label the components set on their own resources (config/tags.py):
- `server`, `data-disk`, `database`: Pulumi's own, never deleted (the data disk is never even named
  with the prefix; this is the second guard).
- `worker-pool` on an instance template: a dashboard-owned pool's template (components/gcp/workers.py),
  which `pulumi destroy` deletes. The same label on an instance or a disk is inherited from that
  template by a worker the dashboard started from it: that worker is the server's and is deleted.
Order: groups (they delete their own instances), instances, then the disks left (a worker's boot disk
goes with it), images, templates. A second run finds nothing and does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from config.gcp_names import name_prefix
from config.settings import Settings
from config.tags import DATA_DISK, DATABASE, GCP_LABELS, SERVER, WORKER_POOL, label_value
from tdce.ops.gcp_clients import GcpClients, NotFound, last_part
from tdce.ops.teardown_words import DRY_RUN_NOTE, action

# Roles only Pulumi's own resources carry, whatever the resource.
PULUMI_ROLES = frozenset({SERVER, DATA_DISK, DATABASE})
# Deletion order; each kind's resources are gone before the next kind's are listed again.
KINDS = ("instance group manager", "instance", "disk", "image", "instance template")


@dataclass(frozen=True)
class Found:
    kind: str
    name: str
    # The zone or region of zonal and regional resources; empty for global ones.
    location: str
    labels: Mapping[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "location": self.location}


@dataclass
class TeardownReport:
    stack: str
    project: str
    prefix: str
    dry_run: bool
    to_delete: list[Found] = field(default_factory=list)
    deleted: list[Found] = field(default_factory=list)
    # (resource, why it stays)
    kept: list[tuple[Found, str]] = field(default_factory=list)
    # Matches without the deployment label: the run refused because of them.
    refused: list[Found] = field(default_factory=list)
    errors: list[tuple[Found, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "command": "teardown",
            "stack": self.stack,
            "project": self.project,
            "namePrefix": self.prefix,
            "dryRun": self.dry_run,
            "ok": self.ok,
            "toDelete": [item.as_json() for item in self.to_delete],
            "deleted": [item.as_json() for item in self.deleted],
            "kept": [{**item.as_json(), "why": why} for item, why in self.kept],
            "refused": [{**item.as_json(), "why": "has the stack's name prefix but not its label"} for item in self.refused],
            "errors": [{**item.as_json(), "error": error} for item, error in self.errors],
        }


def gcp_teardown(stack: str, settings: Settings, dry_run: bool, clients: GcpClients) -> TeardownReport:
    """List, then (unless `dry_run`) delete, what the server made for `stack` in its project."""
    if settings.cloud != "gcp" or settings.project != clients.project:
        raise ValueError(f"tdce teardown {stack}: the clients are for project {clients.project}, the stack is {settings.project}")
    prefix = name_prefix(stack)
    report = TeardownReport(stack=stack, project=clients.project, prefix=prefix, dry_run=dry_run)
    found = _listed(clients, prefix)
    _classify(report, found, label_value(stack))
    if report.refused or dry_run:
        return report
    for kind in KINDS:
        # Listed again: deleting a group or an instance deletes instances and disks with it.
        current = {(item.kind, item.name, item.location) for item in _listed(clients, prefix) if item.kind == kind}
        for item in report.to_delete:
            if item.kind != kind:
                continue
            if (item.kind, item.name, item.location) not in current:
                report.deleted.append(item)
                continue
            try:
                _delete(clients, item)
            except NotFound:
                pass
            except Exception as error:  # noqa: BLE001 (one line per resource; the others are still tried)
                report.errors.append((item, f"{type(error).__name__}: {error}"))
                continue
            report.deleted.append(item)
    return report


def _classify(report: TeardownReport, found: list[Found], stack_label: str) -> None:
    for item in found:
        role = item.labels.get(GCP_LABELS.role_key)
        if item.labels.get(GCP_LABELS.stack_key) != stack_label:
            report.refused.append(item)
        elif role in PULUMI_ROLES:
            report.kept.append((item, f"Pulumi's ({GCP_LABELS.role_key}={role}); pulumi destroy removes it"))
        elif item.kind == "instance template" and role == WORKER_POOL:
            report.kept.append(
                (item, f"a dashboard-owned pool's template ({GCP_LABELS.role_key}={role}); pulumi destroy removes it")
            )
        else:
            report.to_delete.append(item)


def _listed(clients: GcpClients, prefix: str) -> list[Found]:
    compute = clients.compute
    templates = compute.instance_templates(prefix)
    template_labels = {template.name: dict(template.properties.labels) for template in templates}
    found = []
    for group in compute.instance_group_managers(prefix):
        found.append(
            Found(
                "instance group manager", group.name, last_part(group.zone or group.region), _group_labels(group, template_labels)
            )
        )
    found += [Found("instance", vm.name, last_part(vm.zone), dict(vm.labels)) for vm in compute.instances(prefix)]
    found += [Found("disk", disk.name, last_part(disk.zone), dict(disk.labels)) for disk in compute.disks(prefix)]
    found += [Found("image", image.name, "", dict(image.labels)) for image in compute.images(prefix)]
    found += [Found("instance template", name, "", labels) for name, labels in template_labels.items()]
    return [item for item in found if item.name.startswith(prefix)]


def _group_labels(group, template_labels: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    # A managed instance group has no labels of its own: its instances' labels (from the group's
    # all-instances configuration, or else its template's) say whose it is.
    labels = dict(group.all_instances_config.properties.labels)
    if labels:
        return labels
    for link in [group.instance_template, *(version.instance_template for version in group.versions)]:
        if link and last_part(link) in template_labels:
            return dict(template_labels[last_part(link)])
    return {}


def _delete(clients: GcpClients, item: Found) -> None:
    compute = clients.compute
    if item.kind == "instance group manager":
        compute.delete_instance_group_manager(item.location, item.name)
    elif item.kind == "instance":
        compute.delete_instance(item.location, item.name)
    elif item.kind == "disk":
        compute.delete_disk(item.location, item.name)
    elif item.kind == "image":
        compute.delete_image(item.name)
    else:
        compute.delete_instance_template(item.name)


def teardown_lines(report: TeardownReport) -> list[str]:
    """The report for a person, one line each."""
    verb = action(deleting=not report.dry_run)
    lines = [f"tdce teardown {report.stack}: project {report.project}, names starting with {report.prefix}"]
    for item in report.refused:
        lines.append(
            f"refused: {item.kind} {item.name} has the name prefix but not {GCP_LABELS.stack_key}={label_value(report.stack)}"
        )
    if report.refused:
        lines.append("nothing was deleted: label these resources or delete them by hand, then run again")
        return lines
    done = report.to_delete if report.dry_run else report.deleted
    lines += [f"{verb}: {item.kind} {item.name}" + (f" ({item.location})" if item.location else "") for item in done]
    lines += [f"kept: {item.kind} {item.name}: {why}" for item, why in report.kept]
    lines += [f"failed: {item.kind} {item.name}: {error}" for item, error in report.errors]
    if not done and not report.errors:
        lines.append("nothing to delete")
    elif report.dry_run:
        lines.append(DRY_RUN_NOTE)
    return lines

"""An in-memory Compute Engine project made of Google's own message types, behind tdce/ops/gcp_clients.py's interface."""

from __future__ import annotations

import re

from google.cloud import compute_v1

from tdce.ops.gcp_clients import NotFound

ZONE_URL = "https://www.googleapis.com/compute/v1/projects/{project}/zones/{zone}"


class FakeCompute:
    def __init__(self, project: str):
        self.project = project
        self.vms: dict[str, compute_v1.Instance] = {}
        self.disk_store: dict[str, compute_v1.Disk] = {}
        self.image_store: dict[str, compute_v1.Image] = {}
        self.template_store: dict[str, compute_v1.InstanceTemplate] = {}
        self.group_store: dict[str, compute_v1.InstanceGroupManager] = {}
        self.calls: list[tuple[str, str]] = []
        self.regions: dict[str, compute_v1.Region] = {}
        self.project_quotas: list[compute_v1.Quota] = []
        self.snapshot_store: dict[str, compute_v1.Snapshot] = {}

    # What the stack's tests put in the project.
    def add_instance(self, name: str, zone: str, labels: dict[str, str], boot_disk_labels: dict[str, str] | None = None) -> None:
        disk = self.add_disk(name, zone, boot_disk_labels if boot_disk_labels is not None else labels)
        disk.users = [f"{ZONE_URL.format(project=self.project, zone=zone)}/instances/{name}"]
        self.vms[name] = compute_v1.Instance(
            name=name,
            zone=ZONE_URL.format(project=self.project, zone=zone),
            labels=labels,
            disks=[compute_v1.AttachedDisk(source=disk.self_link, auto_delete=True, boot=True)],
        )

    def add_disk(self, name: str, zone: str, labels: dict[str, str]) -> compute_v1.Disk:
        link = f"{ZONE_URL.format(project=self.project, zone=zone)}/disks/{name}"
        self.disk_store[name] = compute_v1.Disk(
            name=name, zone=ZONE_URL.format(project=self.project, zone=zone), labels=labels, self_link=link
        )
        return self.disk_store[name]

    def add_image(self, name: str, labels: dict[str, str]) -> None:
        self.image_store[name] = compute_v1.Image(name=name, labels=labels)

    def add_template(self, name: str, labels: dict[str, str]) -> None:
        self.template_store[name] = compute_v1.InstanceTemplate(
            name=name, properties=compute_v1.InstanceProperties(labels=labels)
        )

    def add_group(self, name: str, region: str, template: str) -> None:
        link = f"https://www.googleapis.com/compute/v1/projects/{self.project}/global/instanceTemplates/{template}"
        self.group_store[name] = compute_v1.InstanceGroupManager(
            name=name,
            region=f"https://www.googleapis.com/compute/v1/projects/{self.project}/regions/{region}",
            instance_template=link,
            versions=[compute_v1.InstanceGroupManagerVersion(instance_template=link)],
        )

    # The interface: lists filtered as Compute Engine's `name eq "RE2"` filter does (the whole name must match).
    @staticmethod
    def _matching(store: dict, name_prefix: str) -> list:
        pattern = re.compile(re.escape(name_prefix) + ".*")
        return [item for name, item in sorted(store.items()) if pattern.fullmatch(name)]

    def instances(self, name_prefix):
        return self._matching(self.vms, name_prefix)

    def disks(self, name_prefix):
        return self._matching(self.disk_store, name_prefix)

    def images(self, name_prefix):
        return self._matching(self.image_store, name_prefix)

    def instance_templates(self, name_prefix):
        return self._matching(self.template_store, name_prefix)

    def instance_group_managers(self, name_prefix):
        return self._matching(self.group_store, name_prefix)

    def _remove(self, store: dict, kind: str, name: str) -> None:
        self.calls.append((kind, name))
        if name not in store:
            raise NotFound(f"{kind} {name} not found")
        del store[name]

    def delete_instance(self, zone, name):
        vm = self.vms.get(name)
        self._remove(self.vms, "instance", name)
        # Disks attached with autoDelete go with the instance (instances.delete).
        for attached in vm.disks:
            disk = attached.source.rsplit("/", 1)[-1]
            if attached.auto_delete:
                self.disk_store.pop(disk, None)

    def delete_disk(self, zone, name):
        if name in self.disk_store and list(self.disk_store[name].users):
            raise RuntimeError(f"The disk resource '{name}' is already being used")
        self._remove(self.disk_store, "disk", name)

    def delete_image(self, name):
        self._remove(self.image_store, "image", name)

    def delete_instance_template(self, name):
        if any(group.instance_template.endswith(f"/{name}") for group in self.group_store.values()):
            raise RuntimeError(f"The instance_template resource '{name}' is already being used")
        self._remove(self.template_store, "instance template", name)

    def delete_instance_group_manager(self, location, name):
        self._remove(self.group_store, "instance group manager", name)

    def region(self, region):
        if region not in self.regions:
            raise NotFound(f"region {region}")
        return self.regions[region]

    def snapshot(self, name):
        if name not in self.snapshot_store:
            raise NotFound(f"snapshot {name}")
        return self.snapshot_store[name]

    def project_info(self):
        return compute_v1.Project(name=self.project, quotas=self.project_quotas)


class FakeServices:
    def __init__(self, enabled: set[str]):
        self.on = set(enabled)

    def enabled(self) -> set[str]:
        return set(self.on)

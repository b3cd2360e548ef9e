"""The values people check in a plan, read from what the program registered (not from the settings).

Machines: the server and each worker pool with its machine type, counts, purchase option and
disks; the databases with their size. Firewall rules: each rule's direction, ports, and the
CIDRs or groups on both ends. Reading the recorded inputs shows what the cloud would be asked
for, so a component that ignored a setting shows here as the wrong value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from config.resource_types import (
    AWS_AUTOSCALING_GROUP,
    AWS_DATABASE_CLUSTER,
    AWS_DATABASE_INSTANCE,
    AWS_EGRESS_RULE,
    AWS_INGRESS_RULE,
    AWS_INSTANCE,
    AWS_LAUNCH_TEMPLATE,
    AWS_SECURITY_GROUP,
    AWS_VOLUME,
    AWS_VOLUME_ATTACHMENT,
    GCP_ATTACHED_DISK,
    GCP_DATABASE_INSTANCE,
    GCP_DISK,
    GCP_FIREWALL,
    GCP_INSTANCE,
    GCP_INSTANCE_GROUPS,
    GCP_INSTANCE_TEMPLATES,
)
from tdce.planner import Plan
from tdce.recording import RecordedResource


@dataclass(frozen=True)
class Machine:
    role: str  # server, worker pool, database
    name: str
    machine_type: str
    count: str
    purchase: str
    disks: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    name: str
    direction: str  # ingress or egress
    ports: str
    peers: tuple[str, ...]  # where traffic comes from (ingress) or goes to (egress)
    applies_to: str  # the security group, or the service accounts a GCP rule targets


def machines(plan: Plan) -> list[Machine]:
    by_urn = {resource.urn: resource for resource in plan.resources}
    attached = _attached_disks(plan, by_urn)
    found: list[Machine] = []
    for resource in plan.resources:
        inputs = resource.inputs
        if resource.type == AWS_INSTANCE:
            root = inputs.get("rootBlockDevice") or {}
            disks = (_disk("root", root.get("volumeSize"), root.get("volumeType")), *attached.get(resource.urn, ()))
            machine_type, purchase = str(inputs.get("instanceType", "")), _aws_purchase(inputs)
            found.append(Machine("server", resource.name, machine_type, "1 machine", purchase, disks))
        elif resource.type == GCP_INSTANCE:
            boot = (inputs.get("bootDisk") or {}).get("initializeParams") or {}
            disks = (_disk("boot", boot.get("size"), boot.get("type")), *attached.get(resource.urn, ()))
            machine_type, purchase = str(inputs.get("machineType", "")), _gcp_purchase(inputs)
            found.append(Machine("server", resource.name, machine_type, "1 machine", purchase, disks))
        elif resource.type == AWS_AUTOSCALING_GROUP:
            template = _dependency(resource, "launchTemplate", by_urn)
            low, desired, high = (inputs.get(key, "?") for key in ("minSize", "desiredCapacity", "maxSize"))
            found.append(_pool(resource, template, f"min {low}, desired {desired}, max {high}"))
        elif resource.type in GCP_INSTANCE_GROUPS:
            template = _dependency(resource, "versions", by_urn)
            found.append(_pool(resource, template, f"target size {inputs.get('targetSize', '?')}"))
        elif resource.type == GCP_INSTANCE_TEMPLATES[0] and not _used_by_a_group(resource, plan):
            # A pool the dashboard sizes on GCP is a template it starts instances from (docs/dashboard-permissions-gcp.md).
            found.append(_pool(resource, resource, "started by the dashboard"))
        elif resource.type == AWS_DATABASE_CLUSTER:
            found.append(_aurora(resource, plan))
        elif resource.type == GCP_DATABASE_INSTANCE:
            settings = inputs.get("settings") or {}
            size = f"{settings.get('tier', '?')}, {str(settings.get('availabilityType', '')).lower() or 'zonal'}"
            found.append(Machine("database", resource.name, size, "1 instance", "", (str(inputs.get("databaseVersion", "")),)))
    # Registration order depends on when outputs resolve (an Aurora cluster waits for its subnet
    # group); by role and name, the list reads the same every run.
    return sorted(found, key=lambda machine: (machine.role, machine.name))


def _pool(group: RecordedResource, template: RecordedResource | None, counts: str) -> Machine:
    inputs = template.inputs if template else {}
    if template is not None and template.type == AWS_LAUNCH_TEMPLATE:
        machine_type, purchase = str(inputs.get("instanceType", "")), _aws_purchase(inputs)
        disks = tuple(
            _disk(str(mapping.get("deviceName", "disk")), ebs.get("volumeSize"), ebs.get("volumeType"))
            for mapping in inputs.get("blockDeviceMappings") or []
            for ebs in [mapping.get("ebs") or {}]
        )
    else:
        machine_type, purchase = str(inputs.get("machineType", "")), _gcp_purchase(inputs)
        disks = tuple(
            _disk("boot" if disk.get("boot") else "disk", disk.get("diskSizeGb"), disk.get("diskType"))
            for disk in inputs.get("disks") or []
        )
    return Machine("worker pool", group.name, machine_type, counts, purchase, disks)


def _used_by_a_group(template: RecordedResource, plan: Plan) -> bool:
    groups = [group for kind in GCP_INSTANCE_GROUPS for group in plan.by_type(kind)]
    return any(template.urn in group.property_dependencies.get("versions", []) for group in groups)


def _aurora(cluster: RecordedResource, plan: Plan) -> Machine:
    inputs = cluster.inputs
    scaling = inputs.get("serverlessv2ScalingConfiguration") or {}
    size = f"serverless v2, {scaling.get('minCapacity', '?')}-{scaling.get('maxCapacity', '?')} ACU"
    members = [r for r in plan.by_type(AWS_DATABASE_INSTANCE) if cluster.urn in sum(r.property_dependencies.values(), [])]
    engine = f"{inputs.get('engine', '')} {inputs.get('engineVersion', '')}".strip()
    return Machine("database", cluster.name, size, f"{len(members)} instances", "", (engine,))


def _attached_disks(plan: Plan, by_urn: Mapping[str, RecordedResource]) -> dict[str, tuple[str, ...]]:
    """Data disks by the URN of the machine they are attached to."""
    attached: dict[str, list[str]] = {}
    for attachment in (*plan.by_type(AWS_VOLUME_ATTACHMENT), *plan.by_type(GCP_ATTACHED_DISK)):
        linked = [by_urn[urn] for urns in attachment.property_dependencies.values() for urn in urns if urn in by_urn]
        machine = next((r for r in linked if r.type in (AWS_INSTANCE, GCP_INSTANCE)), None)
        disk = next((r for r in linked if r.type in (AWS_VOLUME, GCP_DISK)), None)
        if machine is None or disk is None:
            continue
        attached.setdefault(machine.urn, []).append(_data_label(disk))
    # GCP attaches the data disk inline (`attachedDisks`), so no separate attachment names it.
    for machine in plan.by_type(GCP_INSTANCE):
        for urn in machine.property_dependencies.get("attachedDisks", []):
            disk = by_urn.get(urn)
            if disk is not None and disk.type == GCP_DISK:
                attached.setdefault(machine.urn, []).append(_data_label(disk))
    return {urn: tuple(labels) for urn, labels in attached.items()}


def _data_label(disk: RecordedResource) -> str:
    label = _disk("data", disk.inputs.get("size"), disk.inputs.get("type"))
    return label + ", protected" if disk.options.get("protect") else label


def _dependency(resource: RecordedResource, key: str, by_urn: Mapping[str, RecordedResource]) -> RecordedResource | None:
    for urn in resource.property_dependencies.get(key, []):
        if urn in by_urn and by_urn[urn].type in (AWS_LAUNCH_TEMPLATE, GCP_INSTANCE_TEMPLATES[0]):
            return by_urn[urn]
    return None


def _disk(role: str, size: Any, disk_type: Any) -> str:
    return f"{role} {size if size is not None else '?'} GB {disk_type or ''}".rstrip()


def _aws_purchase(inputs: Mapping[str, Any]) -> str:
    market = inputs.get("instanceMarketOptions") or {}
    if market.get("marketType") != "spot":
        return "on-demand"
    price = (market.get("spotOptions") or {}).get("maxPrice")
    return f"spot, at most {price} USD an hour" if price else "spot"


def _gcp_purchase(inputs: Mapping[str, Any]) -> str:
    scheduling = inputs.get("scheduling") or {}
    return "spot" if scheduling.get("provisioningModel") == "SPOT" or scheduling.get("preemptible") else "on-demand"


def firewall_rules(plan: Plan) -> list[Rule]:
    groups = {resource.id: resource.name for resource in plan.by_type(AWS_SECURITY_GROUP) if resource.id}
    rules: list[Rule] = []
    for resource in plan.resources:
        inputs = resource.inputs
        if resource.type in (AWS_INGRESS_RULE, AWS_EGRESS_RULE):
            peer = (
                inputs.get("cidrIpv4")
                or inputs.get("cidrIpv6")
                or _named(groups, inputs.get("referencedSecurityGroupId"), "")
                or _named({}, inputs.get("prefixListId"), "prefix list ")
            )
            rules.append(
                Rule(
                    resource.name,
                    "ingress" if resource.type == AWS_INGRESS_RULE else "egress",
                    _aws_ports(inputs),
                    (peer or "?",),
                    _named(groups, inputs.get("securityGroupId"), ""),
                )
            )
        elif resource.type == GCP_FIREWALL:
            ingress = inputs.get("direction", "INGRESS") == "INGRESS"
            peer_keys = ("sourceRanges", "sourceServiceAccounts", "sourceTags") if ingress else ("destinationRanges",)
            peers = _listed(inputs, peer_keys)
            targets = ", ".join(_listed(inputs, ("targetServiceAccounts", "targetTags"))) or "every instance in the network"
            ports = _gcp_ports(inputs)
            if inputs.get("priority") is not None:
                ports += f" (priority {inputs['priority']})"
            rules.append(Rule(resource.name, "ingress" if ingress else "egress", ports, peers or ("any",), targets))
    return rules


def _named(names: Mapping[str, str], value: Any, prefix: str) -> str:
    if not value:
        return ""
    return f"{prefix}{names.get(value, value)}"


def _listed(inputs: Mapping[str, Any], keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(item) for key in keys for item in inputs.get(key) or [])


def _aws_ports(inputs: Mapping[str, Any]) -> str:
    protocol = str(inputs.get("ipProtocol", ""))
    if protocol == "-1":
        return "all traffic"
    first, last = inputs.get("fromPort"), inputs.get("toPort")
    ports = str(first) if first == last else f"{first}-{last}"
    return f"{protocol.upper()} {ports}"


def _gcp_ports(inputs: Mapping[str, Any]) -> str:
    shown = []
    for verb, key in (("allow", "allows"), ("deny", "denies")):
        for entry in inputs.get(key) or []:
            protocol = str(entry.get("protocol", ""))
            ports = ", ".join(entry.get("ports") or [])
            shown.append(f"{verb} {protocol.upper() if protocol != 'all' else 'all traffic'} {ports}".rstrip())
    return "; ".join(shown)

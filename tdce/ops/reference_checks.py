"""Preflight: what the settings name by ID exists in the region, and each image runs on its instance type."""

from __future__ import annotations

from typing import Any

from config.errors import config_key
from config.loader import NAMESPACE
from config.settings import Settings
from tdce.ops.clients import AwsClients, listed
from tdce.ops.machines import Machine, architectures, machines, vcpus
from tdce.ops.report import Check, failed, passed, skipped


def reference_checks(settings: Settings, clients: AwsClients, types: dict[str, dict[str, Any]]) -> list[Check]:
    checks = [_key_pair(settings, clients), *_security_groups(settings, clients)]
    for machine in machines(settings):
        checks.append(_instance_type(machine, clients, types))
        checks.append(_image(machine, clients, types.get(machine.instance_type)))
    return checks


def _key_pair(settings: Settings, clients: AwsClients) -> Check:
    key = "tdce:server.keyPair"
    name = settings.server.key_pair
    if name is None:
        return skipped(key, "not set: the server gets no SSH key pair")
    if not listed(clients("ec2").describe_key_pairs, "KeyPairs", "InvalidKeyPair.NotFound", KeyNames=[name]):
        return failed(key, f"key pair {name!r} not found in {clients.region} (key pairs are regional)")
    return passed(key, f"key pair {name!r} exists")


def _security_groups(settings: Settings, clients: AwsClients) -> list[Check]:
    checks: list[Check] = []
    for index, pool in enumerate(settings.workers):
        for position, group in enumerate(pool.extra_security_groups):
            key = config_key(NAMESPACE, ("workers", index, "extraSecurityGroups", position))
            if listed(clients("ec2").describe_security_groups, "SecurityGroups", "InvalidGroup.NotFound", GroupIds=[group]):
                checks.append(passed(key, f"{group} exists"))
            else:
                checks.append(failed(key, f"{group} not found in {clients.region}"))
    return checks or [skipped("tdce:workers[*].extraSecurityGroups", "none set")]


def _instance_type(machine: Machine, clients: AwsClients, types: dict[str, dict[str, Any]]) -> Check:
    key = machine.key("instanceType")
    info = types.get(machine.instance_type)
    if info is None:
        return failed(key, f"{machine.instance_type} is not offered in {clients.region}")
    return passed(key, f"{machine.instance_type}: {vcpus(info)} vCPUs, {', '.join(architectures(info))}")


def _image(machine: Machine, clients: AwsClients, type_info: dict[str, Any] | None) -> Check:
    key = machine.key("image")
    if machine.image is None:
        return skipped(key, "not set: the program looks the image up when it deploys")
    found = listed(clients("ec2").describe_images, "Images", "InvalidAMIID.NotFound", ImageIds=[machine.image])
    if not found:
        return failed(key, f"{machine.image} not found in {clients.region} (images are regional: copy it here first)")
    image = found[0]
    if image.get("State", "available") != "available":
        return failed(key, f"{machine.image} is {image['State']}, not available")
    if type_info is None:
        return skipped(key, f"{machine.image} exists; its architecture is not checked: {machine.instance_type} is unknown here")
    architecture, supported = image["Architecture"], architectures(type_info)
    if architecture not in supported:
        return failed(key, f"{machine.image} is {architecture}, but {machine.instance_type} runs only {', '.join(supported)}")
    return passed(key, f"{machine.image} ({architecture}) runs on {machine.instance_type}")

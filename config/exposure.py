"""The channel matrix applied to one stack's settings: which channels open, on which ports, from where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic.alias_generators import to_snake

from config.channels import CHANNELS, Channel, Direction, PortRange, Role, port
from config.settings import Settings


@dataclass(frozen=True)
class OpenChannel:
    channel: Channel
    enabled: bool
    ports: tuple[PortRange, ...]
    # The CIDRs a user or administrator channel admits; empty for group-to-group channels.
    source_cidrs: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.channel.name

    def as_json(self) -> dict[str, Any]:
        channel = self.channel
        return {
            "name": channel.name,
            "protocol": channel.protocol,
            "ports": [str(p) for p in self.ports],
            "sources": [role.value for role in channel.sources],
            "sourceCidrs": list(self.source_cidrs),
            "target": channel.target.value,
            "direction": channel.direction.value,
            "enabled": self.enabled,
            "enabledBy": channel.enabled_by,
            "initiatedBy": channel.initiated_by.value,
            "vendorReference": channel.vendor_reference,
        }


def setting_value(settings: Settings, dotted_path: str) -> Any:
    """Read a setting by its stack-file path, e.g. `access.workerSsh`."""
    value: Any = settings
    for part in dotted_path.split("."):
        value = getattr(value, to_snake(part))
    return value


def channels_for(settings: Settings) -> tuple[OpenChannel, ...]:
    return tuple(_open(channel, settings) for channel in CHANNELS)


def enabled_ingress(settings: Settings) -> tuple[OpenChannel, ...]:
    return tuple(c for c in channels_for(settings) if c.enabled and c.channel.direction is Direction.INGRESS)


def _open(channel: Channel, settings: Settings) -> OpenChannel:
    enabled = channel.enabled_by is None or bool(setting_value(settings, channel.enabled_by))
    ports = channel.ports
    if channel.port_setting is not None:
        ports = (port(int(setting_value(settings, channel.port_setting))),)
    cidrs: tuple[str, ...] = ()
    if Role.USERS in channel.sources and channel.direction is Direction.INGRESS:
        cidrs = settings.access.user_cidrs
    elif Role.ADMINS in channel.sources:
        cidrs = settings.ssh_sources
    return OpenChannel(channel=channel, enabled=enabled, ports=ports, source_cidrs=cidrs)

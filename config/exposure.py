"""The channel matrix applied to one stack's settings: which parts the deployment has, which channels open, from where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic.alias_generators import to_snake

from config.channels import CHANNELS, Channel, PortRange, Role, port
from config.settings import Settings

# Every deployment has these ends of channels; the rest come with settings (`roles_in`).
ALWAYS_PRESENT = frozenset(
    {
        Role.SERVER,
        Role.WORKERS,
        Role.USERS,
        Role.ADMINS,
        Role.LICENSE_HOST,
        Role.CLOUD_API,
        Role.EXTERNAL_DATA,
        Role.OBJECT_STORAGE,
    }
)


@dataclass(frozen=True)
class OpenChannel:
    channel: Channel
    enabled: bool
    ports: tuple[PortRange, ...]
    # The channel's sources that this deployment has (the rotation function exists on AWS only).
    sources: tuple[Role, ...]
    # The CIDRs a user or administrator channel admits; empty for group-to-group channels.
    source_cidrs: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.channel.name

    @property
    def state(self) -> str:
        """Why the channel is open or not, for people: `open`, or the setting that would open it."""
        if self.enabled:
            return "open"
        return f"off ({self.channel.condition.removeprefix('when ')} would open it)"

    def as_json(self) -> dict[str, Any]:
        channel = self.channel
        return {
            "name": channel.name,
            "protocol": channel.protocol,
            "ports": [str(p) for p in self.ports],
            "sources": [role.value for role in self.sources],
            "sourceCidrs": list(self.source_cidrs),
            "target": channel.target.value,
            "direction": channel.direction.value,
            "enabled": self.enabled,
            "enabledBy": channel.enabled_by,
            "existsWith": channel.exists_with,
            "initiatedBy": channel.initiated_by.value,
            "vendorReference": channel.vendor_reference,
        }


def setting_value(settings: Settings, dotted_path: str) -> Any:
    """Read a setting by its stack-file path, e.g. `access.workerSsh`."""
    value: Any = settings
    for part in dotted_path.split("."):
        value = getattr(value, to_snake(part))
    return value


def roles_in(settings: Settings) -> frozenset[Role]:
    """The ends of channels this deployment has: the fixed ones, and the parts its settings bring in."""
    roles = set(ALWAYS_PRESENT)
    if settings.database.managed:
        roles.add(Role.DATABASE)
    if settings.cloud == "aws" and settings.database.engine == "aurora":
        # AWS's rotation function changes the application user's password inside the VPC, and
        # reaches the RDS API through its own interface endpoint.
        roles.add(Role.SECRET_ROTATION)
        roles.add(Role.RDS_ENDPOINT)
    if settings.uses_secrets_endpoint:
        roles.add(Role.SECRETS_ENDPOINT)
    return frozenset(roles)


def channels_for(settings: Settings) -> tuple[OpenChannel, ...]:
    present = roles_in(settings)
    return tuple(_open(channel, settings, present) for channel in CHANNELS)


def _open(channel: Channel, settings: Settings, present: frozenset[Role]) -> OpenChannel:
    sources = tuple(role for role in channel.sources if role in present)
    switched_on = channel.enabled_by is None or bool(setting_value(settings, channel.enabled_by))
    enabled = switched_on and channel.target in present and bool(sources)
    ports = channel.ports
    if channel.port_setting is not None:
        ports = (port(int(setting_value(settings, channel.port_setting))),)
    cidrs: tuple[str, ...] = ()
    if Role.USERS in channel.sources and channel.target.inside_cluster:
        cidrs = settings.access.user_cidrs
    elif Role.ADMINS in channel.sources:
        cidrs = settings.ssh_sources
    return OpenChannel(channel=channel, enabled=enabled, ports=ports, sources=sources, source_cidrs=cidrs)

"""Who may reach the cluster, and which optional channels are open."""

from __future__ import annotations

from pydantic import Field, field_validator

from config.base import SettingsModel, Switch
from config.channels import MANAGEMENT
from config.identifiers import Cidr
from config.internet import whole_internet


class AccessSettings(SettingsModel):
    # Networks the Techila SDK and browsers connect from: management and web channels.
    user_cidrs: tuple[Cidr, ...] = Field(min_length=1)
    # Networks administrators connect from: SSH to the server. Never the whole internet.
    admin_cidrs: tuple[Cidr, ...] = ()
    ssh: Switch = False
    interconnect: Switch = False
    worker_ssh: Switch = False
    worker_rdp: Switch = False
    management_port: int = MANAGEMENT.ports[0].first
    license_server: Switch = True
    # Let the server and workers reach any address on any port instead of the channel list.
    open_egress: Switch = False

    @field_validator("user_cidrs", "admin_cidrs")
    @classmethod
    def _each_once(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        # One rule per CIDR: AWS refuses a second identical rule in a security group
        # ("InvalidPermission.Duplicate"), and the two rules would share one resource name.
        for index, cidr in enumerate(cidrs):
            if cidr in cidrs[:index]:
                raise ValueError(f"lists {cidr} twice (items {cidrs.index(cidr)} and {index}); list each network once")
        return cidrs

    @field_validator("admin_cidrs")
    @classmethod
    def _no_whole_internet(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        opened = whole_internet(cidrs)
        alone = {cidr for family in opened if family.alone for cidr in family.cidrs}
        for cidr in cidrs:
            if cidr in alone:
                raise ValueError(f"must not contain {cidr}: administrator access is never open to the whole internet")
        if opened:
            (family, *_) = opened
            raise ValueError(
                f"must not cover the whole internet together ({' + '.join(family.cidrs)} make {family.everything}): "
                "administrator access is never open to the whole internet"
            )
        return cidrs

    @field_validator("management_port")
    @classmethod
    def _vendor_port(cls, value: int) -> int:
        allowed = [choice.first for choice in MANAGEMENT.port_choices]
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(map(str, allowed))} (vendor management ports), got {value}")
        return value

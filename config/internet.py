"""What "the whole internet" is, for the settings and the policy pack alike.

A list of CIDRs opens a channel to the whole internet when one of them is a /0 (`0.0.0.0/0`,
`::/0`), or when they cover an address family together (`0.0.0.0/1` + `128.0.0.0/1`). The
settings refuse administrator CIDRs that do (`config/access.py`); the pack refuses remote-access
rules that do (`no-remote-access-from-internet`): both ask this module.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class WholeInternet:
    """One address family's whole internet, and the CIDRs of a list that open it."""

    # The family's whole address space: 0.0.0.0/0 or ::/0.
    everything: str
    # As written in the list: its /0s when it has any, otherwise every CIDR of the family, which together make it.
    cidrs: tuple[str, ...]
    # True when a /0 of the list opens it on its own.
    alone: bool

    @property
    def label(self) -> str:
        if self.alone:
            return ", ".join(self.cidrs)
        return f"{' + '.join(self.cidrs)} (together {self.everything})"


def network_of(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network a CIDR names, host bits ignored as the clouds ignore them; None for text that is no CIDR."""
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def whole_internet(cidrs: Iterable[str]) -> tuple[WholeInternet, ...]:
    """Each address family (IPv4 first) whose whole internet `cidrs` open, alone or together.

    Host bits are ignored, as the clouds ignore them; a string that is no CIDR opens nothing.
    """
    written = list(cidrs)
    found: list[WholeInternet] = []
    for version in (4, 6):
        family = [(cidr, network) for cidr in written if (network := network_of(cidr)) is not None and network.version == version]
        collapsed = list(ipaddress.collapse_addresses(network for _, network in family))
        if len(collapsed) != 1 or collapsed[0].prefixlen != 0:
            continue
        alone = tuple(cidr for cidr, network in family if network.prefixlen == 0)
        found.append(WholeInternet(str(collapsed[0]), alone or tuple(cidr for cidr, _ in family), alone=bool(alone)))
    return tuple(found)

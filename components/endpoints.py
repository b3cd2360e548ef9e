"""Where users reach a deployment: the dashboard URL and the SDK endpoint, from the ports the stack opens."""

from __future__ import annotations

from collections.abc import Sequence
from http.client import HTTPS_PORT

import pulumi

from config.channels import MANAGEMENT, WEB, Channel
from config.exposure import OpenChannel


def _port(channels: Sequence[OpenChannel], channel: Channel) -> int:
    (ports,) = next(opened.ports for opened in channels if opened.channel is channel)
    return ports.first


def user_endpoints(address: pulumi.Output[str], channels: Sequence[OpenChannel]) -> dict[str, pulumi.Output[str]]:
    """`dashboardUrl` and `sdkEndpoint` for the server's public address (the management port follows its setting)."""
    web, management = _port(channels, WEB), _port(channels, MANAGEMENT)
    # A browser needs the port in the URL only when the web channel is not on the standard HTTPS port.
    web_suffix = "" if web == HTTPS_PORT else f":{web}"
    return {
        "dashboardUrl": address.apply(lambda ip: f"https://{ip}{web_suffix}/"),
        "sdkEndpoint": address.apply(lambda ip: f"{ip}:{management}"),
    }

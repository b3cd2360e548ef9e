"""Port facts the code reads from the channel matrix only: all ports, containment, the dashboard URL's port.

Expected values are literal: the port numbers of the vendor tables and of RFC 9110, written here.
"""

from __future__ import annotations

import asyncio

import pulumi
import pytest

from components.outputs import user_endpoints
from config.channels import LOWEST_USABLE_PORT, MANAGEMENT, WEB, Direction, PortRange, Role
from config.exposure import OpenChannel
from policies.firewall_rules import FirewallRule


def ingress(protocol: str, first: int, last: int) -> FirewallRule:
    return FirewallRule(where="", direction=Direction.INGRESS, protocol=protocol, first=first, last=last)


def test_port_0_is_reserved_so_usable_ports_start_at_1():
    assert LOWEST_USABLE_PORT == 1
    assert PortRange(1, 1).first == 1
    with pytest.raises(ValueError, match="bad port range 0-0"):
        PortRange(0, 0)


@pytest.mark.parametrize(
    "protocol, first, last, every_port",
    [
        ("tcp", 0, 65535, True),
        ("tcp", 1, 65535, True),
        ("udp", 1, 65535, True),
        ("tcp", 2, 65535, False),
        ("tcp", 1, 65534, False),
        ("tcp", 1024, 65535, False),
        ("icmp", 0, 65535, False),
        ("all", 0, 65535, True),
    ],
)
def test_all_ports_means_from_port_0_or_1_to_65535(protocol, first, last, every_port):
    assert ingress(protocol, first, last).all_ports is every_port


@pytest.mark.parametrize(
    "protocol, first, last, ports, covered",
    [
        ("tcp", 0, 65535, PortRange(22, 22), True),  # a rule from port 0, which no PortRange may start at
        ("tcp", 22, 22, PortRange(22, 22), True),
        ("tcp", 1024, 65535, PortRange(1024, 65535), True),
        ("tcp", 1025, 65535, PortRange(1024, 65535), False),
        ("tcp", 1024, 65534, PortRange(1024, 65535), False),
        ("udp", 0, 65535, PortRange(22, 22), False),
        ("all", 0, 65535, PortRange(3389, 3389), True),
    ],
)
def test_a_rule_covers_the_ranges_inside_its_span(protocol, first, last, ports, covered):
    assert ingress(protocol, first, last).covers(ports) is covered


@pytest.mark.parametrize(
    "outer, inner, contained",
    [
        (PortRange(1024, 65535), PortRange(1024, 1024), True),
        (PortRange(1024, 65535), PortRange(65535, 65535), True),
        (PortRange(1024, 65535), PortRange(1023, 1024), False),
        (PortRange(22, 22), PortRange(22, 23), False),
    ],
)
def test_a_range_is_within_a_span_edges_included(outer, inner, contained):
    assert inner.within(outer) is contained


def test_the_web_channel_is_on_the_https_default_port():
    # RFC 9110 section 4.2.2: https's default port is 443, which a URL may leave out.
    assert WEB.ports == (PortRange(443, 443),)


def endpoints(web: PortRange) -> dict[str, str]:
    channels = [
        OpenChannel(WEB, True, (web,), (Role.USERS,), ("198.51.100.0/24",)),
        OpenChannel(MANAGEMENT, True, (PortRange(25001, 25001),), (Role.USERS,), ("198.51.100.0/24",)),
    ]

    async def resolved() -> dict[str, str]:
        outputs = user_endpoints(pulumi.Output.from_input("192.0.2.7"), channels)
        return {key: await value.future() for key, value in outputs.items()}

    # On the thread's own event loop, left open and current: the Pulumi SDK creates its futures on
    # asyncio's current loop, and asyncio.run would leave the thread without one for the tests after.
    loop = asyncio.get_event_loop_policy().get_event_loop()
    return loop.run_until_complete(resolved())


@pytest.mark.parametrize(
    "web, url",
    [(PortRange(443, 443), "https://192.0.2.7/"), (PortRange(8443, 8443), "https://192.0.2.7:8443/")],
)
def test_the_dashboard_url_names_its_port_only_off_the_web_channel_s(web, url):
    assert endpoints(web) == {"dashboardUrl": url, "sdkEndpoint": "192.0.2.7:25001"}

"""Subnets carved from the VPC range, as a literal table: zone count and prefix in, CIDRs out."""

from __future__ import annotations

import pytest

from config.network import NetworkSettings

CARVED = [
    # (vpcCidr, subnetPrefixLength, zones, subnets)
    ("10.20.0.0/16", 24, 2, ("10.20.0.0/24", "10.20.1.0/24")),
    ("10.20.0.0/16", 24, 3, ("10.20.0.0/24", "10.20.1.0/24", "10.20.2.0/24")),
    ("10.20.0.0/16", 20, 2, ("10.20.0.0/20", "10.20.16.0/20")),
    ("172.16.0.0/20", 24, 2, ("172.16.0.0/24", "172.16.1.0/24")),
    ("192.168.4.0/24", 26, 3, ("192.168.4.0/26", "192.168.4.64/26", "192.168.4.128/26")),
]


@pytest.mark.parametrize(("vpc", "prefix", "zones", "subnets"), CARVED)
def test_subnets_are_carved_in_order_at_the_prefix(vpc, prefix, zones, subnets):
    settings = NetworkSettings.model_validate({"vpcCidr": vpc, "subnetPrefixLength": prefix})
    assert settings.subnets_for(zones) == subnets


def test_configured_subnets_are_used_as_given():
    settings = NetworkSettings.model_validate({"vpcCidr": "10.20.0.0/16", "subnetCidrs": ["10.20.8.0/24", "10.20.9.0/24"]})
    assert settings.subnets_for(2) == ("10.20.8.0/24", "10.20.9.0/24")

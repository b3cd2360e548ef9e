"""'The whole internet' is decided in one place (config/internet.py), which the settings and the pack both use.

access.adminCidrs refuses CIDRs that cover the internet together, and no-remote-access-from-internet
refuses a rule whose CIDRs do. Expected values are literal tables, written from the address arithmetic.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.access import AccessSettings
from config.internet import WholeInternet, whole_internet
from config.resource_types import AWS_GROUP_RULE, AWS_INGRESS_RULE, GCP_FIREWALL
from policies import ports
from tests.policy_harness import check_resource

USERS = ["198.51.100.0/24"]


@pytest.mark.parametrize(
    "cidrs, expected",
    [
        (["0.0.0.0/1", "128.0.0.0/1"], (WholeInternet("0.0.0.0/0", ("0.0.0.0/1", "128.0.0.0/1"), alone=False),)),
        (["10.0.0.0/8"], ()),
        (["::/1", "8000::/1"], (WholeInternet("::/0", ("::/1", "8000::/1"), alone=False),)),
        (["0.0.0.0/0"], (WholeInternet("0.0.0.0/0", ("0.0.0.0/0",), alone=True),)),
        (["::/0"], (WholeInternet("::/0", ("::/0",), alone=True),)),
        # A /0 beside other CIDRs: the /0 alone is named.
        (["10.0.0.0/8", "0.0.0.0/0"], (WholeInternet("0.0.0.0/0", ("0.0.0.0/0",), alone=True),)),
        # A quarter left out: 192.0.0.0/2 is missing.
        (["0.0.0.0/1", "128.0.0.0/2"], ()),
        (
            ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
            (WholeInternet("0.0.0.0/0", ("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"), alone=False),),
        ),
        # Overlapping pieces still cover it.
        (
            ["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"],
            (WholeInternet("0.0.0.0/0", ("0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"), alone=False),),
        ),
        # Families do not add up: half of each is neither.
        (["0.0.0.0/1", "::/1"], ()),
        (
            ["0.0.0.0/1", "128.0.0.0/1", "::/0"],
            (
                WholeInternet("0.0.0.0/0", ("0.0.0.0/1", "128.0.0.0/1"), alone=False),
                WholeInternet("::/0", ("::/0",), alone=True),
            ),
        ),
        # Host bits are ignored, as the clouds ignore them; what is no CIDR opens nothing.
        (["0.0.0.1/1", "128.0.0.1/1"], (WholeInternet("0.0.0.0/0", ("0.0.0.1/1", "128.0.0.1/1"), alone=False),)),
        (["not-a-cidr", "0.0.0.0/1"], ()),
        ([], ()),
    ],
)
def test_cidrs_that_open_the_whole_internet(cidrs, expected):
    assert whole_internet(cidrs) == expected


@pytest.mark.parametrize(
    "family, label",
    [
        (WholeInternet("0.0.0.0/0", ("0.0.0.0/0",), alone=True), "0.0.0.0/0"),
        (WholeInternet("0.0.0.0/0", ("0.0.0.0/1", "128.0.0.0/1"), alone=False), "0.0.0.0/1 + 128.0.0.0/1 (together 0.0.0.0/0)"),
    ],
)
def test_a_family_is_labelled_by_the_cidrs_that_open_it(family, label):
    assert family.label == label


class TestAdminCidrs:
    @pytest.mark.parametrize(
        "admins, message",
        [
            (["0.0.0.0/0"], "must not contain 0.0.0.0/0: administrator access is never open to the whole internet"),
            (["10.0.0.0/8", "::/0"], "must not contain ::/0: administrator access is never open to the whole internet"),
            (
                ["0.0.0.0/1", "128.0.0.0/1"],
                "must not cover the whole internet together (0.0.0.0/1 + 128.0.0.0/1 make 0.0.0.0/0): administrator "
                "access is never open to the whole internet",
            ),
            (
                ["::/1", "8000::/1"],
                "must not cover the whole internet together (::/1 + 8000::/1 make ::/0): administrator access is never "
                "open to the whole internet",
            ),
        ],
    )
    def test_the_whole_internet_is_refused(self, admins, message):
        with pytest.raises(ValidationError) as raised:
            AccessSettings.model_validate({"userCidrs": USERS, "adminCidrs": admins})
        (error,) = raised.value.errors()
        assert error["loc"] == ("adminCidrs",) and error["msg"] == f"Value error, {message}"

    @pytest.mark.parametrize("admins", [["203.0.113.10/32"], ["0.0.0.0/1", "128.0.0.0/2"], ["::/1"]])
    def test_networks_short_of_it_pass(self, admins):
        assert AccessSettings.model_validate({"userCidrs": USERS, "adminCidrs": admins}).admin_cidrs == tuple(admins)


class TestTheRuleOfOneResource:
    """The pack's verdict on one rule resource whose CIDRs together are the whole internet."""

    def check(self, kind, props):
        return check_resource(ports.no_remote_access_from_internet, kind, props)

    def test_a_gcp_firewall_with_both_halves_on_ssh_is_refused(self):
        props = {
            "direction": "INGRESS",
            "allows": [{"protocol": "tcp", "ports": ["22"]}],
            "sourceRanges": ["0.0.0.0/1", "128.0.0.0/1"],
        }
        assert self.check(GCP_FIREWALL, props) == [
            "allows[0]: tcp 22 admits 0.0.0.0/1 + 128.0.0.0/1 (together 0.0.0.0/0): port 22 open to the whole internet"
        ]

    def test_a_gcp_firewall_with_both_ipv6_halves_on_ssh_is_refused(self):
        props = {"direction": "INGRESS", "allows": [{"protocol": "tcp", "ports": ["22"]}], "sourceRanges": ["::/1", "8000::/1"]}
        assert self.check(GCP_FIREWALL, props) == [
            "allows[0]: tcp 22 admits ::/1 + 8000::/1 (together ::/0): port 22 open to the whole internet"
        ]

    def test_a_security_group_rule_with_both_halves_on_rdp_is_refused(self):
        props = {
            "type": "ingress",
            "protocol": "tcp",
            "fromPort": 3389,
            "toPort": 3389,
            "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"],
            "securityGroupId": "sg-workers",
        }
        assert self.check(AWS_GROUP_RULE, props) == [
            "tcp 3389 admits 0.0.0.0/1 + 128.0.0.0/1 (together 0.0.0.0/0): port 3389 open to the whole internet"
        ]

    def test_a_single_slash_zero_keeps_its_message(self):
        props = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0", "securityGroupId": "sg-server"}
        assert self.check(AWS_INGRESS_RULE, props) == ["tcp 22 admits 0.0.0.0/0: port 22 open to the whole internet"]

    def test_halves_on_a_port_that_is_no_remote_access_pass_this_policy(self):
        props = {
            "direction": "INGRESS",
            "allows": [{"protocol": "tcp", "ports": ["443"]}],
            "sourceRanges": ["0.0.0.0/1", "128.0.0.0/1"],
        }
        assert self.check(GCP_FIREWALL, props) == []

    def test_admin_networks_that_leave_part_of_the_internet_out_pass(self):
        props = {
            "direction": "INGRESS",
            "allows": [{"protocol": "tcp", "ports": ["22"]}],
            "sourceRanges": ["0.0.0.0/1", "128.0.0.0/2"],
        }
        assert self.check(GCP_FIREWALL, props) == []

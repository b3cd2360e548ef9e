"""The pack: every policy, in the order the report lists them."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

from policies.buckets import BUCKET_POLICIES
from policies.compute import COMPUTE_POLICIES
from policies.data import DATA_POLICIES
from policies.database import DATABASE_POLICIES
from policies.egress import egress_matches_channel
from policies.identity import IDENTITY_POLICIES
from policies.network import NETWORK_POLICIES
from policies.ports import PORT_POLICIES
from policies.role_trust import role_trust_scoped
from policies.stack_settings import SETTINGS_POLICIES

PACK_NAME = "tdce"
POLICIES: list[Policy] = [
    *SETTINGS_POLICIES,
    *PORT_POLICIES,
    egress_matches_channel,
    *NETWORK_POLICIES,
    *BUCKET_POLICIES,
    *COMPUTE_POLICIES,
    *IDENTITY_POLICIES,
    role_trust_scoped,
    *DATA_POLICIES,
    *DATABASE_POLICIES,
]


def build_pack() -> PolicyPack:
    """Serve the pack over gRPC; the constructor prints the port and never returns."""
    return PolicyPack(
        name=PACK_NAME,
        policies=POLICIES,
        enforcement_level=EnforcementLevel.MANDATORY,
        description="TDCE clusters: only the channel matrix's ports, and the safety rules of the design.",
    )

"""The GCP name prefix of a stack and the extra worker service accounts setting."""

from __future__ import annotations

import itertools
import re

import pytest

from config.errors import ConfigError
from config.gcp_names import name_prefix
from tests.support import settings_of, stack_values, with_setting

# Stack name → its prefix, worked out by hand from the rules in config/gcp_names.py's docstring.
PREFIXES = {
    "gcp-prod": "tdce-gcp-prod--",
    "gcp-prod-eu": "tdce-gcp-prod-eu--",
    "prod": "tdce-prod--",
    "Prod.EU": "tdce-prod-eu--",
}
# Stack names Pulumi allows (letters, digits, '-', '_', '.') that need the digest to make a name part.
AWKWARD = ["gcp_prod", "gcp--prod", "a" * 60, "-lead", "trail-", "gcp_prod_" + "x" * 40]


@pytest.mark.parametrize(("stack", "prefix"), PREFIXES.items())
def test_a_plain_stack_name_is_its_own_prefix(stack, prefix):
    assert name_prefix(stack) == prefix


@pytest.mark.parametrize("stack", AWKWARD)
def test_every_prefix_is_a_valid_compute_name_start_and_leaves_the_dashboard_32_characters(stack):
    prefix = name_prefix(stack)
    # Compute Engine names: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", prefix + "w1")
    assert len(prefix) <= 63 - 32
    inner = prefix.removeprefix("tdce-").removesuffix("--")
    assert "--" not in inner and not inner.startswith("-") and not inner.endswith("-")


def test_no_stacks_prefix_starts_another_stacks_prefix():
    stacks = [*PREFIXES, *AWKWARD, "gcp-prod-x", "gcp", "gcp-pro"]
    for one, other in itertools.permutations(stacks, 2):
        assert not name_prefix(other).startswith(name_prefix(one)), (one, other)


def test_stacks_whose_label_values_differ_get_different_prefixes():
    assert name_prefix("gcp_prod") != name_prefix("gcp-prod")
    assert name_prefix("gcp--prod") != name_prefix("gcp-prod")


def _with_accounts(accounts):
    values, secret_keys = stack_values("gcp-prod")
    return settings_of(with_setting(values, "dashboard.extraWorkerServiceAccounts", accounts), secret_keys)


@pytest.mark.parametrize(
    ("accounts", "line"),
    [
        (
            ["123456789012-compute@developer.gserviceaccount.com"],
            "tdce:dashboard.extraWorkerServiceAccounts[0]: must be a user-managed service account",
        ),
        (
            ["tdce-prod-example@appspot.gserviceaccount.com"],
            "tdce:dashboard.extraWorkerServiceAccounts[0]: must be a user-managed",
        ),
        (
            ["gpu-worker@tdce-prod-example.iam.gserviceaccount.com"] * 2,
            "tdce:dashboard.extraWorkerServiceAccounts[1]: must differ from extraWorkerServiceAccounts[0]",
        ),
        (
            [f"gpu-worker-{i}@tdce-prod-example.iam.gserviceaccount.com" for i in range(10)],
            "tdce:dashboard.extraWorkerServiceAccounts: must list at most 9",
        ),
    ],
)
def test_extra_worker_service_accounts_are_user_managed_distinct_and_fit_a_firewall_rule(accounts, line):
    with pytest.raises(ConfigError) as caught:
        _with_accounts(accounts)
    assert line in str(caught.value)


def test_nine_user_managed_extra_accounts_are_accepted():
    accounts = [f"gpu-worker-{i}@tdce-prod-example.iam.gserviceaccount.com" for i in range(9)]
    assert _with_accounts(accounts).dashboard.extra_worker_service_accounts == tuple(accounts)

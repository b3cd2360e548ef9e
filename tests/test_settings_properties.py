"""Whatever config a user writes, the loader returns settings or raises the project's ConfigError — nothing else."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ConfigError
from config.loader import settings_from_config
from config.settings import Settings
from tests.support import EXAMPLE_STACKS, stack_values

KNOWN_KEYS = [field.alias for field in Settings.model_fields.values()]
NESTED_KEYS = [
    "vpcCidr",
    "userCidrs",
    "adminCidrs",
    "ssh",
    "name",
    "maxCount",
    "minCount",
    "desiredCount",
    "engine",
    "sizeGb",
    "type",
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/8", "snap-0123456789abcdef0", "aws", "gcp", "spot", "25002"]),
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(NESTED_KEYS) | st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# JSON no Python reader takes whole: nesting past the recursion limit, integers past the digit limit.
unreadable_json = st.sampled_from(["[" * 5000 + "]" * 5000, '{"a": ' + "7" * 4400 + "}", "[NaN]", "{", "[1,]"])
config_value = (
    json_values.map(lambda value: value if isinstance(value, str) else json.dumps(value)) | st.text(max_size=30) | unreadable_json
)
# Besides tdce: keys and noise: typos of the namespace and the provider defaults it is compared with.
config_key = (
    st.sampled_from(KNOWN_KEYS).map(lambda key: f"tdce:{key}")
    | st.text(max_size=12)
    | st.sampled_from(["tcde:bucket", "TDCE:cloud", "tdce.region", "tdce:tdce.cloud", "aws:region", "gcp:project", "gcp:region"])
)


def outcome(values: dict[str, str], secret_keys: frozenset[str] = frozenset()) -> None:
    try:
        result = settings_from_config(values, secret_keys)
    except ConfigError as error:
        assert error.problems, "a ConfigError always names at least one problem"
        assert all(str(problem).count("\n") == 0 for problem in error.problems)
    else:
        assert isinstance(result, Settings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(config_key, config_value, max_size=8), st.booleans())
def test_random_config_maps_give_settings_or_config_error(values, all_secret):
    outcome(values, frozenset(values) if all_secret else frozenset())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLE_STACKS), st.sampled_from(KNOWN_KEYS), config_value)
def test_one_random_key_in_an_example_stack_gives_settings_or_config_error(stack, key, value):
    values, secret_keys = stack_values(stack)
    values[f"tdce:{key}"] = value
    outcome(values, secret_keys)

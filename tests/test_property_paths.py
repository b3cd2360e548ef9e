"""Property paths read as the engine reads them; the examples are the Pulumi docs' own
(https://www.pulumi.com/docs/reference/property-paths/)."""

from __future__ import annotations

import pytest

from tdce.property_paths import PropertyPathError, parse_property_path

DOCUMENTED_EXAMPLES = {
    "root": ("root",),
    "root.nested": ("root", "nested"),
    'root["nested"]': ("root", "nested"),
    "root.double.nest": ("root", "double", "nest"),
    'root["double"].nest': ("root", "double", "nest"),
    'root["double"]["nest"]': ("root", "double", "nest"),
    "root.array[0]": ("root", "array", 0),
    "root.array[100]": ("root", "array", 100),
    "root.array[0].nested": ("root", "array", 0, "nested"),
    "root.array[0][1].nested": ("root", "array", 0, 1, "nested"),
    "root.nested.array[0].double[1]": ("root", "nested", "array", 0, "double", 1),
    'root["key with \\"escaped\\" quotes"]': ("root", 'key with "escaped" quotes'),
    'root["key with a ."]': ("root", "key with a ."),
    '["root key with \\"escaped\\" quotes"].nested': ('root key with "escaped" quotes', "nested"),
    '["root key with a ."][100]': ("root key with a .", 100),
    "root.array[*].field": ("root", "array", "*", "field"),
    'root.array["*"].field': ("root", "array", "*", "field"),
}


@pytest.mark.parametrize(("path", "segments"), DOCUMENTED_EXAMPLES.items())
def test_every_documented_example_parses(path, segments):
    assert parse_property_path(path) == segments


@pytest.mark.parametrize("path", ["", 'root["open', 'root["closed"', "root[1", "root[one]", "root[١]"])
def test_malformed_paths_are_refused(path):
    with pytest.raises(PropertyPathError):
        parse_property_path(path)

"""Values written as Go writes them: the expected texts are Go's documented outputs, not this module's."""

from __future__ import annotations

import math

import pytest

from config.go_text import UnsupportedValue, format_g, json_float, json_string, marshal_json

# strconv.FormatFloat(f, 'g', -1, 64): shortest digits; %e when the exponent is < -4 or >= 6 for
# the shortest precision (strconv/ftoa.go), exponent at least two digits (fmt: "1e+06").
FORMAT_G = [
    (0.0, "0"),
    (-0.0, "-0"),
    (1.0, "1"),
    (100.0, "100"),
    (123456.0, "123456"),
    (1e6, "1e+06"),
    (1234567.0, "1.234567e+06"),
    (3.14, "3.14"),
    (0.1, "0.1"),
    (0.0001, "0.0001"),
    (0.00001, "1e-05"),
    (-2.5e-10, "-2.5e-10"),
    (2.0**64, "1.8446744073709552e+19"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
]

# encoding/json floats, "as if by ES6 number to string conversion": positional from 1e-6 up to
# 1e21, else an exponent with e-07 cleaned up to e-7 (encoding/json/encode.go, floatEncoder).
JSON_FLOAT = [
    (0.0, "0"),
    (-0.0, "-0"),
    (1.0, "1"),
    (-1.5, "-1.5"),
    (0.1, "0.1"),
    (123456789.0, "123456789"),
    (1e20, "100000000000000000000"),
    (2.0**64, "18446744073709552000"),
    (1e21, "1e+21"),
    (1e300, "1e+300"),
    (0.000001, "0.000001"),
    (1e-7, "1e-7"),
    (1.5e-7, "1.5e-7"),
    (5e-324, "5e-324"),
]

# json.Marshal strings: HTML-sensitive characters and U+2028/U+2029 escaped, control characters as
# \n \r \t \b \f or \u00XX (lower-case hex), everything else written as is (pkg.go.dev/encoding/json#Marshal).
JSON_STRING = [
    ("plain", '"plain"'),
    ("<b>&</b>", '"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"'),
    ("\u2028\u2029", '"\\u2028\\u2029"'),
    ('"\\', '"\\"\\\\"'),
    ("\n\r\t\b\f", '"\\n\\r\\t\\b\\f"'),
    ("\x01\x1b", '"\\u0001\\u001b"'),
    ("é😀", '"é😀"'),
    ("\x7f", '"\x7f"'),
]


@pytest.mark.parametrize(("value", "expected"), FORMAT_G)
def test_format_g_is_strconv_format_float_g(value, expected):
    assert format_g(value) == expected


@pytest.mark.parametrize(("value", "expected"), JSON_FLOAT)
def test_json_float_is_go_encoding_json(value, expected):
    assert json_float(value) == expected


@pytest.mark.parametrize(("value", "expected"), JSON_STRING)
def test_json_string_is_go_encoding_json(value, expected):
    assert json_string(value) == expected


@pytest.mark.parametrize(("value", "go_name"), [(math.nan, "NaN"), (math.inf, "+Inf"), (-math.inf, "-Inf")])
def test_json_refuses_what_go_refuses(value, go_name):
    with pytest.raises(UnsupportedValue) as caught:
        marshal_json({"a": [value]})
    assert str(caught.value) == f"json: unsupported value: {go_name}"


def test_marshal_sorts_keys_and_writes_no_spaces():
    value = {"b": 1, "a": [True, None, "x", 2.5, {}], "C": [], "é": {"z": False, "y": -3}}
    assert marshal_json(value) == '{"C":[],"a":[true,null,"x",2.5,{}],"b":1,"é":{"y":-3,"z":false}}'


def test_marshal_nests_past_the_recursion_limit():
    value: list = []
    for _ in range(20_000):
        value = [value]
    assert marshal_json(value) == "[" * 20_001 + "]" * 20_001


def test_substitute_writes_a_replacement_in_place_of_a_mapping():
    value = {"pools": [{"secure": "v1:abc"}, {"name": "x"}]}
    text = marshal_json(value, substitute=lambda m: "hidden" if set(m) == {"secure"} else None)
    assert text == '{"pools":["hidden",{"name":"x"}]}'

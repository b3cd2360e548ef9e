"""Scalars of a stack file as gopkg.in/yaml.v3 resolves them (resolve.go / decode.go), for config/stack_yaml.py.

- plain scalars: `true`/`false` (also `True`, `TRUE`) are booleans, `null`, `~` and nothing
  are null, and nothing else is either: `yes`, `no`, `on`, `off`, `y`, `n` are refused (the
  CLI's YAML 1.1 reader and YAML 1.2 disagree on them);
- integers after removing every `_`, with Go's base prefixes `0x`, `0o`, `0b` and a leading `0`
  for octal (`0777` is 511), as int64 or else uint64; `12:30` is the string "12:30" (YAML 1.1
  sexagesimal is gone), `2001-12-14` and other timestamps stay the text written;
- floats: `1.5`, `1e3`, `.5`, `.inf`, `-.inf`, `.nan`; a number too large for a float64 is the
  string written;
- quoted and block scalars are strings; `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` tags are
  honoured ("cannot decode !!str `abc` as a !!int").
"""

from __future__ import annotations

import math
import re
from typing import Any

_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# Go's strconv.ParseInt(s, 0, 64): an optional sign, then 0x / 0b / 0o, a leading 0 for octal, or decimal.
_GO_INTEGER = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))")
# yaml.v3 resolve.go, yamlStyleFloat.
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64, _UINT64 = 2**63, 2**64


# YAML 1.1's other spellings of true and false (yaml.org/type/bool.html), which YAML 1.2 dropped.
YAML_1_1_BOOLEANS = frozenset(
    spelling for word in ("y", "yes", "n", "no", "on", "off") for spelling in (word, word.capitalize(), word.upper())
)


def resolve_plain(text: str) -> Any:
    """An untagged plain scalar as gopkg.in/yaml.v3 resolves it (resolve.go, `resolve("", in)`)."""
    if text in _WORDS:
        return _WORDS[text]
    first = text[0]
    if first == ".":
        return _finite_float(text) if _DOT_FLOAT.fullmatch(text) else text
    if not (first.isascii() and (first.isdigit() or first in "+-")):
        return text
    plain = text.replace("_", "")
    whole = _go_integer(plain)
    if whole is not None:
        return whole
    if _YAML_FLOAT.fullmatch(plain):
        return _finite_float(plain, fallback=text)
    return text


def _go_integer(plain: str) -> int | None:
    match = _GO_INTEGER.fullmatch(plain)
    if match is None:
        return None
    sign, hexadecimal, binary, octal, leading_zero, decimal = match.groups()
    if decimal is not None:
        # More digits than a uint64 holds is no integer (and would trip Python's int-string limit).
        value = int(decimal) if len(decimal) <= 20 else _UINT64
    elif hexadecimal is not None:
        value = int(hexadecimal, 16)
    elif binary is not None:
        value = int(binary, 2)
    else:
        digits = octal if octal is not None else leading_zero
        value = int(digits, 8) if digits else 0
    if sign == "-":
        return -value if value <= _INT64 else None
    if value < _INT64:
        return value
    # strconv.ParseUint takes no sign at all.
    return value if not sign and value < _UINT64 else None


def _finite_float(text: str, fallback: str | None = None) -> float | str:
    value = float(text)
    # strconv.ParseFloat reports a number beyond float64 as an error; yaml.v3 then keeps the text.
    return (text if fallback is None else fallback) if math.isinf(value) else value


def scalar_value(text: str, tag: str | None, *, plain: bool) -> tuple[Any, str | None]:
    """A scalar's value as yaml.v3 decodes it into interface{}, or None and why it cannot be read."""
    if _SURROGATE.search(text):
        # libyaml / yaml.v3 refuse \uD800-\uDFFF escapes: they are not characters.
        return None, "found invalid Unicode character escape code"
    if tag == "!!str" or (not plain and tag in (None, "!")):
        return text, None
    if tag == "!!binary":
        return None, "!!binary values cannot be checked offline; write the text itself"
    if tag not in (None, "!", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!merge"):
        return text, None  # a tag yaml.v3 does not resolve: the text, as a string
    if tag == "!!timestamp":
        if _TIMESTAMP.fullmatch(text):
            return text, None  # yaml.v3 keeps a timestamp decoded into interface{} as the text written
        return None, f"cannot decode !!str `{text}` as a !!timestamp"
    if tag is None and text in YAML_1_1_BOOLEANS:
        # The CLI's loader (yaml.v2) reads these as booleans, YAML 1.2 (yaml.v3) as text: either
        # reading could be the one a user meant, so neither is guessed.
        why = f"`{text}` is true/false to the Pulumi CLI's YAML 1.1 reader and text to YAML 1.2: write true/false, or quote it"
        return None, why
    value = resolve_plain(text)
    wanted = {"!!int": int, "!!float": float, "!!bool": bool, "!!null": type(None)}.get(tag or "")
    if wanted is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value), None
    if wanted is not None and (type(value) is not wanted):
        return None, f"cannot decode {_tag_of(value)} `{text}` as a {tag}"
    return value, None


def _tag_of(value: Any) -> str:
    if value is None:
        return "!!null"
    return {bool: "!!bool", int: "!!int", float: "!!float"}.get(type(value), "!!str")

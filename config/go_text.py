"""Values written as text the way the Pulumi CLI's Go code writes them.

The CLI hands a program every config value as a string: objects and lists through Go's
`encoding/json` (`json.Marshal`), top-level numbers through gopkg.in/yaml's float formatting,
which is `strconv.FormatFloat(f, 'g', -1, 64)`. Python's `json.dumps` and `repr` differ from
both (spacing, key order, `<>&` escapes, exponent cut-offs), so the offline plan writes them
here, as Go does:

- `json.Marshal` (pkg.go.dev/encoding/json#Marshal): map keys sorted, no spaces, `<`, `>`, `&`,
  U+2028 and U+2029 escaped as `\\u003c` …, NaN and ±Inf refused ("json: unsupported value").
- floats in JSON "as if by ES6 number to string conversion": shortest digits, positional
  between 1e-6 and 1e21, else an exponent with `e-07` shortened to `e-7`
  (encoding/json/encode.go, floatEncoder).
- `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, an exponent when it is below -4
  or at least 6 (strconv/ftoa.go: "if precision was the shortest possible, use precision 6").

The encoder is iterative: a stack file may nest ten thousand levels deep (gopkg.in/yaml.v3's
limit), far past Python's recursion limit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any


class UnsupportedValue(ValueError):
    """A value `json.Marshal` refuses; `text` is how Go names it (`NaN`, `+Inf`, `-Inf`)."""

    def __init__(self, text: str):
        super().__init__(f"json: unsupported value: {text}")
        self.text = text


_HTML_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_string(text: str) -> str:
    # Python escapes the same control characters as Go (\b \f \n \r \t, the rest \u00xx); Go
    # also escapes the HTML-sensitive characters and the two JavaScript line separators.
    encoded = json.dumps(text, ensure_ascii=False)
    return encoded.translate(str.maketrans(_HTML_SAFE)) if any(c in encoded for c in _HTML_SAFE) else encoded


def _digits(value: float) -> tuple[str, int]:
    """The shortest digits that read back as |value|, and where the decimal point goes: 0.DIGITS × 10**point."""
    _, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)
    stripped = text.rstrip("0")
    return stripped, point


def _positional(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _exponent(digits: str, point: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    power = point - 1
    return f"{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def _go_unsupported(value: float) -> str:
    return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")


def json_float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise UnsupportedValue(_go_unsupported(value))
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = _digits(value)
    if 1e-6 <= abs(value) < 1e21:
        return sign + _positional(digits, point)
    text = _exponent(digits, point)
    # encoding/json: "clean up e-09 to e-9"
    if text[-4:-1] == "e-0":
        text = text[:-2] + text[-1]
    return sign + text


def format_g(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 64)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = _digits(value)
    power = point - 1
    if power < -4 or power >= 6:
        return sign + _exponent(digits, point)
    return sign + _positional(digits, point)


class _Text(str):
    """Already-encoded JSON on the work stack, told apart from string values that still need quoting."""


def marshal_json(
    value: Any,
    *,
    float_text: Callable[[float], str] = json_float,
    substitute: Callable[[dict], Any] | None = None,
) -> str:
    """`json.Marshal` of a decoded YAML value: dicts with string keys, lists, str, int, float, bool, None.

    `substitute(mapping)` may return a value to write in a mapping's place (the CLI's decrypted
    `secure:` values), or None to write the mapping itself.
    """
    out: list[str] = []
    work: list[Any] = [value]
    while work:
        item = work.pop()
        if isinstance(item, _Text):
            out.append(item)
        elif isinstance(item, dict):
            replacement = substitute(item) if substitute else None
            if replacement is not None:
                work.append(replacement)
                continue
            keys = sorted(item)
            work.append(_Text("}"))
            for index in range(len(keys) - 1, -1, -1):
                work.append(item[keys[index]])
                work.append(_Text(("{" if index == 0 else ",") + json_string(keys[index]) + ":"))
            if not keys:
                work.append(_Text("{"))
        elif isinstance(item, list):
            work.append(_Text("]"))
            for index in range(len(item) - 1, -1, -1):
                work.append(item[index])
                if index:
                    work.append(_Text(","))
            work.append(_Text("["))
        elif isinstance(item, str):
            out.append(json_string(item))
        elif item is None:
            out.append("null")
        elif isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, int):
            out.append(str(item))
        elif isinstance(item, float):
            out.append(float_text(item))
        else:
            raise TypeError(f"cannot write {type(item).__name__} as JSON")
    return "".join(out)

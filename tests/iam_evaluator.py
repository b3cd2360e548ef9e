"""A small IAM policy evaluator for the tests: identity policies, Allow and Deny, the condition operators the stack uses.

Written from the IAM User Guide ("Policy evaluation logic", "IAM JSON policy elements: Condition
operators", "Single-valued vs. multivalued context keys"), not from the code under test:
- a request is allowed when some Allow statement matches and no Deny statement does;
- a statement matches when an action pattern and a resource pattern match (`*` and `?` wildcards,
  actions case-insensitive) and every condition operator holds; within an operator every key must
  hold, and a key holds when the request's value matches any of the listed values;
- a key missing from the request fails every operator except the negated ones (StringNotEquals,
  ArnNotEquals, …), which hold, and `…IfExists`, which hold;
- `ForAllValues:` holds when every request value matches some listed value (and for a missing key);
  `ForAnyValue:` when some request value does (and fails for a missing key).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Context = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Context = field(default_factory=dict)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def _arn_like(pattern: str, value: str) -> bool:
    # ARN operators compare each of the six colon-separated parts ("ARN condition operators").
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    return len(pattern_parts) == len(value_parts) and all(_like(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


_MATCHERS = {
    "StringEquals": lambda wanted, value: wanted == value,
    "StringLike": lambda wanted, value: _like(wanted, value),
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
    "Bool": lambda wanted, value: str(wanted).lower() == str(value).lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _operator_holds(operator: str, keys: Mapping[str, Any], context: Context) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    for key, wanted in keys.items():
        present = key in context
        values = _list(context[key]) if present else []
        wanted_values = _list(wanted)
        if base in _NEGATED:
            match = _MATCHERS[_NEGATED[base]]
            holds = not present or not any(match(w, v) for w in wanted_values for v in values)
        else:
            match = _MATCHERS[base]
            if not present:
                holds = if_exists or qualifier == "ForAllValues"
            elif qualifier == "ForAllValues":
                holds = all(any(match(w, v) for w in wanted_values) for v in values)
            else:  # single-valued, or ForAnyValue
                holds = any(match(w, v) for w in wanted_values for v in values)
        if not holds:
            return False
    return True


def statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    actions = _list(statement.get("Action", []))
    resources = _list(statement.get("Resource", []))
    if not any(_like(pattern, request.action, case_sensitive=False) for pattern in actions):
        return False
    if not any(fnmatch.fnmatchcase(request.resource, "*") if r == "*" else _arn_like(r, request.resource) for r in resources):
        return False
    return all(_operator_holds(op, keys, request.context) for op, keys in statement.get("Condition", {}).items())


def allowed(statements: Sequence[Mapping[str, Any]], request: Request) -> bool:
    matching = [s for s in statements if statement_matches(s, request)]
    if any(s["Effect"] == "Deny" for s in matching):
        return False
    return any(s["Effect"] == "Allow" for s in matching)


def granting(statements: Sequence[Mapping[str, Any]], request: Request) -> list[str]:
    """The Sids of the Allow statements that grant the request."""
    return [s.get("Sid", "?") for s in statements if s["Effect"] == "Allow" and statement_matches(s, request)]

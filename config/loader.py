"""Read the `tdce:` keys of a stack's config into Settings, or fail with every problem at once."""

from __future__ import annotations

import json
import sys
import typing
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from config.base import CROSS_FIELD_ERROR
from config.errors import ConfigError, Problem, config_key, shown
from config.namespaces import misplaced_key, provider_contradictions
from config.settings import Settings
from config.suggest import closest

NAMESPACE = "tdce"
# Keys that must be stored encrypted (`pulumi config set --secret`); their values are never echoed.
SECRET_KEYS = ("dashboardAdminPassword", "databaseUserPassword")

_TYPE_MESSAGES = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "datetime_parsing": "must be an RFC 3339 date-time such as '2026-11-01T03:00:00Z'",
    "datetime_from_date_parsing": "must be an RFC 3339 date-time such as '2026-11-01T03:00:00Z'",
    "datetime_type": "must be an RFC 3339 date-time such as '2026-11-01T03:00:00Z'",
}
_BOUND_MESSAGES = {
    "greater_than_equal": ("≥", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("≤", "le"),
    "less_than": ("<", "lt"),
}


def settings_from_config(config: Mapping[str, Any], secret_keys: Collection[str] = ()) -> Settings:
    """Validate a flat Pulumi config map (`{"tdce:cloud": "aws", …}`, objects as JSON strings)."""
    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    known = [field.alias or name for name, field in Settings.model_fields.items()]
    for full_key, value in config.items():
        misplaced = misplaced_key(str(full_key), known)
        if misplaced is not None:
            problems.append(misplaced)
            continue
        namespace, _, key = str(full_key).partition(":")
        if namespace != NAMESPACE:
            continue
        decoded, problem = _decode(str(full_key), value)
        if problem is not None:
            problems.append(problem)
        else:
            raw[key] = decoded
    problems += provider_contradictions(config, raw)
    for key in SECRET_KEYS:
        if key in raw and f"{NAMESPACE}:{key}" not in secret_keys:
            problems.append(
                Problem(f"{NAMESPACE}:{key}", f"must be stored as a secret: pulumi config set --secret {NAMESPACE}:{key} <value>")
            )
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_problems_from(exc))
        settings = None
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def _decode(full_key: str, value: Any) -> tuple[Any, Problem | None]:
    """A config value as the settings take it, or the problem that stops it.

    Pulumi hands structured values to programs as JSON text (written by Go's json.Marshal);
    scalars stay strings. Go's JSON has no NaN or Infinity, so neither is accepted here.
    """
    if not (isinstance(value, str) and value.lstrip().startswith(("{", "["))):
        return value, None
    try:
        return json.loads(value, parse_constant=_no_constant), None
    except RecursionError:
        return None, Problem(full_key, "nests too deeply to read: keep settings to a few levels")
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            return None, Problem(full_key, f"holds an integer of more than {sys.get_int_max_str_digits()} digits")
        return None, Problem(full_key, f"is not valid JSON ({exc})")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _problems_from(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    errors = exc.errors(include_url=False)
    # pydantic counts a list's length over the items that validated: one bad item of a list that must
    # have one would also say "must have at least 1 item(s)", which is not so. The item's line says it.
    with_bad_items = {tuple(e["loc"])[:-1] for e in errors if e["loc"] and isinstance(e["loc"][-1], int)}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "too_short" and loc in with_bad_items:
            continue
        if error["type"] == CROSS_FIELD_ERROR:
            for path, message in error["ctx"]["findings"]:
                problems.append(Problem(config_key(NAMESPACE, loc + tuple(path)), message))
        elif error["type"] == "extra_forbidden":
            problems.append(Problem(config_key(NAMESPACE, loc), _unknown_key_message(loc)))
        else:
            problems.append(Problem(config_key(NAMESPACE, loc), _message(error, secret=bool(loc) and loc[0] in SECRET_KEYS)))
    return problems


def _message(error: Mapping[str, Any], secret: bool) -> str:
    kind, ctx, given = error["type"], error.get("ctx", {}), error.get("input")
    got = "" if secret else f", got {shown(given)}"
    if kind == "missing":
        return _required(tuple(error["loc"]))
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"must be one of {ctx['expected']}{got}"
    if kind in _BOUND_MESSAGES:
        symbol, name = _BOUND_MESSAGES[kind]
        return f"must be {symbol} {ctx[name]}{got}"
    if kind == "multiple_of":
        return f"must be a multiple of {ctx['multiple_of']}{got}"
    if kind == "too_short":
        return f"must have at least {ctx['min_length']} item(s)"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind] + got
    return f"{error['msg']}{got}"


def _required(loc: tuple[str | int, ...]) -> str:
    # A key with a fixed set of values names them, so the line alone says what to write.
    field = next((f for name, f in _model_at(loc[:-1]).model_fields.items() if (f.alias or name) == loc[-1]), None)
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return "is required"
    *others, last = (repr(choice) for choice in typing.get_args(field.annotation))
    return f"is required: {', '.join(others)} or {last}" if others else f"is required: {last}"


def _unknown_key_message(loc: tuple[str | int, ...]) -> str:
    known = sorted(field.alias or name for name, field in _model_at(loc[:-1]).model_fields.items())
    guess = closest(str(loc[-1]), known)
    hint = f"did you mean {guess!r}? " if guess else ""
    return f"unknown key; {hint}known keys: {', '.join(known)}"


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        field = next(f for name, f in model.model_fields.items() if (f.alias or name) == part)
        nested = model_in(field.annotation)
        assert nested is not None, part
        model = nested
    return model


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The settings model an annotation holds (`X`, `X | None`, `tuple[X, ...]`), or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = model_in(argument)
        if found is not None:
            return found
    return None

"""Helpers for tests: example stacks' config, variants of it, cached offline plans, and a frozen clock."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import datetime
from functools import cache
from typing import Any
from unittest.mock import patch

from pydantic import BaseModel

from config import clock
from config.loader import model_in, settings_from_config
from config.settings import Settings
from config.stack_file import read_stack_config
from tdce.planner import Plan, plan_config, plan_resolved
from tdce.recording import RecordedResource

EXAMPLE_STACKS = ("aws-prod", "aws-dev", "aws-aurora", "aws-restore", "gcp-prod", "gcp-restore")


def stack_values(stack: str) -> tuple[dict[str, str], frozenset[str]]:
    config = read_stack_config(stack)
    return dict(config.values), config.secret_keys


def with_setting(values: dict[str, str], path: str, value: Any) -> dict[str, str]:
    """A copy of a flat config map with one setting changed, e.g. `access.ssh` or `workers[0].maxCount`.

    `value=DELETE` removes the key.
    """
    top, _, rest = path.partition(".")
    index = None
    if "[" in top:
        top, _, tail = top.partition("[")
        index = int(tail.rstrip("]"))
    key = f"tdce:{top}"
    changed = dict(values)
    if not rest and index is None:
        if value is DELETE:
            changed.pop(key, None)
        else:
            changed[key] = value if isinstance(value, str) else json.dumps(value)
        return changed
    document = json.loads(changed.get(key, "[]" if index is not None else "{}"))
    target = document[index] if index is not None else document
    parts = rest.split(".") if rest else []
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    if value is DELETE:
        target.pop(parts[-1], None)
    else:
        target[parts[-1]] = value
    changed[key] = json.dumps(document)
    return changed


DELETE = object()


def frozen_at(moment: datetime) -> AbstractContextManager[object]:
    """Within the block, `config.clock.utc_now()` is `moment` (timezone-aware)."""
    return patch.object(clock, "utc_now", lambda: moment)


def settings_of(values: dict[str, str], secret_keys: frozenset[str] = frozenset()) -> Settings:
    return settings_from_config(values, secret_keys)


@cache
def plan_of(stack: str) -> Plan:
    """The plan of an example stack, computed once per test session. Do not mutate it."""
    values, secret_keys = stack_values(stack)
    return plan_config(stack, values, secret_keys)


@cache
def preview_plan_of(stack: str) -> Plan:
    """The plan of an example stack as `pulumi preview` of a new stack sees it (IDs and computed outputs unknown)."""
    return plan_resolved(plan_of(stack).resolved, preview=True)


def plan_variant(stack: str, changes: dict[str, Any]) -> Plan:
    values, secret_keys = stack_values(stack)
    for path, value in changes.items():
        values = with_setting(values, path, value)
    return plan_config(f"{stack}-variant", values, secret_keys)


def recorded(stack: str, type_token: str, name: str, *, custom: bool = True, **fields: Any) -> RecordedResource:
    """A resource as the recording monitor keeps it, written by hand: top-level, no provider, no dependencies,
    no inputs, unless `fields` gives them."""
    unset: dict[str, Any] = {"id": None, "parent": None, "provider": None, "dependencies": [], "inputs": {}}
    return RecordedResource(
        urn=f"urn:pulumi:{stack}::tdce::{type_token}::{name}", type=type_token, name=name, custom=custom, **(unset | fields)
    )


def of_type(plan: Plan, type_token: str) -> list[RecordedResource]:
    return plan.by_type(type_token)


def only(plan: Plan, type_token: str) -> RecordedResource:
    """The one resource of this type; fails when there are none or several."""
    (resource,) = of_type(plan, type_token)
    return resource


def setting_fields(model: type[BaseModel] = Settings, prefix: str = "") -> dict[str, object]:
    """Stack-file path → the pydantic field."""
    fields: dict[str, object] = {}
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        nested = model_in(field.annotation)
        fields |= setting_fields(nested, path + ".") if nested else {path: field}
    return fields

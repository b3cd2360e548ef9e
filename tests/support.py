"""Helpers for tests: example stacks' config, variants of it, and cached offline plans."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from config.loader import settings_from_config
from config.settings import Settings
from config.stack_file import read_stack_config
from tdce.plan_errors import EngineRefusal
from tdce.planner import Plan, plan_config

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


def settings_of(values: dict[str, str], secret_keys: frozenset[str] = frozenset()) -> Settings:
    return settings_from_config(values, secret_keys)


@cache
def plan_of(stack: str) -> Plan:
    """The plan of an example stack, computed once per test session. Do not mutate it."""
    values, secret_keys = stack_values(stack)
    return plan_config_despite_pending_fix(stack, values, secret_keys)


def plan_variant(stack: str, changes: dict[str, Any]) -> Plan:
    values, secret_keys = stack_values(stack)
    for path, value in changes.items():
        values = with_setting(values, path, value)
    return plan_config_despite_pending_fix(f"{stack}-variant", values, secret_keys)


# PENDING the firewall rewrite (issue 10): the database component registers two ingress rules named
# `tdce-database-from-rotation`, a duplicate URN that `pulumi preview` refuses (`tdce plan` exits 4).
# Until the rewrite lands, the tests that study the database stacks' other resources read the plan
# anyway; any other engine problem still fails them. When the fix lands,
# tests/test_engine_rules.py::test_every_example_stack_has_unique_urns passes (its strict xfail
# fails the run): then delete this waiver and `example_stacks_pending_duplicate_urn_fix`.
PENDING_DUPLICATE_URNS = ("::tdce-database-from-rotation'",)
PENDING_DUPLICATE_URN_STACKS = ("aws-aurora", "aws-restore")


def example_stacks_pending_duplicate_urn_fix() -> list[Any]:
    """EXAMPLE_STACKS for tests that plan strictly: the stacks the waiver covers are expected to fail."""
    pending = pytest.mark.xfail(
        strict=True, reason="two rules named tdce-database-from-rotation: pending the firewall rewrite (issue 10)"
    )
    return [pytest.param(stack, marks=pending) if stack in PENDING_DUPLICATE_URN_STACKS else stack for stack in EXAMPLE_STACKS]


def plan_config_despite_pending_fix(stack: str, values: dict[str, str], secret_keys: frozenset[str]) -> Plan:
    try:
        return plan_config(stack, values, secret_keys)
    except EngineRefusal as refusal:
        pending = all(
            problem.startswith("Duplicate resource URN") and any(urn_end in problem for urn_end in PENDING_DUPLICATE_URNS)
            for problem in refusal.problems
        )
        if not pending:
            raise
        return refusal.plan

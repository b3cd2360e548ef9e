"""Test-only: run one policy in-process the way the pack's servicer does, on resources written as plain data.

For tests of single policies: the inputs are wrapped in the same unknown-checking proxy, the
policy's config defaults are applied as the CLI applies them, and violations come back as
messages. `UNKNOWN` stands for a value not known at preview.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

UNKNOWN = UNKNOWN_STRING_VALUE


def hand_config(monkeypatch: Any, stack: str, values: dict[str, str] | None) -> None:
    """The stack's config as the Pulumi CLI hands it to the pack: PULUMI_STACK and PULUMI_CONFIG, no
    list of secret keys. `values=None`: no PULUMI_CONFIG at all, as for a pack run without a stack's config."""
    monkeypatch.setenv("PULUMI_STACK", stack)
    monkeypatch.delenv("PULUMI_CONFIG_SECRET_KEYS", raising=False)
    if values is None:
        monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    else:
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps(values))


def hand_example_config(monkeypatch: Any, stack: str) -> None:
    """An example stack's config (config/Pulumi.STACK.yaml), handed to the pack as the CLI does."""
    # Here, not at the top: tests.support brings the planner and the Pulumi runtime, which the
    # single-policy tests that never read an example stack do not need.
    from tests.support import stack_values

    hand_config(monkeypatch, stack, stack_values(stack)[0])


def report_to(found: list, entry: Callable[[str, str | None], Any]) -> Callable[[str, str | None], None]:
    """A report callback held to pulumi-policy's `ReportViolation` type: a message and a URN (None: the resource itself).

    The servicer's own callback defaults the URN, but the type names both, so a policy that drops one is refused here.
    """

    def report(message: str, urn: str | None) -> None:
        found.append(entry(message, urn))

    return report


def config_defaults(policy: Policy) -> dict[str, Any]:
    properties = policy.config_schema.properties if policy.config_schema else {}
    return {key: schema["default"] for key, schema in properties.items() if "default" in schema}


def _options(protect: bool) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def urn_of(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::tdce::{resource_type}::{name}"


def check_resource(
    policy: ResourceValidationPolicy,
    resource_type: str,
    props: dict[str, Any],
    *,
    protect: bool = False,
    config: dict[str, Any] | None = None,
) -> list[str]:
    return run_resource(policy, resource_type, props, protect=protect, config=config)[0]


def at_preview(policy: ResourceValidationPolicy, resource_type: str, props: dict[str, Any]) -> tuple[list[str], str | None]:
    """Violations reported, and the "can't run during preview" message the servicer would add (None if none)."""
    found: list[str] = []
    try:
        run_resource(policy, resource_type, props, found=found)
    except UnknownValueError as error:
        return found, error.message
    return found, None


def run_resource(
    policy: ResourceValidationPolicy,
    resource_type: str,
    props: dict[str, Any],
    *,
    protect: bool = False,
    config: dict[str, Any] | None = None,
    found: list[str] | None = None,
) -> tuple[list[str], None]:
    found = [] if found is None else found
    args = ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(copy.deepcopy(props)),
        urn_of(resource_type, "subject"),
        "subject",
        _options(protect),
        None,
        {**config_defaults(policy), **(config or {})},
    )
    policy.validate(args, report_to(found, lambda message, urn: message))
    return found, None


@dataclass
class StackResource:
    name: str
    type: str
    props: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    # Input name → names of the resources it was computed from (the engine's property dependencies).
    refs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return urn_of(self.type, self.name)


def check_stack(policy: StackValidationPolicy, resources: list[StackResource]) -> list[tuple[str | None, str]]:
    """Violations as (URN or None for the stack, message)."""
    return run_stack(policy, resources, [])


def stack_at_preview(
    policy: StackValidationPolicy, resources: list[StackResource]
) -> tuple[list[tuple[str | None, str]], str | None]:
    """Violations reported, and the "can't run during preview" message the servicer would add (None if none)."""
    found: list[tuple[str | None, str]] = []
    try:
        run_stack(policy, resources, found)
    except UnknownValueError as error:
        return found, error.message
    return found, None


def run_stack(
    policy: StackValidationPolicy, resources: list[StackResource], found: list[tuple[str | None, str]]
) -> list[tuple[str | None, str]]:
    built = {
        r.name: PolicyResource(
            r.type, unknown_checking_proxy(copy.deepcopy(r.props)), r.urn, r.name, _options(r.protect), None, None, [], {}
        )
        for r in resources
    }
    for r in resources:
        for key, names in r.refs.items():
            built[r.name].property_dependencies[key] = [built[n] for n in names]
            built[r.name].dependencies.extend(built[n] for n in names if built[n] not in built[r.name].dependencies)
    args = StackValidationArgs(list(built.values()), config_defaults(policy))
    policy.validate(args, report_to(found, lambda message, urn: (urn, message)))
    return found

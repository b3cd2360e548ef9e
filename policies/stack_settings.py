"""The stack under analysis, resolved from exactly what the Pulumi CLI hands a policy pack.

What the CLI passes (pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`):
- `constructEnv`: the CLI's own environment plus `PULUMI_CONFIG` (a JSON map of `namespace:key`
  to string, objects as JSON text, secrets decrypted), `PULUMI_PROJECT`, `PULUMI_STACK`,
  `PULUMI_DRY_RUN` and `PULUMI_ORGANIZATION` when known. It does not send
  `PULUMI_CONFIG_SECRET_KEYS`, so a value set with `pulumi config set --secret` arrives in
  clear text and unmarked.
- `NewPolicyAnalyzer` then calls `ConfigureStack` with the stack, project, organization, tags,
  dry run, config and its secret keys; pulumi-policy's Python servicer keeps only the tags.

So the pack reads `PULUMI_CONFIG` and `PULUMI_STACK`, and treats the settings the project
declares secret (`config.loader.SECRET_KEYS`) as secret: those are the only keys the CLI
could have decrypted for it. It resolves the stack with the program's own code
(`config/resolved.py`), so the rules expect exactly what the components were built from.
When the settings cannot be read, `stack-settings-readable` says why, as a mandatory
violation: the other rules then fall back to the channel matrix alone, which checks less.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs, StackValidationPolicy

from config.errors import ConfigError
from config.loader import NAMESPACE, SECRET_KEYS
from config.resolved import ResolvedStack, resolve

# Secrets the CLI hands over decrypted; the loader insists they were stored encrypted.
DECLARED_SECRET_KEYS = frozenset(f"{NAMESPACE}:{key}" for key in SECRET_KEYS)


@dataclass(frozen=True)
class StackReading:
    """The stack's name and resolved settings, or why they could not be read."""

    stack: str
    resolved: ResolvedStack | None
    problem: str | None


def stack_reading() -> StackReading:
    return read_stack(os.environ.get("PULUMI_STACK", ""), os.environ.get("PULUMI_CONFIG"))


def stack_resolved() -> ResolvedStack | None:
    return stack_reading().resolved


def stack_name() -> str:
    return os.environ.get("PULUMI_STACK", "")


def read_stack(stack: str, config_json: str | None) -> StackReading:
    def unreadable(problem: str) -> StackReading:
        return StackReading(stack=stack, resolved=None, problem=problem)

    if not stack:
        return unreadable("PULUMI_STACK is not set, so the pack does not know which stack it checks")
    if config_json is None:
        return unreadable("PULUMI_CONFIG is not set: the Pulumi CLI passed the pack no stack config")
    try:
        values = json.loads(config_json)
    except ValueError as error:
        return unreadable(f"PULUMI_CONFIG is not JSON ({error})")
    if not isinstance(values, dict):
        return unreadable("PULUMI_CONFIG is not a JSON object of config keys")
    values = {str(key): str(value) for key, value in values.items()}
    if not any(key.startswith(f"{NAMESPACE}:") for key in values):
        return unreadable(f"PULUMI_CONFIG holds no {NAMESPACE}: keys: this is not a TDCE stack's config")
    try:
        # `resolve` keeps what it made, so the pack resolves the stack once, not once per resource.
        resolved = resolve(stack, values, DECLARED_SECRET_KEYS & set(values))
    except ConfigError as error:
        # The loader never echoes a secret's value, so its lines are safe to show.
        lines = "; ".join(str(problem) for problem in error.problems)
        return unreadable(f"the stack's settings do not validate: {lines}")
    return StackReading(stack=stack, resolved=resolved, problem=None)


def validate_stack_settings_readable(args: StackValidationArgs, report: ReportViolation) -> None:
    problem = stack_reading().problem
    if problem is not None:
        report(
            f"{problem}. Without the stack's settings the port rules know no configured CIDR and no optional channel, "
            "and check only what the channel matrix alone says",
            None,
        )


stack_settings_readable = StackValidationPolicy(
    name="stack-settings-readable",
    description=(
        "The pack reads the stack's settings from the config the Pulumi CLI passes it. When it cannot, it says so "
        "instead of silently checking less: CIDR checks and optional channels depend on the settings."
    ),
    validate=validate_stack_settings_readable,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps=(
        "Run the pack through `pulumi preview --policy-pack policies` in the project (or `tdce plan`), and fix the "
        "config problems it names."
    ),
)

SETTINGS_POLICIES = [stack_settings_readable]

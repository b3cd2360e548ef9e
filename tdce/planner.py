"""Run the Pulumi program offline under the SDK's mock monitor and return what it would register."""

from __future__ import annotations

import asyncio
import gc
import runpy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.program_config import StackConfigRefused
from config.resolved import ResolvedStack, resolve, resolve_stack_file
from config.rules import RuleSpec
from config.settings import Settings
from config.stack_file import CONFIG_DIR
from tdce.mock_cloud import OfflineCloud
from tdce.plan_errors import EngineRefusal
from tdce.program_failure import program_failure
from tdce.recording import SECRET_SHOWN_AS, UNKNOWN_SHOWN_AS, RecordedResource, RecordingMonitor, masked

PROJECT = "tdce"
PROGRAM = Path(__file__).resolve().parent.parent / "__main__.py"


@dataclass
class Plan:
    project: str
    resolved: ResolvedStack
    resources: list[RecordedResource]
    outputs: dict[str, Any]

    @property
    def stack(self) -> str:
        return self.resolved.stack

    @property
    def settings(self) -> Settings:
        return self.resolved.settings

    def by_type(self, type_token: str) -> list[RecordedResource]:
        return [resource for resource in self.resources if resource.type == type_token]

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "resources": [resource.as_json() for resource in self.resources],
            "outputs": self.outputs,
            "channels": [channel.as_json() for channel in self.resolved.channels],
            "rules": [rule_json(rule) for rule in self.resolved.rules],
        }


def plan_stack(stack: str, config_dir: Path = CONFIG_DIR) -> Plan:
    """Plan a stack file. Raises ConfigError, before anything is registered, when its settings are bad."""
    return plan_resolved(resolve_stack_file(stack, config_dir))


def plan_config(stack: str, values: Mapping[str, str], secret_keys: frozenset[str] | set[str] = frozenset()) -> Plan:
    return plan_resolved(resolve(stack, values, secret_keys))


def plan_resolved(resolved: ResolvedStack, preview: bool = False) -> Plan:
    """The plan as `pulumi up` would leave it, or with `preview`, as `pulumi preview` of a new stack
    sees it: IDs and computed outputs unknown (tdce.recording.RecordingMonitor), which the pack is run on too."""
    # Resolved (and so validated) before the runtime starts: a bad config registers nothing at all.
    monitor = RecordingMonitor(OfflineCloud(), preview=preview)
    outputs = run_program(resolved.stack, resolved.values, resolved.secret_keys, monitor)
    plan = Plan(project=PROJECT, resolved=resolved, resources=monitor.records, outputs=outputs)
    if monitor.problems:
        raise EngineRefusal(monitor.problems, plan)
    return plan


def rule_json(rule: RuleSpec) -> dict[str, Any]:
    peer = {"role": rule.peer.role.value} if rule.peer.role is not None else {"cidrs": list(rule.peer.cidrs)}
    return {
        "direction": rule.direction.value,
        "group": rule.group.value,
        "peer": {"label": rule.peer.label, **peer},
        "protocol": rule.protocol,
        "ports": rule.ports_label,
        "channels": list(rule.channels),
    }


def run_program(
    stack: str, values: Mapping[str, str], secret_keys: frozenset[str] | set[str], monitor: RecordingMonitor
) -> dict[str, Any]:
    """Run `__main__.py` under the mock runtime, as the Pulumi CLI would run it, and return its resolved outputs.

    Raises ProgramFailure, with the original exception as its cause, when the program raises anything but ConfigError.
    """
    runtime_settings.ROOT.set(None)
    runtime_config.set_all_config(dict(values), sorted(secret_keys))
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=monitor.preview, monitor=monitor)
    runtime_settings.SETTINGS.rpc_manager.clear()
    # The provider SDKs leave hundreds of thousands of long-lived objects behind on import; frozen,
    # the collector stops rescanning them on every collection, a cost that grew with the pools.
    gc.freeze()
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(PROGRAM), run_name="__main__")))
        return _stack_outputs()
    except StackConfigRefused as refused:
        # The program stopped on its config: the same one-line problems as when the planner validates first.
        raise refused.config_error from None
    except Exception as error:
        # At preview the program meets unknowns it never sees offline otherwise: say which run failed.
        raise program_failure(f"{stack} (at preview of a new stack)" if monitor.preview else stack, error, monitor) from error
    finally:
        monitor.close()
        gc.unfreeze()


def _stack_outputs() -> dict[str, Any]:
    root = runtime_settings.get_root_resource()
    exported: dict[str, Any] = dict(getattr(root, "outputs", {}) or {})
    names = list(exported)
    resolved = _sync_await(asyncio.gather(*(_shown(exported[name]) for name in names)))
    return dict(zip(names, resolved, strict=True))


async def _shown(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    if await output.is_secret():
        return SECRET_SHOWN_AS
    if not await output.is_known():
        return UNKNOWN_SHOWN_AS
    return masked(await output.future())

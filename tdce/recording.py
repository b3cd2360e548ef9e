"""A mock monitor that writes down every registration the program makes, options included.

`MockResourceArgs` carries only type, name and inputs; the monitor sees the whole request
(parent, dependencies, protect, ignoreChanges, …), so the recording happens here, and so do the
checks the real engine makes on each registration (`tdce/engine_rules.py`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack
from pulumi.runtime.sync_await import _ensure_event_loop

from config.resource_types import STACK
from tdce.engine_rules import EngineRules
from tdce.provider_schema import PROVIDER_TYPE_PREFIX, computed_outputs

# Markers the engine protocol uses inside property maps (pulumi/runtime/rpc.py).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

SECRET_SHOWN_AS = "[secret]"
UNKNOWN_SHOWN_AS = "[unknown]"


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    id: str | None
    custom: bool
    parent: str | None
    provider: str | None
    dependencies: list[str]
    inputs: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    # Which resources each input came from, as the SDK tells the engine.
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    # What the provider adds to the inputs in the resource's outputs: IDs, ARNs, and at preview an
    # unknown for every output it computes. Kept apart from the inputs so that a test's changed
    # inputs show in the outputs too, as they would after the provider's own create.
    computed: dict[str, Any] = field(default_factory=dict)

    @property
    def outputs(self) -> dict[str, Any]:
        """The resource's outputs, which the engine gives stack policies (AnalyzeStack), not the inputs."""
        # An input's output is the input, also when a test sets an input the provider would have computed.
        return {**self.computed, **self.inputs}

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "id": self.id,
            "custom": self.custom,
            "parent": self.parent,
            "provider": self.provider,
            "dependencies": self.dependencies,
            "propertyDependencies": self.property_dependencies,
            "inputs": self.inputs,
            "options": self.options,
        }


class RecordingMonitor(MockMonitor):
    """`preview`: answer as the engine does at `pulumi preview` of a new stack, whatever the mocks
    compute: a new resource's ID is unknown (tfbridge sends "" as the ID at preview), its outputs
    are its inputs as given, unknowns included, and every output the provider computes is unknown
    (tdce.provider_schema.computed_outputs)."""

    def __init__(self, mocks: Mocks, preview: bool = False):
        super().__init__(mocks)
        self.preview = preview
        self.records: list[RecordedResource] = []
        # What `pulumi preview` would refuse; recorded, not raised (see tdce/engine_rules.py).
        self.rules = EngineRules()
        self._thread_loops: set[asyncio.AbstractEventLoop] = set()

    def close(self) -> None:
        """Close the event loops the SDK made in its worker threads, so none is left to the garbage collector."""
        for loop in self._thread_loops:
            if not loop.is_running() and not loop.is_closed():
                loop.close()
        self._thread_loops.clear()

    def _thread_loop(self) -> None:
        # The SDK calls the monitor from its executor threads, which outlive one plan; a loop
        # closed by an earlier plan's `close` is replaced here.
        loop = _ensure_event_loop()
        if loop.is_closed():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
        self._thread_loops.add(loop)

    def Invoke(self, request):  # noqa: N802 (the engine's gRPC method name)
        self._thread_loop()
        return super().Invoke(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine gives: the parent's whole qualified type, not only its own, and no root stack
        type (`generateURN`, pkg/resource/deploy/deployment.go). The mock monitor prefixes the parent's own
        type alone, so nested resources would get URNs `pulumi preview` never shows."""
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK:
                qualified = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([get_stack(), get_project(), qualified, name])

    def RegisterResource(self, request):  # noqa: N802 (the engine's gRPC method name)
        self._thread_loop()
        planned = self.preview and request.custom and not request.type.startswith(PROVIDER_TYPE_PREFIX)
        if planned:
            # Nothing is created at preview: the mocks, which answer as after a create, are not asked.
            response = _planned(request, self.make_urn(request.parent, request.type, request.name))
        else:
            response = super().RegisterResource(request)
        _mark_secret(response.object, request.additionalSecretOutputs)
        inputs = masked(json_format.MessageToDict(request.object))
        outputs = masked(json_format.MessageToDict(response.object))
        record = RecordedResource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            id=response.id or None,
            custom=bool(request.custom),
            parent=request.parent or None,
            provider=request.provider or None,
            dependencies=list(request.dependencies),
            inputs=inputs,
            options={
                "protect": bool(request.protect),
                "ignoreChanges": list(request.ignoreChanges),
                "retainOnDelete": bool(request.retainOnDelete),
                "deleteBeforeReplace": bool(request.deleteBeforeReplace),
                "replaceOnChanges": list(request.replaceOnChanges),
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
                "deletedWith": request.deletedWith or None,
                "customTimeouts": _timeouts(request.customTimeouts),
            },
            property_dependencies={
                key: list(dependencies.urns) for key, dependencies in request.propertyDependencies.items() if dependencies.urns
            },
            # Only what the provider adds: an input's output is the input (secrets stay masked). At
            # preview every output it computes is unknown, set inputs aside: a test that removes an
            # input then sees the output the provider would compute for it, unknown.
            computed=(
                {name: UNKNOWN_SHOWN_AS for name in computed_outputs(request.type)}
                if planned
                else {key: value for key, value in outputs.items() if key not in inputs}
            ),
        )
        self.records.append(record)
        self.rules.check(record)
        return response

    @property
    def problems(self) -> list[str]:
        return self.rules.problems


def _planned(request, urn: str) -> resource_pb2.RegisterResourceResponse:
    """A new resource's answer at preview: no ID, the inputs, and the computed outputs unknown."""
    planned = struct_pb2.Struct()
    planned.CopyFrom(request.object)
    for name in computed_outputs(request.type) - set(request.object.fields):
        planned.fields[name].string_value = UNKNOWN
    return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=planned)


def _timeouts(timeouts) -> dict[str, str]:
    """The operations given a custom timeout, as `{"delete": "60m"}`; empty when none is."""
    operations = ("create", "update", "delete")
    return {operation: getattr(timeouts, operation) for operation in operations if getattr(timeouts, operation)}


def _mark_secret(outputs: struct_pb2.Struct, names) -> None:
    # The engine, not the SDK, makes `additionalSecretOutputs` secret; the mock monitor does not.
    for name in names:
        if name in outputs.fields:
            plain = json_format.MessageToDict(outputs.fields[name])
            outputs.fields[name].struct_value.Clear()
            outputs.fields[name].struct_value.update({SIG_KEY: SECRET_SIG, "value": plain})


def masked(value: Any) -> Any:
    """Engine-protocol values as plain JSON: secrets and unknowns hidden, references as URNs."""
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            # A secret whose value is unknown at preview is unknown to the pack too (pulumi-policy
            # unwraps the secret and meets the unknown); shown so, it reveals nothing.
            return UNKNOWN_SHOWN_AS if value.get("value") == UNKNOWN else SECRET_SHOWN_AS
        if signature == RESOURCE_SIG:
            return value.get("urn")
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if value == UNKNOWN:
        return UNKNOWN_SHOWN_AS
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

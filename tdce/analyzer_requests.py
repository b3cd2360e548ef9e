"""Recorded resources as the engine sends them to a policy pack: AnalyzeRequest and AnalyzerResource messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from tdce.recording import UNKNOWN, UNKNOWN_SHOWN_AS, RecordedResource


def _engine_value(value: Any) -> Any:
    # The plan shows unknowns as text; the engine sends its unknown marker, which the pack recognises.
    if isinstance(value, dict):
        return {key: _engine_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_engine_value(item) for item in value]
    return UNKNOWN if value == UNKNOWN_SHOWN_AS else value


def properties(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(_engine_value(values))
    return message


def options(resource: RecordedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    recorded = resource.options
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(recorded.get("protect")),
        ignoreChanges=list(recorded.get("ignoreChanges", [])),
        deleteBeforeReplace=bool(recorded.get("deleteBeforeReplace")),
        deleteBeforeReplaceDefined=bool(recorded.get("deleteBeforeReplace")),
        additionalSecretOutputs=list(recorded.get("additionalSecretOutputs", [])),
        parent=resource.parent or "",
    )


def provider(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> analyzer_pb2.AnalyzerProviderResource | None:
    # A provider reference is "<provider URN>::<provider ID>".
    if not resource.provider:
        return None
    urn = resource.provider.rsplit("::", 1)[0]
    recorded = by_urn.get(urn)
    # A URN ends "<parent types>$<type>::<name>".
    qualified_type, name = urn.split("::")[-2:]
    message = analyzer_pb2.AnalyzerProviderResource(urn=urn, type=qualified_type.split("$")[-1], name=name)
    if recorded is not None:
        message.properties.update(_engine_value(recorded.inputs))
    return message


def _described(resource: RecordedResource, by_urn: Mapping[str, RecordedResource], values: dict[str, Any]) -> dict[str, Any]:
    """What both the per-resource and the stack request say about a resource."""
    return {
        "type": resource.type,
        "name": resource.name,
        "urn": resource.urn,
        "properties": properties(values),
        "options": options(resource),
        "provider": provider(resource, by_urn),
    }


def analyze_request(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> analyzer_pb2.AnalyzeRequest:
    # Resource policies see the inputs, after the provider's Check (pulumi/pulumi step_generator.go).
    return analyzer_pb2.AnalyzeRequest(**_described(resource, by_urn, resource.inputs))


def property_dependencies(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> dict[str, list[str]]:
    """Which dependency each input came from.

    A recorded plan carries what the SDK told the engine. A resource made by hand (a test's
    mutation) may not: then an input came from a dependency when that dependency's physical ID
    appears in it, which is how resources reference each other (a rule's securityGroupId).
    """
    if resource.property_dependencies:
        return {key: sorted(urns) for key, urns in resource.property_dependencies.items()}
    ids: dict[str, str] = {}
    for urn in resource.dependencies:
        dependency = by_urn.get(urn)
        if dependency is not None and dependency.id:
            ids[dependency.id] = urn
    found: dict[str, list[str]] = {}
    for key, value in resource.inputs.items():
        urns = sorted({ids[text] for text in _strings(value) if text in ids})
        if urns:
            found[key] = urns
    return found


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def stack_resource(resource: RecordedResource, by_urn: Mapping[str, RecordedResource]) -> analyzer_pb2.AnalyzerResource:
    # "Unlike Analyze, AnalyzeStack is called on the final outputs of each resource" (pulumi/pulumi
    # pkg/resource/deploy/step_generator.go, AnalyzeResources: `Properties: v.Outputs`).
    message = analyzer_pb2.AnalyzerResource(
        **_described(resource, by_urn, resource.outputs), parent=resource.parent or "", dependencies=list(resource.dependencies)
    )
    for key, urns in property_dependencies(resource, by_urn).items():
        message.propertyDependencies[key].urns.extend(urns)
    return message

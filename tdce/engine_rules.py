"""Rules the Pulumi engine holds every registration to, which the SDK's mock monitor does not check.

- A URN registered twice: `pulumi preview` stops with "Duplicate resource URN '…'; try giving it a
  unique name" (`GetDuplicateResourceURNError`, raised by the step generator in pkg/resource/deploy).
- `ignoreChanges`, `replaceOnChanges` and `additionalSecretOutputs` naming a property the type does not
  have: the engine ignores the name silently, which is a perpetual diff, a replacement that never comes
  or an output left in plain text. Paths follow https://www.pulumi.com/docs/reference/property-paths/;
  `ignoreChanges` "only applies to resource inputs"
  (https://www.pulumi.com/docs/iac/concepts/resources/options/ignorechanges/), and "only top-level
  resource properties can be designated secret"
  (https://www.pulumi.com/docs/iac/concepts/resources/options/additionalsecretoutputs/).
  All three "apply to custom resources only", so components are not checked.

The monitor records each problem (an exception raised inside RegisterResource would reach the user as
an SDK traceback); the planner raises `EngineRefusal` once the program has finished.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from config.resource_types import STACK
from config.suggest import closest
from tdce.property_paths import WILDCARD, PropertyPathError, Segment, format_path, parse_property_path
from tdce.provider_schema import ListShape, MapShape, ObjectShape, ResourceSchema, ScalarShape, Shape, schema_for

if TYPE_CHECKING:
    from tdce.recording import RecordedResource

ROOT_STACK_TYPE = STACK
PATH_OPTIONS = ("ignoreChanges", "replaceOnChanges")
SECRET_OPTION = "additionalSecretOutputs"


def describe(resource: RecordedResource) -> str:
    text = f'{resource.type} "{resource.name}"'
    if resource.parent and f"::{ROOT_STACK_TYPE}::" not in resource.parent:
        text += f" (parent {describe_urn(resource.parent)})"
    return text


def describe_urn(urn: str) -> str:
    """`urn:pulumi:stack::project::tdce:aws:Database::tdce-database` as `tdce:aws:Database "tdce-database"`."""
    *_, type_chain, name = urn.split("::")
    return f'{type_chain.rsplit("$", 1)[-1]} "{name}"'


class EngineRules:
    """Checks each registration as it arrives; thread-safe, since the SDK registers from worker threads."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._first_by_urn: dict[str, RecordedResource] = {}
        self._lock = threading.Lock()

    def check(self, resource: RecordedResource) -> None:
        found = option_problems(resource)
        with self._lock:
            # The recording monitor gives every resource the URN the engine would (tdce/recording.py).
            urn = resource.urn
            first = self._first_by_urn.setdefault(urn, resource)
            if first is not resource:
                found.insert(0, duplicate_urn_problem(urn, first, resource))
            self.problems.extend(found)


def duplicate_urn_problem(urn: str, first: RecordedResource, second: RecordedResource) -> str:
    differing = sorted(
        key for key in first.inputs.keys() | second.inputs.keys() if first.inputs.get(key) != second.inputs.get(key)
    )
    # The engine's own words first, so the line can be searched for; then both registrations.
    text = f"Duplicate resource URN '{urn}'; try giving it a unique name"
    text += f": registered as {describe(first)}, then again as {describe(second)}"
    if differing:
        text += f" (they differ in {', '.join(differing)})"
    return text


def option_problems(resource: RecordedResource) -> list[str]:
    if not resource.custom or not any(resource.options.get(option) for option in (*PATH_OPTIONS, SECRET_OPTION)):
        return []
    schema = schema_for(resource.type)
    if schema is None:
        # Every custom resource comes from an SDK class the program imported; a type no SDK registered
        # cannot be checked here (tests/test_engine_rules.py proves every example stack's types resolve).
        return []
    label = f'{resource.type} "{resource.name}"'
    problems = []
    for option in PATH_OPTIONS:
        for path in resource.options.get(option, []):
            reason = input_path_problem(path, schema, option)
            if reason:
                problems.append(f'{label}: {option} "{path}": {reason}')
    for name in resource.options.get(SECRET_OPTION, []):
        reason = secret_output_problem(name, schema)
        if reason:
            problems.append(f'{label}: {SECRET_OPTION} "{name}": {reason}')
    return problems


def input_path_problem(path: str, schema: ResourceSchema, option: str) -> str | None:
    try:
        segments = parse_property_path(path)
    except PropertyPathError as error:
        return f"not a property path: {error} (https://www.pulumi.com/docs/reference/property-paths/)"
    top = segments[0]
    if isinstance(top, str) and top != WILDCARD and top not in schema.inputs.properties and top in schema.outputs.properties:
        return f'"{top}" is an output of {schema.type_token}, not an input, and {option} applies to inputs only'
    return _walk(segments, schema.inputs, f"{schema.type_token} has no input")


def secret_output_problem(name: str, schema: ResourceSchema) -> str | None:
    if name in schema.outputs.properties:
        return None
    if re.search(r"[.\[\]]", name):
        return "only top-level output properties can be made secret; name the whole property"
    return f"{schema.type_token} has no output {_quoted(name)}{_suggestion(name, schema.outputs.properties, (), ())}"


def _walk(segments: tuple[Segment, ...], root: ObjectShape, missing_at_top: str) -> str | None:
    shape: Shape = root
    for index, segment in enumerate(segments):
        walked, rest = segments[:index], segments[index + 1 :]
        where = format_path(walked) or "the resource"
        if isinstance(shape, ObjectShape):
            if segment == WILDCARD:
                return None  # any property from here on: nothing below can be checked by name
            if isinstance(segment, int):
                return f"{where} is an object, not a list, so [{segment}] never matches"
            if segment not in shape.properties:
                owner = missing_at_top if not walked else f"{where} has no property"
                return f"{owner} {_quoted(segment)}{_suggestion(segment, shape.properties, walked, rest)}"
            shape = shape.shape_of(segment)
        elif isinstance(shape, ListShape):
            if isinstance(segment, str) and segment != WILDCARD:
                return f"{where} is a list: name an index ({where}[0]) or every element ({where}[*]), not {_quoted(segment)}"
            shape = shape.element
        elif isinstance(shape, MapShape):
            if isinstance(segment, int):
                return f'{where} is a map: name a key ({where}["key"]), not [{segment}]'
            shape = shape.value
        elif isinstance(shape, ScalarShape):
            return f"{where} is a {shape.kind} and has no nested {_quoted(segment)}"
        else:
            return None  # an open type (Any, JSON, a union): the engine takes any path below it
    return None


def _suggestion(segment: str, candidates: dict[str, Any], walked: tuple[Segment, ...], rest: tuple[Segment, ...]) -> str:
    # A Python name inside a nested path is not translated by the SDK (only whole top-level names are).
    camel = _camel_case(segment)
    nearest = camel if camel in candidates else closest(segment, candidates)
    if nearest is None:
        return ""
    rest = tuple(_camel_case(part) if isinstance(part, str) else part for part in rest)
    return f' (did you mean "{format_path((*walked, nearest, *rest))}"?)'


def _camel_case(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)


def _quoted(segment: Segment) -> str:
    return f'"{segment}"' if isinstance(segment, str) else f"[{segment}]"

"""Reading resources as the pack receives them.

Properties arrive wrapped in pulumi-policy's proxies, which raise `UnknownValueError` when a
value is unknown at preview; the servicer turns that into an advisory "can't run policy"
note. Resource policies see a resource's inputs; stack policies its outputs, which at preview hold
an unknown for every output the provider computes (pulumi/pulumi step_generator.go, AnalyzeStack
"is called on the final outputs of each resource"). The helpers here let a rule read what it
needs without tripping over unknowns it does not need, and `Subject` gives resource and stack
policies one view of a resource.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError


def undecidable(path: str) -> NoReturn:
    """Give up on a check the way CrossGuard does for values unknown at preview: advisory, never a verdict."""
    raise UnknownValueError(UNKNOWN_STRING_VALUE, [path])


def has(props: Any, key: str) -> bool:
    # Iterating keys never touches values, so an unknown value still counts as present.
    return isinstance(props, Mapping) and key in list(props)


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """The value at `path`, or `default` where a key is missing or null; unknown values raise."""
    value = props
    for key in path:
        if isinstance(key, int):
            if not _is_list(value) or key >= len(value):
                return default
        elif not has(value, key):
            return default
        value = value[key]
        if value is None:
            return default
    return value


def count(value: Any) -> int:
    """How many elements a list input has, without reading them (an element may be unknown at preview)."""
    return len(value) if _is_list(value) else 0


def is_set(props: Any, *path: str | int) -> bool:
    """Whether the program set the value at `path`: a known non-empty value, or one unknown at preview
    (computed from another resource's output, which is something)."""
    try:
        return bool(get(props, *path))
    except UnknownValueError:
        return True


def provider_mirror(subject: Subject, key: str) -> bool:
    """Whether a stack policy's output is the provider's own, computed copy: wholly unknown at preview
    and made from no other resource. The engine sends property dependencies for the inputs the program
    made from other resources' outputs (pulumi/pulumi analyzer_plugin.go, AnalyzeStack: "Skip
    properties that have no dependencies"), so an unknown input of the program's (an `Output.all` of
    ARNs) has them, and an output the provider computes for an unset input (a role's inlinePolicies,
    a copy of its RolePolicy resources) has none."""
    if not subject.sees_outputs or subject.property_dependencies.get(key):
        return False
    try:
        get(subject.props, key)
    except UnknownValueError:
        return True
    return False


def items(value: Any) -> list[Any]:
    """The elements of a list input; nothing when the input is absent."""
    return [value[i] for i in range(len(value))] if _is_list(value) else []


def strings(value: Any) -> list[str]:
    """A list input of strings, e.g. CIDR blocks; a lone string counts as one."""
    if isinstance(value, str):
        return [value]
    return [str(item) for item in items(value) if item is not None]


def truthy(value: Any) -> bool:
    # Some inputs are booleans, some strings ("true" in launch templates, "TRUE" in GCP metadata).
    return value is True or (isinstance(value, str) and value.lower() == "true")


def number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def json_document(value: Any) -> Any:
    """An IAM or bucket policy: inputs carry JSON text, though a mapping is accepted too."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def known_strings(value: Any) -> set[str]:
    """Every string inside a value that is known now; unknown parts are skipped, not raised."""
    if isinstance(value, str):
        return {value}
    found: set[str] = set()
    if isinstance(value, Mapping):
        keys: Sequence[Any] = list(value)
    elif _is_list(value):
        keys = range(len(value))
    else:
        return found
    for key in keys:
        try:
            found |= known_strings(value[key])
        except UnknownValueError:
            continue
    return found


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


@dataclass(frozen=True)
class Subject:
    """One resource as a policy sees it, whether from a resource policy's args or a stack policy's list."""

    type: str
    urn: str
    props: Mapping[str, Any]
    # The URNs each input was computed from (the engine's property dependencies); empty in resource policies.
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    # A stack policy's view: the engine gives AnalyzeStack each resource's outputs (inputs plus what the
    # provider computes, unknown at preview); resource policies see the inputs.
    sees_outputs: bool = False

    @classmethod
    def of_args(cls, args: ResourceValidationArgs) -> Subject:
        return cls(type=args.resource_type, urn=args.urn, props=args.props)

    @classmethod
    def of_resource(cls, resource: PolicyResource) -> Subject:
        return cls(
            type=resource.resource_type,
            urn=resource.urn,
            props=resource.props,
            property_dependencies={k: tuple(r.urn for r in v) for k, v in resource.property_dependencies.items()},
            dependencies=tuple(r.urn for r in resource.dependencies),
            sees_outputs=True,
        )

    @property
    def name(self) -> str:
        """The logical name: the URN's last part."""
        return self.urn.rpartition("::")[2]

    def refs(self, key: str, *path: str) -> frozenset[str]:
        """What an input points at: its known values (IDs, emails) and the URNs it was computed from.

        Two inputs that point at the same group share a value once it is known, and a URN
        before that (at preview of a new stack), so comparing refs works in both cases.
        """
        try:
            values = known_strings(get(self.props, key, *path))
        except UnknownValueError:
            values = set()
        return frozenset(values | set(self.property_dependencies.get(key, ())))

    def depends_on(self, key: str, other: Subject) -> bool:
        """Whether input `key` comes from `other`; without property dependencies, any dependency counts."""
        if key in self.property_dependencies:
            return other.urn in self.property_dependencies[key]
        return other.urn in self.dependencies


def stack_subjects(args: StackValidationArgs) -> list[Subject]:
    return [Subject.of_resource(resource) for resource in args.resources]


def settle(undecided: Iterable[str]) -> None:
    """After every known part is judged: give the parts unknown at preview the advisory "can't run" note."""
    parts = list(dict.fromkeys(undecided))
    if parts:
        undecidable(", ".join(parts))

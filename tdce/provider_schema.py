"""The properties a provider's resource type really has, read from the provider SDK's own Python types.

Each provider SDK registers its resource classes with the Pulumi runtime
(`pulumi.runtime.register_resource_module(pkg, mod, …)` in its `_utilities.register`, keyed by the
type token's package and module), and each class names its properties with
`@pulumi.getter(name="camelCase")`: the resource class holds the outputs, its `…Args` class the inputs,
and each getter's return annotation leads to the nested input or output type. Only the classes the
program has already imported are touched, and each class is read once.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import sys
import types
import typing
from dataclasses import dataclass
from typing import Any, ForwardRef, Union

import pulumi
from pulumi import _types as sdk_types  # the SDK's own reader of `@pulumi.getter` names
from pulumi.runtime import rpc

PROVIDER_TYPE_PREFIX = "pulumi:providers:"

_SEQUENCES = {list, tuple, collections.abc.Sequence, typing.List}  # noqa: UP006 (the SDKs' annotations use both)
_MAPPINGS = {dict, collections.abc.Mapping, typing.Mapping, typing.Dict}  # noqa: UP006
_AWAITABLES = {collections.abc.Awaitable, typing.Awaitable}
_SCALARS = (str, int, float, bool, bytes)


@dataclass(frozen=True, eq=False)  # one per SDK class (cached), so identity is equality
class ObjectShape:
    """An input or output type (or a resource) and its properties by engine name."""

    properties: dict[str, Any]  # engine name -> the getter whose return annotation types it

    def __repr__(self) -> str:
        return f"ObjectShape({len(self.properties)} properties)"

    def shape_of(self, name: str) -> Shape:
        return shape_of_getter(self.properties[name])


@dataclass(frozen=True)
class ListShape:
    element: Shape


@dataclass(frozen=True)
class MapShape:
    value: Shape


@dataclass(frozen=True)
class ScalarShape:
    kind: str  # "string", "number", "boolean", …


@dataclass(frozen=True)
class OpenShape:
    """`Any`, JSON, a union of kinds: nothing below it can be checked."""


Shape = ObjectShape | ListShape | MapShape | ScalarShape | OpenShape


@dataclass(frozen=True)
class ResourceSchema:
    type_token: str
    inputs: ObjectShape
    outputs: ObjectShape


def schema_for(type_token: str) -> ResourceSchema | None:
    """The schema of a provider resource type, or None when no installed SDK registered the type."""
    classes = _classes_for(type_token)
    if classes is None:
        return None
    resource_class, args_class = classes
    return _schema(type_token, resource_class, args_class)


@functools.cache
def _schema(type_token: str, resource_class: type, args_class: type | None) -> ResourceSchema:
    return ResourceSchema(
        type_token=type_token,
        inputs=_object_shape(args_class) if args_class is not None else ObjectShape({}),
        outputs=_object_shape(resource_class),
    )


def _classes_for(type_token: str) -> tuple[type, type | None] | None:
    if type_token.startswith(PROVIDER_TYPE_PREFIX):
        package = rpc.get_resource_package(type_token.removeprefix(PROVIDER_TYPE_PREFIX), "")
        info = getattr(package, "pkg_info", None)
        if not info or info.get("token") != type_token:
            return None
        module_name, class_name = info["fqn"], info["class"]
    else:
        parts = type_token.split(":")
        if len(parts) != 3:
            return None
        module = rpc.get_resource_module(parts[0], parts[1], "")
        info = getattr(module, "mod_info", None)
        class_name = (info or {}).get("classes", {}).get(type_token)
        if class_name is None:
            return None
        module_name = info["fqn"]
    namespace = sys.modules.get(module_name) or importlib.import_module(module_name)
    resource_class = getattr(namespace, class_name, None)
    if not isinstance(resource_class, type):
        return None
    # The generated SDKs name a resource's inputs class `<Class>Args`, next to the class.
    args_class = getattr(namespace, f"{class_name}Args", None)
    return resource_class, args_class if isinstance(args_class, type) else None


@functools.cache
def _object_shape(cls: type) -> ObjectShape:
    return ObjectShape({pulumi_name: prop.fget for _, pulumi_name, prop in sdk_types._py_properties(cls)})


@functools.cache
def shape_of_getter(getter: Any) -> Shape:
    hint = getattr(getter, "__annotations__", {}).get("return")
    if hint is None:
        return OpenShape()
    return _shape(hint, vars(sys.modules[getter.__module__]))


def _shape(hint: Any, namespace: dict[str, Any]) -> Shape:
    hint = _resolved(hint, namespace)
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin is pulumi.Output:
        return _shape(arguments[0], namespace)
    if origin in (Union, types.UnionType):
        return _union_shape(arguments, namespace)
    if origin in _SEQUENCES and arguments:
        return ListShape(_shape(arguments[0], namespace))
    if origin in _MAPPINGS and len(arguments) == 2:
        return MapShape(_shape(arguments[1], namespace))
    if isinstance(hint, type):
        if sdk_types.is_input_type(hint) or sdk_types.is_output_type(hint):
            return _object_shape(hint)
        if issubclass(hint, _SCALARS):  # enums of the SDKs are str subclasses
            return ScalarShape(_SCALAR_KIND.get(hint, "string" if issubclass(hint, str) else hint.__name__))
    return OpenShape()


_SCALAR_KIND = {str: "string", int: "integer", float: "number", bool: "boolean", bytes: "bytes"}


def _union_shape(arguments: tuple[Any, ...], namespace: dict[str, Any]) -> Shape:
    # `pulumi.Input[T]` is Union[T, Awaitable[T], Output[T]], `Optional[T]` adds None, and
    # `InputType[T]` adds a plain mapping as an alternative spelling of T: all of them mean T.
    members = [
        member
        for member in (_resolved(argument, namespace) for argument in arguments if not _is_output_alternative(argument))
        if member is not type(None)
        and typing.get_origin(member) not in _AWAITABLES
        and typing.get_origin(member) is not pulumi.Output
    ]
    shapes = list(dict.fromkeys(_shape(member, namespace) for member in members if not _is_plain_mapping(member)))
    if not shapes:
        shapes = [_shape(member, namespace) for member in members]
    objects = [shape for shape in shapes if isinstance(shape, ObjectShape)]
    if len(shapes) == 1:
        return shapes[0]
    if len(objects) == 1:
        return objects[0]
    return OpenShape()


def _is_output_alternative(hint: Any) -> bool:
    # `pulumi.Input` spells its Output member as the string "Output[T]" (pulumi/output.py).
    return isinstance(hint, ForwardRef) and hint.__forward_arg__.startswith("Output[")


def _is_plain_mapping(hint: Any) -> bool:
    if hint in _MAPPINGS:
        return True
    return typing.get_origin(hint) in _MAPPINGS and typing.get_args(hint)[-1:] == (Any,)


def _resolved(hint: Any, namespace: dict[str, Any]) -> Any:
    """Forward references (`'outputs.InstanceBootDisk'`) evaluated where the SDK wrote them."""
    if isinstance(hint, ForwardRef):
        hint = hint.__forward_arg__
    if isinstance(hint, str):
        try:
            return eval(hint, namespace)  # noqa: S307 (the SDK's own annotation text, in its own module)
        except Exception:  # noqa: BLE001 (an annotation we cannot read is left unchecked)
            return Any
    return hint


def computed_outputs(type_token: str) -> frozenset[str]:
    """The outputs a provider always gives a resource of this type: the getters typed `Output[T]`, not
    `Output[Optional[T]]` (the SDK generator marks an output required when the provider's schema
    always sets it, which for a property the program leaves unset means the provider computes it).
    At `pulumi preview` of a new resource these are unknown unless the program set them."""
    schema = schema_for(type_token)
    if schema is None:
        return frozenset()
    return _always_set(schema.outputs)


@functools.cache
def _always_set(outputs: ObjectShape) -> frozenset[str]:
    found = set()
    for name, getter in outputs.properties.items():
        hint = getattr(getter, "__annotations__", {}).get("return")
        if typing.get_origin(hint) is pulumi.Output and not _optional(typing.get_args(hint)[0]):
            found.add(name)
    return frozenset(found)


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType) and type(None) in typing.get_args(hint)

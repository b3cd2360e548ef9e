"""A stack file's YAML read into Python values as the Pulumi CLI's Go code reads it.

The CLI decodes `Pulumi.<stack>.yaml` into Go's `interface{}` (sdk/go/common/workspace/loaders.go,
`projectStackLoader.load`), then requires string keys everywhere (`SimplifyMarshalledValue`:
"expected only string keys"). This module gives the same values, following gopkg.in/yaml.v3
(YAML 1.2; pkg.go.dev/gopkg.in/yaml.v3 and its resolve.go / decode.go):

- scalars as yaml.v3 resolves them (config/yaml_scalars.py);
- a key given twice in one mapping is refused ("mapping key … already defined at line …"),
  comparing the text written, as yaml.v3 does; `<<` merges keep the keys written beside them;
- anchors and aliases, with yaml.v3's cap on alias expansion ("excessive aliasing") and its
  depth limit of 10000.

Which Go YAML library: the loader's marshaller (sdk/go/common/encoding/marshal.go) imports
gopkg.in/yaml.v2 in every version of it read for this; sdk/go.mod requires both v2.4.0 and
v3.0.1, and a 2025 pull request ("Update to yaml.v3 everywhere", pulumi/pulumi#19498) was closed.
Where the two differ, this takes the stricter reading: duplicate keys are refused (yaml.v2 keeps
the last), and an unquoted `yes`, `no`, `on`, `off`, `y` or `n`, which yaml.v2 reads as a boolean
and yaml.v3 as text, is refused as ambiguous. docs/stack-files.md says so to users.

Only the tokenising and parsing is borrowed: yaml.v3's parser is a Go port of libyaml, so its
events come from libyaml itself, through PyYAML's C binding (`yaml.CParser`; PyYAML's pure-Python
parser, the same algorithm, where the binding is missing). PyYAML's YAML 1.1 resolver and
constructors are never used: every scalar is resolved by yaml.v3's rules
(config/yaml_scalars.py), and the tree is built iteratively, so no depth reaches Python's recursion limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)

from config.yaml_scalars import scalar_value

# gopkg.in/yaml.v3 parserc.go / scannerc.go: "exceeded max depth of 10000".
MAX_DEPTH = 10_000
# gopkg.in/yaml.v3 decode.go, allowedAliasRatio: alias expansion may make up 99% of what a
# document decodes to up to 400,000 values, falling to 10% at 4,000,000.
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000

# Tags of the YAML core schema, written `!!int` and so on in the document.
_CORE_TAG = "tag:yaml.org,2002:"
# Events only; the loader's resolver and constructors are not involved.
_EVENT_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Finding:
    line: int | None  # 1-based
    path: tuple[str | int, ...]  # where in the document, e.g. ("config", "tdce:workers", 1)
    message: str


class StackYamlError(Exception):
    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings


class KeyedMap(dict):
    """A decoded mapping that remembers the line of each key."""

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}


class _Node:
    __slots__ = ("line", "parent", "segment", "anchor")

    def __init__(self, line: int, parent: _Collection | None, segment: str | int | None):
        self.line, self.parent, self.segment, self.anchor = line, parent, segment, None

    def path(self) -> tuple[str | int, ...]:
        parts: list[str | int] = []
        node: _Node | None = self
        while node is not None:
            if node.segment is not None:  # a mapping's key nodes have none: they sit at the mapping's path
                parts.append(node.segment)
            node = node.parent
        return tuple(reversed(parts))


class _Scalar(_Node):
    __slots__ = ("text", "tag", "plain")


class _Collection(_Node):
    __slots__ = ("items", "pending_key", "closed", "flow")


class _Sequence(_Collection):
    __slots__ = ()


class _Mapping(_Collection):
    __slots__ = ()


class _Alias(_Node):
    __slots__ = ("target", "name")


def read_document(text: str) -> Any:
    """The first YAML document of `text` decoded as the Pulumi CLI decodes it; None when it is empty."""
    root = _parse(text)
    if root is None:
        return None
    order = _post_order(root)
    _check_aliasing(order)
    return _decode(order, root)


def _parse(text: str) -> _Node | None:
    root: _Node | None = None
    stack: list[_Collection] = []
    anchors: dict[str, _Node] = {}
    documents = 0
    depth = {True: 0, False: 0}  # open flow and block collections
    try:
        for event in yaml.parse(text, Loader=_EVENT_LOADER):
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise StackYamlError(
                        [Finding(_line(event), (), "starts a second YAML document; the Pulumi CLI reads only the first")]
                    )
                continue
            if isinstance(event, CollectionEndEvent):
                closed = stack.pop()
                closed.closed = True
                depth[closed.flow] -= 1
                continue
            if not isinstance(event, ScalarEvent | AliasEvent | MappingStartEvent | SequenceStartEvent):
                continue
            node = _node_for(event, stack[-1] if stack else None, anchors)
            if stack:
                _attach(stack[-1], node)
            else:
                root = node
            if event.anchor is not None and not isinstance(event, AliasEvent):
                node.anchor = event.anchor
                anchors[event.anchor] = node
            if isinstance(node, _Collection):
                stack.append(node)
                # yaml.v3 caps flow nesting ([…], {…}) and block indentation at 10000 levels each.
                depth[node.flow] += 1
                if depth[node.flow] > MAX_DEPTH:
                    raise StackYamlError([Finding(node.line, (), f"nests deeper than {MAX_DEPTH} levels")])
    except StackYamlError:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever the YAML reader trips on becomes one line, never a traceback)
        raise StackYamlError([_syntax_finding(exc, text)]) from None
    return root


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return None if mark is None else mark.line + 1


def _syntax_finding(exc: Exception, text: str) -> Finding:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML forbids, e.g. a raw control character
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return Finding(line, (), f"is not valid YAML: {exc.reason} (#x{code:04x})")
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    text = problem or str(exc) or type(exc).__name__
    if context and context_mark is not None and mark is not None and context_mark.line != mark.line:
        # An unclosed bracket is found only at the end of the file: the line it opens on is the one to mend.
        text = f"{text} ({context} that starts on line {context_mark.line + 1})"
    elif context:
        text = f"{text} ({context})"
    return Finding(None if mark is None else mark.line + 1, (), f"is not valid YAML: {text}")


def _node_for(event: Any, parent: _Collection | None, anchors: dict[str, _Node]) -> _Node:
    segment: str | int | None = None
    if isinstance(parent, _Sequence):
        segment = len(parent.items)
    elif isinstance(parent, _Mapping) and parent.pending_key is not None:
        key = parent.pending_key
        segment = key.text if isinstance(key, _Scalar) else "?"
    line = _line(event) or 0
    if isinstance(event, AliasEvent):
        alias = _Alias(line, parent, segment)
        alias.name = event.anchor
        target = anchors.get(event.anchor)
        if target is None:
            raise StackYamlError([Finding(line, alias.path(), f"unknown anchor {event.anchor!r} referenced")])
        if isinstance(target, _Collection) and not target.closed:
            raise StackYamlError([Finding(line, alias.path(), f"anchor {event.anchor!r} value contains itself")])
        alias.target = target
        return alias
    if isinstance(event, ScalarEvent):
        scalar = _Scalar(line, parent, segment)
        scalar.text = event.value
        tag = None if event.tag is None else str(event.tag)
        scalar.tag = "!!" + tag[len(_CORE_TAG) :] if tag and tag.startswith(_CORE_TAG) else tag
        scalar.plain = not event.style  # None from the pure-Python parser, "" from libyaml
        return scalar
    collection: _Collection = (
        _Mapping(line, parent, segment) if isinstance(event, MappingStartEvent) else _Sequence(line, parent, segment)
    )
    collection.items, collection.pending_key, collection.closed = [], None, False
    collection.flow = bool(event.flow_style)
    return collection


def _attach(parent: _Collection, node: _Node) -> None:
    if isinstance(parent, _Sequence):
        parent.items.append(node)
    elif parent.pending_key is None:
        parent.pending_key = node
    else:
        parent.items.append((parent.pending_key, node))
        parent.pending_key = None


def _children(node: _Node) -> list[_Node]:
    if isinstance(node, _Alias):
        return [node.target]
    if isinstance(node, _Sequence):
        return node.items
    if isinstance(node, _Mapping):
        return [part for pair in node.items for part in pair]
    return []


def _post_order(root: _Node) -> list[_Node]:
    """Every node once, children before parents (aliases make the tree a DAG)."""
    order: list[_Node] = []
    seen: set[int] = set()
    work: list[tuple[_Node, bool]] = [(root, False)]
    while work:
        node, children_done = work.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        work.append((node, True))
        work.extend((child, False) for child in reversed(_children(node)))
    return order


def _check_aliasing(order: list[_Node]) -> None:
    decoded: dict[int, int] = {}  # values decoded for a node, aliases expanded
    aliased: dict[int, int] = {}  # of those, how many come through an alias
    for node in order:
        if isinstance(node, _Alias):
            decoded[id(node)] = 1 + decoded[id(node.target)]
            aliased[id(node)] = decoded[id(node.target)]
        else:
            children = _children(node)
            decoded[id(node)] = 1 + sum(decoded[id(c)] for c in children)
            aliased[id(node)] = sum(aliased[id(c)] for c in children)
    total, through_alias = decoded[id(order[-1])], aliased[id(order[-1])]
    if through_alias > 100 and total > 1000 and through_alias / total > _allowed_alias_ratio(total):
        raise StackYamlError(
            [Finding(None, (), f"expands through aliases to {total} values, {through_alias} of them copies (excessive aliasing)")]
        )


def _allowed_alias_ratio(total: int) -> float:
    if total <= _ALIAS_RATIO_LOW:
        return 0.99
    if total >= _ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (total - _ALIAS_RATIO_LOW) / (_ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW)


def _decode(order: list[_Node], root: _Node) -> Any:
    values: dict[int, Any] = {}
    findings: list[Finding] = []
    for node in order:
        if isinstance(node, _Alias):
            values[id(node)] = values[id(node.target)]
        elif isinstance(node, _Scalar):
            values[id(node)] = _scalar_value(node, findings)
        elif isinstance(node, _Sequence):
            values[id(node)] = [values[id(item)] for item in node.items]
        else:
            values[id(node)] = _mapping_value(node, values, findings)
    if findings:
        raise StackYamlError(findings)
    return values[id(root)]


def _scalar_value(node: _Scalar, findings: list[Finding]) -> Any:
    value, problem = scalar_value(node.text, node.tag, plain=node.plain)
    if problem is not None:
        findings.append(Finding(node.line, node.path(), problem))
    return value


def _is_merge_key(node: _Node) -> bool:
    return isinstance(node, _Scalar) and node.text == "<<" and node.plain and node.tag in (None, "!", "!!merge")


def _mapping_value(node: _Mapping, values: dict[int, Any], findings: list[Finding]) -> KeyedMap:
    result = KeyedMap()
    if _duplicates(node, findings):
        return result
    merges: list[_Node] = []
    for key_node, value_node in node.items:
        if _is_merge_key(key_node):
            merges.append(value_node)
            continue
        key = _key(key_node, values, findings)
        if key is not None:
            result[key] = values[id(value_node)]
            result.key_lines[key] = key_node.line
    for merge in merges:
        _merge_into(result, merge, values, findings)
    return result


def _duplicates(node: _Mapping, findings: list[Finding]) -> bool:
    # yaml.v3 compares the key nodes' kind and text, not their decoded values: `1` and `"1"` clash.
    first_line: dict[tuple[str, str], int] = {}
    found = False
    for key_node, _ in node.items:
        identity = _key_identity(key_node)
        if identity in first_line:
            found = True
            findings.append(
                Finding(key_node.line, node.path(), f"mapping key {identity[1]!r} already defined at line {first_line[identity]}")
            )
        else:
            first_line[identity] = key_node.line
    return found


def _key_identity(node: _Node) -> tuple[str, str]:
    if isinstance(node, _Scalar):
        return ("scalar", node.text)
    if isinstance(node, _Alias):
        return ("alias", node.name)
    return (type(node).__name__, "")


def _key(node: _Node, values: dict[int, Any], findings: list[Finding]) -> str | None:
    target = node.target if isinstance(node, _Alias) else node
    if isinstance(target, _Collection):
        findings.append(Finding(node.line, node.path(), "a mapping key must be a single value, not a mapping or a list"))
        return None
    key = values[id(node)]
    if isinstance(key, str):
        return key
    shown = "null" if key is None else node.text if isinstance(node, _Scalar) else repr(key)
    findings.append(
        Finding(
            node.line,
            node.path(),
            f'key {shown} is a {_kind(key)}; the Pulumi CLI accepts only string keys (quote it: "{shown}")',
        )
    )
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number"}.get(type(value), "value")


def _merge_into(result: KeyedMap, merge: _Node, values: dict[int, Any], findings: list[Finding]) -> None:
    # yaml.v3 decode.go, merge: a mapping, an alias of one, or a list of those; the keys already
    # present win, and among the listed mappings the earlier ones win.
    target = merge.target if isinstance(merge, _Alias) else merge
    sources = [target] if isinstance(target, _Mapping) else list(target.items) if isinstance(target, _Sequence) else []
    if not sources or not all(isinstance(s.target if isinstance(s, _Alias) else s, _Mapping) for s in sources):
        findings.append(Finding(merge.line, merge.path(), "map merge requires map or sequence of maps as the value"))
        return
    for source in sources:
        merged = values[id(source)]
        for key, value in merged.items():
            if key not in result:
                result[key] = value
                result.key_lines[key] = merged.key_lines.get(key, merge.line)

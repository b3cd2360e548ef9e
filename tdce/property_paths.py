"""Property paths as the Pulumi engine reads them in `ignoreChanges` and `replaceOnChanges`.

The grammar is the engine's (https://www.pulumi.com/docs/reference/property-paths/, and
`ParsePropertyPath` in pulumi/sdk/go/common/resource/properties_path.go): dots or `["quoted"]` for
object keys, `[0]` for list indexes, `[*]`, `["*"]` or `.*` for "any key or index at this level".
The engine's parser is loose in the same places this one is: repeated dots are skipped, and a dotted
segment runs to the next `.` or `[`.
"""

from __future__ import annotations

import re

WILDCARD = "*"
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

Segment = str | int


class PropertyPathError(ValueError):
    pass


def parse_property_path(path: str) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    rest = path
    while rest:
        if rest[0] == ".":
            rest = rest[1:]
        elif rest[0] == "[":
            segment, rest = _bracketed(rest)
            segments.append(segment)
        else:
            end = min((index for index in (rest.find("."), rest.find("[")) if index >= 0), default=len(rest))
            segments.append(rest[:end])
            rest = rest[end:]
    if not segments:
        raise PropertyPathError("an empty property path names nothing")
    return tuple(segments)


def _bracketed(rest: str) -> tuple[Segment, str]:
    """`["key"]…`, `[0]…` or `[*]…`: the segment and what follows the closing bracket."""
    if rest[1:2] == '"':
        key: list[str] = []
        index = 2
        while True:
            if index >= len(rest):
                raise PropertyPathError("missing closing quote in property name")
            if rest[index] == '"':
                index += 1
                break
            if rest[index] == "\\" and rest[index + 1 : index + 2] == '"':
                key.append('"')
                index += 2
            else:
                key.append(rest[index])
                index += 1
        if rest[index : index + 1] != "]":
            raise PropertyPathError("missing closing bracket in property access")
        return "".join(key), rest[index + 1 :]
    closing = rest.find("]")
    if closing < 0:
        raise PropertyPathError("missing closing bracket in array index")
    inside = rest[1:closing]
    if inside == WILDCARD:
        return WILDCARD, rest[closing + 1 :]
    if not inside.lstrip("+-").isdigit() or not inside.isascii():
        raise PropertyPathError(f"invalid array index [{inside}]")
    return int(inside), rest[closing + 1 :]


def format_path(segments: tuple[Segment, ...]) -> str:
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment == WILDCARD:
            text += "[*]"
        elif _IDENTIFIER.fullmatch(segment):
            text += f".{segment}" if text else segment
        else:
            escaped = segment.replace('"', '\\"')
            text += f'["{escaped}"]'
    return text

"""A small model of IAM's allow decision on GCP, for the recorded plan: bindings, roles, and the conditions the stack writes.

Semantics from Google's documentation, not from the code under test:
- A principal may use a permission on a resource when some binding on the resource or an ancestor (the
  project) grants a role holding the permission, and that binding's condition, if any, is true
  ("IAM Conditions overview").
- `resource.type`, `resource.name`: the type and name of the resource the permission is checked on, for the
  types that provide resource attributes; for any other type (instance group managers, subnetworks,
  operations, the project for list calls) "that part of the condition is never interpreted as granting
  access" ("Configure resource-based access", Inherited conditions): such a comparison is false here.
- `extract(template)`: the characters after the first occurrence of the text before `{…}`, up to the text
  after it ("Match Compute Engine VMs in any location"); empty when the text does not occur.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Compute Engine types with resource attributes ("Resource attributes for IAM Conditions").
TYPES_WITH_ATTRIBUTES = {
    "compute.googleapis.com/Disk",
    "compute.googleapis.com/Image",
    "compute.googleapis.com/Instance",
    "compute.googleapis.com/InstanceTemplate",
    "compute.googleapis.com/Snapshot",
    "sqladmin.googleapis.com/Instance",
}


@dataclass(frozen=True)
class Request:
    permission: str
    resource_type: str
    resource_name: str


@dataclass(frozen=True)
class Binding:
    # Where the binding is: "project", or the full name of the one resource it is on.
    scope: str
    permissions: frozenset[str]
    condition: str | None = None


_TOKEN = re.compile(r'\s*(\(|\)|&&|\|\||==|!=|"[^"]*"|resource\.type|resource\.name|\.extract\(|\.startsWith\()')


class _Parser:
    def __init__(self, text: str, request: Request):
        self.tokens = _TOKEN.findall(text)
        if "".join(self.tokens).replace(" ", "") != text.replace(" ", "").replace("\n", ""):
            raise ValueError(f"the test model does not read this condition: {text}")
        self.position = 0
        self.request = request
        self.attributes = request.resource_type in TYPES_WITH_ATTRIBUTES

    def _next(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _string(self) -> str:
        token = self._next()
        assert token.startswith('"'), token
        return token[1:-1]

    def parse(self) -> bool:
        value = self._or()
        assert self._peek() is None, self.tokens[self.position :]
        return value

    def _or(self) -> bool:
        value = self._and()
        while self._peek() == "||":
            self._next()
            right = self._and()
            value = value or right
        return value

    def _and(self) -> bool:
        value = self._term()
        while self._peek() == "&&":
            self._next()
            right = self._term()
            value = value and right
        return value

    def _term(self) -> bool:
        token = self._next()
        if token == "(":
            value = self._or()
            assert self._next() == ")"
            return value
        if token == "resource.type":
            operator, literal = self._next(), self._string()
            if not self.attributes:
                return False
            return (self.request.resource_type == literal) == (operator == "==")
        assert token == "resource.name", token
        subject = self.request.resource_name
        follower = self._next()
        if follower == "==":
            literal = self._string()
            return self.attributes and subject == literal
        if follower == ".extract(":
            subject = _extract(subject, self._string())
            assert self._next() == ")"
            follower = self._next()
        assert follower == ".startsWith(", follower
        literal = self._string()
        assert self._next() == ")"
        return self.attributes and subject.startswith(literal)


def _extract(name: str, template: str) -> str:
    before, _, rest = template.partition("{")
    after = rest.partition("}")[2]
    found = name.find(before)
    if found < 0:
        return ""
    tail = name[found + len(before) :]
    return tail.split(after, 1)[0] if after else tail


def condition_holds(expression: str, request: Request) -> bool:
    return _Parser(expression, request).parse()


def allowed(bindings: list[Binding], request: Request) -> bool:
    for binding in bindings:
        if request.permission not in binding.permissions:
            continue
        if binding.scope != "project" and binding.scope != request.resource_name:
            continue
        if binding.condition is None or condition_holds(binding.condition, request):
            return True
    return False

"""The offline cloud: mock physical IDs, computed attributes and canned answers to invokes.

Each cloud module supplies `INVOKES` (token → function of the invoke's arguments) and
`computed(type, name, inputs)` (attributes the provider would compute, such as ARNs).
Answers are deterministic, so two plans of the same stack are identical. The canned
answers are documented in docs/offline-plan.md ("What the offline plan assumes").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.runtime import Mocks
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from config.resource_types import RANDOM_PASSWORD
from tdce.mock_cloud import aws, aws_data, gcp

Invoke = Callable[[Mapping[str, Any]], dict[str, Any]]

INVOKES: dict[str, Invoke] = {**aws.INVOKES, **aws_data.INVOKES, **gcp.INVOKES}

OFFLINE_RANDOM_PASSWORD = "OfflinePlanGeneratedPassword0123456789abcdefghijklmnopqrstuvwxyz"


class UnansweredInvoke(LookupError):
    pass


def physical_id(type_token: str, name: str) -> str:
    """A stable fake ID shaped like the real one where the shape matters (sg-…, vpc-…)."""
    digest = hashlib.sha256(f"{type_token}/{name}".encode()).hexdigest()[:17]
    prefix = aws.ID_PREFIXES.get(type_token)
    return f"{prefix}-{digest}" if prefix else f"{name}-id"


class OfflineCloud(Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id = physical_id(args.typ, args.name)
        outputs = dict(args.inputs)
        outputs.update(aws.computed(args.typ, args.name, resource_id, args.inputs))
        outputs.update(gcp.computed(args.typ, args.name, resource_id, args.inputs))
        outputs.update(aws_data.computed(args.typ, args.name, resource_id, args.inputs))
        if args.typ == RANDOM_PASSWORD:
            # Deterministic and obviously fake; the engine protocol marks it secret all the same.
            outputs["result"] = OFFLINE_RANDOM_PASSWORD[: int(args.inputs.get("length", 24))]
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        answer = INVOKES.get(args.token)
        if answer is None:
            raise UnansweredInvoke(f"the offline plan has no canned answer for invoke {args.token}; add one in tdce/mock_cloud/")
        return answer(args.args)

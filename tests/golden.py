"""Golden inventories: what each example stack's plan registers, written down once and reviewed.

`tests/golden/<stack>.json` holds, per example stack: the resources by type with counts, every
resource's inputs and options (IDs written as the names of the resources they belong to, boot
scripts as digests, tags left to their own tests) and the firewall rules as a literal table.
The test compares the plan against the file; the file changes only on purpose:

    make golden      # regenerate, then review `git diff tests/golden` before committing
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from config.resource_types import AWS_EGRESS_RULE, AWS_INGRESS_RULE, GCP_FIREWALL
from tdce.planner import Plan

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
# Inputs whose text is a whole script: a digest shows that it changed, the boot-script tests say how.
SCRIPTS = {"userData", "startup-script"}
# Inputs that are a whole code archive (a Lambda function's `code`): a digest of it, for the same reason.
ARCHIVES = {"code"}
# Tags and labels are the same on almost every resource; their own tests check them.
LEFT_OUT = {"tags", "tagsAll", "labels", "userLabels", "tagSpecifications"}
OPTIONS = (
    "protect",
    "ignoreChanges",
    "deleteBeforeReplace",
    "retainOnDelete",
    "replaceOnChanges",
    "additionalSecretOutputs",
    "customTimeouts",
)


def inventory(plan: Plan) -> dict[str, Any]:
    names = {resource.id: resource.name for resource in plan.resources if resource.id}
    urns = {resource.urn: resource.name for resource in plan.resources}
    custom = [resource for resource in plan.resources if resource.custom and not resource.type.startswith("pulumi:providers:")]
    return {
        "stack": plan.stack,
        "counts": dict(sorted(Counter(resource.type for resource in custom).items())),
        "components": dict(sorted(Counter(r.type for r in plan.resources if not r.custom).items())),
        # One line a rule, so the table reads as one in a review.
        "rules": sorted(" | ".join(map(str, row)) for row in rule_rows(plan, names)),
        "resources": {
            resource.name: {
                "type": resource.type,
                "parent": urns.get(resource.parent or ""),
                "inputs": _named({k: v for k, v in resource.inputs.items() if k not in LEFT_OUT}, names),
                "options": {key: resource.options[key] for key in OPTIONS if resource.options.get(key)},
            }
            for resource in sorted(custom, key=lambda r: r.name)
        },
        "outputs": sorted(plan.outputs),
    }


def rule_rows(plan: Plan, names: dict[str, str]) -> list[list[Any]]:
    """Every firewall rule as one row: AWS (name, direction, group, protocol, from, to, peer), GCP (name, direction,
    targets, allows, sources)."""
    rows = []
    for resource in plan.resources:
        inputs = resource.inputs
        if resource.type in (AWS_INGRESS_RULE, AWS_EGRESS_RULE):
            peer = next(
                (inputs[k] for k in ("referencedSecurityGroupId", "cidrIpv4", "cidrIpv6", "prefixListId") if k in inputs), None
            )
            direction = "ingress" if resource.type == AWS_INGRESS_RULE else "egress"
            rows.append(
                [
                    resource.name,
                    direction,
                    names.get(inputs["securityGroupId"]),
                    inputs["ipProtocol"],
                    inputs.get("fromPort"),
                    inputs.get("toPort"),
                    names.get(peer, peer),
                ]
            )
        elif resource.type == GCP_FIREWALL:
            allowed = [f"{a['protocol']}:{','.join(a.get('ports', []))}" for a in inputs.get("allows", [])]
            denied = [f"deny {d['protocol']}" for d in inputs.get("denies", [])]
            sources = inputs.get("sourceServiceAccounts") or inputs.get("sourceRanges") or inputs.get("destinationRanges") or []
            rows.append(
                [resource.name, inputs["direction"].lower(), inputs.get("targetServiceAccounts", []), allowed + denied, sources]
            )
    return rows


def _named(value: Any, names: dict[str, str], key: str = "") -> Any:
    if key in SCRIPTS and isinstance(value, str):
        return f"sha256:{hashlib.sha256(value.encode()).hexdigest()[:16]}"
    if key in ARCHIVES and isinstance(value, dict):
        return f"sha256:{hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]}"
    if isinstance(value, dict):
        return {k: _named(v, names, k) for k, v in sorted(value.items()) if k not in LEFT_OUT}
    if isinstance(value, list):
        return [_named(item, names) for item in value]
    if isinstance(value, str) and value in names:
        return f"<{names[value]}>"
    return value


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Where an inventory differs from its golden file, one message a place: `section: …` or `resource NAME: …`.

    Empty when they are the same; the golden test asserts that, and its own tests feed it edited inventories."""
    found = [
        f"{section}: differ" for section in ("counts", "components", "rules", "outputs") if actual[section] != expected[section]
    ]
    found += [f"resource {name}: gone" for name in sorted(set(expected["resources"]) - set(actual["resources"]))]
    found += [f"resource {name}: new" for name in sorted(set(actual["resources"]) - set(expected["resources"]))]
    for name, resource in sorted(expected["resources"].items()):
        now = actual["resources"].get(name)
        if now is not None and now != resource:
            found.append(f"resource {name}: differs in {', '.join(_changed_keys(resource, now))}")
    return found


def _changed_keys(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    """The dotted keys whose values differ, down through the inputs and options."""
    keys = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and prefix.count(".") < 1:
            keys += _changed_keys(old, new, f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def golden_path(stack: str) -> Path:
    return GOLDEN_DIR / f"{stack}.json"


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main() -> int:
    from tests.support import EXAMPLE_STACKS, plan_of

    GOLDEN_DIR.mkdir(exist_ok=True)
    for stack in EXAMPLE_STACKS:
        golden_path(stack).write_text(rendered(inventory(plan_of(stack))))
        print(f"wrote {golden_path(stack).relative_to(Path.cwd())}")
    print("Review the change before committing it: git diff --stat tests/golden; git diff tests/golden")
    return 0


if __name__ == "__main__":
    sys.exit(main())

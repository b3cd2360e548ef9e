"""AWS IAM policy documents judged statement by statement: the deployment-condition contract.

The contract the server's role and this pack share (docs/policy-pack.md, "The IAM contract"):
- A mutating action (anything but Describe*, Get*, List*), or a read that returns data (object
  contents, secret values, parameters), on `*` or on an ARN with a wildcard in its resource's
  own name (see `broad`)
  is allowed only with a deployment condition: `StringEquals` (or `StringLike` without a
  wildcard) on `aws:RequestTag/tdce:stack`, `aws:ResourceTag/tdce:stack`,
  `ec2:ResourceTag/tdce:stack` or `autoscaling:ResourceTag/tdce:stack` whose every value is this
  stack's name; or `ArnEquals`/`ArnLike` on `ec2:Vpc` or `ec2:Subnet` whose every value is one
  of this stack's VPC or subnet ARNs.
- `iam:PassRole` only on named role ARNs (no wildcard) and only with `StringEquals` on
  `iam:PassedToService`.
- In the policies of machine roles (the server's and the workers'), nothing reaches beyond the
  stack: no `*/*`, no S3 ARN with a wildcard bucket, no bucket that is not this stack's, no S3
  object action on `*`.
Condition keys are case-insensitive in IAM
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.dashboard import IAM_WILDCARD, names_one_role
from config.tags import STACK_TAG
from policies.reading import get, json_document

READ_PREFIXES = ("Describe", "Get", "List")
# Reads that hand out the data itself: on every resource they are as wide as a write.
DATA_READS = ("s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParameter")
STACK_TAG_KEYS = tuple(
    f"{prefix}/{STACK_TAG}".lower()
    for prefix in ("aws:RequestTag", "aws:ResourceTag", "ec2:ResourceTag", "autoscaling:ResourceTag")
)
NETWORK_KEYS = {"ec2:vpc": "vpc", "ec2:subnet": "subnet"}
PASS_ROLE = "iam:passrole"
_S3_ARN = re.compile(r"^arn:aws[\w-]*:s3:::(?P<bucket>[^/]*)(?P<rest>/.*)?$")
_NETWORK_ARN = re.compile(r"^arn:aws[\w-]*:ec2:[^:]*:[^:]*:(?P<kind>vpc|subnet)/(?P<id>[\w-]+)$")


@dataclass(frozen=True)
class DocumentContext:
    stack: str
    # IDs of this stack's VPCs and subnets; None when the pack cannot tell them (unknown at preview).
    vpc_ids: frozenset[str] | None
    subnet_ids: frozenset[str] | None
    # A machine role's policy (the server's or the workers'): nothing may reach beyond the stack.
    machine_role: bool
    is_own_bucket: Callable[[str], bool]


@dataclass(frozen=True)
class Findings:
    problems: tuple[str, ...]
    undecided: tuple[str, ...]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def is_read(action: str) -> bool:
    name = action.rpartition(":")[2]
    return name.startswith(READ_PREFIXES) and not any(action.lower().startswith(d.lower()) for d in DATA_READS)


def broad(resource: str) -> bool:
    """`*`, or an ARN whose wildcard stands in the resource's own name rather than below a named resource.

    The resource part of an ARN (arn:partition:service:region:account:resource) names the resource
    as `type/id` or `type:id` (S3: the bucket). A wildcard there (`instance/*`,
    `autoScalingGroup:*:…`, `bucket-*`) ranges over resources; one below a named resource
    (`bucket/*`, `log-group:name:*`) ranges over that resource's contents.
    """
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return bool(IAM_WILDCARD.search(resource))
    segments = re.split(r"[/:]", parts[5])
    identity = segments[:1] if parts[2] == "s3" else segments[:2]
    return any(IAM_WILDCARD.search(segment) for segment in identity)


def _values(value: Any) -> list[str]:
    return [str(v) for v in as_list(value)]


def deployment_condition(condition: Any, context: DocumentContext) -> bool | None:
    """Whether the statement's Condition scopes it to this deployment; None when the stack's network is unknown."""
    if not isinstance(condition, dict):
        return False
    unknown = False
    for operator, entries in condition.items():
        if not isinstance(entries, dict):
            continue
        for key, value in entries.items():
            values, lowered = _values(value), str(key).lower()
            if lowered in STACK_TAG_KEYS:
                # StringLike is StringEquals for values without * or ?; a value with one never equals a stack
                # name (Pulumi's are letters, digits, -, _ and .), so comparing with the stack decides both.
                if operator in ("StringEquals", "StringLike") and values and all(v == context.stack for v in values):
                    return True
            elif lowered in NETWORK_KEYS and operator in ("ArnEquals", "ArnLike"):
                verdict = _own_network(values, NETWORK_KEYS[lowered], context)
                if verdict:
                    return True
                unknown = unknown or verdict is None
    return None if unknown else False


def _own_network(values: list[str], kind: str, context: DocumentContext) -> bool | None:
    known = context.vpc_ids if kind == "vpc" else context.subnet_ids
    ids = []
    for value in values:
        match = _NETWORK_ARN.match(value)
        if match is None or match.group("kind") != kind:
            return False
        ids.append(match.group("id"))
    if not ids:
        return False
    if known is None:
        return None
    return all(i in known for i in ids)


def _pass_role_problems(where: str, statement: dict, resources: list[str]) -> list[str]:
    problems = []
    unnamed = [r for r in resources if not names_one_role(r)]
    if unnamed:
        problems.append(f"{where} allows iam:PassRole on {', '.join(unnamed)}: only named role ARNs may be passed")
    condition = statement.get("Condition")
    equals = get(condition, "StringEquals")
    if not isinstance(equals, dict) or not any(str(k).lower() == "iam:passedtoservice" for k in equals):
        problems.append(f"{where} allows iam:PassRole without StringEquals on iam:PassedToService")
    return problems


def _beyond_stack(where: str, actions: list[str], resources: list[str], context: DocumentContext) -> list[str]:
    problems = []
    for resource in resources:
        if resource == "*/*":
            problems.append(f"{where} names */*: every object of every bucket")
            continue
        match = _S3_ARN.match(resource)
        if match is not None:
            bucket = match.group("bucket")
            if IAM_WILDCARD.search(bucket):
                problems.append(f"{where} names {resource}: buckets beyond this stack")
            elif not context.is_own_bucket(bucket):
                problems.append(f"{where} names {resource}, a bucket that is not this stack's")
        elif resource == "*":
            objects = [a for a in actions if a.lower().startswith("s3:") and not a.rpartition(":")[2].startswith("List")]
            if objects:
                problems.append(f"{where} allows {', '.join(objects)} on *: every bucket of the account")
    return problems


_IMAGE_ARN = re.compile(r"arn:aws[a-z-]*:ec2:[a-z0-9-]*::image/\*")


def _launches_from_public_images(actions: list[str], wide: list[str], condition: Any) -> bool:
    """The one accepted exception: `ec2:RunInstances` on public images, and only on them (`ec2:Public` true).

    A clean public image (the vendor's, Debian's) carries no tag of this stack and sits in no network of
    it, so no deployment condition can name it; launching from an image changes nothing about the
    image, and every other part of the launch (instance, volumes, interfaces, subnets, groups, profile)
    is scoped by its own statements ("Actions, resources, and condition keys for Amazon EC2":
    RunInstances on `image` supports `ec2:Public`).
    """
    if [a.lower() for a in actions] != ["ec2:runinstances"] or not wide or not all(_IMAGE_ARN.fullmatch(r) for r in wide):
        return False
    entries = condition.get("Bool") if isinstance(condition, dict) else None
    public = entries.get("ec2:Public") if isinstance(entries, dict) else None
    return public in ("true", True, ["true"])


def _statement(index: int, statement: dict, context: DocumentContext) -> tuple[list[str], list[str]]:
    where = f"Statement[{statement.get('Sid') or index}]"
    problems: list[str] = []
    undecided: list[str] = []
    for negation in ("NotAction", "NotResource"):
        if negation in statement:
            problems.append(f"{where} allows with {negation}: everything except a list")
    actions = [str(a) for a in as_list(statement.get("Action"))]
    resources = [str(r) for r in as_list(statement.get("Resource"))]
    for action in actions:
        name = action.rpartition(":")[2]
        if name == "*":
            problems.append(f"{where} allows every action of {action}")
        elif IAM_WILDCARD.search(name) and not name.startswith(READ_PREFIXES):
            problems.append(f"{where} allows {action}: a wildcard over actions that change things")
    if any(a.lower() == PASS_ROLE for a in actions):
        problems += _pass_role_problems(where, statement, resources)
    wide = [r for r in resources if broad(r)]
    scoped = [a for a in actions if a.lower() != PASS_ROLE and not is_read(a)]
    if wide and scoped and not _launches_from_public_images(actions, wide, statement.get("Condition")):
        verdict = deployment_condition(statement.get("Condition"), context)
        if verdict is None:
            undecided.append(f"{where} network condition")
        elif not verdict:
            problems.append(
                f"{where} allows {', '.join(scoped)} on {', '.join(wide)} without a deployment condition "
                f"(the {STACK_TAG} tag, this stack's VPC or subnets)"
            )
    if context.machine_role:
        problems += _beyond_stack(where, actions, resources, context)
    return problems, undecided


def document_findings(policy: Any, context: DocumentContext) -> Findings:
    document = json_document(policy)
    statements = as_list(document.get("Statement")) if isinstance(document, dict) else []
    problems: list[str] = []
    undecided: list[str] = []
    for index, statement in enumerate(statements):
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            found, unknown = _statement(index, statement, context)
            problems += found
            undecided += unknown
    return Findings(tuple(problems), tuple(undecided))

"""The labels every labelable GCP resource of a deployment carries, so its resources can be found by stack, role and pool."""

from __future__ import annotations

import re
from collections.abc import Mapping

STACK_LABEL = "tdce-stack"
ROLE_LABEL = "tdce-role"
POOL_LABEL = "tdce-pool"

# Values of ROLE_LABEL.
SERVER = "server"
DATA_DISK = "data-disk"
WORKER_POOL = "worker-pool"
DATABASE = "database"

# GCP label values: lowercase letters, digits, '_' and '-', at most 63 characters.
_NOT_IN_LABEL_VALUE = re.compile(r"[^a-z0-9_-]")
_MAX_LABEL_VALUE = 63


def label_value(text: str) -> str:
    """A stack name as a label value: Pulumi allows capitals and dots in stack names, GCP labels do not."""
    return _NOT_IN_LABEL_VALUE.sub("-", text.lower())[:_MAX_LABEL_VALUE]


def deployment_labels(stack: str, user_labels: Mapping[str, str]) -> dict[str, str]:
    """The user's `tdce:tags` plus the stack label; the stack label wins so discovery can trust it."""
    return {**user_labels, STACK_LABEL: label_value(stack)}


def with_role(base: Mapping[str, str], role: str, pool: str | None = None) -> dict[str, str]:
    labels = {**base, ROLE_LABEL: role}
    if pool is not None:
        labels[POOL_LABEL] = pool
    return labels

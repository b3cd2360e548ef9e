"""The tags every AWS resource of a deployment carries.

`tdce backup`, `tdce health` and `tdce preflight` find resources by them.
"""

from __future__ import annotations

from collections.abc import Mapping

STACK_TAG = "tdce:stack"
ROLE_TAG = "tdce:role"
POOL_TAG = "tdce:pool"

# Values of ROLE_TAG.
SERVER = "server"
DATA_DISK = "data-disk"
WORKER_POOL = "worker-pool"
DATABASE = "database"


def deployment_tags(stack: str, user_tags: Mapping[str, str]) -> dict[str, str]:
    """The user's `tdce:tags` plus the stack tag; the stack tag wins so discovery can trust it."""
    return {**user_tags, STACK_TAG: stack}


def role_tags(base: Mapping[str, str], role: str, **extra: str) -> dict[str, str]:
    tags = {**base, ROLE_TAG: role}
    if "pool" in extra:
        tags[POOL_TAG] = extra["pool"]
    return tags

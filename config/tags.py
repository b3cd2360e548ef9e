"""The tags (AWS) and labels (GCP) every resource of a deployment carries, so its resources can be found by stack, role and pool.

One scheme per cloud, the same three keys: `tdce backup`, `tdce health`, `tdce preflight` and
`tdce teardown` find resources by them, and the user's `tdce:tags` may not overwrite them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from config.channels import Role

# Values of the role key.
SERVER = "server"
DATA_DISK = "data-disk"
WORKER_POOL = "worker-pool"
DATABASE = "database"

# The role value on the AWS security group that guards each role: the pack places a group by it when
# no machine of the stack holds the group (the worker group of a stack whose workers all come from
# the dashboard). GCP service accounts take no labels; the pack places those by who may act as them.
GROUP_ROLE_TAGS = {Role.SERVER: SERVER, Role.WORKERS: WORKER_POOL, Role.DATABASE: DATABASE}

# GCP label values: lowercase letters, digits, '_' and '-', at most 63 characters
# (https://cloud.google.com/compute/docs/labeling-resources#requirements).
_NOT_IN_LABEL_VALUE = re.compile(r"[^a-z0-9_-]")
_MAX_LABEL_VALUE = 63


def label_value(text: str) -> str:
    """A stack name as a label value: Pulumi allows capitals and dots in stack names, GCP labels do not."""
    return _NOT_IN_LABEL_VALUE.sub("-", text.lower())[:_MAX_LABEL_VALUE]


@dataclass(frozen=True)
class TagScheme:
    stack_key: str
    role_key: str
    pool_key: str
    # How the stack's name is written as a value on this cloud.
    stack_value: Callable[[str], str]

    def deployment(self, stack: str, user_tags: Mapping[str, str]) -> dict[str, str]:
        """The user's `tdce:tags` plus the stack key; the stack key wins so discovery can trust it."""
        return {**user_tags, self.stack_key: self.stack_value(stack)}

    def with_role(self, base: Mapping[str, str], role: str, pool: str | None = None) -> dict[str, str]:
        tags = {**base, self.role_key: role}
        if pool is not None:
            tags[self.pool_key] = pool
        return tags

    def of_stack(self, stack: str, role: str, pool: str | None = None) -> dict[str, str]:
        """The project's own keys alone, as discovery looks for them."""
        return self.with_role({self.stack_key: self.stack_value(stack)}, role, pool)


AWS_TAGS = TagScheme("tdce:stack", "tdce:role", "tdce:pool", stack_value=str)
GCP_LABELS = TagScheme("tdce-stack", "tdce-role", "tdce-pool", stack_value=label_value)
# The AWS keys by name, for the operations that search by them.
STACK_TAG, POOL_TAG = AWS_TAGS.stack_key, AWS_TAGS.pool_key

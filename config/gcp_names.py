"""The name prefix of everything the Techila Server makes on GCP, and what Compute Engine allows in a name.

GCP cannot confine a grant by labels, only by resource name (IAM Conditions, `resource.name`), so the
server's compute grants are conditioned on a prefix only this stack's resources carry. The prefix is
`tdce-<stack fragment>--`: the fragment is the stack's label value (`config.tags.label_value`) made a
valid name part, with no `--` in it and no `-` at its ends, so the `--` closes it. One stack's prefix
is then never the start of another's: `tdce-prod--` is not a prefix of `tdce-prod-eu--`, where a
single closing dash (`tdce-prod-`) would be.

Both the program (components/gcp/identity.py) and the policy pack take the prefix from here.
"""

from __future__ import annotations

import hashlib
import re

from config.tags import label_value

# Compute Engine resource names: "1-63 characters long and match the regular expression
# [a-z]([-a-z0-9]*[a-z0-9])?" (Compute Engine API reference, e.g. instances.insert: name). A prefix
# matches the pattern's start by construction: `tdce-`, then lowercase letters, digits and single
# dashes, then `--`.
MAX_NAME_LENGTH = 63
PREFIX_START = "tdce-"
PREFIX_END = "--"
# What the dashboard keeps for its own part of every name (docs/dashboard-permissions-gcp.md; a
# managed instance group's instance names add 5 more: the base name is at most 58, instances.insert
# via regionInstanceGroupManagers).
DASHBOARD_PART_LENGTH = 32
# The stack's part of the prefix is at most this long (24), so a prefix is at most 31 characters.
MAX_FRAGMENT_LENGTH = MAX_NAME_LENGTH - DASHBOARD_PART_LENGTH - len(PREFIX_START) - len(PREFIX_END)
_DIGEST_LENGTH = 6


def stack_fragment(stack: str) -> str:
    """The stack's label value as a name part: lowercase letters, digits and single dashes inside.

    When the label value needs changing to fit (underscores, runs of dashes, too long), a digest of
    the stack's own name is appended, so two stacks whose label values differ keep different fragments.
    """
    label = label_value(stack)
    cleaned = re.sub(r"-+", "-", label.replace("_", "-")).strip("-")
    if cleaned == label and 0 < len(cleaned) <= MAX_FRAGMENT_LENGTH:
        return cleaned
    digest = hashlib.sha256(stack.encode()).hexdigest()[:_DIGEST_LENGTH]
    kept = cleaned[: MAX_FRAGMENT_LENGTH - _DIGEST_LENGTH - 1].rstrip("-")
    return f"{kept}-{digest}" if kept else digest


def name_prefix(stack: str) -> str:
    """`tdce-<fragment>--`: every compute resource name the server makes for this stack starts with it."""
    return f"{PREFIX_START}{stack_fragment(stack)}{PREFIX_END}"

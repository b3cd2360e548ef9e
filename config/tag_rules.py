"""Rules for the user's tags (AWS) and labels (GCP), counted with the ones the project adds itself.

The project's own keys are read from the schemes that add them (config/tags.py), so one list
keeps the count honest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from config.base import Finding
from config.tags import AWS_TAGS, GCP_LABELS

# "Tagging your AWS resources", Tag naming limits and requirements, and the EC2 tag restrictions:
# 50 tags per resource; keys 1 to 128 and values up to 256 Unicode characters; letters, numbers and
# spaces representable in UTF-8, and `_ . : / = + - @`; the `aws:` prefix is AWS's own.
AWS_MAX_TAGS = 50
AWS_MAX_KEY_LENGTH = 128
AWS_MAX_VALUE_LENGTH = 256
AWS_TAG_PUNCTUATION = frozenset("_.:/=+-@")
AWS_RESERVED_PREFIX = "aws:"
# Resource Manager "Labels", Requirements for labels: at most 64 labels per resource; keys start
# with a lowercase letter, keys and values hold lowercase letters, digits, `_` and `-`, up to 63
# characters. (GCP also allows international letters; these rules keep to ASCII.)
GCP_MAX_LABELS = 64
GCP_LABEL_KEY = r"[a-z][a-z0-9_-]{0,62}"
GCP_LABEL_VALUE = r"[a-z0-9_-]{0,63}"

# The keys the project adds; user keys in these namespaces could overwrite or fake them.
PROJECT_TAGS = {
    cloud: (scheme.stack_key, scheme.role_key, scheme.pool_key) for cloud, scheme in (("aws", AWS_TAGS), ("gcp", GCP_LABELS))
}
RESERVED_PREFIX = {"aws": "tdce:", "gcp": "tdce-"}
# Every resource carries the stack and role keys; a pool's resources the pool key as well.
PROJECT_TAGS_ON_ANY_RESOURCE = 2
PROJECT_TAGS_ON_POOL_RESOURCES = 3


def _aws_characters_allowed(text: str) -> bool:
    # \p{L}, \p{N}, \p{Z} and the punctuation above: the pattern AWS's tagging APIs document.
    return all(unicodedata.category(char)[0] in "LNZ" or char in AWS_TAG_PUNCTUATION for char in text)


def findings(cloud: str, path: tuple[str | int, ...], tags: Mapping[str, str]) -> list[Finding]:
    """One line per tag the cloud (or the project's own tags) would refuse."""
    found: list[Finding] = []
    prefix = RESERVED_PREFIX[cloud]
    for key, value in tags.items():
        where = (*path, key)
        if key.startswith(prefix):
            own = ", ".join(PROJECT_TAGS[cloud])
            found.append((where, f"keys starting with {prefix!r} are the project's own ({own}); choose another key"))
        elif cloud == "aws":
            found += [(where, why) for why in _aws_problems(key, value)]
        elif not re.fullmatch(GCP_LABEL_KEY, key) or not re.fullmatch(GCP_LABEL_VALUE, value):
            why = "GCP labels take lowercase letters, digits, '_' and '-' (keys start with a letter)"
            found.append((where, f"{why}, got {key}={value!r}"))
    return found


def _aws_problems(key: str, value: str) -> list[str]:
    if not 1 <= len(key) <= AWS_MAX_KEY_LENGTH or key.lower().startswith(AWS_RESERVED_PREFIX):
        return [f"tag keys must be 1 to {AWS_MAX_KEY_LENGTH} characters and not start with 'aws:'"]
    if value.lower().startswith(AWS_RESERVED_PREFIX):
        return ["tag values must not start with 'aws:' (reserved for AWS)"]
    if len(value) > AWS_MAX_VALUE_LENGTH:
        return [f"tag values must be at most {AWS_MAX_VALUE_LENGTH} characters, got {len(value)}"]
    allowed = "letters, digits, spaces and _ . : / = + - @"
    if not _aws_characters_allowed(key):
        return [f"tag keys take {allowed} only, got {key!r}"]
    if not _aws_characters_allowed(value):
        return [f"tag values take {allowed} only, got {value!r}"]
    return []


def count_finding(cloud: str, path: tuple[str | int, ...], keys: set[str], project_tags: int) -> list[Finding]:
    """The tags on the most-tagged resource, the project's own included, within the cloud's limit."""
    limit = AWS_MAX_TAGS if cloud == "aws" else GCP_MAX_LABELS
    total = len(keys) + project_tags
    if total <= limit:
        return []
    what = "tags" if cloud == "aws" else "labels"
    carried = f"with the project's {project_tags} a resource would carry {total}, {cloud} allows {limit}"
    return [(path, f"must hold at most {limit - project_tags} {what}: {carried}")]

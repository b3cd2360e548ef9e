"""The base every settings model shares, and how a model reports rules that span fields."""

from __future__ import annotations

import os
from collections.abc import Iterable

# The settings use no pydantic plugin; looking for them scans every installed package's entry points
# (pydantic's "Plugins" docs: PYDANTIC_DISABLE_PLUGINS=__all__ skips it), about 65 ms of each `tdce`
# command and each Pulumi program run. A user who does want plugins sets the variable themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import BaseModel, ConfigDict  # noqa: E402
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

# A problem found by a cross-field rule: the path below the model that raised it, and why.
Finding = tuple[tuple[str | int, ...], str]

CROSS_FIELD_ERROR = "tdce_rules"


class SettingsModel(BaseModel):
    """Frozen, strict about unknown keys, camelCase in the stack file."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        str_strip_whitespace=True,
    )


def raise_findings(findings: Iterable[Finding]) -> None:
    """Report every broken cross-field rule of a model at once, each at its own key."""
    collected = list(findings)
    if collected:
        raise PydanticCustomError(
            CROSS_FIELD_ERROR, "{count} setting rule(s) broken", {"findings": collected, "count": len(collected)}
        )

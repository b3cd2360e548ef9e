"""The base every settings model shares, and how a model reports rules that span fields."""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

# The settings use no pydantic plugin; looking for them scans every installed package's entry points
# (pydantic's "Plugins" docs: PYDANTIC_DISABLE_PLUGINS=__all__ skips it), about 65 ms of each `tdce`
# command and each Pulumi program run. A user who does want plugins sets the variable themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator  # noqa: E402
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from config.errors import shown

# A problem found by a cross-field rule: the path below the model that raised it, and why.
Finding = tuple[tuple[str | int, ...], str]

CROSS_FIELD_ERROR = "tdce_rules"


def _true_or_false(value: object) -> object:
    """A switch as Pulumi's own `Config.get_bool` reads one: `true`/`True` or `false`/`False` (pulumi/config.py);
    a switch inside an object arrives as a JSON boolean. pydantic alone would also take "no", "off", "0"
    and 1, so a quoted `deletionProtection: "no"` turned protection off without a word."""
    if isinstance(value, bool):
        return value
    if value in ("true", "True"):
        return True
    if value in ("false", "False"):
        return False
    raise ValueError(f"must be true or false, got {shown(value)}")


# Every on/off setting: true or false, nothing pydantic would coerce into one.
Switch = Annotated[bool, BeforeValidator(_true_or_false)]


class SettingsModel(BaseModel):
    """Frozen, strict about unknown keys, camelCase in the stack file."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=False,
        str_strip_whitespace=True,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_switch_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic reads true as 1 for a number: `maxCount: true` would have been one worker, without a word.
        if isinstance(value, bool) and info.field_name is not None and _is_number(cls.model_fields[info.field_name].annotation):
            raise ValueError(f"must be a number, got {str(value).lower()}")
        return value


NUMBERS = frozenset({int, float, Decimal})


def _is_number(annotation: Any) -> bool:
    """A whole number, a float or a decimal, or one of them or None."""
    return annotation in NUMBERS or (get_origin(annotation) in (Union, UnionType) and bool(set(get_args(annotation)) & NUMBERS))


def raise_findings(findings: Iterable[Finding]) -> None:
    """Report every broken cross-field rule of a model at once, each at its own key."""
    collected = list(findings)
    if collected:
        raise PydanticCustomError(
            CROSS_FIELD_ERROR, "{count} setting rule(s) broken", {"findings": collected, "count": len(collected)}
        )

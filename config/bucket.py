"""The bundle bucket."""

from __future__ import annotations

from pydantic import Field

from config.base import SettingsModel, Switch


class BucketSettings(SettingsModel):
    # Empty the bucket on `pulumi destroy`, as the vendor's delete Lambda did.
    force_destroy: Switch = True
    versioning: Switch = False
    # Delete objects this many days after they were written; empty keeps them.
    expire_after_days: int | None = Field(default=None, ge=1)

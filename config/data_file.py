"""A dated data file beside the settings (regions and zones, GCP machine types), read once."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any


class DataFile:
    def __init__(self, name: str):
        self.path = Path(__file__).with_name(name)

    @cached_property
    def data(self) -> dict[str, Any]:
        return json.loads(self.path.read_text(encoding="utf-8"))

    def as_of(self) -> str:
        """The date the file's lists were taken from their documentation pages."""
        return str(self.data["asOf"])

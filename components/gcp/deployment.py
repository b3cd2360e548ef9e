"""The whole TDCE deployment on GCP: composes the per-concern components."""

from __future__ import annotations

from typing import Any

import pulumi

from config.settings import Settings


class GcpDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:gcp:Deployment", name, None, opts)
        self.settings = settings
        self.register_outputs({})

    def stack_outputs(self) -> dict[str, Any]:
        return {}

"""The whole TDCE deployment on AWS: composes the per-concern components."""

from __future__ import annotations

from typing import Any

import pulumi

from config.settings import Settings


class AwsDeployment(pulumi.ComponentResource):
    def __init__(self, name: str, *, settings: Settings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tdce:aws:Deployment", name, None, opts)
        self.settings = settings
        self.register_outputs({})

    def stack_outputs(self) -> dict[str, Any]:
        return {}

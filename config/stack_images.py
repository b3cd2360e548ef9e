"""On GCP, the images the server may start workers from: a rule that needs the stack's name beside its settings.

The server's compute rights are conditioned on the stack's name prefix (config/gcp_names.py,
docs/dashboard-permissions-gcp.md): it may boot an image of the stack's project only when the
image's name carries the prefix ("To use a custom image to create the VM: compute.images.useReadOnly
on the image", Compute Engine, service accounts for instances). A pool the dashboard starts from an
image of the project outside the prefix would have every start refused, so the stack is refused
first. Public images (debian-cloud, the vendor's) are readable by everyone; a private image of
another project, or an image family, cannot be judged offline and is left to `pulumi up`.
"""

from __future__ import annotations

import re

from config.errors import Problem, config_key
from config.gcp_names import name_prefix
from config.settings import Settings

# projects/P/global/images/NAME, optionally as the full API URL (Compute Engine "Images": image URLs).
_IMAGE = re.compile(
    r"(?:https://(?:www|compute)\.googleapis\.com/compute/v1/)?projects/(?P<project>[^/]+)/global/images/(?P<name>[^/]+)"
)


def dashboard_image_problems(stack: str, settings: Settings) -> list[Problem]:
    if settings.cloud != "gcp":
        return []
    prefix = name_prefix(stack)
    problems = []
    for index, pool in enumerate(settings.workers):
        found = _IMAGE.fullmatch(pool.image or "")
        if pool.capacity_owner != "dashboard" or found is None or found["project"] != settings.project:
            continue
        if not found["name"].startswith(prefix):
            problems.append(
                Problem(
                    config_key("tdce", ("workers", index, "image")),
                    f"is an image of the stack's project whose name lacks the stack's prefix {prefix!r}: the server may "
                    f"start workers only from its own images (docs/dashboard-permissions-gcp.md); copy it to a name "
                    f"starting {prefix!r}, or use a public image",
                )
            )
    return problems

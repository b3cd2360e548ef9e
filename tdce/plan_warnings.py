"""What a plan builds that will not run TDCE: machines booting the plain operating system image.

The TDCE server and worker software is not public: the server needs the vendor's image (AWS: the
Marketplace listing, `server.marketplaceProductCode`; GCP: the vendor's image path), a declared
pool a worker image that carries the TDCE worker (vendor 001_ec271c3ff40761d0.txt 4.4). Without
them the stack builds the infrastructure only, which is worth one line each, not a refusal.
"""

from __future__ import annotations

from config.errors import config_key
from config.loader import NAMESPACE
from config.settings import Settings

PLAIN = {"linux": "Debian 12", "windows": "Windows Server 2022"}


def plan_warnings(settings: Settings) -> list[str]:
    lines: list[str] = []
    server = settings.server
    if server.image is None and server.marketplace_product_code is None:
        instead = (
            f"{config_key(NAMESPACE, ('server', 'marketplaceProductCode'))} (after subscribing to the vendor's listing)"
            if settings.cloud == "aws"
            else f"{config_key(NAMESPACE, ('server', 'image'))} to the vendor's image path"
        )
        lines.append(f"the server boots plain {PLAIN['linux']} and will not run TDCE: set {instead}")
    for index, pool in enumerate(settings.workers):
        if pool.image is None:
            key = config_key(NAMESPACE, ("workers", index, "image"))
            lines.append(
                f"pool {pool.name} boots plain {PLAIN[pool.os]} and will not run the TDCE worker: set {key} to a worker "
                "image (vendor guide 4.4, a custom image made from a dashboard-started worker)"
            )
    return lines

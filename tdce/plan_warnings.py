"""What a plan builds that a user should hear of before `up`, one line each, not a refusal.

Machines booting the plain operating system image: the TDCE server and worker software is not
public; the server needs the vendor's image (AWS: the Marketplace listing,
`server.marketplaceProductCode`; GCP: the vendor's image path), a declared pool a worker image
that carries the TDCE worker (vendor 001_ec271c3ff40761d0.txt 4.4). Without them the stack builds
the infrastructure only.

Users' networks that cover the whole internet: users everywhere is a choice a deployment may make
(the dashboard and the SDK authenticate their users), so it is not refused, but the two ports are
then open to every scanner; `access.adminCidrs`, for SSH and RDP, is refused it (config/access.py).
"""

from __future__ import annotations

from config.errors import config_key
from config.internet import whole_internet
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
    for opened in whole_internet(settings.access.user_cidrs):
        key = config_key(NAMESPACE, ("access", "userCidrs"))
        lines.append(
            f"{key} covers the whole internet with {opened.label}: the dashboard and the SDK's management port are open to "
            "anyone; list your users' networks instead"
        )
    return lines

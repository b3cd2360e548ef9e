"""Canned GCP answers for the offline plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROJECT_NUMBER = "123456789012"
DEBIAN_12_IMAGE = "projects/debian-cloud/global/images/debian-12-bookworm-v20261101"


def _zones(arguments: Mapping[str, Any]) -> dict[str, Any]:
    region = str(arguments.get("region") or "europe-north1")
    return {"names": [f"{region}-{letter}" for letter in "abc"], "id": region, "region": region, "project": arguments.get("project")}


def _image(arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {"selfLink": f"https://www.googleapis.com/compute/v1/{DEBIAN_12_IMAGE}", "name": DEBIAN_12_IMAGE.rsplit("/", 1)[1], "id": "1234567890", "family": arguments.get("family")}


INVOKES = {
    "gcp:compute/getZones:getZones": _zones,
    "gcp:compute/getImage:getImage": _image,
    "gcp:organizations/getProject:getProject": lambda arguments: {
        "projectId": arguments.get("projectId") or "tdce-offline",
        "number": PROJECT_NUMBER,
        "id": f"projects/{arguments.get('projectId') or 'tdce-offline'}",
        "name": "offline plan",
    },
}


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes GCP computes on create that the program reads back (self links, emails)."""
    if not type_token.startswith("gcp:"):
        return {}
    project = inputs.get("project", "tdce-offline")
    attributes: dict[str, Any] = {"selfLink": f"https://www.googleapis.com/compute/v1/projects/{project}/{name}"}
    if type_token == "gcp:serviceaccount/account:Account":
        account = inputs.get("accountId", name)
        attributes.update(email=f"{account}@{project}.iam.gserviceaccount.com", member=f"serviceAccount:{account}@{project}.iam.gserviceaccount.com")
    if type_token == "gcp:compute/address:Address":
        attributes["address"] = "198.51.100.20"
    if "name" not in inputs:
        attributes["name"] = name
    return attributes

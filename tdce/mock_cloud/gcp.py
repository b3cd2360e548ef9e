"""Canned GCP answers for the offline plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.invoke_tokens import GCP_GET_IMAGE, GCP_GET_PROJECT, GCP_GET_ZONES
from config.resource_types import GCP_PROVIDER, RANDOM_SHUFFLE
from tdce.mock_cloud.aws import first_host

PROJECT_NUMBER = "123456789012"
DEBIAN_12_IMAGE = "projects/debian-cloud/global/images/debian-12-bookworm-v20261101"
DEBIAN_12_ARM64_IMAGE = "projects/debian-cloud/global/images/debian-12-bookworm-arm64-v20261101"
WINDOWS_IMAGE = "projects/windows-cloud/global/images/windows-server-2022-dc-v20261101"
COMPUTE_API = "https://www.googleapis.com/compute/v1"
SERVER_ADDRESS = "198.51.100.20"
PRIVATE_SERVICES_RANGE = "10.99.0.0"
DATABASE_PRIVATE_ADDRESS = "10.99.0.3"
FALLBACK_PROJECT = "tdce-offline"

# The project of the explicit provider the program registered last: resources take their
# project from it, as they do from a real provider, unless they name one themselves.
_provider_project = {"project": FALLBACK_PROJECT}
# Subnetwork ID → its range: an instance's internal address lies in its subnetwork.
_subnetwork_ranges: dict[str, str] = {}


def _zones(arguments: Mapping[str, Any]) -> dict[str, Any]:
    region = str(arguments.get("region") or "europe-north1")
    return {
        "names": [f"{region}-{letter}" for letter in "abc"],
        "id": region,
        "region": region,
        "project": arguments.get("project"),
    }


def _image(arguments: Mapping[str, Any]) -> dict[str, Any]:
    if arguments.get("project") == "windows-cloud":
        image = WINDOWS_IMAGE
    else:
        # The family names the processor: debian-12 is x86_64, debian-12-arm64 is Arm.
        image = DEBIAN_12_ARM64_IMAGE if str(arguments.get("family", "")).endswith("-arm64") else DEBIAN_12_IMAGE
    return {
        "selfLink": f"{COMPUTE_API}/{image}",
        "name": image.rsplit("/", 1)[1],
        "id": "1234567890",
        "family": arguments.get("family"),
    }


INVOKES = {
    GCP_GET_ZONES: _zones,
    GCP_GET_IMAGE: _image,
    GCP_GET_PROJECT: lambda arguments: {
        "projectId": arguments.get("projectId") or FALLBACK_PROJECT,
        "number": PROJECT_NUMBER,
        "id": f"projects/{arguments.get('projectId') or FALLBACK_PROJECT}",
        "name": "offline plan",
    },
}


def computed(type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Attributes GCP computes on create that the program reads back (self links, emails, resource names)."""
    if type_token == GCP_PROVIDER:
        _provider_project["project"] = inputs.get("project") or FALLBACK_PROJECT
        return {}
    if type_token == RANDOM_SHUFFLE:
        # components/gcp/kept.py keeps looked-up values in a shuffle; offline it keeps them in their order.
        values = list(inputs.get("inputs") or [])
        return {"results": values[: int(inputs.get("resultCount") or len(values))]}
    if not type_token.startswith("gcp:"):
        return {}
    project = inputs.get("project") or _provider_project["project"]
    given_name = inputs.get("name") or name
    attributes: dict[str, Any] = {"selfLink": f"{COMPUTE_API}/projects/{project}/{given_name}"}
    attributes.update(_specific(type_token, name, project, inputs))
    if type_token.endswith(":Subnetwork"):
        _subnetwork_ranges[resource_id] = str(inputs.get("ipCidrRange"))
    if "name" not in inputs:
        attributes.setdefault("name", name)
    return attributes


def _specific(type_token: str, name: str, project: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    kind = type_token.rsplit(":", 1)[1]
    if kind == "Account":
        email = f"{inputs.get('accountId', name)}@{project}.iam.gserviceaccount.com"
        return {"email": email, "member": f"serviceAccount:{email}", "name": f"projects/{project}/serviceAccounts/{email}"}
    if kind == "ServiceIdentity":
        service = str(inputs.get("service", "")).split(".", 1)[0]
        email = f"service-{PROJECT_NUMBER}@gcp-sa-{service}.iam.gserviceaccount.com"
        return {"email": email, "member": f"serviceAccount:{email}"}
    if kind == "Instance":
        interfaces = [dict(interface) for interface in inputs.get("networkInterfaces") or []]
        for interface in interfaces:
            interface.setdefault("networkIp", first_host(_subnetwork_ranges.get(str(interface.get("subnetwork")))))
        return {"networkInterfaces": interfaces}
    if kind == "Address":
        if inputs.get("addressType") == "INTERNAL":
            # The first address of its subnetwork, as Instance's networkIp below.
            return {"address": first_host(_subnetwork_ranges.get(str(inputs.get("subnetwork"))))}
        return {"address": SERVER_ADDRESS}
    if kind == "GlobalAddress":
        return {"address": PRIVATE_SERVICES_RANGE}
    if kind == "IAMCustomRole":
        return {"name": f"projects/{project}/roles/{inputs.get('roleId', name)}"}
    if kind == "Secret":
        secret_id = inputs.get("secretId", name)
        return {"secretId": secret_id, "name": f"projects/{PROJECT_NUMBER}/secrets/{secret_id}"}
    if kind == "InstanceTemplate":
        template = f"{inputs.get('namePrefix', name)}offline"
        link = f"{COMPUTE_API}/projects/{project}/global/instanceTemplates/{template}"
        return {"name": template, "selfLink": link, "selfLinkUnique": f"{link}?uniqueId=1234567890"}
    if kind == "DatabaseInstance":
        return {
            "connectionName": f"{project}:{inputs.get('region', 'offline')}:{name}",
            "privateIpAddress": DATABASE_PRIVATE_ADDRESS,
        }
    if kind == "Bucket":
        return {"url": f"gs://{inputs.get('name', name)}"}
    return {}

"""Regions and zones each cloud has, read from the dated list in `cloud_locations.json`.

A region or zone is valid when the list names it: no pattern, so a typo (`eu-west-9`) or a digit
from another script (`eu-west-١`) is refused like any other name the cloud does not have.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from config.data_file import DataFile
from config.suggest import closest

DATA_FILE = DataFile("cloud_locations.json")


def _data() -> dict[str, Any]:
    return DATA_FILE.data


def as_of() -> str:
    return DATA_FILE.as_of()


@cache
def _zone_letters(cloud: str) -> dict[str, tuple[str, ...]]:
    if cloud == "aws":
        return {region: tuple(letters) for regions in _data()["aws"].values() for region, letters in regions.items()}
    return {region: tuple(letters) for region, letters in _data()["gcp"].items()}


def regions(cloud: str) -> tuple[str, ...]:
    return tuple(_zone_letters(cloud))


def is_region(cloud: str, region: str) -> bool:
    return region in _zone_letters(cloud)


def zone_name(cloud: str, region: str, letter: str) -> str:
    # AWS: us-east-2a (AWS Availability Zones page); GCP: europe-north1-a (Compute Engine: Regions and zones).
    return f"{region}{letter}" if cloud == "aws" else f"{region}-{letter}"


def zones(cloud: str, region: str) -> tuple[str, ...]:
    return tuple(zone_name(cloud, region, letter) for letter in _zone_letters(cloud).get(region, ()))


def partition(region: str) -> str | None:
    """The AWS partition (aws, aws-cn, aws-us-gov) a region belongs to; None for no AWS region."""
    for name, members in _data()["aws"].items():
        if region in members:
            return str(name)
    return None


def closest_region(cloud: str, given: str) -> str | None:
    return closest(given, regions(cloud))

"""Worker pools: one auto scaling group (AWS) or managed instance group (GCP) each."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from config.base import Finding, SettingsModel, raise_findings
from config.disks import DiskSettings
from config.identifiers import AWS_IMAGE_ID, PoolName, SecurityGroupId, matches


class WorkerPool(SettingsModel):
    name: PoolName
    os: Literal["linux", "windows"] = "linux"
    instance_type: str = Field(min_length=3)
    image: str | None = None
    desired_count: int = Field(default=0, ge=0)
    min_count: int = Field(default=0, ge=0)
    max_count: int = Field(ge=1, le=10000)
    purchase: Literal["on-demand", "spot"] = "on-demand"
    # Highest hourly price for spot capacity, in USD; empty means up to the on-demand price.
    spot_max_price: Decimal | None = Field(default=None, gt=0)
    # Workers reach the internet through their public IP on AWS (no NAT there); on GCP through Cloud NAT.
    public_ip: bool = True
    disk: DiskSettings
    extra_security_groups: tuple[SecurityGroupId, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)
    # Who sets the number of running workers: the Techila Dashboard (the program then ignores
    # drift of the desired count) or this program.
    capacity_owner: Literal["dashboard", "pulumi"] = "dashboard"

    @model_validator(mode="after")
    def _counts_and_price(self) -> WorkerPool:
        found: list[Finding] = []
        if self.min_count > self.desired_count:
            found.append((("minCount",), f"must be ≤ desiredCount ({self.desired_count}), got {self.min_count}"))
        if self.max_count < self.desired_count:
            found.append((("maxCount",), f"must be ≥ desiredCount ({self.desired_count}), got {self.max_count}"))
        if self.spot_max_price is not None and self.purchase != "spot":
            found.append((("spotMaxPrice",), f"only applies when purchase is 'spot', got purchase {self.purchase!r}"))
        raise_findings(found)
        return self

    def findings_for(self, cloud: str) -> list[Finding]:
        found: list[Finding] = []
        if cloud == "aws":
            if self.image is not None and not matches(AWS_IMAGE_ID, self.image):
                found.append((("image",), f"must be an AMI ID such as 'ami-0123456789abcdef0', got {self.image!r}"))
        else:
            if self.extra_security_groups:
                found.append((("extraSecurityGroups",), "is AWS only: on GCP firewall rules target service accounts"))
            if self.spot_max_price is not None:
                found.append((("spotMaxPrice",), "is AWS only: GCP Spot VMs have no price cap; remove it"))
        return found

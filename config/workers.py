"""Worker pools: one auto scaling group (AWS) or managed instance group (GCP) each."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config import compute_types
from config.base import Finding, SettingsModel, Switch, raise_findings
from config.disks import DiskSettings
from config.identifiers import AWS_IMAGE_ID, PoolName, SecurityGroupId, matches

# "Amazon VPC quotas", Security groups: 5 security groups per network interface (the default).
# A worker's interface carries the deployment's worker group, which leaves 4 for extraSecurityGroups.
AWS_SECURITY_GROUPS_PER_INTERFACE = 5
MAX_EXTRA_SECURITY_GROUPS = AWS_SECURITY_GROUPS_PER_INTERFACE - 1
# Method: regionInstanceGroupManagers.insert: "A regional managed instance group can contain up to
# 2000 instances." Each GCP pool is one regional group. AWS documents no size limit for an Auto
# Scaling group (its quotas are per account and region), so the project's own bound stays.
MAX_COUNT = 10000
GCP_MAX_COUNT = 2000
# A deployment's worker fleet is a handful of pools (operating system x purchase option x size).
# Fifty keeps a plan to a few hundred resources and leaves most of the default quota of 500 Auto
# Scaling groups per region ("Quotas for Auto Scaling resources and groups"), which every stack of
# the account shares, to the server's own dashboard-started groups and to other deployments.
MAX_WORKER_POOLS = 50


class WorkerPool(SettingsModel):
    name: PoolName
    os: Literal["linux", "windows"] = "linux"
    instance_type: str = Field(min_length=3)
    image: str | None = None
    desired_count: int = Field(default=0, ge=0)
    min_count: int = Field(default=0, ge=0)
    max_count: int = Field(ge=1, le=MAX_COUNT)
    purchase: Literal["on-demand", "spot"] = "on-demand"
    # Highest hourly price for spot capacity, in USD; empty means up to the on-demand price.
    spot_max_price: Decimal | None = Field(default=None, gt=0)
    # Workers reach the internet through their public IP on AWS (no NAT there); on GCP through Cloud NAT.
    public_ip: Switch = True
    disk: DiskSettings
    extra_security_groups: tuple[SecurityGroupId, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)
    # Who sets the number of running workers: the Techila Dashboard (the program then ignores
    # drift of the desired count) or this program.
    capacity_owner: Literal["dashboard", "pulumi"] = "dashboard"

    @field_validator("extra_security_groups")
    @classmethod
    def _fits_one_interface(cls, groups: tuple[str, ...]) -> tuple[str, ...]:
        if len(groups) > MAX_EXTRA_SECURITY_GROUPS:
            raise ValueError(
                f"must list at most {MAX_EXTRA_SECURITY_GROUPS}: a network interface takes {AWS_SECURITY_GROUPS_PER_INTERFACE} "
                f"security groups (Amazon VPC quotas) and the worker group is one, got {len(groups)}"
            )
        for index, group in enumerate(groups):
            if group in groups[:index]:
                raise ValueError(f"lists {group} twice (items {groups.index(group)} and {index})")
        return groups

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
        found: list[Finding] = [(("instanceType",), why) for why in compute_types.problems(cloud, self.instance_type, self.os)]
        if cloud == "gcp" and self.max_count > GCP_MAX_COUNT:
            why = f"must be ≤ {GCP_MAX_COUNT} on gcp: a regional managed instance group holds at most {GCP_MAX_COUNT} VMs"
            found.append((("maxCount",), f"{why}, got {self.max_count}"))
        if cloud == "aws":
            if self.image is not None and not matches(AWS_IMAGE_ID, self.image):
                found.append((("image",), f"must be an AMI ID such as 'ami-0123456789abcdef0', got {self.image!r}"))
        else:
            if self.extra_security_groups:
                found.append((("extraSecurityGroups",), "is AWS only: on GCP firewall rules target service accounts"))
            if self.spot_max_price is not None:
                found.append((("spotMaxPrice",), "is AWS only: GCP Spot VMs have no price cap; remove it"))
            if self.capacity_owner == "dashboard":
                # On GCP a pool the dashboard sizes is only a template it starts instances from: no group
                # holds a count (docs/dashboard-permissions-gcp.md), so a count here would do nothing.
                why = "has no effect on gcp with capacityOwner 'dashboard': the dashboard starts this pool's workers"
                for key, count in (("desiredCount", self.desired_count), ("minCount", self.min_count)):
                    if count:
                        found.append(((key,), f"{why}; remove it, or set capacityOwner 'pulumi', got {count}"))
        return found

    def architecture(self, cloud: str) -> str:
        """The processor architecture the pool's image must be built for."""
        return compute_types.architecture(cloud, self.instance_type)

"""The few Compute Engine, Service Usage and Cloud SQL calls the GCP operations make, behind one thin interface.

`GoogleCompute` and `GoogleServices` make them with Google's client libraries (google-cloud-compute,
google-cloud-service-usage), `CloudSql` over REST (tdce/ops/gcp_cloud_sql.py); the tests give the
operations fakes built from the same message types (`google.cloud.compute_v1.Instance`, …).
Every list is of one project; zonal and regional resources come from the aggregated lists, so nothing
in another zone or region of the project is missed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Protocol

# Google's libraries warn at import about Python versions they will drop in a year; not the user's concern here.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"google\..*")

from google.api_core import exceptions as google_errors  # noqa: E402
from google.cloud import compute_v1, service_usage_v1  # noqa: E402

from tdce.ops.gcp_cloud_sql import CloudSql  # noqa: E402

# Seconds to wait for one delete to finish before reporting it as still running.
OPERATION_TIMEOUT = 600

GoogleError = google_errors.GoogleAPIError
NotFound = google_errors.NotFound


class Compute(Protocol):
    """What `tdce teardown` and `tdce preflight` ask of Compute Engine in one project."""

    project: str

    def instances(self, name_prefix: str) -> Sequence[compute_v1.Instance]: ...
    def disks(self, name_prefix: str) -> Sequence[compute_v1.Disk]: ...
    def images(self, name_prefix: str) -> Sequence[compute_v1.Image]: ...
    def instance_templates(self, name_prefix: str) -> Sequence[compute_v1.InstanceTemplate]: ...
    def instance_group_managers(self, name_prefix: str) -> Sequence[compute_v1.InstanceGroupManager]: ...
    def delete_instance(self, zone: str, name: str) -> None: ...
    def delete_disk(self, zone: str, name: str) -> None: ...
    def delete_image(self, name: str) -> None: ...
    def delete_instance_template(self, name: str) -> None: ...
    def delete_instance_group_manager(self, location: str, name: str) -> None: ...
    def region(self, region: str) -> compute_v1.Region: ...
    def snapshot(self, name: str) -> compute_v1.Snapshot: ...


class Services(Protocol):
    def enabled(self) -> set[str]: ...


def last_part(url: str) -> str:
    """`zones/europe-north1-a` or a full URL: the last path segment."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def _prefix_filter(name_prefix: str) -> str:
    # Compute Engine list filters: `name eq REGEX` matches the whole name against an RE2 expression
    # (the `filter` parameter of instances.aggregatedList and the other lists).
    return f'name eq "{name_prefix}.*"'


class GoogleCompute:
    def __init__(self, project: str):
        self.project = project
        self._instances = compute_v1.InstancesClient()
        self._disks = compute_v1.DisksClient()
        self._images = compute_v1.ImagesClient()
        self._templates = compute_v1.InstanceTemplatesClient()
        self._zonal_groups = compute_v1.InstanceGroupManagersClient()
        self._regional_groups = compute_v1.RegionInstanceGroupManagersClient()
        self._regions = compute_v1.RegionsClient()
        self._snapshots = compute_v1.SnapshotsClient()

    def _aggregated(self, client, name_prefix: str, field: str) -> list:
        found = []
        pages = client.aggregated_list(request={"project": self.project, "filter": _prefix_filter(name_prefix)})
        for _scope, scoped in pages:
            found += list(getattr(scoped, field))
        return found

    def instances(self, name_prefix: str) -> list[compute_v1.Instance]:
        return self._aggregated(self._instances, name_prefix, "instances")

    def disks(self, name_prefix: str) -> list[compute_v1.Disk]:
        return self._aggregated(self._disks, name_prefix, "disks")

    def images(self, name_prefix: str) -> list[compute_v1.Image]:
        return list(self._images.list(request={"project": self.project, "filter": _prefix_filter(name_prefix)}))

    def instance_templates(self, name_prefix: str) -> list[compute_v1.InstanceTemplate]:
        return list(self._templates.list(request={"project": self.project, "filter": _prefix_filter(name_prefix)}))

    def instance_group_managers(self, name_prefix: str) -> list[compute_v1.InstanceGroupManager]:
        return self._aggregated(self._zonal_groups, name_prefix, "instance_group_managers")

    def delete_instance(self, zone: str, name: str) -> None:
        self._instances.delete(project=self.project, zone=zone, instance=name).result(timeout=OPERATION_TIMEOUT)

    def delete_disk(self, zone: str, name: str) -> None:
        self._disks.delete(project=self.project, zone=zone, disk=name).result(timeout=OPERATION_TIMEOUT)

    def delete_image(self, name: str) -> None:
        self._images.delete(project=self.project, image=name).result(timeout=OPERATION_TIMEOUT)

    def delete_instance_template(self, name: str) -> None:
        self._templates.delete(project=self.project, instance_template=name).result(timeout=OPERATION_TIMEOUT)

    def delete_instance_group_manager(self, location: str, name: str) -> None:
        # The aggregated list holds zonal and regional groups; a location with two dashes is a zone.
        if location.count("-") >= 2:
            operation = self._zonal_groups.delete(project=self.project, zone=location, instance_group_manager=name)
        else:
            operation = self._regional_groups.delete(project=self.project, region=location, instance_group_manager=name)
        operation.result(timeout=OPERATION_TIMEOUT)

    def region(self, region: str) -> compute_v1.Region:
        return self._regions.get(project=self.project, region=region)

    def snapshot(self, name: str) -> compute_v1.Snapshot:
        return self._snapshots.get(project=self.project, snapshot=name)


class GoogleServices:
    def __init__(self, project: str):
        self.project = project
        self._client = service_usage_v1.ServiceUsageClient()

    def enabled(self) -> set[str]:
        # services.list with filter state:ENABLED; each service's name is projects/N/services/NAME.
        request = {"parent": f"projects/{self.project}", "filter": "state:ENABLED", "page_size": 200}
        return {last_part(service.name) for service in self._client.list_services(request=request)}


class GcpClients:
    """The clients of one stack's project and region; `compute` and `services` are replaced by fakes in the
    tests, and Cloud SQL's HTTP session by one that answers as the API does."""

    def __init__(
        self,
        project: str,
        region: str,
        compute: Compute | None = None,
        services: Services | None = None,
        sql: CloudSql | None = None,
    ):
        self.project = project
        self.region = region
        self.compute: Compute = compute if compute is not None else GoogleCompute(project)
        self.services: Services = services if services is not None else GoogleServices(project)
        self.sql = sql if sql is not None else CloudSql(project)

"""`tdce preflight` on GCP: the Cloud SQL instance a restore clones, asked over the Cloud SQL Admin API's REST
methods through a session that answers as the API does (its documented JSON, its HTTP errors)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import requests

from tdce.ops.gcp_clients import GcpClients
from tdce.ops.gcp_cloud_sql import CloudSql, timestamp
from tdce.ops.gcp_preflight import CLONE_KEY, PITR_KEY, run_gcp_preflight
from tdce.ops.report import Status
from tests.gcp_fakes import FakeCompute, FakeServices
from tests.support import DELETE, settings_of, stack_values, with_setting
from tests.test_ops_gcp_preflight import ON, PROJECT, ROOMY, region

SOURCE = "tdce-old-db"
INSTANCE_URL = f"https://sqladmin.googleapis.com/v1/projects/{PROJECT}/instances/{SOURCE}"


def instance(version: str = "POSTGRES_16", pitr: bool = True, region: str = "europe-north1") -> dict:
    # The instances resource, the fields read here (Cloud SQL Admin API v1, DatabaseInstance).
    return {
        "kind": "sql#instance",
        "name": SOURCE,
        "state": "RUNNABLE",
        "region": region,
        "databaseVersion": version,
        "settings": {"backupConfiguration": {"enabled": True, "pointInTimeRecoveryEnabled": pitr}},
    }


# getLatestRecoveryTime's answer: Z-normalized, here with 9 and 3 fractional digits.
WINDOW = {
    "kind": "sql#getLatestRecoveryTime",
    "latestRecoveryTime": "2026-11-30T12:00:00.123456789Z",
    "earliestRecoveryTime": "2026-11-23T12:00:00.000Z",
}


class Api:
    """A requests session that answers the GETs the Cloud SQL Admin API would."""

    def __init__(self, answers: dict[str, tuple[int, dict]]):
        self.answers = answers
        self.asked: list[str] = []

    def get(self, url: str, timeout: float) -> requests.Response:
        self.asked.append(url)
        status, body = self.answers.get(url, (404, {"error": {"code": 404, "message": "The Cloud SQL instance does not exist."}}))
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.request = requests.Request("GET", url).prepare()
        return response


def clone_check(api: Api, moment: str | None = None, source: str | None = SOURCE, enabled=ON | {"sqladmin.googleapis.com"}):
    values, secret_keys = stack_values("gcp-prod")
    if source is not None:
        values = with_setting(values, "restore.cloudsqlSourceInstance", source)
    values = with_setting(values, "restore.cloudsqlPointInTime", moment if moment else DELETE)
    compute = FakeCompute(PROJECT)
    compute.regions["europe-north1"] = region(ROOMY)
    clients = GcpClients(PROJECT, "europe-north1", compute=compute, services=FakeServices(enabled), sql=CloudSql(PROJECT, api))
    (check,) = [c for c in run_gcp_preflight(settings_of(values, secret_keys), clients) if c.name in (CLONE_KEY, PITR_KEY)]
    return check


def test_a_postgres_source_cloned_as_it_is_passes_and_names_its_version_and_region():
    api = Api({INSTANCE_URL: (200, instance())})
    check = clone_check(api)
    assert check.status is Status.PASS and check.name == CLONE_KEY
    assert "POSTGRES_16" in check.detail and "RUNNABLE" in check.detail and "europe-north1" in check.detail
    assert api.asked == [INSTANCE_URL]


def test_a_source_that_is_not_an_instance_of_the_project_fails():
    check = clone_check(Api({}))
    assert check.status is Status.FAIL and f"{SOURCE} is not a Cloud SQL instance of project {PROJECT}" in check.detail


def test_a_source_in_another_region_than_the_stack_fails_before_a_clone_is_made_there():
    # gcp-prod's tdce:region is europe-north1; the clone would land in europe-west1, its source's.
    check = clone_check(Api({INSTANCE_URL: (200, instance(region="europe-west1"))}))
    assert check.status is Status.FAIL and check.name == CLONE_KEY
    assert f"{SOURCE} is in europe-west1, not tdce:region (europe-north1)" in check.detail
    assert "replace the restored database" in check.detail


def test_a_source_that_is_not_postgres_fails():
    check = clone_check(Api({INSTANCE_URL: (200, instance(version="MYSQL_8_0"))}))
    assert check.status is Status.FAIL and "MYSQL_8_0" in check.detail and "PostgreSQL" in check.detail


def test_with_the_cloud_sql_api_off_the_source_cannot_exist_and_nothing_is_asked():
    api = Api({INSTANCE_URL: (200, instance())})
    check = clone_check(api, enabled=ON)
    assert check.status is Status.FAIL and "sqladmin.googleapis.com is off" in check.detail
    assert api.asked == []


def test_a_refused_call_fails_the_check_with_google_s_reason():
    api = Api({INSTANCE_URL: (403, {"error": {"code": 403, "message": "The client is not authorized to make this request."}})})
    check = clone_check(api)
    assert check.status is Status.FAIL and "Forbidden" in check.detail and "not authorized" in check.detail


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-25T08:00:00Z", Status.PASS),
        ("2026-11-30T12:00:00Z", Status.PASS),  # the latest recovery time itself (its nanoseconds dropped)
        ("2026-11-30T13:00:00+01:00", Status.PASS),  # 12:00 UTC
        ("2026-11-30T12:00:01Z", Status.FAIL),
        ("2026-11-30T13:00:01+01:00", Status.FAIL),
        ("2026-11-23T11:59:59Z", Status.FAIL),
    ],
    ids=["inside", "the latest", "the latest at an offset", "after the latest", "after it at an offset", "before the earliest"],
)
def test_a_point_in_time_must_lie_in_the_source_s_recovery_window(moment, expected):
    api = Api({INSTANCE_URL: (200, instance()), f"{INSTANCE_URL}/getLatestRecoveryTime": (200, WINDOW)})
    check = clone_check(api, moment=moment)
    assert check.name == PITR_KEY and check.status is expected, check.detail
    if expected is Status.FAIL:
        assert "outside" in check.detail and "2026-11-23T12:00:00+00:00" in check.detail


def test_a_point_in_time_from_a_source_without_point_in_time_recovery_fails():
    api = Api({INSTANCE_URL: (200, instance(pitr=False))})
    check = clone_check(api, moment="2026-11-25T08:00:00Z")
    assert check.status is Status.FAIL and check.name == PITR_KEY and "point-in-time recovery off" in check.detail
    assert api.asked == [INSTANCE_URL]


def test_no_clone_set_skips_the_check():
    assert clone_check(Api({}), source=None).status is Status.SKIPPED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30T12:00:00Z", datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)),
        ("2026-11-30T12:00:00.123Z", datetime(2026, 11, 30, 12, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-30T12:00:00.123456789Z", datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-30T14:00:00+02:00", datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)),
    ],
)
def test_the_api_s_rfc_3339_times_are_read_with_up_to_nine_fractional_digits(text, expected):
    assert timestamp(text) == expected

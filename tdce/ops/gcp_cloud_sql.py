"""The two Cloud SQL Admin API calls `tdce preflight` makes about a clone's source, over REST.

Google's own Python client for the API (google-cloud-sql) needs protobuf 6, which pulumi-policy
does not allow yet (pyproject.toml), so the calls go through google-auth's authorized session, with
the credentials the other Google clients use, to the API's documented v1 REST methods:
`GET /v1/projects/{project}/instances/{instance}` (instances.get) and
`GET …/instances/{instance}/getLatestRecoveryTime` (latestRecoveryTime, earliestRecoveryTime). An
error answer becomes the same `google.api_core` exception the other clients raise (NotFound for 404).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Protocol

from google.api_core import exceptions as google_errors

API = "https://sqladmin.googleapis.com/v1"
# Read-only calls: the API's narrower scope (Cloud SQL Admin API, "Authorization scopes").
SCOPES = ("https://www.googleapis.com/auth/sqlservice.admin",)
TIMEOUT_SECONDS = 30
# RFC 3339 as the API writes it: Z-normalized, with 0, 3, 6 or 9 fractional digits. Python 3.11's
# fromisoformat takes at most 6, so the rest are dropped (nanoseconds do not matter here).
_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)")


class Session(Protocol):
    def get(self, url: str, timeout: float) -> Any: ...


class CloudSql:
    """One project's Cloud SQL instances, read-only."""

    def __init__(self, project: str, session: Session | None = None):
        self.project = project
        self._session = session

    def instance(self, name: str) -> dict[str, Any]:
        """The instance resource (state, databaseVersion, region, settings.backupConfiguration…)."""
        return self._get(f"{API}/projects/{self.project}/instances/{name}")

    def recovery_window(self, name: str) -> tuple[datetime | None, datetime]:
        """The earliest and latest times a point-in-time clone of the instance can ask for."""
        found = self._get(f"{API}/projects/{self.project}/instances/{name}/getLatestRecoveryTime")
        earliest = found.get("earliestRecoveryTime")
        return (timestamp(earliest) if earliest else None), timestamp(found["latestRecoveryTime"])

    def _get(self, url: str) -> dict[str, Any]:
        response = self._authorized().get(url, timeout=TIMEOUT_SECONDS)
        if response.status_code >= 400:
            raise google_errors.from_http_response(response)
        return response.json()

    def _authorized(self) -> Session:
        # Made on first use: teardown and the tests of other checks never ask Cloud SQL anything.
        if self._session is None:
            import google.auth
            from google.auth.transport.requests import AuthorizedSession

            credentials, _ = google.auth.default(scopes=SCOPES)
            self._session = AuthorizedSession(credentials)
        return self._session


def timestamp(text: str) -> datetime:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    seconds, fraction, zone = match.groups()
    fraction = f".{(fraction or '0')[:6]}"
    return datetime.fromisoformat(f"{seconds}{fraction}{'+00:00' if zone == 'Z' else zone}").astimezone(UTC)

"""boto3 clients for one stack's region, made once each and shared by the checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# Fail within seconds when an endpoint does not answer, instead of botocore's minute-long defaults.
_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})


class AwsClients:
    def __init__(self, region: str, session: boto3.Session | None = None):
        self.region = region
        self._session = session or boto3.Session(region_name=region)
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, region_name=self.region, config=_CONFIG)
        return self._clients[service]


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_text(error: Exception) -> str:
    """One line for a table cell: AWS's code and message, without botocore's 'An error occurred' preamble."""
    if isinstance(error, ClientError):
        body = error.response.get("Error", {})
        return f"{body.get('Code', 'error')}: {body.get('Message') or 'no message'}"
    return str(error)


def listed(operation: Callable[..., dict[str, Any]], result_key: str, not_found_code: str, **params: Any) -> list[dict[str, Any]]:
    """The items a describe call returns, or none when AWS answers that the named item does not exist."""
    try:
        return list(operation(**params)[result_key])
    except ClientError as error:
        if error_code(error) != not_found_code:
            raise
        return []

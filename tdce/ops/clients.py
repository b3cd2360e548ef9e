"""boto3 clients for one stack's region, made once each and shared by the checks; and what to say when AWS can't be used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

# Fail within seconds when an endpoint does not answer, instead of botocore's minute-long defaults.
_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})

# The ways of giving boto3 credentials, from the AWS CLI's "Configuration and credential file
# settings" and "Configuring IAM Identity Center authentication" pages.
HOW_TO_SET_CREDENTIALS = (
    "set them with one of: `export AWS_PROFILE=NAME` (a profile in ~/.aws/config), "
    "`aws configure` (access keys), `aws sso login --profile NAME` (IAM Identity Center), "
    "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
)
NO_CREDENTIALS = f"no AWS credentials found, so AWS was not asked; {HOW_TO_SET_CREDENTIALS}"

# Codes AWS answers with when it does not accept the credentials themselves (STS, EC2, RDS).
_CREDENTIALS_REFUSED = {
    "AuthFailure",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
}
# Raised when no answer came back at all: the network, a proxy, or a wrong AWS_ENDPOINT_URL.
UNREACHABLE = (EndpointConnectionError, ReadTimeoutError, ConnectionClosedError)


class AwsClients:
    def __init__(self, region: str, session: boto3.Session | None = None):
        self.region = region
        self._session = session or boto3.Session(region_name=region)
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, region_name=self.region, config=_CONFIG)
        return self._clients[service]

    def has_credentials(self) -> bool:
        """Whether boto3's credential chain finds any, without a call to AWS."""
        return self._session.get_credentials() is not None


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_text(error: Exception) -> str:
    """One line for a table cell or a message: what went wrong, without botocore's 'An error occurred' preamble.

    Only a ClientError is an answer from AWS; no credentials and no connection are said as such.
    """
    if isinstance(error, ClientError):
        body = error.response.get("Error", {})
        text = f"{body.get('Code', 'error')}: {body.get('Message') or 'no message'}"
        if error_code(error) in _CREDENTIALS_REFUSED:
            return f"{text} (AWS refused the credentials; {HOW_TO_SET_CREDENTIALS})"
        return text
    if isinstance(error, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(error, UNREACHABLE):
        return f"could not reach AWS ({error}); check the network, any proxy (HTTPS_PROXY) and AWS_ENDPOINT_URL"
    return str(error)


def failure_text(error: Exception) -> str:
    """A failed call as a command says it: AWS's answer as `AWS refused: …`, or why there was no answer."""
    return f"AWS refused: {error_text(error)}" if isinstance(error, ClientError) else error_text(error)


def listed(operation: Callable[..., dict[str, Any]], result_key: str, not_found_code: str, **params: Any) -> list[dict[str, Any]]:
    """The items a describe call returns, or none when AWS answers that the named item does not exist."""
    try:
        return list(operation(**params)[result_key])
    except ClientError as error:
        if error_code(error) != not_found_code:
            raise
        return []

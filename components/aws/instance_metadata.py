"""How every instance of the deployment answers metadata requests."""

from __future__ import annotations

# IMDSv2 only: a request needs a session token, which a forged request through a web app cannot get.
# Every instance (the server and each launch template) uses it.
METADATA_OPTIONS = {"http_endpoint": "enabled", "http_tokens": "required"}

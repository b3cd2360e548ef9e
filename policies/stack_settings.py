"""The stack under analysis, resolved from the config the Pulumi CLI hands the pack.

The CLI starts a policy pack with the stack's config in `PULUMI_CONFIG` (secrets decrypted)
and the stack's name in `PULUMI_STACK`; the pack resolves it with the same code as the
program (`config/resolved.py`), so the port rules expect exactly the rule specs the
components were built from. Without a readable config (another project, a broken config)
the rules fall back to what the channel matrix alone says.
"""

from __future__ import annotations

import json
import os

from config.errors import ConfigError
from config.loader import NAMESPACE
from config.resolved import ResolvedStack, resolve


def stack_resolved() -> ResolvedStack | None:
    return _resolved(
        os.environ.get("PULUMI_STACK", ""),
        os.environ.get("PULUMI_CONFIG", ""),
        os.environ.get("PULUMI_CONFIG_SECRET_KEYS", ""),
    )


def _resolved(stack: str, config_json: str, secret_keys_json: str) -> ResolvedStack | None:
    try:
        values = json.loads(config_json) if config_json else {}
        secret_keys = json.loads(secret_keys_json) if secret_keys_json else []
    except ValueError:
        return None
    if not isinstance(values, dict) or not any(str(key).startswith(f"{NAMESPACE}:") for key in values):
        return None
    try:
        # `resolve` keeps what it made, so the pack resolves the stack once, not once per resource.
        return resolve(stack, {str(k): str(v) for k, v in values.items()}, [str(k) for k in secret_keys])
    except ConfigError:
        return None

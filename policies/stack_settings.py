"""The settings of the stack under analysis, from the config the Pulumi CLI hands the pack.

The CLI starts a policy pack with the stack's config in `PULUMI_CONFIG` (secrets decrypted)
and the secret keys in `PULUMI_CONFIG_SECRET_KEYS`, the same way it starts a program; the
offline run does the same. With them the port rules know which optional channels this stack
opens and from which CIDRs. Without them (another project, a broken config) the rules fall
back to what the channel matrix alone says.
"""

from __future__ import annotations

import json
import os
from functools import cache

from config.errors import ConfigError
from config.loader import NAMESPACE, settings_from_config
from config.settings import Settings


def stack_settings() -> Settings | None:
    return _settings(os.environ.get("PULUMI_CONFIG", ""), os.environ.get("PULUMI_CONFIG_SECRET_KEYS", ""))


@cache
def _settings(config_json: str, secret_keys_json: str) -> Settings | None:
    try:
        values = json.loads(config_json) if config_json else {}
        secret_keys = json.loads(secret_keys_json) if secret_keys_json else []
    except ValueError:
        return None
    if not any(str(key).startswith(f"{NAMESPACE}:") for key in values):
        return None
    try:
        return settings_from_config(values, secret_keys)
    except ConfigError:
        return None

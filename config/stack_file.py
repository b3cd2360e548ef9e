"""Read `config/Pulumi.<stack>.yaml` the way the Pulumi CLI hands it to a program, without decrypting.

The CLI passes every key as a string: scalars as text (`true`, `1024`), objects and lists
as JSON. Encrypted `secure:` values cannot be decrypted here (no Pulumi CLI, no secrets
provider), so they are replaced by a placeholder and their keys marked secret; the offline
plan shows them as `[secret]`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from config.errors import ConfigError, Problem

CONFIG_DIR = Path(__file__).resolve().parent
# Letters and digits only, so it passes the password rules; never a real secret.
SECRET_PLACEHOLDER = "OfflinePlanPlaceholder0"


@dataclass(frozen=True)
class StackConfig:
    stack: str
    path: Path
    values: dict[str, str]
    secret_keys: frozenset[str]


def stack_file_path(stack: str, config_dir: Path = CONFIG_DIR) -> Path:
    return config_dir / f"Pulumi.{stack}.yaml"


def read_stack_config(stack: str, config_dir: Path = CONFIG_DIR) -> StackConfig:
    path = stack_file_path(stack, config_dir)
    if not path.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in config_dir.glob("Pulumi.*.yaml"))
        raise ConfigError([Problem(f"stack {stack}", f"no stack file {path}; stacks here: {', '.join(known) or 'none'}")])
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(str(path), f"is not valid YAML ({exc})".replace("\n", " "))]) from None
    entries = document.get("config") or {}
    if not isinstance(entries, dict):
        raise ConfigError([Problem(str(path), "`config:` must be a mapping of keys to values")])
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    problems: list[Problem] = []
    for key, value in entries.items():
        if ":" not in str(key):
            problems.append(Problem(str(key), "config keys need a namespace, such as tdce:" + str(key)))
            continue
        plain, secret = _without_ciphertext(value)
        values[str(key)] = _as_pulumi_string(plain)
        if secret:
            secret_keys.add(str(key))
    if problems:
        raise ConfigError(problems)
    return StackConfig(stack=stack, path=path, values=values, secret_keys=frozenset(secret_keys))


def _without_ciphertext(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {k: _without_ciphertext(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_without_ciphertext(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _as_pulumi_string(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)

"""A stack resolved once per process: its settings, its open channels and its firewall rules.

The program, the offline planner, the report and the plan JSON all take this one object;
the policy pack, which runs in a process of its own under the Pulumi CLI, resolves the same
way from the config it is handed. Resolving validates the settings, so a bad config stops
here, before anything is registered.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from config.channels import Direction
from config.errors import ConfigError
from config.exposure import OpenChannel, channels_for
from config.loader import settings_from_config
from config.rules import RuleSpec, rule_specs
from config.settings import Settings
from config.stack_file import CONFIG_DIR, read_stack_config
from config.stack_images import dashboard_image_problems


@dataclass(frozen=True)
class ResolvedStack:
    stack: str
    # The config as the Pulumi CLI hands it to a program: `namespace:key` to string.
    values: Mapping[str, str]
    secret_keys: frozenset[str]
    settings: Settings
    channels: tuple[OpenChannel, ...]
    rules: tuple[RuleSpec, ...]

    @property
    def cloud(self) -> str:
        return self.settings.cloud

    def rules_of(self, direction: Direction) -> tuple[RuleSpec, ...]:
        return tuple(rule for rule in self.rules if rule.direction is direction)


def resolve(stack: str, values: Mapping[str, str], secret_keys: Collection[str] = ()) -> ResolvedStack:
    """Validate and derive once: the same stack and config give the same object for the life of the process."""
    return _resolved(stack, tuple(sorted((str(k), str(v)) for k, v in values.items())), frozenset(secret_keys))


def resolve_stack_file(stack: str, config_dir: Path = CONFIG_DIR) -> ResolvedStack:
    config = read_stack_config(stack, config_dir)
    return resolve(stack, config.values, config.secret_keys)


@lru_cache(maxsize=32)
def _resolved(stack: str, items: tuple[tuple[str, str], ...], secret_keys: frozenset[str]) -> ResolvedStack:
    values = dict(items)
    settings = settings_from_config(values, secret_keys)
    problems = dashboard_image_problems(stack, settings)
    if problems:
        raise ConfigError(problems)
    channels = channels_for(settings)
    return ResolvedStack(
        stack=stack,
        values=values,
        secret_keys=secret_keys,
        settings=settings,
        channels=channels,
        rules=rule_specs(settings, channels),
    )

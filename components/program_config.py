"""The running program's stack, resolved from the config the Pulumi CLI (or the offline planner) hands it."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from config.errors import ConfigError
from config.resolved import ResolvedStack, resolve


def resolved_from_pulumi() -> ResolvedStack:
    """The stack this program deploys. A bad config stops here, before any resource is registered.

    Under `tdce plan` the planner resolved the same config already, so this is a cache hit.
    """
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    env_secrets = set(runtime_config.get_config_secret_keys_env())
    secret = {key for key in values if key in env_secrets or runtime_config.is_config_secret(key)}
    try:
        return resolve(pulumi.get_stack(), values, secret)
    except ConfigError as error:
        raise StackConfigRefused(error) from None


class StackConfigRefused(pulumi.RunError):
    """A bad stack config inside the program. A RunError: the Pulumi CLI prints its message alone, one line per problem."""

    def __init__(self, error: ConfigError):
        self.config_error = error
        super().__init__(str(error))

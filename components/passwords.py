"""Passwords the stack keeps: the one the settings give, or one it generates; a Pulumi secret either way."""

from __future__ import annotations

import pulumi
import pulumi_random as random
from pydantic import SecretStr

# Letters and digits only: the vendor forbids punctuation in passwords (001_ec271c3ff40761d0.txt 3.1 step 10).
GENERATED_LENGTH = 32


def given_or_generated(name: str, *, given: SecretStr | None, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """`given` (a `--secret` setting) when set, else a generated password registered as `name`."""
    if given is not None:
        return pulumi.Output.secret(given.get_secret_value())
    return random.RandomPassword(name, length=GENERATED_LENGTH, special=False, opts=opts).result

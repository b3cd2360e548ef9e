"""Values looked up once, on the first `up`, and kept from then on: the zones and the default images.

A lookup answers differently over time (Google publishes a new Debian image every few weeks; a
region gains a zone), and a changed answer must not move the server's disk, replace worker templates
or shift the groups' zones. pulumi-time is not on the package index this project reaches, so the value
is kept in the state of a `random.RandomShuffle`: the lookup is its `inputs`, which the resource
ignores after it is created (`ignoreChanges`), so its `results` stay what the first lookup answered.
`keepers` name what the value is for (the region, the image family): when they change, the shuffle is
replaced and the new lookup is kept instead. With as many results as inputs a shuffle only reorders,
and the results are sorted back.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_random as random


def kept_values(
    name: str, looked_up: pulumi.Input[list[str]], *, count: int, keepers: Mapping[str, str], parent: pulumi.Resource
) -> pulumi.Output[list[str]]:
    """The first `count` of the sorted lookup as it was on the first `up` (or since `keepers` last changed)."""
    first = pulumi.Output.from_input(looked_up).apply(lambda values: sorted(values)[:count])
    store = random.RandomShuffle(
        name,
        inputs=first,
        keepers=dict(keepers),
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["inputs"]),
    )
    return store.results.apply(sorted)


def kept_value(
    name: str, looked_up: pulumi.Input[str], *, keepers: Mapping[str, str], parent: pulumi.Resource
) -> pulumi.Output[str]:
    return kept_values(
        name, pulumi.Output.from_input(looked_up).apply(lambda value: [value]), count=1, keepers=keepers, parent=parent
    ).apply(lambda values: values[0])

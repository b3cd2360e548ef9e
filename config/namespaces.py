"""Config keys outside `tdce:` that would mislead: typos of the namespace, and provider defaults that contradict it.

The program reads only `tdce:` keys, and Pulumi namespaces are exact and case-sensitive, so
`tcde:bucket` or `TDCE:cloud` is silently never read. Keys of every other namespace (`aws:`,
`gcp:`, `pulumi:`, …) are the providers' and the engine's business and pass untouched, unless
they are one edit away from `tdce` (a transposition, a missing, extra or wrong letter), differ
from it only in case, or are `tdce` joined to a setting by `.`, `/` or `_` (`tdce.cloud`).

Both deployments build their cloud's provider explicitly from the settings
(components/aws/deployment.py: `aws.Provider(region=settings.region)`; components/gcp/deployment.py:
`gcp.Provider(project=…, region=…)`), so the provider defaults `aws:region`, `gcp:project` and
`gcp:region` place nothing. One that differs from its `tdce:` setting means the user expects one
place and gets another: refused, naming both keys.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from config.errors import Problem, shown
from config.suggest import closest

NAMESPACE = "tdce"
_JOINERS = "./_"
# The cloud's provider default and the tdce: setting the deployment uses instead.
PROVIDER_DEFAULTS: dict[str, tuple[tuple[str, str], ...]] = {
    "aws": (("aws:region", "region"),),
    "gcp": (("gcp:project", "project"), ("gcp:region", "region")),
}


def _within_one_edit(word: str, target: str) -> bool:
    """Optimal-string-alignment distance at most 1: one insertion, deletion, substitution or adjacent swap."""
    if word == target:
        return True
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == target[diffs[1]]
            and word[diffs[1]] == target[diffs[0]]
        )
    shorter, longer = sorted((word, target), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def looks_like_namespace(word: str) -> bool:
    return _within_one_edit(word.lower(), NAMESPACE)


def _joined_setting(word: str) -> str | None:
    """`tdce.cloud` → `cloud`: a setting joined to the namespace by something other than a colon."""
    for joiner in _JOINERS:
        head, found, rest = word.partition(joiner)
        if found and rest and looks_like_namespace(head):
            return rest
    return None


def _suggestion(name: str, known: Collection[str]) -> str:
    if name in known:
        return f"{NAMESPACE}:{name}"
    return f"{NAMESPACE}:{closest(name, known) or name}"


def misplaced_key(full_key: str, known: Collection[str]) -> Problem | None:
    """A problem when `full_key` looks meant for the tdce: namespace but is not in it; None otherwise.

    `known` holds the top-level setting names (`cloud`, `workers`, …) for the suggestion.
    """
    namespace, colon, name = full_key.partition(":")
    if namespace == NAMESPACE:
        # From a stack file, `tdce.cloud:` arrives as `tdce:tdce.cloud` (the CLI adds the project's namespace).
        setting = _joined_setting(name)
        meant = None if setting is None else _suggestion(setting, known)
    elif not colon:
        setting = _joined_setting(full_key)
        meant = None if setting is None else _suggestion(setting, known)
    elif looks_like_namespace(namespace):
        meant = _suggestion(name, known)
    else:
        meant = None
    if meant is None:
        return None
    return Problem(full_key, f"is not in the {NAMESPACE}: namespace, so the program never reads it; did you mean {meant}?")


def provider_contradictions(config: Mapping[str, Any], settings_given: Mapping[str, Any]) -> list[Problem]:
    """`aws:region` / `gcp:project` / `gcp:region` set to something else than the tdce: setting the deployment uses."""
    cloud = settings_given.get("cloud")
    problems = []
    for provider_key, setting in PROVIDER_DEFAULTS.get(cloud, ()) if isinstance(cloud, str) else ():
        if provider_key not in config:
            continue
        given, ours = config[provider_key], settings_given.get(setting)
        if not isinstance(ours, str):
            continue  # missing or not text: the settings report it at tdce:<setting>
        if given != ours:
            problems.append(
                Problem(
                    provider_key,
                    f"is {shown(given)} but {NAMESPACE}:{setting} is {shown(ours)}: the deployment's provider is built from "
                    f"{NAMESPACE}:{setting}, so {provider_key} decides nothing; remove it or set it to {shown(ours)}",
                )
            )
    return problems

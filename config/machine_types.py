"""Compute Engine machine types: the predefined ones of `gcp_machine_types.json`, and custom types.

Custom types follow "Create a VM with a custom machine type": `custom-CPUS-MEMORY_MB` on N1,
`SERIES-custom-CPUS-MEMORY_MB` on N2, N2D, N4 and E2, `-ext` for memory beyond the per-vCPU
maximum (extended memory, not on E2), and the E2 shared-core `e2-custom-{micro,small,medium}-MEMORY_MB`.
Every type resolves to its vCPU count, so a minimum (the server's 4 vCPUs) holds for custom types too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from config.data_file import DataFile

DATA_FILE = DataFile("gcp_machine_types.json")

_CUSTOM = re.compile(r"(?:(?P<series>[a-z][a-z0-9]*)-)?custom-(?P<cpus>[0-9]{1,4})-(?P<memory>[0-9]{1,8})(?P<ext>-ext)?")
_SHARED_CUSTOM = re.compile(r"(?P<prefix>e2-custom-(?:micro|small|medium))-(?P<memory>[0-9]{1,8})")
# E2 shared-core types time-share 2 vCPUs ("Shared-core machine types").
SHARED_CORE_VCPUS = 2


@dataclass(frozen=True)
class MachineType:
    name: str
    family: str
    vcpus: int
    architecture: str  # x86_64 or arm64
    shared_core: bool


def _data() -> dict[str, Any]:
    return DATA_FILE.data


def as_of() -> str:
    return DATA_FILE.as_of()


@cache
def _predefined() -> dict[str, MachineType]:
    shared = set(_data()["sharedCore"])
    return {
        name: MachineType(name, family, vcpus, entry["architecture"], name in shared)
        for family, entry in _data()["families"].items()
        for name, vcpus in entry["types"].items()
    }


def predefined_names() -> tuple[str, ...]:
    return tuple(_predefined())


def looks_like_gcp(name: str) -> bool:
    """A name of Compute Engine's grammar (`family-class-N`, custom types), listed or not."""
    return name in _predefined() or bool(_CUSTOM.fullmatch(name) or _SHARED_CUSTOM.fullmatch(name))


def machine_type(name: str) -> MachineType:
    """The machine type `name`, or ValueError saying why Compute Engine would refuse it (without the name)."""
    if name in _predefined():
        return _predefined()[name]
    shared = _SHARED_CUSTOM.fullmatch(name)
    if shared is not None:
        return _shared_custom(name, shared.group("prefix"), int(shared.group("memory")))
    custom = _CUSTOM.fullmatch(name)
    if custom is not None:
        return _custom(
            name,
            custom.group("series") or "n1",
            int(custom.group("cpus")),
            int(custom.group("memory")),
            bool(custom.group("ext")),
        )
    example = "'n2-standard-4', or a custom type such as 'n2-custom-4-16384'"
    raise ValueError(f"must be a Compute Engine machine type (list as of {as_of()}) such as {example}")


def _custom(name: str, series: str, cpus: int, memory_mb: int, extended: bool) -> MachineType:
    rules = _data()["custom"]["series"].get(series)
    prefix = "custom" if series == "n1" else f"{series}-custom"
    if rules is None or not name.startswith(rules["prefix"] + "-"):
        offered = ", ".join(f"{rule['prefix']}-CPUS-MEMORY_MB" for rule in _data()["custom"]["series"].values())
        raise ValueError(f"custom machine types are named {offered} (N1, N2, N2D, E2, N4)")
    multiple = _data()["custom"]["memoryMultipleMb"]
    if memory_mb % multiple:
        raise ValueError(f"custom memory must be a multiple of {multiple} MB")
    allowed = rules["vcpus"]
    if allowed is not None and cpus not in allowed:
        raise ValueError(f"{prefix} takes {_ranges(allowed)} vCPUs")
    per_vcpu = rules["memoryMbPerVcpu"]
    if per_vcpu is not None and cpus > 0:
        low, high = per_vcpu[0] * cpus, per_vcpu[1] * cpus
        ceiling = rules["extendedMemoryMaxMb"]
        if extended and ceiling is None:
            raise ValueError(f"{prefix} has no extended memory (-ext)")
        top = ceiling if extended else high
        if not low <= memory_mb <= top:
            hint = "" if extended or ceiling is None else f" (more with extended memory: -ext, up to {ceiling} MB)"
            raise ValueError(f"{prefix} with {cpus} vCPUs takes {low} to {top} MB of memory{hint}")
    if cpus < 1:
        raise ValueError("a custom machine type needs at least 1 vCPU")
    return MachineType(name, series, cpus, "x86_64", shared_core=False)


def _shared_custom(name: str, prefix: str, memory_mb: int) -> MachineType:
    low, high = _data()["custom"]["sharedCore"][prefix]["memoryMb"]
    multiple = _data()["custom"]["memoryMultipleMb"]
    if memory_mb % multiple or not low <= memory_mb <= high:
        raise ValueError(f"{prefix} takes {low} to {high} MB of memory in steps of {multiple} MB")
    return MachineType(name, "e2", SHARED_CORE_VCPUS, "x86_64", shared_core=True)


def _ranges(values: list[int]) -> str:
    """[2, 4, 6, 8, 12, 16] as '2-8 (step 2), 12-16 (step 4)': readable in one line."""
    parts: list[str] = []
    start = 0
    while start < len(values):
        end = start
        step = values[start + 1] - values[start] if start + 1 < len(values) else 0
        while end + 1 < len(values) and values[end + 1] - values[end] == step:
            end += 1
        if end - start >= 2:
            parts.append(f"{values[start]}-{values[end]} (step {step})")
            start = end + 1
        else:
            parts.append(str(values[start]))
            start += 1
    return ", ".join(parts)

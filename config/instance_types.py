"""EC2 instance types: the list AWS's own API model ships, and which processor a type runs on.

The list is the `InstanceType` enum of the EC2 service model in the installed botocore
(`botocore/data/ec2/<version>/service-2.json[.gz]`): a versioned copy of what the EC2 API
accepts, updated with every botocore release. It is read once per process, and only as far as
the one shape: the model is 4 MB of JSON, the shape about two thirds of the way in, so reading
it whole cost about 30 ms of every `tdce plan` (decompressing, decoding, searching), this about
half as much.
"""

from __future__ import annotations

import importlib.util
import json
import re
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

_SHAPE = re.compile(rb'"InstanceType"\s*:\s*\{\s*"type"\s*:\s*"string"\s*,\s*"enum"\s*:\s*\[')
# How much of the compressed model is inflated at a time, and how far back a search starts so a
# shape split between two pieces is still found.
_CHUNK = 128 * 1024
_OVERLAP = 256

# "Amazon EC2 instance type naming conventions" (Amazon EC2 Instance Types guide): the family
# is everything before the dot: a series, a generation and option letters, in which `g` means
# AWS Graviton (m7g, c7gn, r8gd, im4gn, is4gen, x2gd, hpc7g, g5g). Two families run Arm without
# that letter: a1, the first Graviton, and the P6e-GB200 UltraServers, whose host processors
# are NVIDIA Grace ("Amazon EC2 P6e-GB200 UltraServers").
_FAMILY = re.compile(r"([a-z]+)([0-9]+)([a-z]*)(?:-([a-z0-9]+))?")
ARM_FAMILIES_WITHOUT_G = ("a1", "p6e-gb200")
# Mac instances run macOS on Dedicated Hosts only ("Amazon EC2 Mac instances"): neither the TDCE
# server nor its Linux or Windows workers can use them.
MAC_PREFIX = "mac"


def _model_file() -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed: it carries the EC2 instance type list")
    ec2 = Path(next(iter(spec.submodule_search_locations))) / "data" / "ec2"
    newest = sorted(path for path in ec2.iterdir() if path.is_dir())[-1]
    for name in ("service-2.json.gz", "service-2.json"):
        if (newest / name).exists():
            return newest / name
    raise RuntimeError(f"no EC2 service model in {newest}")


@cache
def ec2_instance_types() -> frozenset[str]:
    path = _model_file()
    text = bytearray()
    match = None
    for piece in _model_bytes(path):
        start = max(0, len(text) - _OVERLAP)
        text += piece
        match = match or _SHAPE.search(text, start)
        # The enum is a list of plain names: its first `]` closes it.
        end = -1 if match is None else text.find(b"]", match.end())
        if end != -1:
            return frozenset(json.loads(text[match.end() - 1 : end + 1]))
    # The shape moved in the file's layout: read the whole model instead.
    return frozenset(json.loads(bytes(text))["shapes"]["InstanceType"]["enum"])


def _model_bytes(path: Path) -> Iterator[bytes]:
    """The model's JSON, a piece at a time (gzip-inflated when the file is `.gz`)."""
    inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16) if path.suffix == ".gz" else None
    with path.open("rb") as model:
        while piece := model.read(_CHUNK):
            yield inflate.decompress(piece) if inflate else piece
    if inflate:
        yield inflate.flush()


def is_instance_type(name: str) -> bool:
    return name in ec2_instance_types()


def family(instance_type: str) -> str:
    return instance_type.partition(".")[0]


def size(instance_type: str) -> str:
    return instance_type.partition(".")[2]


def is_mac(instance_type: str) -> bool:
    return family(instance_type).startswith(MAC_PREFIX)


def architecture(instance_type: str) -> str:
    """`arm64` for Graviton (and Grace) families, else `x86_64`, by the naming convention above."""
    name = family(instance_type)
    if name in ARM_FAMILIES_WITHOUT_G:
        return "arm64"
    match = _FAMILY.fullmatch(name)
    return "arm64" if match is not None and "g" in match.group(3) else "x86_64"

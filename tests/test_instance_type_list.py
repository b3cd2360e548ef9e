"""The EC2 instance type list, read from botocore's EC2 model only as far as its one shape."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from config import instance_types

NAMES = ["a1.large", "m5.xlarge", "c6i.4xlarge"]


def _model(shapes: dict) -> bytes:
    # botocore's layout: pretty-printed, the shapes after the operations.
    return json.dumps({"operations": {"RunInstances": {"name": "RunInstances"}}, "shapes": shapes}, indent=2).encode()


@pytest.fixture
def model_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    def use(content: bytes, name: str = "service-2.json.gz", chunk: int = 7) -> frozenset[str]:
        path = tmp_path / name
        path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
        monkeypatch.setattr(instance_types, "_model_file", lambda: path)
        # Pieces far smaller than the shape, so it is split between pieces.
        monkeypatch.setattr(instance_types, "_CHUNK", chunk)
        instance_types.ec2_instance_types.cache_clear()
        try:
            return instance_types.ec2_instance_types()
        finally:
            instance_types.ec2_instance_types.cache_clear()

    return use


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_the_shape_is_found_across_pieces_of_a_compressed_model(model_file, chunk: int) -> None:
    shapes = {"Other": {"type": "string", "enum": ["x"]}, "InstanceType": {"type": "string", "enum": NAMES}}
    assert model_file(_model(shapes), chunk=chunk) == frozenset(NAMES)


def test_an_uncompressed_model_is_read_too(model_file) -> None:
    assert model_file(_model({"InstanceType": {"type": "string", "enum": NAMES}}), name="service-2.json") == frozenset(NAMES)


def test_a_shape_in_another_layout_is_read_from_the_whole_model(model_file) -> None:
    # "enum" before "type": the search does not match; the whole model is parsed instead.
    assert model_file(_model({"InstanceType": {"enum": NAMES, "type": "string"}})) == frozenset(NAMES)


def test_the_installed_model_gives_the_same_list_as_parsing_it_whole() -> None:
    path = instance_types._model_file()
    raw = path.read_bytes()
    whole = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    assert instance_types.ec2_instance_types() == frozenset(whole["shapes"]["InstanceType"]["enum"])

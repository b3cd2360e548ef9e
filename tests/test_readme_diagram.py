"""The README's deployment diagram is the channel matrix: every channel, from its sources to its target, with its ports.

The diagram is written by hand for its layout; this test reads its Mermaid block and holds every
arrow to `config/channels.py`, so a channel added, moved or renumbered there fails here until the
picture says so too. Ports appear in the picture only because this test checks them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config.channels import CHANNELS, CHANNELS_BY_NAME, Role

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
# Links in the picture that are not channels: the data disk is attached to the server, not reached
# over the network. Written with `---` (no arrow, no label).
ATTACHMENTS = {("server", "data_disk")}
# Mermaid flowchart links: `a & b -->|"label"| c` (a channel) or `a --- b` (an attachment).
EDGE = re.compile(
    r'^\s*(?P<sources>\w+(?:\s*&\s*\w+)*)\s*(?P<link>-->|-\.->|---)\s*(?:\|"(?P<label>[^"]*)"\|)?\s*(?P<target>\w+)\s*$'
)
NODE = re.compile(r"^\s*(?P<id>\w+)\s*[\[(]")


def diagram() -> list[str]:
    blocks = re.findall(r"```mermaid\n(.*?)```", README, re.S)
    assert len(blocks) == 1, "the README has one Mermaid diagram"
    lines = blocks[0].splitlines()
    assert lines[0].startswith("flowchart")
    return lines[1:]


def edges() -> list[re.Match]:
    found = [EDGE.match(line) for line in diagram()]
    return [match for match in found if match]


def node_role(node: str) -> Role:
    return Role(node.replace("_", "-"))


def channel_edges() -> dict[str, list[re.Match]]:
    by_channel: dict[str, list[re.Match]] = {}
    for edge in edges():
        if edge["link"] == "---":
            continue
        assert edge["label"], f"an arrow without a channel: {edge.group(0).strip()}"
        name = edge["label"].split(" ", 1)[0]
        assert name in CHANNELS_BY_NAME, f"{name!r} is not a channel of config/channels.py"
        by_channel.setdefault(name, []).append(edge)
    return by_channel


def test_every_line_is_a_node_an_edge_or_a_subgraph():
    for line in diagram():
        stripped = line.strip()
        if not stripped or stripped.startswith(("subgraph ", "%%")) or stripped == "end":
            continue
        assert EDGE.match(line) or NODE.match(line), f"a line the test cannot read: {line!r}"


def test_every_node_is_a_channel_end_or_an_attachment():
    attached = {end for pair in ATTACHMENTS for end in pair}
    for line in diagram():
        node = NODE.match(line)
        if node and not EDGE.match(line) and not line.strip().startswith("subgraph"):
            if node["id"] not in attached:
                node_role(node["id"])  # raises for a node that is not a role of the matrix


def test_the_only_unlabelled_links_are_the_attachments():
    plain = {(edge["sources"], edge["target"]) for edge in edges() if edge["link"] == "---"}
    assert plain == ATTACHMENTS
    assert all(edge["label"] is None for edge in edges() if edge["link"] == "---")


def test_every_channel_of_the_matrix_is_drawn_once():
    drawn = channel_edges()
    assert set(drawn) == {channel.name for channel in CHANNELS}
    assert all(len(arrows) == 1 for arrows in drawn.values()), {n: len(a) for n, a in drawn.items() if len(a) > 1}


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.name)
def test_each_arrow_goes_from_the_channels_sources_to_its_target_with_its_ports(channel):
    [edge] = channel_edges()[channel.name]
    sources = [node_role(node.strip()) for node in edge["sources"].split("&")]
    assert sources == list(channel.sources)
    assert node_role(edge["target"]) == channel.target
    ports = set(re.findall(r"\d+(?:-\d+)?", edge["label"].split(" ", 1)[1]))
    assert ports == {str(p) for p in channel.port_choices}
    # Solid when every deployment has it; dotted when a setting opens it or its far end is optional.
    assert edge["link"] == ("-->" if channel.required else "-.->")

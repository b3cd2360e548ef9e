"""The channel matrix for IT administrators: a table, or a Mermaid diagram to paste into docs.

The vendor references and the alternative ports are long; as table columns they squeezed the
ports and setting names into folded fragments at 80 columns, so they follow the table, one
soft-wrapped line per channel.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from config.channels import CHANNELS, Channel


def _when(channel: Channel) -> str:
    return channel.condition


def _ports(channel: Channel) -> str:
    text = channel.ports_label
    if channel.alternative_ports:
        text += f" (or {', '.join(map(str, channel.alternative_ports))} via {channel.port_setting})"
    return text


def ports_table() -> Table:
    """Narrow enough for 80 columns without folding a setting name: long notes go below it (`ports_notes`)."""
    table = Table(title="TDCE channels", show_lines=True, show_edge=False)
    for column in ("channel", "from -> to", "TCP port(s)", "opened when"):
        table.add_column(column, overflow="fold")
    for channel in CHANNELS:
        route = "\n".join(role.value for role in channel.sources) + f"\n-> {channel.target.value}"
        table.add_row(
            Text.assemble(channel.name, "\n", (channel.direction.value, "dim")),
            Text(route),
            Text(channel.ports_label if channel.protocol == "tcp" else f"{channel.protocol.upper()} {channel.ports_label}"),
            Text(channel.condition.removeprefix("when ")),
        )
    return table


def ports_notes() -> list[Text]:
    lines = [Text("Alternative ports", style="bold")]
    lines += [
        Text(f"  {channel.name}: {', '.join(map(str, channel.alternative_ports))} instead, with {channel.port_setting}")
        for channel in CHANNELS
        if channel.alternative_ports
    ]
    lines.append(Text("Where the vendor documents each channel", style="bold"))
    lines += [Text(f"  {channel.name}: {channel.vendor_reference}") for channel in CHANNELS]
    return lines


def ports_mermaid() -> str:
    lines = ["flowchart LR"]
    for channel in CHANNELS:
        arrow = "-->" if channel.required else "-.->"
        label = f"{channel.name}: {channel.protocol.upper()} {_ports(channel)}"
        if not channel.required:
            label += f"; {_when(channel)}"
        for source in channel.sources:
            lines.append(f'    {_node(source.value)} {arrow}|"{label}"| {_node(channel.target.value)}')
    return "\n".join(lines) + "\n"


def _node(role: str) -> str:
    return f'{role.replace("-", "_")}["{role}"]'

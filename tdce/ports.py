"""The channel matrix for IT administrators: a table, or a Mermaid diagram to paste into docs."""

from __future__ import annotations

from rich.table import Table

from config.channels import CHANNELS, Channel


def _when(channel: Channel) -> str:
    return channel.condition


def _ports(channel: Channel) -> str:
    text = channel.ports_label
    if channel.alternative_ports:
        text += f" (or {', '.join(map(str, channel.alternative_ports))} via {channel.port_setting})"
    return text


def ports_table() -> Table:
    table = Table(title="TDCE channels", show_lines=False)
    for column in ("channel", "from", "to", "protocol/port(s)", "direction", "when", "vendor reference"):
        table.add_column(column)
    for channel in CHANNELS:
        table.add_row(
            channel.name,
            ", ".join(role.value for role in channel.sources),
            channel.target.value,
            f"{channel.protocol.upper()} {_ports(channel)}",
            channel.direction.value,
            _when(channel),
            channel.vendor_reference,
        )
    return table


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

"""Show a plan to a person: the component tree with counts, the outputs, and the channels as this stack opens them."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from tdce.planner import Plan
from tdce.recording import RecordedResource


def print_plan(plan: Plan, console: Console) -> None:
    console.print(_tree(plan))
    console.print(_counts(plan))
    console.print(_outputs(plan))
    console.print(channel_table(plan))


def print_warnings(lines: list[str]) -> None:
    """One line each, on stderr: stdout stays the plan."""
    warnings = Console(stderr=True)
    for line in lines:
        warnings.print(f"[yellow]warning:[/] {escape(line)}", soft_wrap=True)


def _label(resource: RecordedResource) -> str:
    marks = []
    if resource.options.get("protect"):
        marks.append("[yellow]protected[/]")
    if resource.options.get("ignoreChanges"):
        marks.append(f"ignores {', '.join(resource.options['ignoreChanges'])}")
    suffix = f"  ({'; '.join(marks)})" if marks else ""
    style = "bold cyan" if not resource.custom else "white"
    return f"[{style}]{resource.name}[/] [dim]{resource.type}[/]{suffix}"


def _tree(plan: Plan) -> Tree:
    children: dict[str | None, list[RecordedResource]] = defaultdict(list)
    for resource in plan.resources:
        children[resource.parent].append(resource)
    roots = children[None]
    tree = Tree(f"[bold]{plan.project}/{plan.stack}[/]  {sum(r.custom for r in plan.resources)} resources")

    def add(node: Tree, resource: RecordedResource) -> None:
        branch = node.add(_label(resource))
        # Registration order depends on when outputs resolve; by name, the tree reads the same every run.
        for child in sorted(children[resource.urn], key=lambda r: (r.custom, r.name)):
            add(branch, child)

    for root in roots:
        for child in children[root.urn] if root.type == "pulumi:pulumi:Stack" else [root]:
            add(tree, child)
    return tree


def _counts(plan: Plan) -> Table:
    table = Table(title="Resources by type", show_edge=False)
    table.add_column("type")
    table.add_column("count", justify="right")
    for type_token, count in sorted(Counter(r.type for r in plan.resources if r.custom).items()):
        table.add_row(type_token, str(count))
    return table


def _outputs(plan: Plan) -> Table:
    table = Table(title="Stack outputs", show_edge=False)
    table.add_column("output")
    table.add_column("value")
    for name, value in plan.outputs.items():
        table.add_row(name, str(value))
    return table


def channel_table(plan: Plan) -> Table:
    table = Table(title=f"Channels as {plan.stack} opens them", show_edge=False)
    for column in ("channel", "from", "to", "tcp port(s)", "state"):
        table.add_column(column)
    for opened in plan.resolved.channels:
        sources = ", ".join(role.value for role in opened.sources or opened.channel.sources)
        if opened.source_cidrs:
            sources += f" ({', '.join(opened.source_cidrs)})"
        state = f"[green]{opened.state}[/]" if opened.enabled else f"[dim]{escape(opened.state)}[/]"
        table.add_row(opened.name, sources, opened.channel.target.value, ", ".join(map(str, opened.ports)), state)
    return table

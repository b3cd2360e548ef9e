"""Show a plan to a person: the component tree, the machines and firewall rules, the channels, the outputs.

Every value from the plan is a `Text` (see tdce/console.py). Each fact, the tree's resources too,
is one soft-wrapped line rather than a table cell or a folded tree label: at 80 columns a table
must fold or cut a CIDR, an ARN or a setting name, a line never does. The tree is drawn with
rich's own guides, and the whole plan is handed to rich as one text: rendering a `rich.tree.Tree`
and printing line by line cost about 40 ms of a `tdce plan` (benchmarks/plan_overhead.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.text import Text

from config.resource_types import STACK
from tdce.console import error_console, value_text
from tdce.plan_summary import Rule, firewall_rules, machines
from tdce.planner import Plan
from tdce.recording import RecordedResource


def print_plan(plan: Plan, console: Console) -> None:
    lines = tree_lines(plan)
    for section in (_counts, _machines, _rules, channel_lines, _outputs):
        lines += [Text(), *section(plan)]
    # soft_wrap: rich adds no line breaks and cuts nothing; a long ARN or CIDR list wraps in the
    # terminal and is copied whole.
    console.print(Text("\n").join(lines), soft_wrap=True)


def print_warnings(lines: list[str]) -> None:
    """One line each, on stderr: stdout stays the plan."""
    warnings = error_console()
    for line in lines:
        warnings.print(Text.assemble(("warning: ", "yellow"), line), soft_wrap=True)


def _heading(text: str) -> Text:
    return Text(text, style="bold")


def _label(resource: RecordedResource) -> Text:
    label = Text.assemble(
        (resource.name, "bold cyan" if not resource.custom else ""),
        " ",
        (resource.type, "dim"),
    )
    marks: list[Text | str] = []
    if resource.options.get("protect"):
        marks.append(Text("protected", style="yellow"))
    if resource.options.get("ignoreChanges"):
        marks.append(f"ignores {', '.join(resource.options['ignoreChanges'])}")
    if marks:
        label.append("  (")
        for index, mark in enumerate(marks):
            label.append("; " if index else "")
            label.append(mark)
        label.append(")")
    return label


# rich.tree.Tree's guides (its TREE_GUIDES, ascii=False): a branch, the last branch, and what
# continues below each.
BRANCH, LAST_BRANCH = "├── ", "└── "
CONTINUES, ENDED = "│   ", "    "


def tree_lines(plan: Plan) -> list[Text]:
    """The component tree: the stack, then each resource under its parent, children by name."""
    children: dict[str | None, list[RecordedResource]] = defaultdict(list)
    for resource in plan.resources:
        children[resource.parent].append(resource)
    title = Text.assemble((f"{plan.project}/{plan.stack}", "bold"), f"  {sum(r.custom for r in plan.resources)} resources")
    lines = [title]

    def add(resources: list[RecordedResource], indent: str) -> None:
        for index, resource in enumerate(resources):
            last = index == len(resources) - 1
            lines.append(Text.assemble(indent, LAST_BRANCH if last else BRANCH, _label(resource)))
            # Registration order depends on when outputs resolve; by name, the tree reads the same every run.
            add(sorted(children[resource.urn], key=lambda r: (r.custom, r.name)), indent + (ENDED if last else CONTINUES))

    for root in children[None]:
        add(children[root.urn] if root.type == STACK else [root], "")
    return lines


def _counts(plan: Plan) -> list[Text]:
    counted = sorted(Counter(r.type for r in plan.resources if r.custom).items())
    return [_heading("Resources by type"), *(Text(f"  {count:>3}  {type_token}") for type_token, count in counted)]


def _machines(plan: Plan) -> list[Text]:
    lines = [_heading("Machines and disks")]
    for machine in machines(plan):
        details = [machine.machine_type, machine.count, machine.purchase, *machine.disks]
        lines.append(Text.assemble("  ", (machine.role, "cyan"), " ", machine.name, ": ", "; ".join(d for d in details if d)))
    return lines


def _rules(plan: Plan) -> list[Text]:
    lines = [_heading("Firewall rules, by the group or service account they apply to")]
    by_target: dict[str, list[Rule]] = defaultdict(list)
    for rule in firewall_rules(plan):
        by_target[rule.applies_to].append(rule)
    for target, rules in sorted(by_target.items()):
        lines.append(Text.assemble("  ", (target, "cyan")))
        width = max(len(rule.ports) for rule in rules)
        for rule in sorted(rules, key=lambda r: (r.direction != "ingress", r.ports, r.peers)):
            arrow = "from" if rule.direction == "ingress" else "to"
            lines.append(Text(f"    {rule.direction:<7}  {rule.ports:<{width}}  {arrow} {', '.join(rule.peers)}  ({rule.name})"))
    return lines


def channel_lines(plan: Plan) -> list[Text]:
    lines = [_heading(f"Channels as {plan.stack} opens them")]
    for opened in plan.resolved.channels:
        sources = ", ".join(role.value for role in opened.sources or opened.channel.sources)
        if opened.source_cidrs:
            sources += f" ({', '.join(opened.source_cidrs)})"
        state = Text("open", style="green") if opened.enabled else Text("off ", style="dim")
        line = Text.assemble(
            "  ", state, f"  {opened.name}: {sources} -> {opened.channel.target.value}, TCP {', '.join(map(str, opened.ports))}"
        )
        if not opened.enabled:
            line.append(f"  ({opened.state.removeprefix('off ').strip('()')})", style="dim")
        lines.append(line)
    return lines


def _outputs(plan: Plan) -> list[Text]:
    """`name: value`, lists and maps as JSON, as `pulumi stack output --json` prints them."""
    lines = [_heading("Stack outputs")]
    lines += [Text.assemble("  ", (name, "cyan"), ": ", value_text(value)) for name, value in plan.outputs.items()]
    return lines

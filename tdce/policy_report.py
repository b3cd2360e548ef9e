"""Show a policy report to a person: violations grouped by policy, each with its resource and message."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from tdce.policy_runner import PolicyReport

_STYLE = {"mandatory": "bold red", "advisory": "yellow"}


def print_policy_report(report: PolicyReport, console: Console) -> None:
    if not report.violations:
        console.print(f"[green]policy pack {report.pack}: no violations[/]")
        return
    for policy, violations in report.by_policy().items():
        first = violations[0]
        level = f"[{_STYLE.get(first.enforcement, 'white')}]{first.enforcement}[/]"
        severity = f", {first.severity}" if first.severity else ""
        console.print(f"[bold]{escape(policy)}[/] ({level}{severity})")
        for violation in violations:
            console.print(f"  {escape(violation.urn or '(the stack)')}", soft_wrap=True)
            for line in violation.message.splitlines():
                console.print(f"    {escape(line)}", soft_wrap=True)
    mandatory = len(report.mandatory)
    console.print(f"policy pack {report.pack}: {len(report.violations)} violation(s), {mandatory} mandatory")

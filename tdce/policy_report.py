"""Show a policy report to a person: violations grouped by policy, each with its resource and message.

Policy names, URNs and messages reach rich as `Text`, so an ARN's `:secret:` or a `[…]` in a
message prints as it is (see tdce/console.py); each is one soft-wrapped line, never cut.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tdce.policy_runner import PolicyReport

_STYLE = {"mandatory": "bold red", "advisory": "yellow"}


def print_policy_report(report: PolicyReport, console: Console) -> None:
    if not report.violations:
        console.print(Text(f"policy pack {report.pack}: no violations", style="green"), soft_wrap=True)
        return
    for policy, violations in report.by_policy().items():
        # The level and severity are the policy's: a "can't run at preview" note carries neither.
        first = next((v for v in violations if not v.undecided), violations[0])
        heading = Text.assemble((policy, "bold"), " (", (first.enforcement, _STYLE.get(first.enforcement, "")))
        if first.severity:
            heading.append(f", {first.severity}")
        heading.append(")")
        console.print(heading, soft_wrap=True)
        for violation in violations:
            # Seen in one phase only: a value the pack reads is known in one and not the other.
            only = f"  (at {violation.phases[0]} only)" if violation.phases != report.phases else ""
            console.print(Text(f"  {violation.urn or '(the stack)'}{only}"), soft_wrap=True)
            for line in violation.message.splitlines():
                console.print(Text(f"    {line}"), soft_wrap=True)
    undecided = sum(v.undecided for v in report.violations)
    summary = f"policy pack {report.pack}: {len(report.violations) - undecided} violation(s), {len(report.mandatory)} mandatory"
    if undecided:
        summary += f"; {undecided} could not run on values unknown at preview (judged on the plan after up)"
    console.print(Text(summary), soft_wrap=True)

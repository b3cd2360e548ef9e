"""What a person reads and copies: nothing rich reinterprets, nothing cut at 80 columns, the values people check."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from tdce.console import PIPED_WIDTH, output_console
from tdce.ops.report import Check, Status, checks_table
from tdce.plan_report import print_plan
from tdce.policy_report import print_policy_report
from tdce.policy_runner import PolicyReport, Violation, merged
from tdce.recording import RecordedResource
from tests.support import plan_of, recorded

ROOT = Path(__file__).resolve().parent.parent
# The secret's ARN as the offline cloud answers for aws-prod (tdce/mock_cloud/aws.py): account
# 123456789012, region eu-west-1 from config/Pulumi.aws-prod.yaml, and the `:secret:` that rich read as an emoji.
AWS_PROD_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tdce-dashboard-admin-password-secret-Offln0"


def tdce(*arguments: str, columns: str | None = "80") -> subprocess.CompletedProcess[str]:
    """`tdce` as a person runs it with its output piped (into a file, a pager or a CI log)."""
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "tdce", *arguments], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300, check=False
    )


def shown(value: object) -> str:
    """An output as a person copies it: strings as they are, lists and maps as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def rendered(print_to, width: int = 80) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, emoji=False, highlight=False, color_system=None)
    print_to(console)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def aws_prod_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    """One piped `tdce plan aws-prod`: what it prints, and the --json document it writes beside."""
    document = tmp_path_factory.mktemp("plan") / "aws-prod.json"
    result = tdce("plan", "aws-prod", "--no-policy", "--json", str(document))
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads(document.read_text())


@pytest.fixture(scope="module")
def aws_prod_printed(aws_prod_run: tuple[str, dict]) -> str:
    return aws_prod_run[0]


def test_the_piped_plan_at_80_columns_holds_the_whole_secret_arn(aws_prod_printed: str) -> None:
    assert AWS_PROD_SECRET_ARN in aws_prod_printed
    assert "㊙" not in aws_prod_printed and "🤫" not in aws_prod_printed
    assert "…" not in aws_prod_printed


def test_every_output_value_is_printed_unchanged(aws_prod_run: tuple[str, dict]) -> None:
    aws_prod_printed, document = aws_prod_run
    assert document["outputs"]
    for name, value in document["outputs"].items():
        assert f"{name}: {shown(value)}\n" in aws_prod_printed, name
    assert "['subnet-" not in aws_prod_printed  # a Python repr is not a value anyone can paste


# The values a reviewer checks, as config/Pulumi.aws-prod.yaml sets them (root disk: ServerSettings' 30 GB).
AWS_PROD_MACHINES = [
    "server tdce-server-instance: m5.2xlarge; 1 machine; on-demand; root 30 GB gp3; data 2048 GB gp3, protected",
    "worker pool tdce-workers-linux-ondemand-group: c5.4xlarge; min 0, desired 2, max 10; on-demand; /dev/xvda 100 GB gp3",
    "worker pool tdce-workers-linux-spot-group: c5.9xlarge; min 0, desired 0, max 50; spot; /dev/xvda 100 GB gp3",
]
AWS_PROD_USER_CIDRS = ("198.51.100.0/24", "203.0.113.0/24")


def test_the_plan_shows_machine_types_counts_spot_and_disks(aws_prod_printed: str) -> None:
    lines = [line.strip() for line in aws_prod_printed.splitlines()]
    for machine in AWS_PROD_MACHINES:
        assert machine in lines


def test_the_plan_shows_the_cidrs_of_each_firewall_rule(aws_prod_printed: str) -> None:
    lines = [" ".join(line.split()) for line in aws_prod_printed.splitlines()]
    for cidr in AWS_PROD_USER_CIDRS:
        for port in ("443", "25001"):  # web and management (config/channels.py)
            assert any(line.startswith(f"ingress TCP {port} from {cidr} ") for line in lines), (port, cidr)


def test_gcp_plan_shows_spot_target_size_and_source_ranges() -> None:
    printed = rendered(lambda console: print_plan(plan_of("gcp-prod"), console))
    lines = [" ".join(line.split()) for line in printed.splitlines()]
    # config/Pulumi.gcp-prod.yaml: n2-standard-8 with a 1024 GB pd-ssd data disk; c2-standard-16 spot workers.
    server = "server tdce-server-vm: n2-standard-8; 1 machine; on-demand; boot 30 GB pd-balanced; data 1024 GB pd-ssd, protected"
    assert server in lines
    # A pool the dashboard sizes is, on GCP, a template the dashboard starts instances from (no group).
    assert "worker pool tdce-workers-linux-spot: c2-standard-16; started by the dashboard; spot; boot 100 GB pd-balanced" in lines
    assert any(line.startswith("ingress allow TCP 443 from 198.51.100.0/24 ") for line in lines)
    # SSH on GCP arrives through IAP's range (config/settings.py GCP_IAP_RANGE, Google's documented range).
    assert any(line.startswith("ingress allow TCP 22 from 35.235.240.0/20 ") for line in lines)


def test_a_spot_price_cap_is_shown_with_the_pool() -> None:
    printed = rendered(lambda console: print_plan(plan_of("aws-dev"), console))
    lines = [" ".join(line.split()) for line in printed.splitlines()]
    # config/Pulumi.aws-dev.yaml: dev-spot, c5.xlarge, spotMaxPrice "0.10", maxCount 4, a 50 GB disk.
    pool = "worker pool tdce-workers-dev-spot-group: c5.xlarge; min 0, desired 0, max 4; spot, at most 0.10 USD an hour"
    assert f"{pool}; /dev/xvda 50 GB gp3" in lines


def _resource(name: str, parent: str | None, custom: bool = True, type_token: str = "aws:s3/bucket:Bucket") -> RecordedResource:
    return recorded("aws-dev", type_token, name, custom=custom, parent=parent)


def test_the_tree_nests_children_by_name_with_rich_s_guides() -> None:
    stack = _resource("tdce-aws-dev", None, custom=False, type_token="pulumi:pulumi:Stack")
    top = _resource("top", stack.urn, custom=False, type_token="tdce:aws:Deployment")
    inner = _resource("top-inner", top.urn, custom=False, type_token="tdce:aws:Firewall")
    last = _resource("top-last", top.urn, custom=False, type_token="tdce:aws:Backup")
    resources = [
        stack,
        top,
        _resource("top-b", top.urn),
        inner,
        _resource("top-inner-rule", inner.urn),
        _resource("top-a", top.urn),
        last,
        _resource("top-last-vault", last.urn),
    ]
    plan = replace(plan_of("aws-dev"), resources=resources)
    printed = rendered(lambda console: print_plan(plan, console), width=200)
    # Components before resources, each by name; rich.tree.Tree's guides ("├── ", "└── ", "│   ").
    assert printed.splitlines()[:9] == [
        "tdce/aws-dev  4 resources",
        "└── top tdce:aws:Deployment",
        "    ├── top-inner tdce:aws:Firewall",
        "    │   └── top-inner-rule aws:s3/bucket:Bucket",
        "    ├── top-last tdce:aws:Backup",
        "    │   └── top-last-vault aws:s3/bucket:Bucket",
        "    ├── top-a aws:s3/bucket:Bucket",
        "    └── top-b aws:s3/bucket:Bucket",
        "",
    ]


def test_a_long_tree_label_is_one_line_at_80_columns() -> None:
    printed = rendered(lambda console: print_plan(plan_of("aws-dev"), console))
    label = "tdce-dashboard-access-templates-and-groups-attachment aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert any(line.endswith((f"├── {label}", f"└── {label}")) for line in printed.splitlines())


def test_the_machines_read_by_role_and_name() -> None:
    plan = plan_of("aws-aurora")
    # Registration order varies with when outputs resolve: the list must not follow it.
    printed = rendered(lambda console: print_plan(replace(plan, resources=plan.resources[::-1]), console), width=200)
    lines = printed.splitlines()
    start = lines.index("Machines and disks")
    # config/Pulumi.aws-aurora.yaml: the Aurora cluster, the server, one spot pool.
    roles = [line.split()[0:2] for line in lines[start + 1 : start + 4]]
    assert roles == [["database", "tdce-database-cluster:"], ["server", "tdce-server-instance:"], ["worker", "pool"]]


def test_values_that_look_like_markup_or_emoji_print_as_they_are() -> None:
    plan = replace(plan_of("aws-prod"), outputs={"hidden": "[secret]", "styled": "[bold]x[/bold]", "code": "a:smile:b"})
    printed = rendered(lambda console: print_plan(plan, console))
    assert "hidden: [secret]\n" in printed
    assert "styled: [bold]x[/bold]\n" in printed
    assert "code: a:smile:b\n" in printed


def test_policy_messages_and_check_details_print_as_they_are() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"
    report = PolicyReport("tdce", "1", (Violation("[p]", "mandatory", "high", f"urn:{arn}", "bad [red]x[/] :smile:"),))
    printed = rendered(lambda console: print_policy_report(report, console))
    assert "[p] (mandatory, high)" in printed and f"urn:{arn}" in printed and "bad [red]x[/] :smile:" in printed
    table = rendered(lambda console: console.print(checks_table("t", [Check("c", Status.FAIL, f"[b]{arn}[/b]")])), width=200)
    assert f"[b]{arn}[/b]" in table


def test_a_violation_of_one_phase_is_labelled_and_preview_notes_are_counted_apart() -> None:
    # The note pulumi-policy gives a policy that read a value unknown at preview.
    note = "can't run policy 'p' from policy pack 'tdce@v0.0.1' during preview: string value at .x can't be known during preview"
    preview = PolicyReport(
        "tdce",
        "1",
        (
            Violation("p", "advisory", "", "", note, ("preview",)),
            Violation("q", "mandatory", "high", "urn:a", "both", ("preview",)),
        ),
        ("preview",),
    )
    up = PolicyReport(
        "tdce", "1", (Violation("q", "mandatory", "high", "urn:a", "both"), Violation("r", "mandatory", "", "urn:b", "up"))
    )
    report = merged([preview, up])
    assert [(v.policy, v.phases) for v in report.violations] == [("p", ("preview",)), ("q", ("preview", "up")), ("r", ("up",))]
    lines = rendered(lambda console: print_policy_report(report, console), width=200).splitlines()
    assert "  (the stack)  (at preview only)" in lines and "  urn:a" in lines and "  urn:b  (at up only)" in lines
    assert lines[-1] == (
        "policy pack tdce: 2 violation(s), 2 mandatory; "
        "1 could not run on values unknown at preview (judged on the plan after up)"
    )
    assert [v.as_json()["phases"] for v in report.violations] == [["preview"], ["preview", "up"], ["up"]]


def test_a_policy_s_heading_is_its_level_even_when_its_preview_note_comes_first() -> None:
    note = "can't run policy 'p' from policy pack 'tdce@v0.0.1' during preview: string value at .x can't be known during preview"
    preview = PolicyReport("tdce", "1", (Violation("p", "advisory", "", "", note, ("preview",)),), ("preview",))
    up = PolicyReport("tdce", "1", (Violation("p", "mandatory", "high", "urn:a", "too wide"),))
    lines = rendered(lambda console: print_policy_report(merged([preview, up]), console), width=200).splitlines()
    assert lines[0] == "p (mandatory, high)"


# `tdce ports`, row by row: channel → (direction, its first source, TCP port(s), the setting that opens
# it or None when always open), as docs/channels.md's table writes them.
PORTS_ROWS = {
    "signal": ("ingress", "workers", "20001", None),
    "data": ("ingress", "workers", "20002", None),
    "management": ("ingress", "users", "25001", None),
    "web": ("ingress", "users", "443", None),
    "ssh": ("ingress", "admins", "22", "access.ssh"),
    "worker-ssh": ("ingress", "server", "22", "access.workerSsh"),
    "worker-rdp": ("ingress", "server", "3389", "access.workerRdp"),
    "interconnect": ("ingress", "workers", "1024-65535", "access.interconnect"),
    "license": ("egress", "server", "80, 443", "access.licenseServer"),
    "cloud-api": ("egress", "server", "443", None),
    "external-data": ("egress", "workers", "443", None),
    "storage": ("egress", "workers", "443", None),
    "database": ("ingress", "server", "5432", "database.engine"),
    "secrets-endpoint": ("ingress", "server", "443", "cloud"),
    "rds-endpoint": ("ingress", "secret-rotation", "443", "cloud"),
}
# Where the vendor documents each channel, as the reference files in ../shared/reference name them.
VENDOR_NOTES = [
    "management: 25002 instead, with access.managementPort",
    "signal: 000_8bca743440dfe33c.txt (Required1); 001_ec271c3ff40761d0.txt 4.9",
    "data: 000_8bca743440dfe33c.txt (Required2); 001_ec271c3ff40761d0.txt 4.9",
    "management: 000_8bca743440dfe33c.txt (Required3); 001_ec271c3ff40761d0.txt 4.9",
    "web: 000_8bca743440dfe33c.txt (Required4); 001_ec271c3ff40761d0.txt 4.9",
    "ssh: 000_8bca743440dfe33c.txt (Optional5, marketplace installs)",
    "worker-ssh: 001_ec271c3ff40761d0.txt 4.10 (WorkerSecurityGroup IngressSSH)",
    "worker-rdp: 001_ec271c3ff40761d0.txt 4.10 (WorkerSecurityGroup IngressRDP)",
    "interconnect: 000_8bca743440dfe33c.txt (Optional8); 003_d348c65316696df7.txt",
    "license: 000_8bca743440dfe33c.txt (Required6, on-premises and hybrid)",
    "cloud-api: 000_8bca743440dfe33c.txt (Required8, Required11)",
    "external-data: 000_8bca743440dfe33c.txt (Optional1, External Storage)",
    "storage: 000_8bca743440dfe33c.txt (Required9, Required10, Optional6); 001_ec271c3ff40761d0.txt 4.9",
    "database: 001_ec271c3ff40761d0.txt 4.10 (DB cluster security group and its ingress rules)",
    "secrets-endpoint: 001_ec271c3ff40761d0.txt 4.10 (SecretsEndpointSecurityGroup), 4.17",
    "rds-endpoint: 001_ec271c3ff40761d0.txt 4.10 (TechilaSecretsLambdaSecurityGroup: the rotation function's group)",
]


def test_ports_at_80_columns_fit_and_keep_every_setting_name_whole() -> None:
    result = tdce("ports")
    assert result.returncode == 0
    table, _, notes = result.stdout.partition("Alternative ports")
    assert max(len(line) for line in table.splitlines()) <= 80
    # Each row's cells: its first line (channel, first source, ports, condition), then its second (direction).
    lines = [[cell.strip() for cell in line.split("│")] for line in table.splitlines() if line.count("│") == 3]
    rows = {}
    for first, second in zip(lines, lines[1:], strict=False):
        if first[0] in PORTS_ROWS:
            rows[first[0]] = (second[0], first[1], first[2], first[3])
    assert list(rows) == list(PORTS_ROWS)
    words = set(table.split())
    for name, (direction, source, ports, switch) in PORTS_ROWS.items():
        assert rows[name][:3] == (direction, source, ports), name
        assert (rows[name][3] == "always") is (switch is None), name
        if switch is not None:
            assert switch in words, name  # whole, not folded across lines
    assert [line.strip() for line in notes.splitlines() if ": " in line] == VENDOR_NOTES
    assert "…" not in result.stdout


def test_columns_is_honoured_when_piped() -> None:
    narrow = tdce("ports", columns="50").stdout
    table = narrow.partition("Alternative ports")[0]
    assert max(map(len, table.splitlines())) <= 50


def test_piped_without_columns_the_page_is_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not sys.stdout.isatty()  # pytest captures stdout: a pipe, as in a CI log
    monkeypatch.delenv("COLUMNS", raising=False)
    assert output_console().width == PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "72")
    assert output_console().width == 72

"""`tdce preflight | backup | health` from the command line: exit codes, --json, config errors, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tdce.cli import main
from tdce.ops import health, runs
from tdce.ops.clients import AwsClients
from tdce.ops.report import EXIT_FAILED, EXIT_OK
from tests.ops_support import LOOPBACK, ROOMY_QUOTAS, deploy, stub_ec2_quotas

# The moto `aws` fixture (fake credentials, loopback-only sockets) and `open_port`.
pytest_plugins = ["tests.ops_support"]

STACK = "aws-prod"


@pytest.fixture
def quotas_stubbed(aws: AwsClients, monkeypatch: pytest.MonkeyPatch) -> AwsClients:
    """The commands build their own clients; hand them these, with the EC2 quotas moto lacks stubbed."""
    stub_ec2_quotas(monkeypatch, aws, ROOMY_QUOTAS)
    monkeypatch.setattr(runs, "AwsClients", lambda region: aws)
    return aws


def test_preflight_json_reports_every_check_and_exits_zero(quotas_stubbed: AwsClients, capsys: pytest.CaptureFixture) -> None:
    assert main(["preflight", STACK, "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["stack"] == STACK and report["region"] == "eu-west-1"
    assert {check["status"] for check in report["checks"]} <= {"pass", "skipped"}
    assert any(check["name"] == "credentials" for check in report["checks"])


def test_preflight_with_a_failing_check_exits_non_zero(
    quotas_stubbed: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    stub_ec2_quotas(monkeypatch, quotas_stubbed, {**ROOMY_QUOTAS, "L-0263D0A3": 0})
    assert main(["preflight", STACK]) == EXIT_FAILED
    table = capsys.readouterr().out
    assert "Elastic IP quota" in table and "│ fail" in table


def test_a_gcp_stack_is_a_config_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["health", "gcp-prod"]) == 1
    assert capsys.readouterr().err.startswith("tdce:cloud: ")


def test_a_bad_stack_file_exits_one_with_the_key(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = Path(__file__).resolve().parent.parent / "config" / "Pulumi.aws-prod.yaml"
    (tmp_path / "Pulumi.broken.yaml").write_text(source.read_text().replace("maxCount: 10", "maxCount: 1"))
    assert main(["preflight", "broken", "--config-dir", str(tmp_path)]) == 1
    assert "tdce:workers[0].maxCount: must be ≥ desiredCount (2), got 1" in capsys.readouterr().err


def test_backup_prints_the_restore_lines_after_waiting(aws: AwsClients, capsys: pytest.CaptureFixture) -> None:
    deployed = deploy(aws, STACK)
    assert main(["backup", STACK]) == EXIT_OK
    out = capsys.readouterr().out
    snapshot = aws("ec2").describe_snapshots(Filters=[{"Name": "volume-id", "Values": [deployed.volume]}])["Snapshots"][0]
    assert f"pulumi config set --path tdce:restore.dataDiskSnapshotId {snapshot['SnapshotId']}\n" in out
    assert "completed" in out


def test_backup_json_without_waiting(aws: AwsClients, capsys: pytest.CaptureFixture) -> None:
    deploy(aws, STACK)
    assert main(["backup", STACK, "--json", "--no-wait"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    [snapshot] = report["snapshots"]
    assert report["configLines"] == [f"pulumi config set --path tdce:restore.dataDiskSnapshotId {snapshot['snapshotId']}"]


def test_backup_refuses_with_exit_two_when_nothing_is_tagged(aws: AwsClients, capsys: pytest.CaptureFixture) -> None:
    assert main(["backup", STACK]) == EXIT_FAILED
    assert "no data volume tagged tdce:stack=aws-prod, tdce:role=data-disk" in capsys.readouterr().err


def test_health_json_against_a_loopback_open_port(
    aws: AwsClients, open_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    deploy(aws, STACK, pools={"linux-ondemand": 2, "linux-spot": 0})
    # The matrix ports (443, 25001) are not free to bind in a test; both point at the open_port.
    monkeypatch.setattr(health, "server_ports", lambda settings: {"web": open_port, "management": open_port})
    assert main(["health", STACK, "--host", LOOPBACK, "--timeout", "1", "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]][:3] == ["server", f"web port {open_port}", f"management port {open_port}"]


@pytest.mark.parametrize("flags", [[], ["--dry-run", "--yes"]], ids=["neither", "both"])
def test_teardown_takes_exactly_one_of_dry_run_and_yes(flags, capsys):
    # docs/command-line.md: 64, the command line is wrong; refused before the stack or any cloud is read.
    with pytest.raises(SystemExit) as refused:
        main(["teardown", "aws-prod", *flags])
    assert refused.value.code == 64
    assert "--dry-run" in capsys.readouterr().err


def test_teardown_and_preflight_of_a_gcp_stack_go_to_the_gcp_commands(monkeypatch):
    from tdce.ops import gcp_commands

    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(gcp_commands, "run_gcp_command", lambda args, settings: seen.append((args.command, settings.cloud)) or 0)
    assert main(["teardown", "gcp-prod", "--dry-run"]) == 0
    assert main(["preflight", "gcp-prod"]) == 0
    assert seen == [("teardown", "gcp"), ("preflight", "gcp")]


def test_an_aws_stack_never_loads_googles_client_libraries():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from tdce.ops.runs import on_gcp\n"
        "import argparse\n"
        "on_gcp(argparse.Namespace(stack='aws-prod', command='teardown', config_dir='config'))\n"
        "print('google.cloud.compute_v1' in sys.modules)\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    assert found == "False"

"""Commands that used to crash or mislead: each now gives one clean line and its documented exit code."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tdce.cli import main
from tdce.ops import backup as backup_module
from tdce.ops.clients import AwsClients
from tests.ops_support import deploy

pytest_plugins = ["tests.ops_support"]

ROOT = Path(__file__).resolve().parent.parent
STACK = "aws-prod"
# The documented codes (docs/command-line.md), written out here rather than imported.
USAGE, FAILED, OK = 64, 2, 0
ALL_CODES = {"0", "1", "2", "3", "4", "5", "64"}
DOCS = (ROOT / "docs" / "command-line.md").read_text()


def tdce(*arguments: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tdce", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or dict(os.environ),
        timeout=300,
        check=False,
    )


def in_process(capsys: pytest.CaptureFixture[str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """`tdce …` through the same `main` in this process, for argument checks (a fresh one costs half a second)."""
    try:
        code = main(list(arguments))
    except SystemExit as stopped:
        code = stopped.code
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["tdce", *arguments], code, captured.out, captured.err)


def one_clean_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr + result.stdout
    # The plan's own warnings (a plain Debian image, tdce/plan_warnings.py) are lines of their own.
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_tdce_alone_is_a_usage_error_not_a_policy_violation() -> None:
    result = tdce()
    assert result.returncode == USAGE
    assert one_clean_line(result).startswith("tdce: error: ")


def test_version_prints_the_package_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = tdce("--version")
    assert result.returncode == OK
    assert result.stdout.strip() == f"tdce {version}"


# The waits' defaults and limits as docs/operations.md gives them.
@pytest.mark.parametrize(
    "command, option",
    [
        ("backup", "--timeout-minutes TIMEOUT_MINUTES stop waiting after this long (default 240, at most 10080)"),
        ("health", "--timeout TIMEOUT seconds to wait for each port (default 3, at most 300)"),
    ],
)
def test_help_gives_each_wait_its_default_and_limit(command: str, option: str, capsys: pytest.CaptureFixture[str]) -> None:
    result = in_process(capsys, command, "--help")
    assert option in " ".join(result.stdout.split())


@pytest.mark.parametrize("command", [(), ("plan",), ("init",), ("backup",), ("health",), ("preflight",)], ids=" ".join)
def test_help_lists_every_exit_code(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    result = in_process(capsys, *command, "--help")
    assert result.returncode == OK
    listed = {line.split()[0] for line in result.stdout.partition("exit codes:")[2].splitlines() if line[:4].strip().isdigit()}
    assert ALL_CODES <= listed
    documented = set(re.findall(r"^\| `(\d+)` \|", DOCS.partition("## Exit codes")[2], re.M))
    assert listed == documented  # a code added to the help is documented too


def test_a_missing_policy_pack_is_one_line_naming_the_flag() -> None:
    result = tdce("plan", STACK, "--policy-pack", "/nonexistent")
    assert result.returncode == USAGE
    line = one_clean_line(result)
    assert "--policy-pack" in line and "/nonexistent" in line
    assert result.stdout == ""  # refused before the plan ran


@pytest.mark.parametrize("value", ["-1", "inf", "-inf", "nan", "0", "soon", "301"])
def test_health_timeouts_that_are_not_a_positive_finite_number_are_refused(value: str, capsys) -> None:
    result = in_process(capsys, "health", STACK, "--timeout", value)
    assert result.returncode == USAGE
    assert "argument --timeout: " in one_clean_line(result)


@pytest.mark.parametrize("value", ["-1", "inf", "nan", "0", "1e400"])
def test_backup_timeouts_are_refused_before_any_snapshot_is_made(
    value: str, aws: AwsClients, capsys: pytest.CaptureFixture
) -> None:
    deployed = deploy(aws, STACK)
    with pytest.raises(SystemExit) as stopped:
        main(["backup", STACK, "--timeout-minutes", value])
    assert stopped.value.code == USAGE
    assert "argument --timeout-minutes: " in capsys.readouterr().err
    assert aws("ec2").describe_snapshots(Filters=[{"Name": "volume-id", "Values": [deployed.volume]}])["Snapshots"] == []


def no_credentials_environment(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    # No files, no instance metadata (169.254.169.254), no container endpoint: nothing to find.
    return {
        **env,
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# teardown with --dry-run: a bare teardown is refused at the command line, before credentials are looked for.
FLAGS = {"backup": [], "health": [], "preflight": [], "teardown": ["--dry-run"]}


@pytest.mark.parametrize("command", list(FLAGS))
def test_no_credentials_says_so_and_how_to_set_them(command: str, tmp_path: Path) -> None:
    result = tdce(command, STACK, *FLAGS[command], env=no_credentials_environment(tmp_path))
    assert result.returncode == FAILED
    line = one_clean_line(result)
    assert line.startswith(f"tdce {command}: no AWS credentials found")
    assert "refused" not in line
    for way in ("AWS_PROFILE", "aws configure", "aws sso login"):
        assert way in line


def closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: connections are refused


@pytest.mark.parametrize("command", ["health", "teardown"])
def test_an_unreachable_endpoint_is_not_reported_as_a_credentials_failure(command: str, tmp_path: Path) -> None:
    env = {
        **no_credentials_environment(tmp_path),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_loopback_port()}",
        "AWS_MAX_ATTEMPTS": "1",
    }
    result = tdce(command, STACK, *FLAGS[command], env=env)
    assert result.returncode == FAILED
    line = one_clean_line(result)
    assert line.startswith(f"tdce {command}: could not reach AWS")
    assert "credentials" not in line and "refused" not in line


@pytest.mark.parametrize("arguments", [["teardown", "gcp-prod", "--dry-run"], ["preflight", "gcp-prod"]])
def test_a_gcp_stack_without_google_credentials_is_one_line_saying_how_to_set_them(
    arguments: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    # Where Google's libraries look for application default credentials, all empty: the variable,
    # gcloud's configuration folder, and (switched off) the metadata server, so nothing leaves the machine.
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    assert main(arguments) == FAILED
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"tdce {arguments[0]}: no Google application default credentials found; ")
    assert "gcloud auth application-default login" in line and "GOOGLE_APPLICATION_CREDENTIALS" in line


def test_a_refused_database_snapshot_names_the_disk_snapshot_and_prints_its_restore_line(
    aws: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from tdce.ops import runs

    deployed = deploy(aws, STACK, aurora=True)
    monkeypatch.setattr(runs, "AwsClients", lambda region: aws)
    monkeypatch.setattr(runs, "load_aws_settings", _aurora_settings)

    def refuse(*args, **kwargs):
        raise ClientError({"Error": {"Code": "SnapshotQuotaExceeded", "Message": "quota reached"}}, "CreateDBClusterSnapshot")

    monkeypatch.setattr(backup_module, "_snapshot_cluster", refuse)
    assert main(["backup", STACK, "--no-wait"]) == FAILED
    captured = capsys.readouterr()
    [snapshot] = aws("ec2").describe_snapshots(Filters=[{"Name": "volume-id", "Values": [deployed.volume]}])["Snapshots"]
    assert "SnapshotQuotaExceeded: quota reached" in captured.err
    assert snapshot["SnapshotId"] in captured.err  # named: the user knows what exists
    assert f"pulumi config set --path tdce:restore.dataDiskSnapshotId {snapshot['SnapshotId']}\n" in captured.out
    assert "databaseSnapshotIdentifier" not in captured.out


def _aurora_settings(command: str, stack: str, config_dir: Path):
    from tests.ops_support import prod_settings

    return prod_settings({"database.engine": "aurora"})


def planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *arguments: str):
    """`tdce plan …` in this process (a plan in a fresh one costs seconds): exit code, stdout, stderr."""
    from tdce.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["plan", *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_json_creates_missing_folders(tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = planned(tmp_path, monkeypatch, capsys, "gcp-prod", "--no-policy", "--json", "plans/gcp-prod.json")
    assert code == OK, err
    assert json.loads((tmp_path / "plans" / "gcp-prod.json").read_text())["stack"] == "gcp-prod"


def test_plan_json_dash_writes_only_json_to_stdout_and_the_plan_to_stderr(tmp_path: Path, monkeypatch, capsys) -> None:
    code, out, err = planned(tmp_path, monkeypatch, capsys, "aws-dev", "--no-policy", "--json", "-")
    assert code == OK
    assert json.loads(out)["stack"] == "aws-dev"
    assert "tdce/aws-dev" in err
    assert not (tmp_path / "-").exists()


def test_make_alone_prints_the_targets_and_installs_nothing(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    result = subprocess.run(["make"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    for target in ("plan", "test", "lint", "bench", "env"):
        assert f"make {target} " in result.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == ["Makefile"]


def test_plan_json_to_a_path_that_cannot_be_written_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "plans").write_text("a file, not a folder")
    code, _, err = planned(tmp_path, monkeypatch, capsys, "aws-dev", "--no-policy", "--json", "plans/aws-dev.json")
    assert code == USAGE
    said = ("warning: ", "policy pack not run")
    lines = [line for line in err.strip().splitlines() if not line.startswith(said)]
    assert len(lines) == 1 and lines[0].startswith("tdce plan: --json: cannot write plans/aws-dev.json"), err


def test_a_plan_without_the_pack_says_so_on_stderr(tmp_path: Path, monkeypatch, capsys) -> None:
    code, out, err = planned(tmp_path, monkeypatch, capsys, "aws-dev", "--no-policy")
    assert code == OK, err
    assert "policy pack not run (--no-policy)" in err.splitlines()
    assert "policy pack" not in out

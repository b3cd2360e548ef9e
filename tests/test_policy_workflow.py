"""The pull-request workflow: safe for forks, plans every example stack with the pack, previews with it where it can."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"


def workflow() -> dict:
    document = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the bare key `on` as the boolean true.
    document["on"] = document.pop(True, document.get("on"))
    return document


def step_running(job: dict, text: str) -> dict:
    return next(step for step in job["steps"] if text in step.get("run", ""))


def test_it_runs_on_pull_requests_with_read_only_defaults() -> None:
    document = workflow()
    assert "pull_request" in document["on"]
    assert "pull_request_target" not in document["on"]  # would hand fork code the repository's secrets
    assert document["permissions"] == {"contents": "read"}


def test_the_offline_job_needs_no_secret_and_runs_the_tests() -> None:
    offline = workflow()["jobs"]["offline"]
    assert "secrets." not in yaml.safe_dump(offline)
    assert step_running(offline, "make test")
    assert re.search(r"^test:", (ROOT / "Makefile").read_text(), re.MULTILINE)


def run_plan_step(tmp_path: Path, failing_stack: str | None = None) -> tuple[int, list[str]]:
    """Run the workflow's plan step in a copy of the config folder, with a stand-in `uv` that records its calls."""
    (tmp_path / "config").mkdir()
    for stack_file in (ROOT / "config").glob("Pulumi.*.yaml"):
        (tmp_path / "config" / stack_file.name).write_text(stack_file.read_text())
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "uv"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\ncase "$*" in *"plan {failing_stack} "*) exit 2;; esac\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    script = step_running(workflow()["jobs"]["offline"], "tdce plan")["run"]
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    return result.returncode, calls.read_text().splitlines() if calls.exists() else []


def test_the_offline_job_plans_every_example_stack_with_the_pack(tmp_path: Path) -> None:
    status, calls = run_plan_step(tmp_path)
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "config").glob("Pulumi.*.yaml"))
    assert status == 0
    assert sorted(call.split()[4] for call in calls) == stacks
    assert all(call.startswith("run --frozen tdce plan") and "--no-policy" not in call for call in calls)


def test_one_failing_plan_fails_the_job_after_planning_the_others(tmp_path: Path) -> None:
    status, calls = run_plan_step(tmp_path, failing_stack="aws-prod")
    assert status != 0
    assert len(calls) == len(list((ROOT / "config").glob("Pulumi.*.yaml")))


def test_previews_run_only_for_branches_of_this_repository_with_the_pack() -> None:
    preview = workflow()["jobs"]["preview"]
    assert preview["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    pulumi = next(step for step in preview["steps"] if step.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["comment-on-pr"] is True
    assert preview["permissions"]["pull-requests"] == "write"
    # Without credentials (a repository that has none configured) every step after the check is skipped.
    for step in preview["steps"][1:]:
        assert "steps.credentials.outputs.present == 'true'" in step["if"], step


def uses_lines() -> list[str]:
    return [line.strip().removeprefix("- ") for line in WORKFLOW.read_text().splitlines() if line.strip().startswith("- uses:")]


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it() -> None:
    lines = uses_lines()
    assert lines
    for line in lines:
        if "# zizmor: ignore[unpinned-uses]" in line:
            continue  # justified in the comment above it; the test below holds zizmor to it
        assert re.fullmatch(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line


def test_every_checkout_leaves_no_credentials_behind() -> None:
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, step


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    assert zizmor, "zizmor is a dev dependency (pyproject.toml)"
    # --offline: the audits that ask GitHub's API need a token and the network; the rest run here.
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", str(WORKFLOW.parent)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_every_zizmor_ignore_gives_its_reason() -> None:
    lines = WORKFLOW.read_text().splitlines()
    for index, line in enumerate(lines):
        if "zizmor: ignore" in line:
            assert lines[index - 1].strip().startswith("#"), line


def test_the_pack_runs_in_the_virtual_environment_uv_creates() -> None:
    pack = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"]["name"] == "python"
    assert (ROOT / "policies" / pack["runtime"]["options"]["virtualenv"]).resolve() == ROOT / ".venv"


def test_the_preview_job_only_previews_stacks_a_real_preview_can_decrypt() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    stacks = workflow["jobs"]["preview"]["strategy"]["matrix"]["stack"]
    assert stacks
    for stack in stacks:
        assert "secure:" not in (ROOT / "config" / f"Pulumi.{stack}.yaml").read_text(), stack

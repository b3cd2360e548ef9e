"""The README's commands run, as a newcomer would type them, on a copy of the repository.

Every line of the README's ```sh blocks is either run here or listed below as not runnable here
(it needs a cloud, the Pulumi CLI or the network, or it is the suite itself), with the reason: a
new README command fails `test_every_readme_command_is_run_or_listed` until it is classified.

The copy is the repository's files (`git ls-files`); its `.venv` is a link to the environment
running the tests, and `PYTHONPATH` points the installed `tdce` at the copy's code, so nothing is
installed and nothing leaves the machine. The lines of one block run in order in one copy (the
block that writes a stack file with `tdce init` then plans it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()

# Offline-runnable: the plan, init, ports and every --help, and make's target list.
RUNNABLE = re.compile(r"^(?:\.venv/bin/tdce (?:plan|init|ports) .*|\.venv/bin/tdce \w+ --help|make help)$")
# What each runnable command must print (stdout and stderr together), by the command's first words.
KEY_PHRASES = {
    ".venv/bin/tdce plan": "Channels as",
    ".venv/bin/tdce init": "pulumi config set --secret tdce:dashboardAdminPassword",
    ".venv/bin/tdce ports": "flowchart",
    "make help": "make plan",
}
NOT_RUNNABLE_HERE = {
    "make plan": "installs the runtime packages from PyPI on a fresh clone; the plan it runs is run below",
    "make test": "the suite itself",
    "make env": "installs the development packages from PyPI",
    'export PATH="$PWD/.tools/bin:$PATH"': "changes the reader's shell",
    "pulumi stack init my-cluster": "needs the Pulumi CLI and a backend",
    "pulumi config set --stack my-cluster --path tdce:server.marketplaceProductCode PRODUCT_CODE": "needs the Pulumi CLI",
    "pulumi config set --stack my-cluster --secret tdce:dashboardAdminPassword": "needs the Pulumi CLI (and prompts)",
    ".venv/bin/tdce preflight my-cluster": "asks the cloud account",
    "pulumi preview --stack my-cluster --policy-pack policies": "needs the Pulumi CLI and the cloud",
    "pulumi up --stack my-cluster --policy-pack policies": "needs the Pulumi CLI and the cloud",
    "pulumi stack output dashboardUrl --stack my-cluster": "needs the Pulumi CLI and a deployed stack",
    'aws secretsmanager get-secret-value --region "$(pulumi config get tdce:region --stack my-cluster)" '
    '--secret-id "$(pulumi stack output dashboardAdminPasswordSecret --stack my-cluster)" '
    "--query SecretString --output text": "needs AWS and a deployed stack",
    'gcloud secrets versions access latest --secret="$(pulumi stack output dashboardAdminPasswordSecret '
    '--stack my-cluster)"': "needs GCP and a deployed stack",
    "pulumi stack output --stack my-cluster": "needs the Pulumi CLI and a deployed stack",
    ".venv/bin/tdce teardown my-cluster --dry-run": "asks the cloud account",
    ".venv/bin/tdce teardown my-cluster --yes": "deletes in the cloud account",
    "pulumi config set --stack my-cluster tdce:deletionProtection false": "needs the Pulumi CLI",
    "pulumi up --stack my-cluster": "needs the Pulumi CLI and the cloud",
    "pulumi destroy --stack my-cluster": "needs the Pulumi CLI and the cloud",
}


def blocks() -> list[list[str]]:
    """The README's ```sh blocks, each as its command lines without comments."""
    found = []
    for block in re.findall(r"^ *```sh\n(.*?)^ *```", README, re.S | re.M):
        lines = [line.split(" #", 1)[0].strip() for line in block.splitlines()]
        found.append([line for line in lines if line])
    return found


def runnable_blocks() -> list[list[str]]:
    return [runnable for block in blocks() if (runnable := [line for line in block if RUNNABLE.match(line)])]


def test_every_readme_command_is_run_or_listed():
    lines = [line for block in blocks() for line in block]
    unclassified = [line for line in lines if not RUNNABLE.match(line) and line not in NOT_RUNNABLE_HERE]
    assert not unclassified, "classify these README commands in tests/test_readme_commands.py"
    stale = set(NOT_RUNNABLE_HERE) - set(lines)
    assert not stale, "listed as not runnable but no longer in the README"
    assert sum(len(block) for block in runnable_blocks()) >= 8  # plan, init, ports, the ops' --help, make help


@pytest.fixture
def copy_of_the_repository(tmp_path: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    copy = tmp_path / "repository"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (copy / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return copy


def run_in(copy: Path, line: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PYTHONPATH": str(copy),  # ahead of the editable install's path to the original
        "COLUMNS": "120",
        "TDCE_DEBUG": "",
    }
    return subprocess.run(["bash", "-c", line], cwd=copy, env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("block", runnable_blocks(), ids=lambda block: block[0])
def test_readme_commands_run_on_a_copy_of_the_repository(block, copy_of_the_repository):
    for line in block:
        done = run_in(copy_of_the_repository, line)
        printed = done.stdout + done.stderr
        assert done.returncode == 0, (line, printed[-2000:])
        phrase = next((p for prefix, p in KEY_PHRASES.items() if line.startswith(prefix)), None)
        if phrase is None:  # tdce COMMAND --help
            phrase = f"usage: tdce {line.split()[1]}"
        assert phrase in printed, (line, printed[-2000:])
    assert not (ROOT / "config" / "Pulumi.my-cluster.yaml").exists(), "a README command wrote into the repository itself"

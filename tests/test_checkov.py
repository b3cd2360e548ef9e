"""Checkov's terraform_plan checks on every example stack: a second opinion no one here wrote.

The recorded plans become Terraform plan JSON (tests/terraform_plan.py); one Checkov run reads all
six (Checkov's start-up is most of its cost). Each finding must be in tests/checkov_allowlist.py
with a reason, and each entry there must still be found.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.checkov_allowlist import ACCEPTED
from tests.support import EXAMPLE_STACKS, plan_of
from tests.terraform_plan import terraform_plan

CHECKOV = Path(sys.executable).with_name("checkov")
# Findings that show the converter reaches the checks: each passes only if the converted plan carries
# the right nested block, renamed block or reference (a missing one fails or goes unseen).
CONVERTER_REACHES = {
    ("aws-prod", "CKV2_AWS_6", "aws_s3_bucket.tdce-storage-bundles"),  # public access block → bucket reference
    ("aws-prod", "CKV2_AWS_11", "aws_vpc.tdce-network-vpc"),  # flow log → VPC reference
    ("aws-prod", "CKV2_AWS_12", "aws_vpc.tdce-network-vpc"),  # default security group → VPC reference
    ("aws-prod", "CKV_AWS_19", "aws_s3_bucket.tdce-storage-bundles"),  # encryption `rule` block
    ("aws-prod", "CKV_AWS_79", "aws_instance.tdce-server-instance"),  # metadata_options block
    ("aws-prod", "CKV_AWS_79", "aws_launch_template.tdce-workers-linux-spot-template"),
    ("aws-aurora", "CKV2_AWS_57", "aws_secretsmanager_secret.tdce-database-secrets-user"),  # rotation reference
    ("aws-aurora", "CKV_AWS_96", "aws_rds_cluster.tdce-database-cluster"),
    ("gcp-prod", "CKV_GCP_2", "google_compute_firewall.tdce-firewall-ssh-from-admins"),  # `allow` block
    ("gcp-prod", "CKV_GCP_32", "google_compute_instance.tdce-server-vm"),  # metadata map
    ("gcp-prod", "CKV_GCP_39", "google_compute_instance_template.tdce-workers-linux-spot"),
    ("gcp-prod", "CKV_GCP_29", "google_storage_bucket.tdce-storage-bundles"),
}


@cache
def checkov_results(directory: str) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """(passed, failed) as (stack, check, resource address), from one Checkov run over every example stack."""
    files = []
    for stack in EXAMPLE_STACKS:
        path = Path(directory) / f"{stack}.json"
        path.write_text(json.dumps(terraform_plan(plan_of(stack))))
        files += ["-f", path.name]
    # --skip-download: no call to Prisma Cloud for guidelines (nothing here reaches it anyway).
    run = subprocess.run(
        [str(CHECKOV), *files, "--framework", "terraform_plan", "--output", "json", "--compact", "--skip-download"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]
    reports = json.loads(run.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    found: dict[str, set[tuple[str, str, str]]] = {"passed_checks": set(), "failed_checks": set()}
    for report in reports:
        for outcome, rows in found.items():
            for row in report["results"][outcome]:
                rows.add((Path(row["file_path"]).stem, row["check_id"], row["resource"]))
    return found["passed_checks"], found["failed_checks"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return checkov_results(str(tmp_path_factory.mktemp("checkov")))


def accepted() -> set[tuple[str, str, str]]:
    return {(stack, entry.check, entry.resource) for entry in ACCEPTED for stack in entry.stacks}


def test_every_finding_is_fixed_or_accepted_with_a_reason(results):
    _, failed = results
    unexplained = sorted(failed - accepted())
    assert not unexplained, "Checkov findings with no entry in tests/checkov_allowlist.py:\n" + "\n".join(
        " ".join(row) for row in unexplained
    )


def test_no_accepted_finding_is_stale(results):
    _, failed = results
    stale = sorted(accepted() - failed)
    assert not stale, "fixed, or no longer found: remove from tests/checkov_allowlist.py:\n" + "\n".join(
        " ".join(row) for row in stale
    )


def test_the_converter_reaches_the_checks(results):
    passed, _ = results
    assert CONVERTER_REACHES <= passed, sorted(CONVERTER_REACHES - passed)


def test_every_acceptance_says_why_and_waits_only_on_a_named_issue():
    for entry in ACCEPTED:
        assert entry.reason.strip() and entry.stacks, entry
        assert entry.until is None or entry.until.startswith("issue "), entry
    # The Cloud SQL TLS finding was real and is fixed (issue 15): it must not come back as an acceptance.
    assert not [entry for entry in ACCEPTED if entry.check == "CKV_GCP_6"]
    keys = [(entry.check, entry.resource) for entry in ACCEPTED]
    assert len(keys) == len(set(keys))

"""`tdce plan`: exit codes, the JSON schema docs/offline-plan.md documents, and no secret in any output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.errors import ConfigError
from tdce.cli import EXIT_CONFIG_ERROR, EXIT_OK, main
from tdce.mock_cloud import OfflineCloud
from tdce.planner import run_program
from tdce.recording import RecordingMonitor
from tests.support import EXAMPLE_STACKS, of_type, stack_values, with_setting

ROOT = Path(__file__).resolve().parent.parent
PLAN_DOC = (ROOT / "docs" / "offline-plan.md").read_text()


def readme_plan_schema() -> dict:
    block = re.search(r"## JSON schema.*?```json\n(.*?)```", PLAN_DOC, re.S)
    assert block, "docs/offline-plan.md documents the plan's JSON schema"
    return json.loads(block.group(1))


def shape(document: dict) -> dict[str, set[str]]:
    resource = document["resources"][0]
    return {
        "top": set(document),
        "resource": set(resource),
        "options": set(resource["options"]),
        "channel": set(document["channels"][0]),
    }


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_plan_of_example_stack_exits_0_and_writes_the_documented_schema(stack, tmp_path, capsys):
    target = tmp_path / "plan.json"
    assert main(["plan", stack, "--json", str(target), "--no-policy"]) == EXIT_OK
    written = json.loads(target.read_text())
    assert shape(written) == shape(readme_plan_schema())
    assert written["project"] == "tdce" and written["stack"] == stack
    components = [r for r in written["resources"] if not r["custom"]]
    assert any(r["type"] == f"tdce:{stack.split('-')[0]}:Deployment" for r in components)
    for resource in written["resources"]:
        assert resource["urn"].startswith(f"urn:pulumi:{stack}::tdce::")
    printed = capsys.readouterr().out
    assert f"tdce/{stack}" in printed and "Channels as" in printed


def test_encrypted_stack_value_never_appears_in_plan_output_or_file(tmp_path, capsys):
    stack_file = (ROOT / "config" / "Pulumi.aws-dev.yaml").read_text()
    ciphertext = re.search(r"secure: (v1:\S+)", stack_file).group(1)
    target = tmp_path / "plan.json"
    assert main(["plan", "aws-dev", "--json", str(target), "--no-policy"]) == EXIT_OK
    assert ciphertext not in capsys.readouterr().out
    assert ciphertext not in target.read_text()


def test_secret_config_value_never_appears_in_the_plan():
    from tdce.planner import plan_config

    canary = "CanaryPassword0123456789"
    values, secret_keys = stack_values("aws-prod")
    values = with_setting(values, "dashboardAdminPassword", canary)
    plan = plan_config("aws-prod", values, secret_keys | {"tdce:dashboardAdminPassword"})
    assert canary not in json.dumps(plan.as_json())


def test_bad_config_exits_1_with_one_line_per_problem_and_no_traceback(tmp_path):
    (tmp_path / "Pulumi.broken.yaml").write_text(
        "config:\n"
        "  tdce:cloud: aws\n"
        "  tdce:region: eu-west-1\n"
        "  tdce:access:\n    userCidrs: [203.0.113.0/24]\n    adminCidrs: [0.0.0.0/0]\n"
        "  tdce:workers:\n"
        "    - {name: a, instanceType: c5.large, maxCount: 2}\n"
        "    - {name: b, instanceType: c5.large, desiredCount: 4, maxCount: 2}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "tdce", "plan", "broken", "--config-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == EXIT_CONFIG_ERROR
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert "tdce:workers[1].maxCount: must be ≥ desiredCount (4), got 2" in lines
    assert any(line.startswith("tdce:access.adminCidrs: ") for line in lines)
    assert len(lines) == 2
    assert result.stdout == ""


def test_program_refuses_bad_config_before_registering_any_resource():
    values, secret_keys = stack_values("aws-prod")
    values = with_setting(values, "access.adminCidrs", ["0.0.0.0/0"])
    monitor = RecordingMonitor(OfflineCloud())
    # A ConfigError is a RunError: under the Pulumi CLI it is printed as its message alone, without a traceback.
    with pytest.raises(ConfigError, match=r"^tdce:access\.adminCidrs: must not contain 0\.0\.0\.0/0"):
        run_program("aws-prod", values, secret_keys, monitor)
    assert [r.type for r in monitor.records] == ["pulumi:pulumi:Stack"]


def test_ports_prints_every_channel_as_mermaid(capsys):
    assert main(["ports", "--format", "mermaid"]) == EXIT_OK
    diagram = capsys.readouterr().out
    assert diagram.startswith("flowchart LR")
    for name in ("signal: TCP 20001", "interconnect: TCP 1024-65535", "worker-rdp: TCP 3389"):
        assert name in diagram


def test_recorded_property_dependencies_name_the_resource_each_input_came_from():
    from tests.support import plan_of

    plan = plan_of("aws-prod")
    by_urn = {resource.urn: resource for resource in plan.resources}
    rules = of_type(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rules
    for rule in rules:
        (source,) = rule.property_dependencies["securityGroupId"]
        assert by_urn[source].type == "aws:ec2/securityGroup:SecurityGroup"
        assert by_urn[source].id == rule.inputs["securityGroupId"]

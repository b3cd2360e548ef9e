"""The offline plan refuses what the Pulumi engine refuses or silently ignores (tdce/engine_rules.py).

Expected URNs follow the engine's rule (https://www.pulumi.com/docs/iac/concepts/resources/names/#urns:
`urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`, the root stack left out); expected
property names are the provider documentation's (Pulumi Registry pages of aws.ec2.Instance,
gcp.compute.Instance, gcp.secretmanager.Secret, gcp.sql.DatabaseInstance, aws.rds.Cluster).
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path

import pulumi_aws  # noqa: F401 (importing an SDK registers its types, as the program's imports do)
import pulumi_gcp  # noqa: F401
import pytest

from tdce.cli import main
from tdce.engine_rules import option_problems
from tdce.mock_cloud import OfflineCloud
from tdce.plan_errors import EngineRefusal
from tdce.planner import Plan, plan_stack, run_program
from tdce.provider_schema import schema_for
from tdce.recording import RecordedResource, RecordingMonitor
from tests.engine_programs import STACK, install_program
from tests.support import EXAMPLE_STACKS, plan_of, recorded, stack_values

PET = "random:index/randomPet:RandomPet"
TWO_PETS = "import pulumi_random\npulumi_random.RandomPet('x')\npulumi_random.RandomPet('x')\n"
GCP_INSTANCE = "gcp:compute/instance:Instance"
AWS_INSTANCE = "aws:ec2/instance:Instance"
BOXES = textwrap.dedent(
    """
    import pulumi, pulumi_random

    class Box(pulumi.ComponentResource):
        def __init__(self, name, token="tdce:test:Box", opts=None):
            super().__init__(token, name, None, opts)
            pulumi_random.RandomPet("pet", opts=pulumi.ResourceOptions(parent=self))
    """
)


def refused(source: str, tmp_path, monkeypatch) -> list[str]:
    """The problems `tdce plan` reports for a tiny program (an empty list when it is accepted)."""
    config_dir = install_program(source, tmp_path, monkeypatch)
    try:
        plan_stack(STACK, config_dir)
    except EngineRefusal as refusal:
        return refusal.problems
    return []


# --- Duplicate URNs -------------------------------------------------------------------------------


def test_two_resources_with_one_name_stop_the_plan_with_one_line_naming_both(tmp_path, monkeypatch):
    problems = refused(
        """
        import pulumi_random
        pulumi_random.RandomPet("same")
        pulumi_random.RandomPet("same", length=3)
        """,
        tmp_path,
        monkeypatch,
    )
    assert len(problems) == 1
    (line,) = problems
    assert line.startswith(f"Duplicate resource URN 'urn:pulumi:{STACK}::tdce::{PET}::same'; try giving it a unique name")
    assert line.count(f'{PET} "same"') == 2
    assert "length" in line  # what tells the two apart
    assert "\n" not in line


def test_children_of_two_components_of_one_type_collide_and_both_parents_are_named(tmp_path, monkeypatch):
    problems = refused(BOXES + 'Box("a")\nBox("b")\n', tmp_path, monkeypatch)
    (line,) = problems
    assert f"'urn:pulumi:{STACK}::tdce::tdce:test:Box${PET}::pet'" in line
    assert 'parent tdce:test:Box "a"' in line and 'parent tdce:test:Box "b"' in line


def test_same_name_under_parents_of_different_types_is_two_urns(tmp_path, monkeypatch):
    assert refused(BOXES + 'Box("a")\nBox("b", token="tdce:test:Crate")\n', tmp_path, monkeypatch) == []


def test_urn_carries_the_whole_parent_type_chain_as_the_engine_builds_it(tmp_path, monkeypatch):
    # Same parent type, different grandparent types: the mock monitor's own URNs (parent's type only)
    # would collide; the engine's do not.
    source = BOXES + textwrap.dedent(
        """
        class Shelf(pulumi.ComponentResource):
            def __init__(self, name, token, opts=None):
                super().__init__(token, name, None, opts)
                Box("box", opts=pulumi.ResourceOptions(parent=self))

        Shelf("left", "tdce:test:LeftShelf")
        Shelf("right", "tdce:test:RightShelf")
        """
    )
    assert refused(source, tmp_path, monkeypatch) == []
    assert refused(BOXES + 'Box("a")\nBox("a", token="tdce:test:Crate")\nBox("a")\n', tmp_path, monkeypatch) != []


def test_duplicate_urn_exits_4_with_one_line_on_stderr(tmp_path, monkeypatch, capsys):
    config_dir = install_program(TWO_PETS, tmp_path, monkeypatch)
    assert main(["plan", STACK, "--config-dir", str(config_dir), "--no-policy"]) == 4
    error = capsys.readouterr().err
    assert error.startswith("Duplicate resource URN 'urn:pulumi:tiny::tdce::random:index/randomPet:RandomPet::x'")
    assert len(error.strip().splitlines()) == 1
    assert "Traceback" not in error


def test_the_monitor_records_the_duplicate_instead_of_raising_inside_the_sdk(tmp_path, monkeypatch):
    install_program(TWO_PETS, tmp_path, monkeypatch)
    values, secret_keys = stack_values("aws-dev")
    monitor = RecordingMonitor(OfflineCloud())
    run_program(STACK, values, secret_keys, monitor)
    assert [record.name for record in monitor.records if record.type == PET] == ["x", "x"]
    assert len(monitor.problems) == 1


def engine_urns(plan: Plan) -> list[str]:
    """Every registration's URN as the engine builds it, from the documented rule (not tdce/engine_rules.py)."""
    by_urn = {resource.urn: resource for resource in plan.resources}

    def qualified_type(resource: RecordedResource) -> str:
        parent = by_urn.get(resource.parent) if resource.parent else None
        if parent is None or parent.type == "pulumi:pulumi:Stack":
            return resource.type
        return f"{qualified_type(parent)}${resource.type}"

    return [f"urn:pulumi:{plan.stack}::{plan.project}::{qualified_type(r)}::{r.name}" for r in plan.resources]


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_example_stack_has_unique_urns(stack):
    duplicates = [urn for urn, count in Counter(engine_urns(plan_of(stack))).items() if count > 1]
    assert duplicates == []


# --- ignoreChanges, replaceOnChanges, additionalSecretOutputs -------------------------------------

SERVER = """
    import pulumi, pulumi_aws
    pulumi_aws.ec2.Instance(
        "server", ami="ami-0123456789abcdef0", instance_type="t3.micro", opts=pulumi.ResourceOptions({option}={names!r})
    )
"""


@pytest.mark.parametrize(
    ("option", "names"),
    [
        ("ignore_changes", ["ami"]),
        ("ignore_changes", ["instance_type"]),  # a Python name at the top level: the SDK translates it
        ("ignore_changes", ["rootBlockDevice.volumeSize", 'tags["Name"]']),
        ("replace_on_changes", ["instanceType"]),
        ("additional_secret_outputs", ["passwordData"]),
    ],
)
def test_real_property_names_of_an_aws_instance_are_accepted(option, names, tmp_path, monkeypatch):
    assert refused(SERVER.format(option=option, names=names), tmp_path, monkeypatch) == []


@pytest.mark.parametrize(
    ("option", "names", "expected"),
    [
        ("ignore_changes", ["amii"], f'{AWS_INSTANCE} "server": ignoreChanges "amii": '),
        ("replace_on_changes", ["instanceTyp"], f'{AWS_INSTANCE} "server": replaceOnChanges "instanceTyp": '),
        ("additional_secret_outputs", ["passwordDta"], f'{AWS_INSTANCE} "server": additionalSecretOutputs "passwordDta": '),
    ],
)
def test_a_misspelt_property_stops_the_plan_naming_the_resource_and_the_nearest_real_one(
    option, names, expected, tmp_path, monkeypatch
):
    nearest = {"amii": "ami", "instanceTyp": "instanceType", "passwordDta": "passwordData"}[names[0]]
    (line,) = refused(SERVER.format(option=option, names=names), tmp_path, monkeypatch)
    assert line.startswith(expected)
    assert line.endswith(f'(did you mean "{nearest}"?)')


def problems_for(type_token: str, custom: bool = True, name: str = "subject", **options: list[str]) -> list[str]:
    resource = recorded(STACK, type_token, name, custom=custom, options=options)
    if custom:
        assert schema_for(type_token) is not None, "an unread type would pass every check"
    return option_problems(resource)


MEANT_IMAGE = '(did you mean "bootDisk.initializeParams.image"?)'


@pytest.mark.parametrize(
    ("type_token", "path"),
    [
        (GCP_INSTANCE, "bootDisk.initializeParams.image"),
        (GCP_INSTANCE, 'bootDisk["initializeParams"].image'),
        (GCP_INSTANCE, "attachedDisks[0].source"),
        (GCP_INSTANCE, "attachedDisks[*].source"),
        (GCP_INSTANCE, 'labels["team"]'),
        (GCP_INSTANCE, "*"),
        ("gcp:secretmanager/secret:Secret", "rotation.nextRotationTime"),
        ("gcp:sql/databaseInstance:DatabaseInstance", "settings.ipConfiguration"),
        ("gcp:sql/databaseInstance:DatabaseInstance", "settings.ipConfiguration.ipv4Enabled"),
        (AWS_INSTANCE, "tags.Name"),
    ],
)
def test_nested_paths_into_real_properties_are_accepted(type_token, path):
    assert problems_for(type_token, ignoreChanges=[path], replaceOnChanges=[path]) == []


@pytest.mark.parametrize(
    ("type_token", "path", "reason"),
    [
        (GCP_INSTANCE, "bootDisk.initializeParams.imag", f'bootDisk.initializeParams has no property "imag" {MEANT_IMAGE}'),
        (GCP_INSTANCE, "bootDisk.initParams.image", f'bootDisk has no property "initParams" {MEANT_IMAGE}'),
        (GCP_INSTANCE, "boot_disk.initialize_params.image", '(did you mean "bootDisk.initializeParams.image"?)'),
        (GCP_INSTANCE, "attachedDisks.source", "attachedDisks is a list"),
        (GCP_INSTANCE, "attachedDisks[0].sauce", '(did you mean "attachedDisks[0].source"?)'),
        (GCP_INSTANCE, "bootDisk[0]", "bootDisk is an object, not a list"),
        (GCP_INSTANCE, "labels[0]", "labels is a map"),
        (GCP_INSTANCE, "machineType.name", "machineType is a string"),
        (GCP_INSTANCE, 'bootDisk["image', "not a property path"),
        ("gcp:secretmanager/secret:Secret", "rotation.nextRotation", '(did you mean "rotation.nextRotationTime"?)'),
        ("gcp:sql/databaseInstance:DatabaseInstance", "settings.ipConfig", '(did you mean "settings.ipConfiguration"?)'),
        (AWS_INSTANCE, "arn", "is an output of aws:ec2/instance:Instance, not an input"),
    ],
)
def test_a_wrong_segment_of_a_nested_path_is_refused(type_token, path, reason):
    (line,) = problems_for(type_token, ignoreChanges=[path])
    assert line.startswith(f'{type_token} "subject": ignoreChanges "{path}": ')
    assert reason in line


def test_secret_outputs_name_top_level_outputs_only():
    cluster = "aws:rds/cluster:Cluster"
    assert problems_for(cluster, additionalSecretOutputs=["masterPassword", "masterUserSecrets"]) == []
    (nested,) = problems_for(cluster, additionalSecretOutputs=["masterUserSecrets[0].secretArn"])
    assert "only top-level output properties can be made secret" in nested
    (misspelt,) = problems_for(cluster, additionalSecretOutputs=["masterPasword"])
    assert misspelt.endswith('has no output "masterPasword" (did you mean "masterPassword"?)')


def test_component_resources_have_no_schema_and_are_not_checked():
    assert problems_for("tdce:aws:Server", custom=False, ignoreChanges=["anything"], additionalSecretOutputs=["at.all"]) == []


def test_every_provider_type_the_example_stacks_register_is_read_from_its_sdk():
    # The check is only as good as the lookup: a type it could not find would go unchecked.
    types = {resource.type for stack in EXAMPLE_STACKS for resource in plan_of(stack).resources if resource.custom}
    schemas = {type_token: schema_for(type_token) for type_token in types}
    unread = sorted(type_token for type_token, schema in schemas.items() if schema is None or not schema.outputs.properties)
    assert unread == []
    assert {"pulumi:providers:aws", "pulumi:providers:gcp", "aws:ec2/instance:Instance", GCP_INSTANCE} <= types


def test_the_refusals_the_documentation_shows_are_the_ones_printed():
    page = (Path(__file__).resolve().parent.parent / "docs" / "offline-plan-engine-rules.md").read_text()
    shown = list(re.finditer(r'^(?P<type>(?:aws|gcp):\S+) "(?P<name>[^"]+)": ignoreChanges "(?P<path>[^"]+)": .*$', page, re.M))
    assert len(shown) == 2
    for example in shown:
        printed = problems_for(example["type"], name=example["name"], ignoreChanges=[example["path"]])
        assert printed == [example.group(0)]

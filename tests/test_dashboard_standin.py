"""The dashboard flow against moto, reading the published deployment document; then `tdce teardown` removes
all of it and nothing else. (moto does not evaluate IAM conditions: this shows the flow and the contract,
tests/test_dashboard_permissions.py the permissions.)"""

from __future__ import annotations

import argparse
import json

import pytest

from components.aws.deployment_parameter import parameter_name
from tdce.ops.clients import AwsClients
from tdce.ops.report import EXIT_FAILED, EXIT_OK
from tdce.ops.teardown import delete_leftovers, find_leftovers
from tdce.ops.teardown_command import run_teardown
from tests.dashboard_standin import make_custom_image, read_document, scale_down_one, start_workers
from tests.deployed_stack import STACK, Deployed, deploy
from tests.ops_support import UNCHECKED_IMAGE

pytest_plugins = ["tests.ops_support"]


def live_instances(clients: AwsClients) -> set[str]:
    states = [{"Name": "instance-state-name", "Values": ["pending", "running", "stopping", "stopped"]}]
    reservations = clients("ec2").describe_instances(Filters=states)["Reservations"]
    return {i["InstanceId"] for r in reservations for i in r["Instances"]}


def teardown_args(dry_run: bool) -> argparse.Namespace:
    from config.stack_file import CONFIG_DIR

    return argparse.Namespace(stack=STACK, dry_run=dry_run, yes=not dry_run, json=True, config_dir=str(CONFIG_DIR))


@pytest.fixture
def deployed(aws: AwsClients) -> Deployed:
    return deploy(aws)


def test_the_dashboard_flow_follows_the_document_and_teardown_removes_exactly_it(aws: AwsClients, deployed: Deployed, capsys):
    document = read_document(aws, parameter_name(STACK))
    made = start_workers(aws, document, UNCHECKED_IMAGE, count=3)
    (group,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[made.group_name])["AutoScalingGroups"]
    assert group["VPCZoneIdentifier"].split(",") == deployed.subnets
    assert len(group["Instances"]) == 3
    scale_down_one(aws, made)
    (group,) = aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[made.group_name])["AutoScalingGroups"]
    assert group["DesiredCapacity"] == 2
    made = make_custom_image(aws, document, UNCHECKED_IMAGE, made)
    (imaged,) = [
        i for r in aws("ec2").describe_instances(InstanceIds=[made.imaging_instance])["Reservations"] for i in r["Instances"]
    ]
    assert imaged["SubnetId"] == deployed.subnets[0]
    assert [g["GroupId"] for g in imaged["NetworkInterfaces"][0]["Groups"]] == [deployed.worker_group]
    # moto checks that the profile exists but records an association only for a profile given by name.
    (version,) = aws("ec2").describe_launch_template_versions(LaunchTemplateId=made.template_id)["LaunchTemplateVersions"]
    assert version["LaunchTemplateData"]["IamInstanceProfile"] == {"Arn": deployed.profile_arn}
    dashboard_workers = {i["InstanceId"] for i in aws("autoscaling").describe_auto_scaling_instances()["AutoScalingInstances"]
                         if i["AutoScalingGroupName"] == made.group_name}  # fmt: skip
    before = live_instances(aws)

    assert run_teardown(teardown_args(dry_run=False), aws) == EXIT_OK
    deleted = {(item["kind"], item["id"]) for item in json.loads(capsys.readouterr().out)["deleted"]}
    assert ("auto scaling group", made.group_name) in deleted
    assert ("launch template", made.template_id) in deleted
    assert ("image", made.image_id) in deleted
    assert {("snapshot", s) for s in made.snapshots} <= deleted
    assert {("instance", i) for i in dashboard_workers} <= deleted

    # All of it is gone ...
    groups = {g["AutoScalingGroupName"] for g in aws("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]}
    assert made.group_name not in groups
    assert made.template_id not in {t["LaunchTemplateId"] for t in aws("ec2").describe_launch_templates()["LaunchTemplates"]}
    assert aws("ec2").describe_images(Owners=["self"], Filters=[{"Name": "image-id", "Values": [made.image_id]}])["Images"] == []
    assert dashboard_workers.isdisjoint(live_instances(aws))
    # ... and nothing else: the server, the data volume and its backup, the declared pool and its workers.
    assert deployed.server in live_instances(aws)
    pool_workers = before - dashboard_workers - {deployed.server}
    assert pool_workers and pool_workers <= live_instances(aws)
    assert deployed.pool_group in groups
    assert deployed.pool_template in {t["LaunchTemplateId"] for t in aws("ec2").describe_launch_templates()["LaunchTemplates"]}
    assert aws("ec2").describe_volumes(VolumeIds=[deployed.data_volume])["Volumes"]
    assert aws("ec2").describe_snapshots(SnapshotIds=[deployed.backup_snapshot])["Snapshots"]


def test_a_dry_run_lists_and_changes_nothing(aws: AwsClients, deployed: Deployed, capsys):
    made = start_workers(aws, read_document(aws, parameter_name(STACK)), UNCHECKED_IMAGE, count=2)
    before = live_instances(aws)
    assert run_teardown(teardown_args(dry_run=True), aws) == EXIT_OK
    listed = {(item["kind"], item["id"]) for item in json.loads(capsys.readouterr().out)["wouldDelete"]}
    assert ("auto scaling group", made.group_name) in listed and ("launch template", made.template_id) in listed
    assert live_instances(aws) == before
    assert aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[made.group_name])["AutoScalingGroups"]


def test_a_dry_run_read_by_a_person_marks_each_row_and_says_how_to_delete(
    aws: AwsClients, deployed: Deployed, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "200")  # each row on one line, whatever width the run's terminal has
    made = start_workers(aws, read_document(aws, parameter_name(STACK)), UNCHECKED_IMAGE, count=1)
    readable = argparse.Namespace(**{**vars(teardown_args(dry_run=True)), "json": False})
    assert run_teardown(readable, aws) == EXIT_OK
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(made.template_id in line and "would delete" in line for line in lines), lines
    # The same words as on GCP (tests/test_ops_gcp_teardown.py).
    assert lines[-1] == "dry run: nothing was changed; run with --yes instead to delete what is marked 'would delete'"


def test_only_yes_deletes_arguments_without_it_get_the_list(aws: AwsClients, deployed: Deployed, capsys):
    made = start_workers(aws, read_document(aws, parameter_name(STACK)), UNCHECKED_IMAGE, count=1)
    before = live_instances(aws)
    unasked = argparse.Namespace(stack=STACK, dry_run=False, json=True, config_dir=teardown_args(dry_run=True).config_dir)
    assert run_teardown(unasked, aws) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert document["dryRun"] is True and ("launch template", made.template_id) in {
        (item["kind"], item["id"]) for item in document["wouldDelete"]
    }
    assert live_instances(aws) == before


def test_an_untagged_instance_in_the_stacks_network_is_refused_and_nothing_is_deleted(
    aws: AwsClients, deployed: Deployed, capsys
):
    made = start_workers(aws, read_document(aws, parameter_name(STACK)), UNCHECKED_IMAGE, count=1)
    stray = aws("ec2").run_instances(
        ImageId=UNCHECKED_IMAGE, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=deployed.subnets[1]
    )
    stray_id = stray["Instances"][0]["InstanceId"]
    assert run_teardown(teardown_args(dry_run=False), aws) == EXIT_FAILED
    error = capsys.readouterr().err
    assert stray_id in error and "lack the deployment tag tdce:stack=aws-prod" in error and "Nothing was deleted" in error
    assert aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[made.group_name])["AutoScalingGroups"]
    assert stray_id in live_instances(aws)


def test_a_second_run_finds_nothing_and_the_data_volume_survives(aws: AwsClients, deployed: Deployed):
    document = read_document(aws, parameter_name(STACK))
    made = make_custom_image(aws, document, UNCHECKED_IMAGE, start_workers(aws, document, UNCHECKED_IMAGE, count=1))
    delete_leftovers(aws, find_leftovers(aws, STACK), wait=lambda _: None)
    again = find_leftovers(aws, STACK)
    assert again.to_delete == []
    assert {k.id for k in again.kept} == {deployed.backup_snapshot}
    delete_leftovers(aws, again)  # nothing to do, and no error
    assert aws("ec2").describe_volumes(VolumeIds=[deployed.data_volume])["Volumes"][0]["State"] in ("available", "in-use")
    assert made.image_id not in {i["ImageId"] for i in aws("ec2").describe_images(Owners=["self"])["Images"]}


def test_another_stacks_leftovers_are_not_this_stacks(aws: AwsClients, deployed: Deployed):
    other = {**read_document(aws, parameter_name(STACK)), "deploymentTag": {"key": "tdce:stack", "value": "aws-dev"}}
    start_workers(aws, {**other, "namePrefix": "tdce-aws-dev-"}, UNCHECKED_IMAGE, count=0)
    assert find_leftovers(aws, STACK).to_delete == []
    assert [g.id for g in find_leftovers(aws, "aws-dev").groups] == ["tdce-aws-dev-c5-xlarge"]


def test_an_image_whose_snapshot_lacks_the_tag_is_refused(aws: AwsClients, deployed: Deployed, capsys):
    document = read_document(aws, parameter_name(STACK))
    made = make_custom_image(
        aws, document, UNCHECKED_IMAGE, start_workers(aws, document, UNCHECKED_IMAGE, 0), moto_snapshot_tags=False
    )
    assert made.snapshots
    assert run_teardown(teardown_args(dry_run=False), aws) == EXIT_FAILED
    assert f"snapshot {made.snapshots[0]} behind image {made.image_id}" in capsys.readouterr().err
    assert aws("ec2").describe_images(ImageIds=[made.image_id])["Images"]

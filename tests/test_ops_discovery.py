"""Finding a stack's resources by their tags: exactly one, or a refusal that names the tags and what was found."""

from __future__ import annotations

import pytest

from tdce.ops.clients import AwsClients
from tdce.ops.discovery import DiscoveryError, find_data_volume, find_database_cluster, find_server
from tests.ops_support import create_cluster, create_volume, run_server

# The moto `aws` fixture, with fake credentials and loopback-only sockets.
pytest_plugins = ["tests.ops_support"]

STACK = "aws-prod"


def test_two_servers_with_the_same_tags_are_refused_and_both_named(aws: AwsClients) -> None:
    first, second = run_server(aws, STACK), run_server(aws, STACK)
    with pytest.raises(DiscoveryError) as refused:
        find_server(aws, STACK)
    message = str(refused.value)
    assert "2 server instances tagged tdce:stack=aws-prod, tdce:role=server" in message
    assert first in message and second in message


def test_a_terminated_server_is_not_the_server(aws: AwsClients) -> None:
    old, current = run_server(aws, STACK), run_server(aws, STACK)
    aws("ec2").terminate_instances(InstanceIds=[old])
    assert find_server(aws, STACK)["InstanceId"] == current


def test_another_stack_resources_are_never_picked(aws: AwsClients) -> None:
    create_volume(aws, "aws-dev")
    create_cluster(aws, "aws-dev", identifier="dev-db")
    with pytest.raises(DiscoveryError, match="no data volume tagged tdce:stack=aws-prod"):
        find_data_volume(aws, STACK)
    with pytest.raises(DiscoveryError, match="no Aurora cluster tagged tdce:stack=aws-prod, tdce:role=database"):
        find_database_cluster(aws, STACK)


def test_the_stack_cluster_is_found_among_others_by_its_tags(aws: AwsClients) -> None:
    create_cluster(aws, "aws-dev", identifier="dev-db")
    create_cluster(aws, STACK, identifier="prod-db")
    assert find_database_cluster(aws, STACK)["DBClusterIdentifier"] == "prod-db"

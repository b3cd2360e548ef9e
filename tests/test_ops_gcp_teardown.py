"""`tdce teardown` on GCP against an in-memory project made of Google's message types (tests/gcp_fakes.py)."""

from __future__ import annotations

import argparse

import pytest

from tdce.ops import gcp_commands
from tdce.ops.gcp_clients import GcpClients
from tdce.ops.gcp_teardown import gcp_teardown, teardown_lines
from tests.gcp_fakes import FakeCompute, FakeServices
from tests.support import settings_of, stack_values

STACK = "gcp-prod"
PROJECT = "tdce-prod-example"
ZONE = "europe-north1-a"
# The labels as the components and the deployment document give them (config/tags.py, docs/deployment-document.md).
OURS = {"tdce-stack": "gcp-prod"}
POOL = {"tdce-stack": "gcp-prod", "tdce-role": "worker-pool", "tdce-pool": "linux-spot"}


@pytest.fixture
def settings():
    values, secret_keys = stack_values(STACK)
    return settings_of(values, secret_keys)


@pytest.fixture
def project() -> FakeCompute:
    """What a working gcp-prod looks like after the dashboard ran: its own workers and images beside Pulumi's resources."""
    compute = FakeCompute(PROJECT)
    # Pulumi's: the server, its data disk, a Pulumi-sized group's worker, the dashboard-owned pool's template.
    compute.add_instance("tdce-server-vm-1a2b3c4", ZONE, {**OURS, "tdce-role": "server"})
    compute.add_disk("tdce-server-data-5d6e7f8", ZONE, {**OURS, "tdce-role": "data-disk"})
    compute.add_template("tdce-gcp-prod--linux-spot-20261201", POOL)
    # The server's: a worker started from the pool's template, one from its own template, an image, a leftover disk.
    compute.add_instance("tdce-gcp-prod--linux-spot-w1", ZONE, POOL)
    compute.add_instance("tdce-gcp-prod--custom-w1", ZONE, OURS)
    compute.add_template("tdce-gcp-prod--custom-template", OURS)
    compute.add_image("tdce-gcp-prod--worker-image-1", OURS)
    compute.add_disk("tdce-gcp-prod--scratch-1", ZONE, OURS)
    # A prefixed disk labelled as the data disk (copied by hand, say): never deleted.
    compute.add_disk("tdce-gcp-prod--data-copy", ZONE, {**OURS, "tdce-role": "data-disk"})
    # Another stack of the project, whose name starts like this one's.
    compute.add_instance("tdce-gcp-prod-eu--w1", ZONE, {"tdce-stack": "gcp-prod-eu"})
    compute.add_image("tdce-gcp-prod-eu--image", {"tdce-stack": "gcp-prod-eu"})
    return compute


def clients_for(compute: FakeCompute) -> GcpClients:
    return GcpClients(PROJECT, "europe-north1", compute=compute, services=FakeServices(set()))


SERVERS_OWN = {
    ("instance", "tdce-gcp-prod--linux-spot-w1"),
    ("instance", "tdce-gcp-prod--custom-w1"),
    ("disk", "tdce-gcp-prod--linux-spot-w1"),
    ("disk", "tdce-gcp-prod--custom-w1"),
    ("disk", "tdce-gcp-prod--scratch-1"),
    ("image", "tdce-gcp-prod--worker-image-1"),
    ("instance template", "tdce-gcp-prod--custom-template"),
}


def test_a_dry_run_lists_what_the_server_made_and_changes_nothing(project, settings):
    report = gcp_teardown(STACK, settings, True, clients_for(project))
    assert {(item.kind, item.name) for item in report.to_delete} == SERVERS_OWN
    assert project.calls == [] and report.deleted == []
    assert {item.name for item, _ in report.kept} == {"tdce-gcp-prod--linux-spot-20261201", "tdce-gcp-prod--data-copy"}
    assert any(line.startswith("would delete: image tdce-gcp-prod--worker-image-1") for line in teardown_lines(report))
    note = "dry run: nothing was changed; run with --yes instead to delete what is marked 'would delete'"
    assert teardown_lines(report)[-1] == note


def test_the_gcp_command_deletes_only_with_yes(project, settings, capsys):
    unasked = argparse.Namespace(stack=STACK, command="teardown", dry_run=False, json=False)
    assert gcp_commands._teardown(unasked, settings, clients_for(project)) == 0
    assert project.calls == [] and "would delete: image tdce-gcp-prod--worker-image-1" in capsys.readouterr().out
    asked = argparse.Namespace(stack=STACK, command="teardown", dry_run=False, yes=True, json=False)
    assert gcp_commands._teardown(asked, settings, clients_for(project)) == 0
    assert project.calls and "deleted: image tdce-gcp-prod--worker-image-1" in capsys.readouterr().out


def test_teardown_deletes_the_servers_resources_and_nothing_else(project, settings):
    report = gcp_teardown(STACK, settings, False, clients_for(project))
    assert report.ok
    assert {(item.kind, item.name) for item in report.deleted} == SERVERS_OWN
    # The workers' boot disks went with them: no delete call for those.
    assert ("disk", "tdce-gcp-prod--custom-w1") not in project.calls
    remaining = set(project.vms) | set(project.disk_store) | set(project.image_store) | set(project.template_store)
    assert remaining == {
        "tdce-server-vm-1a2b3c4",
        "tdce-server-data-5d6e7f8",
        "tdce-gcp-prod--data-copy",
        "tdce-gcp-prod--linux-spot-20261201",
        "tdce-gcp-prod-eu--w1",
        "tdce-gcp-prod-eu--image",
    }


def test_the_data_disk_survives_and_a_second_run_does_nothing(project, settings):
    gcp_teardown(STACK, settings, False, clients_for(project))
    project.calls.clear()
    again = gcp_teardown(STACK, settings, False, clients_for(project))
    assert again.ok and again.to_delete == [] and again.deleted == [] and project.calls == []
    assert "tdce-server-data-5d6e7f8" in project.disk_store
    assert "nothing to delete" in teardown_lines(again)


def test_a_match_without_the_deployment_label_stops_the_whole_run(project, settings):
    project.add_image("tdce-gcp-prod--someone-elses", {"team": "other"})
    report = gcp_teardown(STACK, settings, False, clients_for(project))
    assert not report.ok
    assert [item.name for item in report.refused] == ["tdce-gcp-prod--someone-elses"]
    assert project.calls == []
    lines = teardown_lines(report)
    assert lines[1] == "refused: image tdce-gcp-prod--someone-elses has the name prefix but not tdce-stack=gcp-prod"
    assert lines[-1].startswith("nothing was deleted")


def test_a_group_the_server_made_goes_before_its_template(project, settings):
    project.add_template("tdce-gcp-prod--group-template", OURS)
    project.add_group("tdce-gcp-prod--group", "europe-north1", "tdce-gcp-prod--group-template")
    report = gcp_teardown(STACK, settings, False, clients_for(project))
    assert report.ok, report.errors
    order = [call for call in project.calls if call[1].startswith("tdce-gcp-prod--group")]
    assert order == [("instance group manager", "tdce-gcp-prod--group"), ("instance template", "tdce-gcp-prod--group-template")]


def test_a_group_whose_template_lacks_the_label_is_refused(project, settings):
    project.add_template("plain-template", {})
    project.add_group("tdce-gcp-prod--stray-group", "europe-north1", "plain-template")
    report = gcp_teardown(STACK, settings, False, clients_for(project))
    assert [item.name for item in report.refused] == ["tdce-gcp-prod--stray-group"]


def test_the_clients_must_be_for_the_stacks_project(settings):
    with pytest.raises(ValueError, match="the clients are for project other-project"):
        gcp_teardown(
            STACK,
            settings,
            True,
            GcpClients("other-project", "europe-north1", compute=FakeCompute("other-project"), services=FakeServices(set())),
        )


def test_each_kind_of_google_failure_is_said_as_what_it_is():
    from google.api_core.exceptions import Forbidden
    from google.auth.exceptions import DefaultCredentialsError, RefreshError, TransportError

    how = "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file"
    said = gcp_commands.google_failure
    assert said(DefaultCredentialsError("none")) == f"no Google application default credentials found; {how}"
    assert said(TransportError("timed out")) == (
        "could not reach Google (timed out); check the network and any proxy (HTTPS_PROXY)"
    )
    assert said(RefreshError("invalid_grant")) == f"Google refused the credentials (invalid_grant); {how}"
    assert said(Forbidden("no compute.instances.list")) == "Google refused: Forbidden: no compute.instances.list"

"""`tdce backup`, `teardown`, `health` and `preflight` as a user runs them: the real `tdce` process, its clients made
from the environment alone, against moto's server on 127.0.0.1; the results are read back through boto3 from the
same server.

The other ops tests hand the commands moto-backed clients in-process (tests/ops_support.py). Here nothing is
patched: the child gets a minimal environment (no profile, no config or credentials files, no instance metadata,
every service at AWS_ENDPOINT_URL), so region, endpoint, credentials, exit codes and JSON are the command's own.
Expected values come from the tables below, docs/operations.md, docs/command-line.md and docs/channels.md.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from components.aws.deployment_parameter import parameter_name
from tests.dashboard_standin import Made, make_custom_image, read_document, scale_down_one, start_workers
from tests.deployed_stack import Deployed
from tests.deployed_stack import deploy as deploy_with_network
from tests.ops_support import LOOPBACK, UNCHECKED_IMAGE, deploy

ROOT = Path(__file__).resolve().parent.parent
STACK = "aws-prod"
OTHER_STACK = "aws-dev"
# tdce:region of config/Pulumi.aws-prod.yaml, and a region the stack is not in.
REGION = "eu-west-1"
ELSEWHERE = "us-east-1"
# docs/command-line.md, "Exit codes".
OK, FAILED, USAGE = 0, 2, 64
# docs/channels.md: web 443; management 25001 (access.managementPort, which aws-prod leaves at its default).
WEB_PORT, MANAGEMENT_PORT = 443, 25001
# docs/operations.md, "tdce backup STACK": each snapshot is tagged `tdce:stack`, `tdce:backup-time` (UTC) and `Name`
# (`tdce-<stack>-<yyyymmdd-hhmmss>`).
BACKUP_TAG_KEYS = {"tdce:stack", "tdce:backup-time", "Name"}
BACKUP_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# EC2 API Reference, "Snapshot": State pending | completed | error | recovering | recoverable.
SNAPSHOT_DONE = "completed"
# EC2 API Reference, "InstanceState": every state but shutting-down and terminated.
LIVE_STATES = ["pending", "running", "stopping", "stopped"]
# What AWS answers a key it does not know ("Common Errors": EC2's AuthFailure, the query APIs' InvalidClientTokenId),
# for the first call each command makes: EC2 DescribeVolumes, EC2 DescribeInstances, Auto Scaling's groups. backup and
# health make their clients in tdce/ops/runs.py, teardown in tdce/ops/teardown_command.py.
REFUSED_KEY_CODES = {"backup": "AuthFailure", "health": "AuthFailure", "teardown": "InvalidClientTokenId"}
# docs/command-line.md: how the credentials messages say to set them.
WAYS_TO_SET_CREDENTIALS = ("AWS_PROFILE", "aws configure", "aws sso login")

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")

# The `tdce` console script of the interpreter running the tests (`.venv/bin/tdce`), as the docs run it.
_SCRIPT = Path(sys.executable).with_name("tdce")
TDCE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "tdce"]


class ServerClients:
    """boto3 clients of one region at the moto server: the test's own view, and the setup's hands.

    Shaped like tdce.ops.clients.AwsClients (`clients("ec2")`, `.region`), so the fixtures' deploy helpers take it."""

    def __init__(self, endpoint: str, region: str = REGION):
        self.endpoint, self.region = endpoint, region
        self._session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self.endpoint)
        return self._clients[service]


@dataclass
class Server:
    endpoint: str
    clients: ServerClients
    elsewhere: ServerClients


def _post(endpoint: str, path: str, body: bytes = b"") -> bytes:
    # text/plain: werkzeug would read urllib's default form type as a form, and moto would see no body.
    request = urllib.request.Request(f"{endpoint}{path}", data=body, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.read()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """One moto server on 127.0.0.1 for the module (under xdist, one per worker), on a port the kernel picks."""
    with pytest.MonkeyPatch.context() as env:
        # The test's own clients read no profile or file either; they are given the endpoint and keys outright, and
        # reach 127.0.0.1 directly (botocore and urllib would send through a proxy the environment names).
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", *PROXY_VARIABLES):
            env.delenv(name, raising=False)
        env.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        requests_log = logging.getLogger("werkzeug")  # moto's server logs every request at INFO
        level = requests_log.level
        requests_log.setLevel(logging.WARNING)
        moto = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
        moto.start()
        try:
            host, port = moto.get_host_and_port()
            assert host == LOOPBACK
            endpoint = f"http://{host}:{port}"
            yield Server(endpoint, ServerClients(endpoint), ServerClients(endpoint, ELSEWHERE))
        finally:
            moto.stop()
            requests_log.setLevel(level)


@pytest.fixture
def cloud(server: Server) -> ServerClients:
    """An empty account: moto's state is reset before each test (POST /moto-api/reset)."""
    _post(server.endpoint, "/moto-api/reset")
    return server.clients


# Put on the child's PYTHONPATH, so that Python's `site` imports it at start: the child's sockets may reach
# 127.0.0.0/8 only, whatever an address in a test or an answer of moto's says (health dials the server's
# public IP, which moto makes up, unless --host is given).
LOOPBACK_ONLY = """
import ipaddress, socket

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _refuse_beyond_loopback(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
        raise PermissionError(f"black-box test: {address[0]} is not a loopback address")


def connect(sock, address):
    _refuse_beyond_loopback(sock, address)
    return _connect(sock, address)


def connect_ex(sock, address):
    _refuse_beyond_loopback(sock, address)
    return _connect_ex(sock, address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
"""


def start(server: Server, home: Path, *arguments: str, region: str = REGION) -> subprocess.Popen[str]:
    """`tdce …` in a fresh process whose only AWS settings are the endpoint, fake keys and a region, and whose
    sockets reach loopback addresses only."""
    guard = home / "loopback-only"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(LOOPBACK_ONLY)
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(guard),
        "HOME": str(home),
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",  # no 169.254.169.254
    }
    command = [*TDCE, *arguments]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        stop(process)
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def stop(process: subprocess.Popen[str]) -> None:
    """Kill a child still running (a failed or timed-out test), and reap it."""
    if process.poll() is None:
        process.kill()
        process.communicate()


def tdce(server: Server, home: Path, *arguments: str, region: str = REGION) -> subprocess.CompletedProcess[str]:
    return finish(start(server, home, *arguments, region=region))


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def live_instances(clients: ServerClients) -> set[str]:
    pages = (
        clients("ec2")
        .get_paginator("describe_instances")
        .paginate(Filters=[{"Name": "instance-state-name", "Values": LIVE_STATES}])
    )
    return {i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]}


def group_names(clients: ServerClients) -> set[str]:
    return {g["AutoScalingGroupName"] for g in clients("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]}


def template_ids(clients: ServerClients) -> set[str]:
    return {t["LaunchTemplateId"] for t in clients("ec2").describe_launch_templates()["LaunchTemplates"]}


def own_images(clients: ServerClients) -> set[str]:
    return {i["ImageId"] for i in clients("ec2").describe_images(Owners=["self"])["Images"]}


def own_snapshots(clients: ServerClients) -> set[str]:
    return {s["SnapshotId"] for s in clients("ec2").describe_snapshots(OwnerIds=["self"])["Snapshots"]}


@dataclass(frozen=True)
class Inventory:
    instances: set[str]
    groups: set[str]
    templates: set[str]
    images: set[str]
    snapshots: set[str]


def inventory(clients: ServerClients) -> Inventory:
    """What a command could delete or make: live instances, groups, templates, own images and snapshots."""
    return Inventory(
        live_instances(clients), group_names(clients), template_ids(clients), own_images(clients), own_snapshots(clients)
    )


def snapshots_of(clients: ServerClients, volume: str) -> list[dict[str, Any]]:
    return clients("ec2").describe_snapshots(Filters=[{"Name": "volume-id", "Values": [volume]}])["Snapshots"]


def test_the_child_reaches_loopback_addresses_only(tmp_path: Path) -> None:
    guard = tmp_path / "loopback-only"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(LOOPBACK_ONLY)
    # TEST-NET-3 (RFC 5737): an address no one answers on, refused before any packet leaves.
    script = "import socket; socket.create_connection(('203.0.113.1', 443), timeout=5)"
    env = {"PATH": os.environ.get("PATH", os.defpath), "PYTHONPATH": str(guard)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode != 0 and "203.0.113.1 is not a loopback address" in result.stderr


# --- tdce backup ---------------------------------------------------------------------------------------------------


def test_backup_json_snapshots_the_tagged_data_volume_with_the_documented_tags(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    deployed = deploy(cloud, STACK)
    started = datetime.now(UTC).replace(microsecond=0)
    # Waits (the default) for at most 0.1 minutes: one look with boto3's waiter; moto completes snapshots at once.
    result = tdce(server, tmp_path, "backup", STACK, "--json", "--timeout-minutes", "0.1")
    finished = datetime.now(UTC)
    assert result.returncode == OK, result.stderr

    [snapshot] = snapshots_of(cloud, deployed.volume)
    tags = {tag["Key"]: tag["Value"] for tag in snapshot["Tags"]}
    assert set(tags) == BACKUP_TAG_KEYS
    assert tags["tdce:stack"] == STACK
    taken = datetime.strptime(tags["tdce:backup-time"], BACKUP_TIME_FORMAT).replace(tzinfo=UTC)
    assert started <= taken <= finished
    assert tags["Name"] == f"tdce-aws-prod-{taken:%Y%m%d-%H%M%S}"
    assert snapshot["State"] == SNAPSHOT_DONE

    document = json.loads(result.stdout)
    notes = document.pop("notes")
    assert document == {
        "command": "backup",
        "stack": STACK,
        "region": REGION,
        "ok": True,
        "snapshots": [
            {"role": "data-disk", "source": deployed.volume, "snapshotId": snapshot["SnapshotId"], "state": SNAPSHOT_DONE}
        ],
        # docs/operations.md's restore line, with this snapshot's ID.
        "configLines": [f"pulumi config set --path tdce:restore.dataDiskSnapshotId {snapshot['SnapshotId']}"],
    }
    # The volume is attached to the server: docs/operations.md, "a note says so".
    [note] = notes
    assert "crash-consistent" in note


def test_backup_finds_the_volume_in_the_stacks_region_whatever_aws_default_region_says(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    deployed = deploy(cloud, STACK)
    result = tdce(server, tmp_path, "backup", STACK, "--json", "--no-wait", region=ELSEWHERE)
    assert result.returncode == OK, result.stderr
    document = json.loads(result.stdout)
    assert document["region"] == REGION
    [snapshot] = snapshots_of(cloud, deployed.volume)
    assert [s["snapshotId"] for s in document["snapshots"]] == [snapshot["SnapshotId"]]
    stack_tag = [{"Name": "tag:tdce:stack", "Values": [STACK]}]
    assert server.elsewhere("ec2").describe_snapshots(Filters=stack_tag)["Snapshots"] == []


# --- tdce teardown -------------------------------------------------------------------------------------------------


@dataclass
class DashboardDeployment:
    """What `pulumi up` made (tests/deployed_stack.py), what the dashboard stand-in started in it, and strangers."""

    deployed: Deployed
    made: Made
    workers: set[str]  # the dashboard group's instances, as Auto Scaling lists them
    pool_workers: set[str]  # the declared pool's (Pulumi's) instances
    untagged: str  # an instance with no tags, outside the stack's network
    other_stack: str  # an instance of aws-dev, outside the stack's network
    other_template: str  # a launch template of aws-dev

    @property
    def leftovers(self) -> set[tuple[str, str]]:
        """What teardown must delete, as (kind, id): the dashboard's group, its workers, template, image and snapshots."""
        return {
            ("auto scaling group", self.made.group_name),
            ("launch template", self.made.template_id),
            ("image", self.made.image_id),
            *{("snapshot", snapshot) for snapshot in self.made.snapshots},
            *{("instance", worker) for worker in self.workers},
        }

    def everything_else_is_there(self, clients: ServerClients) -> None:
        live = live_instances(clients)
        assert {self.deployed.server, *self.pool_workers, self.untagged, self.other_stack} <= live
        assert self.deployed.pool_group in group_names(clients)
        assert {self.deployed.pool_template, self.other_template} <= template_ids(clients)
        assert clients("ec2").describe_volumes(VolumeIds=[self.deployed.data_volume])["Volumes"]
        assert self.deployed.backup_snapshot in own_snapshots(clients)


def group_instances(clients: ServerClients, name: str) -> set[str]:
    (group,) = clients("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    return {instance["InstanceId"] for instance in group["Instances"]}


def run_instance(clients: ServerClients, tags: dict[str, str], subnet: str | None = None) -> str:
    """An instance in the region's default VPC (or the subnet), with these tags."""
    extra: dict[str, Any] = {"SubnetId": subnet} if subnet else {}
    if tags:
        extra["TagSpecifications"] = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    launched = clients("ec2").run_instances(ImageId=UNCHECKED_IMAGE, InstanceType="t3.micro", MinCount=1, MaxCount=1, **extra)
    return launched["Instances"][0]["InstanceId"]


def deploy_with_dashboard_workers(clients: ServerClients) -> DashboardDeployment:
    deployed = deploy_with_network(clients)
    document = read_document(clients, parameter_name(STACK))
    made = start_workers(clients, document, UNCHECKED_IMAGE, count=3)
    scale_down_one(clients, made)
    made = make_custom_image(clients, document, UNCHECKED_IMAGE, made)
    other_template = clients("ec2").create_launch_template(
        LaunchTemplateName="tdce-aws-dev-c5-xlarge",
        LaunchTemplateData={"ImageId": UNCHECKED_IMAGE, "InstanceType": "c5.xlarge"},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "tdce:stack", "Value": OTHER_STACK}]}],
    )["LaunchTemplate"]["LaunchTemplateId"]
    at = DashboardDeployment(
        deployed=deployed,
        made=made,
        workers=group_instances(clients, made.group_name),
        pool_workers=group_instances(clients, deployed.pool_group),
        untagged=run_instance(clients, {}),
        other_stack=run_instance(clients, {"tdce:stack": OTHER_STACK}),
        other_template=other_template,
    )
    # What the scenario needs, so a change in moto cannot empty it: two workers left after one scaled down, the
    # image's snapshot, the declared pool's two.
    assert len(at.workers) == 2 and made.snapshots and len(at.pool_workers) == 2
    return at


def listed(items: list[dict[str, str]]) -> set[tuple[str, str]]:
    pairs = [(item["kind"], item["id"]) for item in items]
    assert len(pairs) == len(set(pairs)), pairs
    return set(pairs)


def test_teardown_deletes_exactly_the_dashboards_leftovers_and_leaves_other_instances_alone(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    at = deploy_with_dashboard_workers(cloud)
    # docs/deleting-a-stack.md: `--yes` deletes; `--dry-run` is the way to look first.
    result = tdce(server, tmp_path, "teardown", STACK, "--yes", "--json")
    assert result.returncode == OK, result.stderr
    document = json.loads(result.stdout)
    assert (document["command"], document["stack"], document["region"], document["dryRun"]) == ("teardown", STACK, REGION, False)
    assert listed(document["deleted"]) == at.leftovers
    assert listed(document["kept"]) == {("snapshot", at.deployed.backup_snapshot)}

    assert at.workers.isdisjoint(live_instances(cloud))
    assert at.made.group_name not in group_names(cloud)
    assert at.made.template_id not in template_ids(cloud)
    assert at.made.image_id not in own_images(cloud)
    assert own_snapshots(cloud).isdisjoint(at.made.snapshots)
    at.everything_else_is_there(cloud)


def test_teardown_dry_run_lists_the_same_leftovers_and_deletes_nothing(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    at = deploy_with_dashboard_workers(cloud)
    before = inventory(cloud)
    result = tdce(server, tmp_path, "teardown", STACK, "--dry-run", "--json")
    assert result.returncode == OK, result.stderr
    document = json.loads(result.stdout)
    assert document["dryRun"] is True and "deleted" not in document
    assert listed(document["wouldDelete"]) == at.leftovers
    assert inventory(cloud) == before and at.workers <= before.instances


def test_teardown_without_yes_or_dry_run_deletes_nothing_and_says_which_flag(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    at = deploy_with_dashboard_workers(cloud)
    before = inventory(cloud)
    result = tdce(server, tmp_path, "teardown", STACK, "--json")
    # docs/command-line.md: 64, the command line is wrong; one of --dry-run and --yes is required.
    assert result.returncode == USAGE and result.stdout == ""
    assert one_line(result) == (
        "tdce teardown: error: one of the arguments --dry-run --yes is required (see `tdce teardown --help`)"
    )
    assert inventory(cloud) == before and at.workers <= before.instances


# --- tdce health ---------------------------------------------------------------------------------------------------


@contextmanager
def management_port_at_a_loopback_host(listening: bool) -> Iterator[str]:
    """An address in 127.0.0.0/8 where this test holds the management port (accepting connections, or bound and
    refusing them), and where nothing holds the web port, so a connection to 443 is refused.

    The ports are the channel matrix's (health takes them from the stack, not from the command line), so they are
    fixed; an address of its own keeps two workers of one run apart. 443 is left alone: binding it needs root.
    """
    pick = random.Random()
    for _ in range(20):
        host = f"127.{pick.randrange(1, 255)}.{pick.randrange(0, 256)}.{pick.randrange(1, 255)}"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as management:
            try:
                management.bind((host, MANAGEMENT_PORT))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    continue
                raise
            if listening:
                management.listen()
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                assert probe.connect_ex((host, WEB_PORT)) != 0, f"something on this machine accepts {host}:{WEB_PORT}"
            yield host
            return
    raise AssertionError(f"port {MANAGEMENT_PORT} is taken on every loopback address tried")


def checks_of(result: subprocess.CompletedProcess[str]) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    document = json.loads(result.stdout)
    return document, {check["name"]: check for check in document["checks"]}


def test_health_json_checks_the_server_both_ports_and_both_pools_and_names_the_refused_one(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    deployed = deploy(cloud, STACK, pools={"linux-ondemand": 2, "linux-spot": 0})
    # --host: without it health dials the server's public IP, which moto makes up.
    with management_port_at_a_loopback_host(listening=True) as host:
        result = tdce(server, tmp_path, "health", STACK, "--json", "--host", host, "--timeout", "1")
    assert result.returncode == FAILED, result.stdout + result.stderr
    document, checks = checks_of(result)
    assert (document["command"], document["stack"], document["region"], document["ok"]) == ("health", STACK, REGION, False)
    # The pools are aws-prod's tdce:workers.
    assert [(c["name"], c["status"]) for c in document["checks"]] == [
        ("server", "pass"),
        ("web port 443", "fail"),
        ("management port 25001", "pass"),
        ("pool linux-ondemand", "pass"),
        ("pool linux-spot", "pass"),
    ]
    assert checks["server"]["detail"] == f"{deployed.server} running; instance status ok, system status ok"
    assert checks["web port 443"]["detail"] == f"{host}:443: Connection refused"
    assert checks["management port 25001"]["detail"].startswith(f"{host}:25001 accepted a connection in ")
    assert checks["pool linux-ondemand"]["detail"] == "aws-prod-linux-ondemand: 2 of 2 desired in service"


def test_health_exits_two_when_neither_port_answers(server: Server, cloud: ServerClients, tmp_path: Path) -> None:
    deploy(cloud, STACK, pools={"linux-ondemand": 2, "linux-spot": 0})
    with management_port_at_a_loopback_host(listening=False) as host:
        result = tdce(server, tmp_path, "health", STACK, "--json", "--host", host, "--timeout", "1")
    assert result.returncode == FAILED, result.stdout + result.stderr
    document, checks = checks_of(result)
    assert document["ok"] is False
    assert {name for name, check in checks.items() if check["status"] == "fail"} == {"web port 443", "management port 25001"}
    assert checks["management port 25001"]["detail"] == f"{host}:25001: Connection refused"


# --- credentials the cloud refuses ---------------------------------------------------------------------------------


@contextmanager
def refusing_unknown_keys(server: Server) -> Iterator[None]:
    """From here on moto checks each request's keys against its IAM users (moto's IAM-like access control, switched
    on with POST /moto-api/reset-auth 0); "testing" is no user's key, so AWS refuses them. Switched back after."""
    previous = json.loads(_post(server.endpoint, "/moto-api/reset-auth", b"0"))["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    try:
        yield
    finally:
        _post(server.endpoint, "/moto-api/reset-auth", previous.encode())


def test_refused_credentials_are_one_line_and_exit_two_and_change_nothing(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    at = deploy_with_dashboard_workers(cloud)
    before = inventory(cloud)
    # --no-wait and --host: nothing but the credentials can fail. Side by side: moto's server answers each in a thread.
    extra = {"backup": ["--no-wait"], "health": ["--host", LOOPBACK, "--timeout", "1"], "teardown": ["--yes"]}
    with refusing_unknown_keys(server):
        running = {command: start(server, tmp_path, command, STACK, "--json", *extra[command]) for command in REFUSED_KEY_CODES}
        try:
            results = {command: finish(process) for command, process in running.items()}
        finally:
            for process in running.values():
                stop(process)
    for command, result in results.items():
        assert result.returncode == FAILED, (command, result.stdout, result.stderr)
        assert result.stdout == "", command
        line = one_line(result)
        assert line.startswith(f"tdce {command}: AWS refused: {REFUSED_KEY_CODES[command]}: "), line
        for way in WAYS_TO_SET_CREDENTIALS:
            assert way in line, (command, way)
    # No snapshot made, none of the dashboard's leftovers deleted.
    assert inventory(cloud) == before and at.workers <= before.instances


def test_preflight_json_fails_the_credentials_check_and_skips_the_rest_when_keys_are_refused(
    server: Server, cloud: ServerClients, tmp_path: Path
) -> None:
    with refusing_unknown_keys(server):
        result = tdce(server, tmp_path, "preflight", STACK, "--json")
    assert result.returncode == FAILED, result.stderr
    document = json.loads(result.stdout)
    assert (document["command"], document["region"], document["ok"]) == ("preflight", REGION, False)
    first, *rest = document["checks"]
    # docs/operations.md: STS GetCallerIdentity; "without it the other checks are skipped".
    assert (first["name"], first["status"]) == ("credentials", "fail")
    assert first["detail"].startswith("InvalidClientTokenId: ")
    assert rest and {check["status"] for check in rest} == {"skipped"}

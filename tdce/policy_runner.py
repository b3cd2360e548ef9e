"""Run the policy pack over an offline plan exactly the way the Pulumi CLI runs it during a preview.

What the CLI gives a Python pack (pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`,
`NewPolicyAnalyzer` and `constructEnv`): the process runs in the pack directory with the
arguments `<engine address> .`, its environment is the CLI's own plus `PULUMI_CONFIG` (when the
stack has config), `PULUMI_ORGANIZATION` (when known), `PULUMI_PROJECT`, `PULUMI_STACK` and
`PULUMI_DRY_RUN`; no `PULUMI_CONFIG_SECRET_KEYS`. Then `ConfigureStack` carries the stack,
project, organization, tags, dry run, config and the config's secret keys. This runner passes
exactly that and nothing more, so `tdce plan` and a real preview show the pack the same stack.

The pack's gRPC port is read from the first line it prints, and it is driven through the
Analyzer service: GetAnalyzerInfo, Configure with each policy's config defaults (the CLI, not
the pack, applies them), Analyze for every resource, AnalyzeStack once. The process is always
stopped.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tdce.analyzer_requests import analyze_request, stack_resource
from tdce.planner import Plan
from tdce.recording import RecordedResource

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"
# The phases a violation is reported in: `pulumi preview` of a new stack, and after `pulumi up`.
PREVIEW, UP = "preview", "up"
# The pack never dials the engine; the CLI passes its own address, so any address will do.
ENGINE_ADDRESS = "127.0.0.1:1"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 5
# As large as the CLI allows, so a big stack fits in one AnalyzeStack call.
MAX_MESSAGE_BYTES = 400 * 2**20


class PolicyPackError(RuntimeError):
    """The pack did not start or did not answer."""


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str  # mandatory, advisory, …
    severity: str  # low … critical; empty when the policy states none
    urn: str  # empty for the stack as a whole
    message: str
    # Where it was reported: at `pulumi preview` of a new stack, after `pulumi up`, or both.
    phases: tuple[str, ...] = (UP,)

    @property
    def undecided(self) -> bool:
        """CrossGuard's note for a policy that read a value unknown at preview: no verdict, not a violation."""
        return self.enforcement == "advisory" and self.message.startswith("can't run policy") and "during preview" in self.message

    def as_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "enforcementLevel": self.enforcement,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
            "phases": list(self.phases),
        }


@dataclass(frozen=True)
class PolicyReport:
    pack: str
    version: str
    violations: tuple[Violation, ...]
    phases: tuple[str, ...] = (UP,)  # the phases the pack was run on

    @property
    def mandatory(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.enforcement == "mandatory")

    def by_policy(self) -> dict[str, list[Violation]]:
        grouped: dict[str, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.policy, []).append(violation)
        return grouped

    def as_json(self) -> list[dict[str, Any]]:
        return [violation.as_json() for violation in self.violations]


def merged(reports: Sequence[PolicyReport]) -> PolicyReport:
    """One report of several phases' reports: a violation seen in more than one is listed once, with each phase."""
    seen: dict[tuple[str, str, str], Violation] = {}
    for report in reports:
        for violation in report.violations:
            key = (violation.policy, violation.urn, violation.message)
            earlier = seen.get(key)
            phases = (*earlier.phases, *violation.phases) if earlier else violation.phases
            seen[key] = replace(violation, phases=tuple(dict.fromkeys(phases)))
    first = reports[0]
    return PolicyReport(first.pack, first.version, tuple(seen.values()), tuple(p for r in reports for p in r.phases))


# Variables the CLI sets itself (or never sets, like PULUMI_CONFIG_SECRET_KEYS for a pack): a value
# inherited from the shell that runs `tdce plan` must not reach the pack when the CLI's would not.
_CLI_OWNED_VARIABLES = (
    "PULUMI_CONFIG",
    "PULUMI_CONFIG_SECRET_KEYS",
    "PULUMI_ORGANIZATION",
    "PULUMI_PROJECT",
    "PULUMI_STACK",
    "PULUMI_DRY_RUN",
)


def cli_environment(
    *, project: str, stack: str, config: Mapping[str, str], organization: str = "", dry_run: bool = True
) -> dict[str, str]:
    """The environment `constructEnv` gives a Python pack: ours, plus the stack's, set only where non-empty."""
    environment = {key: value for key, value in os.environ.items() if key not in _CLI_OWNED_VARIABLES}
    given = {
        # Secrets arrive decrypted and unmarked: the CLI sends no list of secret keys here.
        "PULUMI_CONFIG": json.dumps(dict(config)) if config else "",
        "PULUMI_ORGANIZATION": organization,
        "PULUMI_PROJECT": project,
        "PULUMI_STACK": stack,
        "PULUMI_DRY_RUN": "true" if dry_run else "false",
    }
    environment.update({key: value for key, value in given.items() if value})
    return environment


def config_defaults(policy: analyzer_pb2.PolicyInfo) -> dict[str, Any]:
    properties = json_format.MessageToDict(policy.configSchema.properties)
    return {key: schema["default"] for key, schema in properties.items() if isinstance(schema, dict) and "default" in schema}


def _violation(diagnostic: analyzer_pb2.AnalyzeDiagnostic, urn: str, phase: str) -> Violation:
    # The pack prefixes every message with the policy's description; keep what is specific.
    message = diagnostic.message
    if message.startswith(diagnostic.description):
        message = message[len(diagnostic.description) :].lstrip("\n") or message
    severity = analyzer_pb2.PolicySeverity.Name(diagnostic.severity).removeprefix("POLICY_SEVERITY_").lower()
    return Violation(
        policy=diagnostic.policyName,
        enforcement=analyzer_pb2.EnforcementLevel.Name(diagnostic.enforcementLevel).lower(),
        severity="" if severity == "unspecified" else severity,
        urn=diagnostic.urn or urn,
        message=message,
        phases=(phase,),
    )


class PolicyPackProcess:
    """One running pack for one stack: its config is fixed when the process starts, as under the CLI."""

    def __init__(
        self,
        *,
        project: str,
        stack: str,
        config: Mapping[str, str],
        secret_keys: Sequence[str] = (),
        pack_dir: Path = PACK_DIR,
        dry_run: bool = True,
        organization: str = "",
    ):
        self.project, self.stack, self.pack_dir, self.dry_run = project, stack, Path(pack_dir), dry_run
        self.organization = organization
        self.config = dict(config)
        self.secret_keys = sorted(secret_keys)
        self.environment = cli_environment(
            project=project, stack=stack, config=self.config, organization=organization, dry_run=dry_run
        )
        self._process: subprocess.Popen[bytes] | None = None
        self._pump: threading.Thread | None = None
        self._channel: grpc.Channel | None = None
        self._stderr = tempfile.TemporaryFile()
        self.info: analyzer_pb2.AnalyzerInfo | None = None

    def __enter__(self) -> PolicyPackProcess:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> None:
        self._process = subprocess.Popen(
            # The CLI's `pulumi-analyzer-policy-python` shim runs `python -u -m pulumi.policy` with these arguments.
            [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."],
            cwd=self.pack_dir,
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        port = self._read_port()
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES)]
        )
        try:
            grpc.channel_ready_future(self._channel).result(timeout=START_TIMEOUT_SECONDS)
        except grpc.FutureTimeoutError:
            raise PolicyPackError(f"the policy pack did not answer on port {port}{self._stderr_tail()}") from None
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self.info = self._stub.GetAnalyzerInfo(empty_pb2.Empty())
        self._configure_stack()
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy in self.info.policies:
            config = request.policyConfig[policy.name]
            config.enforcementLevel = policy.enforcementLevel
            config.properties.update(config_defaults(policy))
        self._stub.Configure(request)

    def _configure_stack(self) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack,
            project=self.project,
            organization=self.organization,
            dry_run=self.dry_run,
            config_secret_keys=self.secret_keys,
        )
        request.config.update(self.config)
        try:
            self._stub.ConfigureStack(request)
        except grpc.RpcError as error:
            # Packs built on older SDKs lack it; the CLI carries on without it too.
            if error.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    def _read_port(self) -> int:
        assert self._process is not None and self._process.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = self._process.stdout

        def pump() -> None:
            # Keep reading after the port so the pack never blocks on a full pipe.
            with stdout:
                for line in iter(stdout.readline, b""):
                    lines.put(line)
            lines.put(b"")

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        try:
            first = lines.get(timeout=START_TIMEOUT_SECONDS).decode(errors="replace").strip()
        except queue.Empty:
            raise PolicyPackError(
                f"the policy pack printed no port within {START_TIMEOUT_SECONDS}s{self._stderr_tail()}"
            ) from None
        if not first.isdigit():
            raise PolicyPackError(f"the policy pack's first line should be its port, got {first!r}{self._stderr_tail()}")
        return int(first)

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip()
        return f":\n{text[-4000:]}" if text else ""

    def analyze(self, resources: Sequence[RecordedResource], phase: str = UP) -> PolicyReport:
        if self.info is None:
            raise PolicyPackError("the policy pack is not started")
        by_urn = {resource.urn: resource for resource in resources}
        violations: list[Violation] = []
        try:
            for resource in resources:
                response = self._analyze_resource(analyze_request(resource, by_urn))
                violations += [_violation(d, resource.urn, phase) for d in response.diagnostics]
            stack = analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, by_urn) for r in resources])
            violations += [_violation(d, "", phase) for d in self._stub.AnalyzeStack(stack).diagnostics]
        except grpc.RpcError as error:
            raise PolicyPackError(f"the policy pack failed: {error.details()}{self._stderr_tail()}") from None
        return PolicyReport(pack=self.info.name, version=self.info.version, violations=tuple(violations), phases=(phase,))

    def _analyze_resource(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._stub.Analyze(request)

    def stop(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._pump is not None:
            self._pump.join(timeout=STOP_TIMEOUT_SECONDS)
        self._stderr.close()


def check_plan(
    plan: Plan,
    config: Mapping[str, str],
    secret_keys: Sequence[str] = (),
    pack_dir: Path = PACK_DIR,
    preview: Plan | None = None,
) -> PolicyReport:
    """Start the pack for this plan's stack, analyze every resource and the stack, stop the pack.

    With `preview`, the same stack planned as `pulumi preview` of a new stack sees it (IDs and
    computed outputs unknown: planner.plan_resolved) is analyzed too, in the same pack process, as
    the CLI analyzes a preview and then the update of `pulumi up --policy-pack`.
    """
    with PolicyPackProcess(
        project=plan.project, stack=plan.stack, config=config, secret_keys=secret_keys, pack_dir=pack_dir
    ) as pack:
        reports = ([pack.analyze(preview.resources, PREVIEW)] if preview is not None else []) + [pack.analyze(plan.resources)]
        return merged(reports)

"""What the program costs over its resources: `tdce plan STACK` against a flat replay of the same resources.

The replay registers every custom resource of the stack's recorded plan directly, by type and
inputs, with no components, settings, channels or lookups, under the same mock monitor, after
importing (and running: the SDKs load their submodules lazily) the same provider SDK modules
the program ran. Both run in fresh processes, as a user runs them (Python keeping the bytecode
it compiles: benchmarks/fresh_process.py), taking turns; the fastest of several runs of each is
compared. What is left of the ratio above 1 is the program's own work: validating the settings,
deriving the rules, building the components, resolving their outputs.

A second replay registers the same resources through the SDK's own classes (`aws.ec2.Instance`, …),
which a program using the SDK cannot avoid: pulumi reads the type hints of each class's
arguments and makes an output for each of its properties. It is printed beside the first to show
how much of the ratio is that; the target is the flat replay's.

    make bench        # this and plan_scaling.py
    python benchmarks/plan_overhead.py [STACK]
    python benchmarks/plan_overhead.py --replay PLAN.json | --replay-typed PLAN.json   (the replays themselves)
"""

from __future__ import annotations

import importlib
import inspect
import json
import keyword
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The fastest of 5 moved the replay by 0.08 s between three runs on one quiet host (ratios 1.20 to
# 1.47); of 15, by 0.04 s. Ten is between them and keeps `make bench` under a minute.
RUNS = 10
# The target: the program costs at most 30 % over its resources.
TARGET_RATIO = 1.3


def replay(plan_file: Path, *, typed: bool = False) -> None:
    """Register the plan's custom resources flat, under the offline monitor (the replay process):
    as bare `CustomResource`s, or `typed`, through the SDK's classes."""
    import pulumi
    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from tdce.mock_cloud import OfflineCloud
    from tdce.recording import RecordingMonitor

    document = json.loads(plan_file.read_text())
    for module in document["modules"]:
        # The provider SDKs import their submodules lazily (pulumi._utils._LazyModule): touching an
        # attribute runs the module, as the program's first use of it does. Not `__file__` or any
        # other attribute a debugger reads: the SDK answers those without running the module.
        hasattr(importlib.import_module(module), "_run_me")
    still_lazy = [m for m in document["modules"] if type(sys.modules[m]).__name__ == "_LazyModule"]
    assert not still_lazy, f"the replay did not run {len(still_lazy)} of the program's modules, e.g. {still_lazy[0]}"
    resources = [r for r in document["resources"] if r["custom"] and not r["type"].startswith("pulumi:providers:")]
    # Built before the run, so the run itself is registrations only, as in the untyped replay.
    registrations = [_sdk_registration(r) if typed else _bare_registration(r) for r in resources]
    monitor = RecordingMonitor(OfflineCloud())
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(monitor.mocks, project="tdce", stack=document["stack"], preview=False, monitor=monitor)

    def program() -> None:
        for register in registrations:
            register()

    _sync_await(run_pulumi_func(program))
    assert sum(r.custom for r in monitor.records) == len(resources), "the replay registers every resource"


def _bare_registration(resource: dict):
    import pulumi

    return lambda: pulumi.CustomResource(resource["type"], resource["name"], dict(resource["inputs"]))


SDK_PACKAGES = {"aws": "pulumi_aws", "gcp": "pulumi_gcp", "random": "pulumi_random"}


def _sdk_registration(resource: dict):
    """`aws:ec2/instance:Instance` → `pulumi_aws.ec2.Instance(name, **inputs)`, each input under its Python name."""
    package, module, class_name = resource["type"].split(":")
    folder = module.split("/")[0]
    folder += "_" if keyword.iskeyword(folder) else ""  # aws:lambda/… lives in pulumi_aws.lambda_
    path = SDK_PACKAGES[package] + ("" if folder == "index" else f".{folder}")
    sdk_class = getattr(importlib.import_module(path), class_name)
    # The recorded inputs carry the engine's names (`instanceType`); the class takes `instance_type`.
    python_names = {name.replace("_", "").lower(): name for name in inspect.signature(sdk_class._internal_init).parameters}
    arguments = {python_names[key.lower()]: value for key, value in resource["inputs"].items()}
    return lambda: sdk_class(resource["name"], **arguments)


def recorded(stack: str, directory: Path) -> Path:
    """The stack's plan with the provider SDK modules its program imported."""
    script = (
        "import json, sys\n"
        "from tdce.planner import plan_stack\n"
        f"plan = plan_stack({stack!r})\n"
        "document = plan.as_json()\n"
        "sdks = ('pulumi_aws', 'pulumi_gcp', 'pulumi_random')\n"
        "# Only the modules the program ran: the SDKs register every submodule as a lazy stub.\n"
        "ran = [m for m, v in list(sys.modules.items()) if type(v).__name__ != '_LazyModule']\n"
        "document['modules'] = sorted(m for m in ran if m.split('.')[0] in sdks)\n"
        "sys.stdout.write(json.dumps(document))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    path = directory / f"{stack}.json"
    path.write_text(found)
    return path


def main(arguments: list[str]) -> int:
    if arguments[:1] in (["--replay"], ["--replay-typed"]):
        from tdce.collector import collect_rarely, skip_the_exit_collections

        # The collector as `tdce` sets it (tdce.cli.run), before the SDKs are imported, and the same
        # exit: otherwise the replay would pay collections over the SDK modules that the plan skips,
        # and the ratio would flatter the plan.
        collect_rarely()
        replay(Path(arguments[1]), typed=arguments[0] == "--replay-typed")
        skip_the_exit_collections()
        return 0
    # Imported here, not above: the replay process (the branch above) imports nothing it does not need.
    from benchmarks.fresh_process import fastest_of_each

    stack = arguments[0] if arguments else "aws-prod"
    with tempfile.TemporaryDirectory() as directory:
        plan_file = recorded(stack, Path(directory))
        resources = sum(r["custom"] for r in json.loads(plan_file.read_text())["resources"])
        this_file = str(Path(__file__).resolve())
        program, flat, typed = fastest_of_each(
            [
                [sys.executable, "-m", "tdce", "plan", stack, "--no-policy"],
                [sys.executable, this_file, "--replay", str(plan_file)],
                [sys.executable, this_file, "--replay-typed", str(plan_file)],
            ],
            RUNS,
            ROOT,
        )
    print(f"{stack}: {resources} resources, fastest of {RUNS} fresh processes each, taking turns")
    print(f"  tdce plan {stack} --no-policy       {program:6.2f} s")
    print(f"  flat replay of its resources        {flat:6.2f} s   ratio {program / flat:4.2f}   (target ≤ {TARGET_RATIO})")
    print(f"  the same through the SDK's classes  {typed:6.2f} s   ratio {program / typed:4.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

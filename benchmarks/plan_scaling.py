"""How the offline plan's time grows with the number of worker pools: aws-prod with 2 pools, then 20.

Measured warm, in one process: the program's registrations under the mock monitor, the fastest
of several runs (the least disturbed by other load), as wall time and as CPU time. Each pool
adds a launch template and an auto scaling group. A cost that grows faster than the resources
shows as lookups that grow with the pools (a lookup per pool: in a real preview, an AWS API call
each), or as a time ratio well above the ratio of work done. Two more lines say where the time
goes: the CPU time with Python's garbage collector paused during the plan (its full collections
scan every object a plan keeps alive, so their cost grows faster than the resources), and
`tdce plan` as a user runs it, in a fresh process with its imports.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.fresh_process import fastest  # noqa: E402
from config.stack_file import read_stack_config, stack_file_path  # noqa: E402
from tdce.mock_cloud import OfflineCloud  # noqa: E402
from tdce.planner import plan_config  # noqa: E402

STACK = "aws-prod"
SMALL, LARGE = 2, 20
WARM_RUNS = 7
COMMAND_RUNS = 2


def pools(count: int) -> list[dict]:
    template = yaml.safe_load(stack_file_path(STACK).read_text())["config"]["tdce:workers"][-1]
    return [{**template, "name": f"pool-{index:02d}"} for index in range(count)]


def warm_plan(count: int, collector: bool = True) -> tuple[float, float, int, int]:
    """Fastest wall and CPU time of several in-process plans, the resources planned, the lookups made."""
    config = read_stack_config(STACK)
    values = {**config.values, "tdce:workers": json.dumps(pools(count))}
    lookups = 0
    answer = OfflineCloud.call

    def counted(self, args):
        nonlocal lookups
        lookups += 1
        return answer(self, args)

    wall, cpu, resources = float("inf"), float("inf"), 0
    OfflineCloud.call = counted
    try:
        for _ in range(WARM_RUNS):
            lookups = 0
            if not collector:
                gc.disable()
            started, started_cpu = time.perf_counter(), time.process_time()
            plan = plan_config(f"{STACK}-bench", values, config.secret_keys)
            wall, cpu = min(wall, time.perf_counter() - started), min(cpu, time.process_time() - started_cpu)
            gc.enable()
            gc.collect()
            resources = sum(r.custom for r in plan.resources)
    finally:
        OfflineCloud.call = answer
        gc.enable()
    return wall, cpu, resources, lookups


def command(count: int, config_dir: Path) -> float:
    document = yaml.safe_load(stack_file_path(STACK).read_text())
    document["config"]["tdce:workers"] = pools(count)
    stack = f"bench-{count}"
    (config_dir / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document))
    return fastest([sys.executable, "-m", "tdce", "plan", stack, "--config-dir", str(config_dir)], COMMAND_RUNS, ROOT)


def row(label: str, small: float, large: float, unit: str = " s") -> None:
    print(f"{label:30}{small:>9.2f}{unit:2}{large:>11.2f}{unit:2}{large / small:>8.2f}")


def main() -> int:
    warm_plan(SMALL)  # imports and the SDK's first-plan setup, not measured
    small_wall, small_cpu, small_resources, small_lookups = warm_plan(SMALL)
    large_wall, large_cpu, large_resources, large_lookups = warm_plan(LARGE)
    _, small_cpu_paused, _, _ = warm_plan(SMALL, collector=False)
    _, large_cpu_paused, _, _ = warm_plan(LARGE, collector=False)
    with tempfile.TemporaryDirectory() as directory:
        small_command, large_command = command(SMALL, Path(directory)), command(LARGE, Path(directory))

    print(f"{'':30}{SMALL:>5} pools{LARGE:>7} pools{'ratio':>8}")
    row("plan, warm: wall time", small_wall, large_wall)
    row("plan, warm: CPU time", small_cpu, large_cpu)
    row("  the same, collector paused", small_cpu_paused, large_cpu_paused)
    row("resources planned", small_resources, large_resources, "")
    row("cloud lookups (invokes)", small_lookups, large_lookups, "")
    row("tdce plan, fresh process", small_command, large_command)
    print(f"want: {LARGE} pools well under twice the time of {SMALL}; lookups that do not grow with the pools")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""An unexpected exception inside the Pulumi program, told as one line instead of a Python stack.

`run_pulumi_func` (pulumi/runtime/stack.py) catches whatever the program raises, waits for the
outstanding registrations, and re-raises the same exception; failures inside an RPC or an `apply`
come back the same way, through the SDK's RPC manager. The planner turns any of them into a
`ProgramFailure` that names the stack, the resource under construction when the exception was
raised (read from the traceback: the innermost `__init__` of a `pulumi.Resource`), the last
registration the monitor saw, and the error. The traceback itself stays on the exception's
`__cause__`, for `TDCE_DEBUG=1` / `tdce plan --debug`.
"""

from __future__ import annotations

from types import TracebackType

import pulumi

from tdce.engine_rules import describe
from tdce.plan_errors import ProgramFailure
from tdce.recording import RecordingMonitor

_CONSTRUCTORS = {"__init__", "_internal_init"}


def program_failure(stack: str, error: BaseException, monitor: RecordingMonitor) -> ProgramFailure:
    last = monitor.records[-1] if monitor.records else None
    return ProgramFailure(
        stack=stack,
        error=error,
        under_construction=resource_under_construction(error.__traceback__),
        last_registered=describe(last) if last else None,
    )


def resource_under_construction(trace: TracebackType | None) -> str | None:
    """The innermost resource whose constructor is on the stack, as `type "name"`."""
    found = None
    while trace is not None:
        frame = trace.tb_frame
        candidate = frame.f_locals.get("self") if frame.f_code.co_name in _CONSTRUCTORS else None
        if isinstance(candidate, pulumi.Resource):
            found = _describe_constructing(candidate, frame.f_locals)
        trace = trace.tb_next
    return found


def _describe_constructing(resource: pulumi.Resource, local_names: dict) -> str:
    # `Resource.__init__` sets the type and name; before it has run (the SDK classes check their
    # arguments first) only the class and the constructor's `resource_name` argument are known.
    type_token = getattr(resource, "_type", None) or f"{type(resource).__module__}.{type(resource).__qualname__}"
    name = getattr(resource, "_name", None) or local_names.get("resource_name") or local_names.get("name")
    return f'{type_token} "{name}"' if isinstance(name, str) else type_token

"""The settings layer is plain Python: reading and resolving a stack loads neither Pulumi nor a provider SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_resolving_a_stack_imports_no_pulumi_module():
    script = (
        "import sys\n"
        "from config.resolved import resolve_stack_file\n"
        "resolve_stack_file('aws-prod'); resolve_stack_file('gcp-prod')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0].startswith('pulumi')}))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"

"""Entry point of the pack: `pulumi preview --policy-pack policies` (and `tdce plan`) runs this file."""

import sys
from pathlib import Path

# The pack reads the channel matrix from config/channels.py, its one source of truth, so the
# repository root must be importable whether or not the project is installed in the venv.
# Nothing may print before PolicyPack(...) does: its first line of output is the gRPC port.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from policies.pack import build_pack  # noqa: E402

build_pack()

"""Print the kill rate of the last `make mutation` run from mutmut's exported stats."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    stats = json.loads(Path(path).read_text())
    killed, survived = stats.get("killed", 0), stats.get("survived", 0)
    timeouts, untested = stats.get("timeout", 0), stats.get("no_tests", 0)
    judged = killed + survived + timeouts
    rate = 100 * (killed + timeouts) / judged if judged else 0.0
    total = stats.get("total", judged + untested)
    print(f"mutants: {total}, killed {killed}, timed out {timeouts}, survived {survived}, no tests {untested}")
    print(f"kill rate: {rate:.1f}% of the mutants the tests reach")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

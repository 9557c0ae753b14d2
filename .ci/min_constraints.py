"""Print pip constraints pinning each direct dependency at the floor pyproject.toml declares.

The minimum-versions CI leg installs with them, so the floors written in pyproject.toml are
the versions it tests (no second list to keep in step). Usage, with Python 3.11 or newer::

    python .ci/min_constraints.py [--test NAME ...] > constraints.txt

``--test NAME`` also pins that requirement of the ``test`` extra (e.g. pytest, hypothesis).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)")
FLOOR = re.compile(r">=\s*([0-9][0-9A-Za-z.]*)")


def floors(requirements: list[str]) -> dict[str, str]:
    """Map each requirement's name to its ``>=`` floor (requirements without one are left out)."""
    found = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        floor = FLOOR.search(match.group(3)) if match else None
        if match and floor:
            found[match.group(1)] = floor.group(1)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", action="append", default=[], help="pin this test requirement")
    args = parser.parse_args()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = floors(project["dependencies"])
    tests = floors(project["optional-dependencies"]["test"])
    missing = sorted(set(args.test) - set(tests))
    if missing:
        print(f"error: not in the test extra with a floor: {', '.join(missing)}", file=sys.stderr)
        return 2
    pins.update({name: tests[name] for name in args.test})
    for name, version in pins.items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

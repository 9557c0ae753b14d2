"""Benchmark: the cost of ``import bassin_geo`` against ``import geopandas``, in one run.

Each measurement runs in a fresh interpreter (nothing cached in ``sys.modules``) and
times the import statement alone, not the interpreter's start. The statements are run
in interleaved rounds (geopandas, bassin_geo, ... then again), so a change in the
machine's load hits both alike; the medians are compared. The target of issue 11:
``import bassin_geo`` within 1.2x of ``import geopandas``.

Also shown, for information: the first use of a layer loader (which brings geopandas
in) and ``bassin-geo --help`` (which must load neither folium nor scipy).

Run ``python benchmarks/import_time.py`` (``--rounds 31`` for a steadier median).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# name -> code timed in a fresh interpreter; each prints the seconds its statement took.
STATEMENTS = {
    "import geopandas": "import geopandas",
    "import bassin_geo": "import bassin_geo",
    "bassin_geo.load_layer (first use)": "import bassin_geo; bassin_geo.load_layer",
    "bassin-geo --help": (
        "from click.testing import CliRunner; from bassin_geo.cli import main; "
        "CliRunner().invoke(main, ['--help'])"
    ),
}

TIMER = "import time; _t = time.perf_counter(); {code}; print(time.perf_counter() - _t)"


def time_once(code: str) -> float:
    """Seconds ``code`` takes in a fresh interpreter, its start excluded."""
    env = dict(os.environ)
    if (SRC / "bassin_geo").is_dir():  # a source checkout: measure this tree
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", TIMER.format(code=code)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the rounds and print the machine, the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds per statement")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    load_before = os.getloadavg()
    for code in STATEMENTS.values():  # warm the file system cache, not measured
        time_once(code)
    times: dict[str, list[float]] = {name: [] for name in STATEMENTS}
    for _ in range(args.rounds):
        for name, code in STATEMENTS.items():
            times[name].append(time_once(code))
    load_after = os.getloadavg()
    print(
        f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after {', '.join(f'{x:.2f}' for x in load_after)}"
    )
    print(f"{args.rounds} interleaved rounds, fresh interpreter each; median (min-max) in ms")
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(
            f"  {name:36s} {medians[name] * 1000:7.1f}  "
            f"({min(values) * 1000:.1f}-{max(values) * 1000:.1f})"
        )
    ratio = medians["import bassin_geo"] / medians["import geopandas"]
    verdict = "within" if ratio <= 1.2 else "OVER"
    print(f"ratio import bassin_geo / import geopandas: {ratio:.2f}x ({verdict} the 1.2x target)")


if __name__ == "__main__":
    main()

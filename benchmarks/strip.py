"""Benchmark: where the time of a stage strip goes, for the three 2025 stages and a GPX ride.

For each route: the analyses (``gather``: crossings of three areas, communes crossed, sites
along), the whole ``stage_strip`` (analyses, drawing and name thinning), then saving as PNG
(200 dpi), SVG and PDF. Also the number of commune passages and how many were named.

Run ``python benchmarks/strip.py [GPX ...]`` (default ride: ``tests/data/eurovelo5_lens.gpx``).
Prints the machine and the timings (best of ``--repeat``).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import matplotlib

import bassin_geo as bg
from bassin_geo.viz.strip import save_strip, stage_strip
from bassin_geo.viz.strip_data import gather

HERE = Path(__file__).resolve().parent


def best(repeat: int, work):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "gpx", nargs="*", default=[str(HERE.parent / "tests/data/eurovelo5_lens.gpx")]
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"matplotlib {matplotlib.__version__}"
    )
    routes = [(f"stage {n}", bg.load_stage(2025, n)) for n in (1, 2, 3)]
    routes += [(Path(p).name, p) for p in args.gpx]
    out = Path(tempfile.mkdtemp())
    print(
        f"{'route':<24}{'km':>7}{'communes':>10}{'named':>7}{'gather s':>10}{'strip s':>9}"
        f"{'png s':>7}{'svg s':>7}{'pdf s':>7}"
    )
    for label, route in routes:
        t_gather, content = best(args.repeat, lambda r=route: gather(r))
        t_strip, fig = best(args.repeat, lambda r=route: stage_strip(r))
        named = sum(
            1
            for ax in fig.axes
            if ax.get_label() == "communes"
            for t in ax.texts
            if str(t.get_gid() or "").startswith("commune-name")
        )
        saves = []
        for suffix in (".png", ".svg", ".pdf"):
            t, _ = best(
                args.repeat, lambda s=suffix, f=fig: save_strip(f, out / f"s{s}", overwrite=True)
            )
            saves.append(t)
        print(
            f"{label:<24}{content.route.length_km:>7.1f}{len(content.communes):>10}{named:>7}"
            f"{t_gather:>10.2f}{t_strip:>9.2f}" + "".join(f"{t:>7.2f}" for t in saves)
        )


if __name__ == "__main__":
    main()

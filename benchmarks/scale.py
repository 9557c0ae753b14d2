"""In memory versus dask: locate + nearest on millions of random points in the basin.

Run ``python benchmarks/scale.py`` (10 million points; several minutes) or
``python benchmarks/scale.py 2000000 --workers 1 2``. It writes the points as a GeoParquet
dataset (one file per tile of the basin's box, as a spatially partitioned dataset is),
then, each in its own process so their memory is measured apart:

- in memory: ``gpd.read_parquet`` of everything, ``distance.locate`` and
  ``distance.nearest`` (all sites, k=1), results written to Parquet;
- dask: ``scale.read_points`` on the dataset, ``scale.locate`` and ``scale.nearest``, results
  written to Parquet by the workers, on a ``LocalCluster`` of 1 thread per worker.

Peak memory is the largest sum of the resident memory of the run's process and all its
children (scheduler and workers), sampled every 0.2 s with psutil. From the in-memory peak
per point it estimates the largest size that fits in the memory given by ``--budget-gib``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

BOX = (1.9, 50.0, 3.9, 50.9)  # lon/lat box around the basin


def make_tile(args: tuple[int, int, int, int]) -> object:
    """Uniform random points in tile ``i`` of a ``cols`` x ``rows`` grid over BOX."""
    import geopandas as gpd

    i, cols, rows, n = args
    rng = np.random.default_rng(1_000 + i)
    w, h = (BOX[2] - BOX[0]) / cols, (BOX[3] - BOX[1]) / rows
    x0, y0 = BOX[0] + (i % cols) * w, BOX[1] + (i // cols) * h
    gdf = gpd.GeoDataFrame(
        {"code": rng.integers(0, 2**31, n)},
        geometry=gpd.points_from_xy(rng.uniform(x0, x0 + w, n), rng.uniform(y0, y0 + h, n)),
        crs="EPSG:4326",
    )
    gdf.index = np.arange(i * n, (i + 1) * n)  # one global row label per point
    return gdf


def write_points(path: Path, n: int, chunk: int) -> int:
    """Write about ``n`` points as GeoParquet, ``chunk`` per file, without holding them all."""
    parts = max(1, round(n / chunk))
    cols = int(np.ceil(np.sqrt(parts)))
    rows = int(np.ceil(parts / cols))
    parts = cols * rows
    per = int(np.ceil(n / parts))
    path.mkdir(parents=True)
    for i in range(parts):
        make_tile((i, cols, rows, per)).to_parquet(path / f"part.{i:05d}.parquet")
    return parts * per


def run_in_memory(points: str, out: str) -> None:
    import importlib

    import geopandas as gpd

    # The analysis package: locate and nearest, as bassin_geo exports them.
    distance = importlib.import_module("bassin_geo.analysis")

    gdf = gpd.read_parquet(points)
    distance.locate(gdf).to_parquet(Path(out) / "locate.parquet")
    distance.nearest(gdf, k=1).to_parquet(Path(out) / "nearest.parquet")


def run_baseline(points: str, out: str) -> None:
    """The fixed cost of the in-memory run: imports, embedded layers and indexes."""
    import importlib

    import geopandas as gpd

    distance = importlib.import_module("bassin_geo.analysis")
    few = gpd.read_parquet(next(Path(points).glob("*.parquet"))).iloc[:10]
    distance.locate(few)
    distance.nearest(few, k=1)


def run_dask(points: str, out: str, workers: int) -> None:
    import dask
    from distributed import Client, LocalCluster

    from bassin_geo import scale

    # Each worker may use what the machine has, divided between them.
    limit = psutil.virtual_memory().total // workers
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, memory_limit=limit, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        ddf = scale.read_points(points)
        jobs = [
            dask.dataframe.to_parquet(scale.locate(ddf), Path(out) / "locate", compute=False),
            dask.dataframe.to_parquet(scale.nearest(ddf), Path(out) / "nearest", compute=False),
        ]
        scale.compute(jobs, client=client, progress=False)


def _spin(_: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i * i
    return time.perf_counter() - start


def cpu_parallelism() -> float:
    """How many times the work of one process two processes get done in the same time.

    2.0 on two real cores; less when the cores are shared (virtual machines): it bounds
    what a second dask worker can bring on this machine.
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [0, 0]))  # warm up both processes
        alone = pool.submit(_spin, 0).result()
        together = max(pool.map(_spin, [0, 0]))
    return 2 * alone / together


def measure(args: list[str]) -> dict:
    """Run this script in a child process with ``args``; wall time and peak memory."""
    start = time.perf_counter()
    child = psutil.Popen([sys.executable, __file__, *args])
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                procs = [child, *child.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = child.wait()
    stop.set()
    thread.join()
    return {"seconds": time.perf_counter() - start, "peak_gib": peak / 2**30, "exit": code}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000_000, help="number of points")
    parser.add_argument("--chunk", type=int, default=500_000, help="points per partition")
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="dask worker counts")
    parser.add_argument("--budget-gib", type=float, default=24.0)
    parser.add_argument("--skip-memory-run", action="store_true", help="dask runs only")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.run:
        mode, points, out = args.run
        if mode == "memory":
            run_in_memory(points, out)
        elif mode == "baseline":
            run_baseline(points, out)
        else:
            run_dask(points, out, int(mode))
        return

    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB RAM"
    )
    print(
        f"python {platform.python_version()}; two processes at once do "
        f"{cpu_parallelism():.2f}x the work of one (2.00 on two free cores)"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bassin-scale-"))
    try:
        t = time.perf_counter()
        n = write_points(tmp / "points", args.n, args.chunk)
        files = len(list((tmp / "points").glob("*.parquet")))
        print(
            f"{n:,} points in {files} GeoParquet files, written in {time.perf_counter() - t:.1f} s"
        )
        results = {}
        runs = [] if args.skip_memory_run else [("in memory", "memory")]
        runs += [(f"dask, {w} worker(s)", str(w)) for w in args.workers]
        for label, mode in runs:
            out = tmp / f"out-{mode}"
            out.mkdir()
            results[label] = r = measure(["--run", mode, str(tmp / "points"), str(out)])
            status = "ok" if r["exit"] == 0 else f"FAILED (exit {r['exit']})"
            print(
                f"{label:>22}: {r['seconds']:8.1f} s, peak {r['peak_gib']:6.2f} GiB  {status}",
                flush=True,
            )
            shutil.rmtree(out)
        base = results.get("in memory")
        if base and base["exit"] == 0:
            for label, r in results.items():
                if label != "in memory" and r["exit"] == 0:
                    print(
                        f"{label}: time x{r['seconds'] / base['seconds']:.2f}, "
                        f"peak memory x{r['peak_gib'] / base['peak_gib']:.2f} of in memory"
                    )
            fixed = measure(["--run", "baseline", str(tmp / "points"), str(tmp)])["peak_gib"]
            per_point = (base["peak_gib"] - fixed) / n
            print(
                f"in memory: {fixed:.2f} GiB fixed + {per_point * 2**30:.0f} bytes per point "
                f"at peak, so about {(args.budget_gib - fixed) / per_point / 1e6:,.0f} million "
                f"points in {args.budget_gib:g} GiB (linear estimate)"
            )
        print(json.dumps({"n": n, "chunk": args.chunk, "results": results}))
        print(
            "Dask keeps its peak memory to about (workers x partitions in flight x partition "
            "size), whatever the number of points; in memory grows with the points."
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

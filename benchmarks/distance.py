"""Benchmark: bassin_geo.analysis.distances against the hand-written floor and the peer.

1. ``nearest`` for random points in the basin against all sites, versus the floor (what a
   skilled user writes by hand: project to Lambert-93, ``cKDTree`` on all cores, ``Geod.inv``
   on the chosen pairs, a DataFrame of ids and metres) and the peer
   ``geopandas.sjoin_nearest`` (both starting from WGS84 frames, ending in metres).
2. The full ``distance_matrix`` of all sites: ``distance_matrix(sites)``,
   ``distance_matrix(sites, sites)`` (recognised as the same set), one bare vectorized
   ``Geod.inv`` over every pair (the ellipsoid's own arithmetic) and a Python loop.

Run ``python benchmarks/distance.py`` (``--points 200000`` for a quicker run). Rounds are
interleaved (every contender once per round, in turn) so that a change in the machine's load
hits them alike; the medians are reported with the load average of each round. Peak memory
over the input is measured once per contender before the timed rounds, each in a forked
child (Linux: freed memory handed back with ``malloc_trim``, then the peak resident size
reset through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy
import shapely
from scipy.spatial import cKDTree

import bassin_geo as bg
from bassin_geo.analysis.distances import distance_matrix, nearest
from bassin_geo.crs import GEOD, LAMBERT93, WGS84


def rounds(
    contenders: dict[str, Callable[[], object]], repeat: int
) -> tuple[dict[str, float], dict[str, float], list[float]]:
    """Wall and CPU medians per contender over ``repeat`` interleaved rounds, and the loads."""
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    loads = []
    for _ in range(repeat):
        loads.append(os.getloadavg()[0])
        for name, func in contenders.items():
            w, c = time.perf_counter(), time.process_time()
            func()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return (
        {n: statistics.median(v) for n, v in wall.items()},
        {n: statistics.median(v) for n, v in cpu.items()},
        loads,
    )


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def peak_over_input(func: Callable[[], object]) -> float | None:
    """Peak resident memory above the starting one (MiB) while ``func`` runs, or None."""
    if not sys.platform.startswith("linux"):
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's memory is its input, already resident
        try:
            # Hand the memory the parent freed back to the system first, or the child would
            # reuse those resident pages and its peak would not show what it needs.
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset the peak (VmHWM) to the current resident size
            base = _status("VmRSS")
            func()
            os.write(write, str(_status("VmHWM") - base).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    data = os.read(read, 64)
    os.close(read)
    return int(data) / 2**20 if data else None


def points_in_basin(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` uniform random points inside the basin contour."""
    rng = np.random.default_rng(seed)
    contour = bg.load_perimeter().geometry.iloc[0]
    shapely.prepare(contour)
    xmin, ymin, xmax, ymax = contour.bounds
    xs, ys, have = [], [], 0
    while have < n:
        x = rng.uniform(xmin, xmax, 2 * n)
        y = rng.uniform(ymin, ymax, 2 * n)
        keep = shapely.contains_xy(contour, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    x, y = np.concatenate(xs)[:n], np.concatenate(ys)[:n]
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")


def sjoin_reference(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The peer: what a geopandas user writes, sjoin_nearest in Lambert-93 with distances."""
    return gpd.sjoin_nearest(
        points.to_crs(LAMBERT93), sites.to_crs(LAMBERT93), distance_col="distance_m"
    )


def hand_written_floor(points: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The floor: what a skilled user writes by hand for the nearest site, geodesic metres.

    Project to Lambert-93, one cKDTree query on all cores, ``Geod.inv`` on the chosen pairs,
    a DataFrame of ids and metres. Exact except where two sites are nearly as far (the
    Lambert-93 scale factor can swap them): ``nearest`` settles those, the floor does not.
    """
    to_l93 = pyproj.Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
    geoms = points.geometry.to_numpy()
    lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)
    slon, slat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    tree = cKDTree(np.column_stack(to_l93.transform(slon, slat)))
    _, j = tree.query(np.column_stack(to_l93.transform(lon, lat)), workers=-1)
    dist = GEOD.inv(lon, lat, slon[j], slat[j])[2]
    return pd.DataFrame(
        {
            "point_index": points.index,
            "target_id": sites["site_id"].to_numpy()[j],
            "distance_m": dist,
        }
    )


def loop_matrix(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """What a Python user writes: one Geod.inv call per pair."""
    n = len(lon)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = GEOD.inv(lon[i], lat[i], lon[j], lat[j])[2]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--no-peer", action="store_true", help="skip sjoin_nearest (slow)")
    args = parser.parse_args()

    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, shapely "
        f"{shapely.__version__}, pyproj {pyproj.__version__}, scipy {scipy.__version__}, "
        f"geopandas {gpd.__version__}, pandas {pd.__version__}"
    )

    sites = bg.load_layer("sites")
    points = points_in_basin(args.points)
    nearest(points.iloc[:1000])  # warm the layer cache and the CRS machinery
    hand_written_floor(points.iloc[:1000], sites)
    print(f"\n1. nearest site for {len(points):,} random points in the basin, {len(sites):,} sites")
    contenders: dict[str, Callable[[], object]] = {
        "hand-written floor (L93 cKDTree + Geod.inv)": lambda: hand_written_floor(points, sites),
        "nearest(method='geodesic')": lambda: nearest(points),
        "nearest(method='planar')": lambda: nearest(points, method="planar"),
    }
    if not args.no_peer:
        contenders["geopandas.sjoin_nearest (Lambert-93)"] = lambda: sjoin_reference(points, sites)
    # Memory first, each in a fresh child of a process that has not run them yet.
    peaks = {name: peak_over_input(func) for name, func in contenders.items()}
    wall, cpu, loads = rounds(contenders, args.repeat)
    floor_name = next(iter(contenders))
    print(
        f"   {args.repeat} interleaved rounds, medians; load average (1 min) at each round: "
        f"{', '.join(f'{v:.2f}' for v in loads)}"
    )
    print(
        f"   {'':45s} {'wall s':>7s} {'/floor':>7s} {'CPU s':>7s} {'/floor':>7s} "
        f"{'peak MiB':>9s} {'/floor':>7s}"
    )
    for name in contenders:
        peak, base = peaks[name], peaks[floor_name]
        mem = f"{peak:9.0f} {peak / base:7.2f}" if peak is not None and base else f"{'n/a':>9s}"
        print(
            f"   {name:45s} {wall[name]:7.2f} {wall[name] / wall[floor_name]:7.2f} "
            f"{cpu[name]:7.2f} {cpu[name] / cpu[floor_name]:7.2f} {mem}"
        )
    geo, pla = nearest(points), nearest(points, method="planar")
    floor = hand_written_floor(points, sites)
    fixed = (geo["target_id"].to_numpy() != floor["target_id"].to_numpy()).sum()
    longer = (floor["distance_m"].to_numpy() - geo["distance_m"].to_numpy()).max()
    print(
        f"   nearest finds a truly nearer site than the floor for {fixed} points "
        f"(the floor's answer is up to {longer:.2f} m farther)"
    )
    if not args.no_peer:
        ref = sjoin_reference(points, sites)
        first = ref[~ref.index.duplicated()]
        # sjoin_nearest returns every tied site; nearest() keeps the first in layer order.
        tied = pd.MultiIndex.from_arrays([ref.index, ref["index_right"]])
        ours = pd.MultiIndex.from_arrays([pla["point_index"], pla["target_index"]])
        same = ours.isin(tied).mean()
        diff = np.abs(pla["distance_m"].to_numpy() - first["distance_m"].to_numpy()).max()
        print(
            f"   agreement with sjoin_nearest: nearest site among its answers for {same:.4%} "
            f"of points ({len(ref) - len(first):,} extra tied rows in sjoin), planar distances "
            f"within {diff * 1000:.6f} mm"
        )
    swaps = (geo["target_index"].to_numpy() != pla["target_index"].to_numpy()).sum()
    print(f"   geodesic vs planar: {swaps} points get another nearest site")

    lon, lat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    n = len(sites)
    print(f"\n2. distance_matrix of all {n:,} sites ({n * n:,} pairs)")
    start = time.perf_counter()
    loop = loop_matrix(lon, lat)
    t_loop = time.perf_counter() - start
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    li, lj = (lon[i.ravel()], lat[i.ravel()]), (lon[j.ravel()], lat[j.ravel()])
    matrices = {
        "one bare Geod.inv call on all pairs": lambda: GEOD.inv(*li, *lj),
        "distance_matrix(sites)": lambda: distance_matrix(sites),
        "distance_matrix(sites, sites)": lambda: distance_matrix(sites, sites),
    }
    wall, cpu, loads = rounds(matrices, args.repeat)
    bare = next(iter(matrices))
    print(
        f"   {args.repeat} interleaved rounds, medians; load average at each round: "
        f"{', '.join(f'{v:.2f}' for v in loads)}"
    )
    print(f"   Python loop, Geod.inv per pair (once)      {t_loop:7.2f} s")
    for name in matrices:
        print(
            f"   {name:42s} {wall[name]:7.2f} s  x{wall[name] / wall[bare]:.2f} of the bare call "
            f"(CPU {cpu[name]:.2f} s, x{cpu[name] / cpu[bare]:.2f})"
        )
    sym, rect = distance_matrix(sites), distance_matrix(sites, sites)
    print(
        f"   max difference to the loop: {np.abs(sym.to_numpy() - loop).max() * 1000:.6f} mm "
        f"(sites), {np.abs(rect.to_numpy() - loop).max() * 1000:.6f} mm (sites, sites)"
    )
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark: bassin_geo.analysis.distances against the obvious alternatives, in one run.

1. ``nearest`` for random points in the basin against all sites, versus
   ``geopandas.sjoin_nearest`` on the same data (both starting from WGS84 frames and
   ending with distances in metres).
2. The full ``distance_matrix`` of all sites versus a Python loop calling ``Geod.inv``
   once per pair.

Run ``python benchmarks/distance.py`` (``--points 200000`` for a quicker run). Prints the
machine, the timings (best of ``--repeat``), the ratios and how far the answers agree.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy
import shapely

import bassin_geo as bg
from bassin_geo.analysis.distances import distance_matrix, nearest
from bassin_geo.crs import GEOD


def best_of(repeat: int, func, *args, **kwargs):
    """Best wall time over ``repeat`` runs, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times), result


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
    """What a geopandas user writes: project both, sjoin_nearest with a distance column."""
    return gpd.sjoin_nearest(
        points.to_crs(bg.LAMBERT93), sites.to_crs(bg.LAMBERT93), distance_col="distance_m"
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
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    # Other jobs on the machine skew timings; the load says how busy it was.
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, shapely "
        f"{shapely.__version__}, pyproj {pyproj.__version__}, scipy {scipy.__version__}, "
        f"geopandas {gpd.__version__}, pandas {pd.__version__}"
    )

    sites = bg.load_layer("sites")
    points = points_in_basin(args.points)
    nearest(points.iloc[:1000])  # warm the layer cache and the CRS machinery
    print(f"\n1. nearest site for {len(points):,} random points in the basin, {len(sites):,} sites")
    t_ref, ref = best_of(args.repeat, sjoin_reference, points, sites)
    t_geo, geo = best_of(args.repeat, nearest, points)
    t_pla, pla = best_of(args.repeat, nearest, points, method="planar")
    print(f"   geopandas.sjoin_nearest (Lambert-93)     {t_ref:7.2f} s")
    print(f"   nearest(method='geodesic')              {t_geo:7.2f} s   x{t_ref / t_geo:.1f}")
    print(f"   nearest(method='planar')                {t_pla:7.2f} s   x{t_ref / t_pla:.1f}")
    first = ref[~ref.index.duplicated()]
    # sjoin_nearest returns every tied site; nearest() keeps the first in layer order.
    tied = pd.MultiIndex.from_arrays([ref.index, ref["index_right"]])
    ours = pd.MultiIndex.from_arrays([pla["point_index"], pla["target_index"]])
    same = ours.isin(tied).mean()
    diff = np.abs(pla["distance_m"].to_numpy() - first["distance_m"].to_numpy()).max()
    print(
        f"   agreement with sjoin_nearest: nearest site among its answers for {same:.4%} of "
        f"points ({len(ref) - len(first):,} extra tied rows in sjoin), planar distances "
        f"within {diff * 1000:.6f} mm"
    )
    swaps = (geo["target_index"].to_numpy() != pla["target_index"].to_numpy()).sum()
    stretch = (pla["distance_m"] / geo["distance_m"]).replace(np.inf, np.nan).dropna()
    print(
        f"   geodesic vs planar: {swaps} points get another nearest site; planar/geodesic "
        f"ratio {stretch.min():.5f} to {stretch.max():.5f} (Lambert-93 scale factor)"
    )

    lon, lat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    n = len(sites)
    print(f"\n2. distance_matrix of all {n:,} sites ({n * n:,} pairs)")
    t_loop, loop = best_of(1, loop_matrix, lon, lat)
    t_sym, sym = best_of(args.repeat, distance_matrix, sites)
    t_rect, rect = best_of(args.repeat, distance_matrix, sites, sites)
    # The floor: the geodesic arithmetic itself, one vectorized Geod.inv over every pair.
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    t_bare, _ = best_of(
        args.repeat, GEOD.inv, lon[i.ravel()], lat[i.ravel()], lon[j.ravel()], lat[j.ravel()]
    )
    print(f"   Python loop, Geod.inv per pair            {t_loop:7.2f} s")
    print(f"   distance_matrix(sites)                    {t_sym:7.2f} s   x{t_loop / t_sym:.0f}")
    print(f"   distance_matrix(sites, sites), no symmetry {t_rect:6.2f} s   x{t_loop / t_rect:.0f}")
    print(
        f"   one bare Geod.inv call on all pairs       {t_bare:7.2f} s   x{t_loop / t_bare:.0f}"
        "  (the arithmetic alone: the ceiling without threads or symmetry)"
    )
    print(
        f"   max difference to the loop: {np.abs(sym.to_numpy() - loop).max() * 1000:.6f} mm "
        f"(symmetric), {np.abs(rect.to_numpy() - loop).max() * 1000:.6f} mm (rectangular)"
    )
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

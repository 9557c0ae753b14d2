"""Crossings of a 100,000-point track: bassin_geo versus a naive per-segment shapely loop.

The track follows the approximate 2025 stage 3 (Valenciennes > Dunkerque), densified to
100,000 points with GPS-like noise (about 2 m), as a rider's computer records it. Both
sides compute the km run inside the basin contour and inside each of the 330 communes of
the basin territory; the script checks that they agree, then prints times and ratios.

Run: ``python benchmarks/stages.py``
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString

import bassin_geo as bg
from bassin_geo.analysis import stages as st
from bassin_geo.crs import GEOD

N_POINTS = 100_000


def track(n: int = N_POINTS) -> np.ndarray:
    xy = st.load_stage(2025, 3).coords
    t = np.linspace(0, len(xy) - 1, n)
    s = np.minimum(t.astype(int), len(xy) - 2)
    pts = xy[s] + (t - s)[:, None] * (xy[s + 1] - xy[s])
    return pts + np.random.default_rng(0).normal(0, 2e-5, pts.shape)


def naive_inside_km(pts: np.ndarray, polygon) -> float:
    """The obvious loop: one shapely segment at a time against a prepared polygon."""
    shapely.prepare(polygon)
    boundary = polygon.boundary
    shapely.prepare(boundary)
    total = 0.0
    for i in range(len(pts) - 1):
        seg = LineString(pts[i : i + 2])
        if boundary.intersects(seg):
            part = polygon.intersection(seg)
            if not part.is_empty:
                total += GEOD.geometry_length(part)
        elif polygon.contains(shapely.Point(pts[i])):
            total += GEOD.inv(pts[i, 0], pts[i, 1], pts[i + 1, 0], pts[i + 1, 1])[2]
    return total / 1000.0


def naive_communes(pts: np.ndarray, communes) -> dict[str, float]:
    """The obvious loop for communes: per segment, an STRtree query then intersections."""
    polygons = communes.geometry.to_numpy()
    tree = shapely.STRtree(polygons)
    km: dict[str, float] = {}
    for i in range(len(pts) - 1):
        seg = LineString(pts[i : i + 2])
        for k in tree.query(seg, predicate="intersects"):
            part = polygons[k].intersection(seg)
            if not part.is_empty and part.length > 0:
                insee = communes["insee"].iloc[k]
                km[insee] = km.get(insee, 0.0) + GEOD.geometry_length(part) / 1000.0
    return km


def best_of(fn, repeat: int = 5) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows both sides)"
    )
    pts = track()
    route = st.Route.from_coords(pts, name="benchmark")
    perimeter = bg.load_perimeter().geometry.iloc[0]
    communes = bg.load_communes()
    st.crossings(route, "perimeter")  # warm the layer caches and indexes, once per session
    st.communes_crossed(route, all_nord_pas_de_calais=False)
    print(f"track: {len(pts):,} points, {route.length_km:.1f} km")

    t_ours, c = best_of(lambda: st.crossings(route, "perimeter"))
    t_naive, naive_km = best_of(lambda: naive_inside_km(pts, perimeter), repeat=1)
    print(
        f"basin contour  ours {t_ours * 1000:8.1f} ms  naive loop {t_naive * 1000:8.1f} ms  "
        f"ratio {t_naive / t_ours:6.1f}x  (km inside {c.km_inside:.4f} vs {naive_km:.4f}, "
        f"{len(c.events)} crossings)"
    )

    t_ours, cc = best_of(lambda: st.communes_crossed(route, all_nord_pas_de_calais=False))
    t_naive, naive = best_of(lambda: naive_communes(pts, communes), repeat=1)
    ours = cc.groupby("insee")["length_km"].sum()
    worst = max(abs(ours.get(k, 0.0) - v) for k, v in naive.items())
    print(
        f"330 communes   ours {t_ours * 1000:8.1f} ms  naive loop {t_naive * 1000:8.1f} ms  "
        f"ratio {t_naive / t_ours:6.1f}x  ({len(cc)} passages in {len(ours)} communes, "
        f"largest km difference {worst * 1000:.3f} m)"
    )

    t_ours, near = best_of(lambda: st.sites_along(route, 1000))
    sites93 = bg.load_layer("sites").to_crs(2154)
    to93 = Transformer.from_crs(4326, 2154, always_xy=True)
    line93 = shapely.transform(route.line, lambda c: np.column_stack(to93.transform(*c.T)))
    t_naive, hits = best_of(lambda: sites93[sites93.distance(line93) <= 1000], repeat=1)
    print(
        f"sites < 1 km   ours {t_ours * 1000:8.1f} ms  GeoSeries.distance {t_naive * 1000:8.1f} ms"
        f"  ratio {t_naive / t_ours:6.1f}x  ({len(near)} vs {len(hits)} sites)"
    )


if __name__ == "__main__":
    main()

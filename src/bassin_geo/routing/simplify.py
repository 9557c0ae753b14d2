"""Graph simplification: merge chains of edges through nodes that only continue a way."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from bassin_geo.crs import WGS84

__all__ = ["simplify_graph"]


def simplify_graph(
    nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Merge chains of edges through nodes that only continue a way, as osmnx simplifies.

    A node is removed when exactly two edges meet there, with the same ``highway``,
    ``speed_kmh``, ``cost_factor``, ``source`` and direction (for one-way edges: one in, one
    out). Lengths and times are summed, so shortest distances between the remaining nodes
    do not change; geometries are concatenated in order. Vectorized: chains are connected
    components of the edges' line graph, ordered by one breadth-first Dijkstra run.

    Parameters
    ----------
    nodes : GeoDataFrame
        A network's nodes.
    edges : GeoDataFrame
        Its edges (``u``, ``v``, ``length_m``, ``time_s``, ``oneway``, ``highway``,
        ``speed_kmh``, ``cost_factor``, ``source``, ``geometry``).

    Returns
    -------
    nodes, edges : GeoDataFrame
        The kept nodes (renumbered) and the merged edges.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> line = shapely.LineString([(3.0, 50.4), (3.005, 50.401), (3.01, 50.4)])
    >>> net = load_network(gpd.GeoSeries([line], crs=4326), simplify=False)
    >>> len(net.edges), len(simplify_graph(net.nodes, net.edges)[1])
    (2, 1)
    """
    n, m = len(nodes), len(edges)
    if m == 0:
        return nodes, edges
    u = edges["u"].to_numpy(np.int64)
    v = edges["v"].to_numpy(np.int64)
    oneway = edges["oneway"].to_numpy(bool)
    cols = ["highway", "speed_kmh", "cost_factor", "source", "oneway"]
    code = edges[cols].groupby(cols, dropna=False, sort=False).ngroup().to_numpy()
    # Incidences (node, edge, node is the edge's u), sorted by node.
    inc_node = np.r_[u, v]
    inc_edge = np.r_[np.arange(m), np.arange(m)]
    inc_is_u = np.r_[np.ones(m, bool), np.zeros(m, bool)]
    order = np.argsort(inc_node, kind="stable")
    inc_node, inc_edge, inc_is_u = inc_node[order], inc_edge[order], inc_is_u[order]
    deg = np.bincount(inc_node, minlength=n)
    first = np.searchsorted(inc_node, np.arange(n))
    cand = np.flatnonzero(deg == 2)
    e1, e2 = inc_edge[first[cand]], inc_edge[first[cand] + 1]
    s1, s2 = inc_is_u[first[cand]], inc_is_u[first[cand] + 1]
    other1 = np.where(s1, v[e1], u[e1])
    other2 = np.where(s2, v[e2], u[e2])
    ok = (code[e1] == code[e2]) & (e1 != e2) & (other1 != other2)
    ok &= ~oneway[e1] | (s1 != s2)  # one-way: the node ends one edge and starts the other
    interior = np.zeros(n, bool)
    interior[cand[ok]] = True
    for _ in range(2):  # a second pass once rings without an end node got one
        links = np.flatnonzero(interior[cand])
        a, b = e1[links], e2[links]
        line = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(m, m))
        _, chain = csgraph.connected_components(line, directed=False)
        # Chain ends: incidences on kept nodes; a one-way chain starts at an edge's u.
        kept_inc = ~interior[inc_node]
        has_end = np.zeros(chain.max() + 1, bool)
        has_end[chain[inc_edge[kept_inc]]] = True
        rings = ~has_end[chain[inc_edge]] & interior[inc_node]
        if not rings.any():
            break
        ring_chain = chain[inc_edge[rings]]
        ring_nodes = inc_node[rings]
        lowest = pd.Series(ring_nodes).groupby(ring_chain).min().to_numpy()
        interior[lowest] = False
    kept_inc = ~interior[inc_node]
    ends = pd.DataFrame(
        {
            "chain": chain[inc_edge[kept_inc]],
            "edge": inc_edge[kept_inc],
            "node": inc_node[kept_inc],
            "is_u": inc_is_u[kept_inc],
        }
    ).sort_values(["chain", "is_u", "edge"], ascending=[True, False, True])
    start = ends.drop_duplicates("chain")
    start_edge = start["edge"].to_numpy()
    start_node = np.empty(chain.max() + 1, np.int64)
    start_node[start["chain"].to_numpy()] = start["node"].to_numpy()
    # Hop index of each edge along its chain: BFS (unit weights) from a virtual root.
    links = np.flatnonzero(interior[cand])
    a, b = e1[links], e2[links]
    root = m
    rows = np.r_[a, b, np.full(len(start_edge), root)]
    cols = np.r_[b, a, start_edge]
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m + 1, m + 1))
    hop = csgraph.dijkstra(graph, directed=True, indices=root, unweighted=True)[:m]
    # Entry node of each edge: the chain's start node, or the interior node it shares with
    # the previous edge.
    entry = np.full(m, -1, np.int64)
    entry[start_edge] = start["node"].to_numpy()
    later = np.where(hop[a] > hop[b], a, b)
    entry[later] = cand[links]
    flip = entry != u
    seq = np.lexsort((hop, chain))
    geoms = edges.geometry.to_numpy()
    oriented = np.where(flip, shapely.reverse(geoms), geoms)[seq]
    coords, idx = shapely.get_coordinates(oriented, return_index=True)
    chain_of = chain[seq][idx]
    # Drop each edge's first vertex except on the first edge of a chain (it repeats).
    first_vertex = np.r_[True, idx[1:] != idx[:-1]]
    chain_start = np.r_[True, chain_of[1:] != chain_of[:-1]]
    keep = ~first_vertex | chain_start
    merged = shapely.linestrings(coords[keep], indices=chain_of[keep])
    exit_node = np.where(flip, u, v)
    last_of_chain = pd.Series(seq).groupby(chain[seq]).last().to_numpy()
    nchain = chain.max() + 1
    length = np.bincount(chain, weights=edges["length_m"].to_numpy(float), minlength=nchain)
    time = np.bincount(chain, weights=edges["time_s"].to_numpy(float), minlength=nchain)
    firsts = edges.iloc[start_edge[np.argsort(start["chain"].to_numpy())]]
    newid = np.cumsum(~interior) - 1
    out = gpd.GeoDataFrame(
        {
            "u": newid[start_node],
            "v": newid[exit_node[last_of_chain]],
            "length_m": length,
            "speed_kmh": np.where(time > 0, length / np.maximum(time, 1e-12) * 3.6, 0.0),
            "time_s": time,
            "oneway": firsts["oneway"].to_numpy(bool),
            "cost_factor": firsts["cost_factor"].to_numpy(float),
            "highway": firsts["highway"].to_numpy(),
            "source": firsts["source"].to_numpy(),
        },
        geometry=merged,
        crs=WGS84,
    )
    # A chain may close on its start node (a loop street): kept, it stays snappable.
    return nodes[~interior].reset_index(drop=True), out

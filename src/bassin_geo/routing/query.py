"""The engine of :class:`~bassin_geo.routing.network.Network`'s queries: snap, costs, paths.

Stops are snapped to the nearest point of the nearest *edge*, and shortest paths start and
end at those points, so a stop in the middle of a long street is not moved to a crossroads.
These functions read only the network's public attributes (``edges``, ``edges_metric``,
``tree``, ``graph()``...); users call them through :meth:`Network.snap`,
:meth:`Network.matrix` and :meth:`Network.path`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
import shapely.ops
from scipy import sparse
from scipy.sparse import csgraph

from bassin_geo.crs import geod_inv
from bassin_geo.errors import NetworkError
from bassin_geo.places.checks import check_distance
from bassin_geo.routing.options import check_on_far

if TYPE_CHECKING:
    from bassin_geo.routing.network import Network

__all__ = ["PathCost", "SnappedPoints", "best_path", "end_offsets", "shortest_costs", "snap_points"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
GeomArray = npt.NDArray[np.object_]
#: A path's geometry (in the network's metric CRS), length in metres and time in seconds.
PathCost = tuple[shapely.LineString, float, float]


@dataclass(frozen=True)
class SnappedPoints:
    """Where points land on a network.

    Parameters
    ----------
    edge : ndarray of int
        The position of the nearest edge in ``network.edges``.
    frac : ndarray of float
        The fraction along that edge, 0 at its ``u`` end and 1 at its ``v`` end.
    snap_m : ndarray of float
        The geodesic distance from each point to the snapped point, in metres.
    point : ndarray of shapely Points
        The snapped points, WGS84.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> s = SnappedPoints(np.array([0]), np.array([0.5]), np.array([1.0]),
    ...                   np.array([shapely.Point(3, 50)]))
    >>> len(s)
    1
    """

    edge: IntArray
    frac: FloatArray
    snap_m: FloatArray
    point: GeomArray

    def __len__(self) -> int:
        return len(self.edge)

    def take(self, index: Any) -> SnappedPoints:
        """Some of the points, by position.

        Parameters
        ----------
        index : int, slice or array of int
            Which points.

        Returns
        -------
        SnappedPoints
            Those points (always arrays, even for one position).

        Examples
        --------
        >>> import numpy as np, shapely
        >>> s = SnappedPoints(np.array([0, 1]), np.array([0.5, 0.2]), np.zeros(2),
        ...                   np.array([shapely.Point(3, 50), shapely.Point(3, 51)]))
        >>> s.take(1).frac
        array([0.2])
        """
        pick = np.atleast_1d(np.arange(len(self.edge))[index])
        return SnappedPoints(self.edge[pick], self.frac[pick], self.snap_m[pick], self.point[pick])

    @classmethod
    def from_frame(cls, snapped: pd.DataFrame | pd.Series) -> SnappedPoints:
        """The snapped points of a :meth:`Network.snap` result (a frame or one of its rows).

        Parameters
        ----------
        snapped : DataFrame or Series
            Rows with ``edge``, ``frac``, ``snap_m`` and ``geometry``.

        Returns
        -------
        SnappedPoints
            The same points as arrays.

        Examples
        --------
        >>> import pandas as pd, shapely
        >>> row = pd.Series({"edge": 0, "frac": 0.5, "snap_m": 1.0,
        ...                  "geometry": shapely.Point(3, 50)})
        >>> SnappedPoints.from_frame(row).frac
        array([0.5])
        """
        frame = snapped.to_frame().T if isinstance(snapped, pd.Series) else snapped
        missing = [c for c in ("edge", "frac", "snap_m", "geometry") if c not in frame]
        if missing:
            msg = (
                f"snapped points need the columns edge, frac, snap_m and geometry (as "
                f"Network.snap returns them); missing: {', '.join(missing)}"
            )
            raise NetworkError(msg)
        return cls(
            frame["edge"].to_numpy(np.int64),
            frame["frac"].to_numpy(np.float64),
            frame["snap_m"].to_numpy(np.float64),
            np.asarray(frame["geometry"].to_numpy(), dtype=object),
        )


def snap_points(
    network: Network,
    geoms: Any,
    labels: list[Any],
    *,
    max_snap_m: float | None,
    on_far: str = "raise",
) -> SnappedPoints:
    """Snap geometries (WGS84; their centroids) to the nearest point of the nearest edge.

    Parameters
    ----------
    network : Network
        The network.
    geoms : array of shapely geometries
        In WGS84.
    labels : list
        One label per geometry, to name the farthest stop in the message.
    max_snap_m : float or None
        Points farther than this from every edge raise (or warn); None: no limit.
    on_far : {"raise", "warn"}
        What a point beyond ``max_snap_m`` does.

    Returns
    -------
    SnappedPoints
        Edge, fraction, distance and snapped point of each geometry.

    Raises
    ------
    NetworkError
        A point beyond ``max_snap_m`` with ``on_far="raise"``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> net = load_network(gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])],
    ...                                  crs=4326))
    >>> s = snap_points(net, [shapely.Point(3.005, 50.4001)], ["a"], max_snap_m=100)
    >>> round(float(s.frac[0]), 2)
    0.5
    """
    on_far = check_on_far(on_far)
    pts = shapely.centroid(np.asarray(geoms, dtype=object))
    xy = shapely.get_coordinates(pts)
    mpts = network.to_metric(pts)
    (_, edge), _ = network.tree.query_nearest(mpts, return_distance=True, all_matches=False)
    lines = network.edges_metric[edge]
    frac = shapely.line_locate_point(lines, mpts, normalized=True)
    on = network.to_wgs84(shapely.line_interpolate_point(lines, frac, normalized=True))
    oxy = shapely.get_coordinates(on)
    _, _, dist = geod_inv(xy[:, 0], xy[:, 1], oxy[:, 0], oxy[:, 1])
    dist = np.asarray(dist, dtype=np.float64)
    if max_snap_m is not None:
        far = dist > check_distance(max_snap_m, "max_snap_m")
        if far.any():
            i = int(np.argmax(np.where(far, dist, -1)))
            msg = (
                f"{int(far.sum())} stop(s) lie more than {max_snap_m:g} m from the "
                f"{network.mode} network; the farthest, {labels[i]!r}, is {dist[i]:,.0f} m "
                "away. Check the stop, load a network that covers it, or raise max_snap_m"
            )
            if on_far == "raise":
                raise NetworkError(msg)
            warnings.warn(msg, stacklevel=4)
    return SnappedPoints(
        np.asarray(edge, dtype=np.int64), np.asarray(frac, dtype=np.float64), dist, on
    )


def end_offsets(
    network: Network, snapped: SnappedPoints, weight: str, preferred: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Costs between snapped points and the two ends of their edges.

    Parameters
    ----------
    network : Network
        The network the points were snapped to.
    snapped : SnappedPoints
        The points.
    weight : {"length", "time"}
        Metres or seconds.
    preferred : bool
        Count the edges' ``cost_factor``.

    Returns
    -------
    tuple of four arrays
        From each point to its edge's ``u`` and ``v`` (leaving), and from ``u`` and ``v``
        to the point (arriving); ``inf`` where a one-way edge forbids it.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> net = load_network(gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])],
    ...                                  crs=4326))
    >>> s = snap_points(net, [shapely.Point(3.005, 50.4)], ["a"], max_snap_m=None)
    >>> [round(float(a[0])) for a in end_offsets(net, s, "length", False)]
    [355, 355, 355, 355]
    """
    w = network.edge_weights(weight, preferred=preferred)[snapped.edge]
    oneway = network.edges["oneway"].to_numpy(bool)[snapped.edge]
    # A stop exactly on a one-way edge's end node may use that node directly.
    at_u, at_v = snapped.frac <= 1e-12, snapped.frac >= 1.0 - 1e-12
    to_u = np.where(oneway & ~at_u, np.inf, snapped.frac * w)
    to_v = (1.0 - snapped.frac) * w
    from_u = snapped.frac * w
    from_v = np.where(oneway & ~at_v, np.inf, (1.0 - snapped.frac) * w)
    return to_u, to_v, from_u, from_v


def shortest_costs(
    network: Network,
    origins: SnappedPoints,
    destinations: SnappedPoints,
    weight: str,
    preferred: bool = False,
    batch: int | None = None,
) -> FloatArray:
    """Shortest costs between snapped points: one multi-source Dijkstra per batch.

    Parameters
    ----------
    network : Network
        The network the points were snapped to.
    origins, destinations : SnappedPoints
        The points.
    weight : {"length", "time"}
        Metres or seconds.
    preferred : bool
        Count the edges' ``cost_factor``.
    batch : int, optional
        Origins per Dijkstra run (default: about 128 MB of distances).

    Returns
    -------
    ndarray
        ``len(origins) x len(destinations)``; ``inf`` where no path exists.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> net = load_network(gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])],
    ...                                  crs=4326))
    >>> s = snap_points(net, shapely.points([(3.0, 50.4), (3.01, 50.4)]), ["a", "b"],
    ...                 max_snap_m=None)
    >>> shortest_costs(net, s, s, "length").round()
    array([[  0., 711.],
           [711.,   0.]])
    """
    o, d = origins, destinations
    n_nodes = len(network.nodes)
    if batch is None:
        # One dense row of node distances per origin: keep a batch near 128 MB.
        batch = int(np.clip(16_000_000 // max(n_nodes, 1), 1, 256))
    mat = network.graph(weight, preferred=preferred)
    n = mat.shape[0]
    to_u, to_v, _, _ = end_offsets(network, o, weight, preferred)
    _, _, from_u, from_v = end_offsets(network, d, weight, preferred)
    eu = network.edges["u"].to_numpy(np.int64)
    ev = network.edges["v"].to_numpy(np.int64)
    du, dv = eu[d.edge], ev[d.edge]
    out = np.empty((len(o.edge), len(d.edge)))
    for s in range(0, len(o.edge), batch):
        sl = slice(s, s + batch)
        k = len(o.edge[sl])
        # Each origin becomes a virtual node linked to its edge's ends by the partial
        # costs: one Dijkstra run per origin instead of one per edge end.
        ends_u, ends_v = eu[o.edge[sl]], ev[o.edge[sl]]
        cost_u, cost_v = to_u[sl], to_v[sl]
        # On a loop road both ends are one node, and csr_matrix would sum the two links
        # into the length of the whole loop: keep the cheaper one only.
        loop = ends_u == ends_v
        cost_u = np.where(loop, np.minimum(cost_u, cost_v), cost_u)
        cost_v = np.where(loop, np.inf, cost_v)
        rows = np.r_[np.arange(k), np.arange(k)]
        cols = np.r_[ends_u, ends_v]
        vals = np.r_[cost_u, cost_v]
        ok = np.isfinite(vals)
        links = sparse.csr_matrix((np.maximum(vals[ok], 1e-9), (rows[ok], cols[ok])), shape=(k, n))
        aug = sparse.bmat(
            [[mat, sparse.csr_matrix((n, k))], [links, sparse.csr_matrix((k, k))]],
            format="csr",
        )
        dist = csgraph.dijkstra(aug, directed=True, indices=n + np.arange(k))
        out[sl] = np.minimum(dist[:, du] + from_u, dist[:, dv] + from_v)
    # Both points on the same edge: the direct stretch along it, if the direction allows.
    same = o.edge[:, None] == d.edge[None, :]
    if same.any():
        w = network.edge_weights(weight, preferred=preferred)
        i, j = np.nonzero(same)
        e = o.edge[i]
        delta = d.frac[j] - o.frac[i]
        ok = (delta >= 0) | ~network.edges["oneway"].to_numpy(bool)[e]
        direct = np.where(ok, np.abs(delta) * w[e], np.inf)
        out[i, j] = np.minimum(out[i, j], direct)
    return out


def best_path(
    network: Network,
    origin: SnappedPoints,
    destination: SnappedPoints,
    weight: str,
    preferred: bool = False,
) -> PathCost | None:
    """The best path from the first point of ``origin`` to the first of ``destination``.

    Parameters
    ----------
    network : Network
        The network the points were snapped to.
    origin, destination : SnappedPoints
        The ends (their first point).
    weight : {"length", "time"}
        What the path minimises.
    preferred : bool
        Count the edges' ``cost_factor``.

    Returns
    -------
    tuple or None
        ``(geometry, length_m, time_s)`` with the geometry in the network's metric CRS, or
        None when the destination cannot be reached.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> net = load_network(gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])],
    ...                                  crs=4326))
    >>> s = snap_points(net, shapely.points([(3.0, 50.4), (3.01, 50.4)]), ["a", "b"],
    ...                 max_snap_m=None)
    >>> geom, length_m, time_s = best_path(net, s.take(0), s.take(1), "length")
    >>> round(length_m)
    711
    """
    arc_keys, arc_edge = network.arc_edges(weight, preferred=preferred)
    mat = network.graph(weight, preferred=preferred)
    edges = network.edges
    eu = edges["u"].to_numpy(np.int64)
    ev = edges["v"].to_numpy(np.int64)
    to_u, to_v, _, _ = end_offsets(network, origin, weight, preferred)
    _, _, from_u, from_v = end_offsets(network, destination, weight, preferred)
    oe, de = int(origin.edge[0]), int(destination.edge[0])
    starts = np.array([eu[oe], ev[oe]])
    ends = np.array([eu[de], ev[de]])
    dist, pred = csgraph.dijkstra(mat, directed=True, indices=starts, return_predecessors=True)
    cost = (
        np.array([to_u[0], to_v[0]])[:, None]
        + dist[:, ends]
        + np.array([from_u[0], from_v[0]])[None, :]
    )
    s, e = (int(k) for k in np.unravel_index(int(np.argmin(cost)), cost.shape))
    best = float(cost[s, e])
    lengths = edges["length_m"].to_numpy(float)
    times = edges["time_s"].to_numpy(float)
    line_o, line_d = network.edges_metric[oe], network.edges_metric[de]
    fo, fd = float(origin.frac[0]), float(destination.frac[0])
    if oe == de and (fd >= fo or not bool(edges["oneway"].iat[oe])):
        direct = abs(fd - fo) * network.edge_weights(weight, preferred=preferred)[oe]
        if direct <= best:
            geom = shapely.ops.substring(line_o, fo, fd, normalized=True)
            return geom, abs(fd - fo) * float(lengths[oe]), abs(fd - fo) * float(times[oe])
    if not np.isfinite(best):
        return None
    # Walk the predecessor chain back from the end node (as networkx does).
    chain = [int(ends[e])]
    start = int(starts[s])
    while chain[-1] != start:
        chain.append(int(pred[s, chain[-1]]))
    nodes = np.array(chain[::-1], dtype=np.int64)
    n = len(network.nodes)
    pos = np.searchsorted(arc_keys, nodes[:-1] * n + nodes[1:])
    path_edges = arc_edge[pos]
    flip = eu[path_edges] != nodes[:-1]
    first = shapely.ops.substring(line_o, fo, 0.0 if s == 0 else 1.0, normalized=True)
    last = shapely.ops.substring(line_d, 0.0 if e == 0 else 1.0, fd, normalized=True)
    middle = network.edges_metric[path_edges]
    middle = np.where(flip, shapely.reverse(middle), middle)
    parts = np.concatenate([[first], middle, [last]])
    coords = shapely.get_coordinates(parts)
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

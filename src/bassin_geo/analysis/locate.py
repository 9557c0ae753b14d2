"""Distances and proximity between places: exact on the ellipsoid, vectorized, fast.

Every distance is in metres. ``method="geodesic"`` (the default) measures on the WGS84
ellipsoid with :data:`bassin_geo.crs.GEOD` (``pyproj.Geod``); ``method="planar"`` measures
straight lines in the metric CRS of the data (Lambert-93 in France, see
:func:`bassin_geo.crs.metric_crs_for`).

Between two points the geodesic distance is ``Geod.inv`` on their coordinates. Between
other geometries (a point and a slag heap, a route and an estate) the two nearest points
are found in the metric CRS (``shapely.shortest_line``) and the geodesic distance between
them is reported; it is 0 when the geometries touch or overlap. Lambert-93 is conformal,
so the nearest point it gives and the ellipsoidal one coincide to well under a millimetre
at the scale of the basin.

Geodesic and planar nearest neighbours can differ. Lambert-93 stretches lengths by a scale
factor of 1.0009 (south of the basin) to 1.0021 (north), so a planar distance is 0.1 to
0.2 % longer than the geodesic one, and two targets whose distances differ by less than
that margin can swap ranks. The search indexes (scipy ``cKDTree``, shapely ``STRtree``)
work in the plane; :func:`nearest` and :func:`within_distance` widen their planar search
by the ratio of the largest to the smallest scale factor over the data, then rank and
filter on the reported distance, so the geodesic answer is exact, not the planar one.
Ties (equal distances) are broken by target position: the first target in the layer wins.

The core functions take a plain (Geo)DataFrame and return plain DataFrames with stable
columns, so they can run on the partitions of a dask-geopandas frame unchanged.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Proj, Transformer
from scipy.spatial import cKDTree

from bassin_geo.crs import GEOD, LAMBERT93, WGS84, metric_crs_for
from bassin_geo.data.layers import load_layer
from bassin_geo.errors import CRSMismatchError, InvalidInputError
from bassin_geo.places.checks import check_distance
from bassin_geo.places.resolve import as_places

__all__ = [
    "METHODS",
    "NEAREST_COLUMNS",
    "LOCATE_COLUMNS",
    "distance",
    "distance_matrix",
    "nearest",
    "within_distance",
    "locate",
]

#: Ways to measure a distance: on the ellipsoid or in the plane of the metric CRS.
METHODS = ("geodesic", "planar")
#: Columns of the table returned by :func:`nearest`, in order.
NEAREST_COLUMNS = (
    "point_index",
    "point_id",
    "target_index",
    "target_id",
    "target_name",
    "distance_m",
    "rank",
)
#: Columns of the table returned by :func:`locate`, in order.
LOCATE_COLUMNS = (
    "point_id",
    "in_basin",
    "in_property",
    "property_id",
    "property_name",
    "in_buffer_zone",
    "insee",
    "commune",
    "epci_siren",
    "epci_nom",
    "contour_distance_m",
)

# Pairs measured at once: bounds the memory of distance_matrix and nearest (a few hundred MB).
_CHUNK = 2_000_000
# Below this many pairs per thread, threads cost more than they save.
_THREAD_MIN = 100_000
# Relative slack on scale-factor ratios: covers rounding in projections and square roots.
_SLACK = 1e-9


# --- inputs -------------------------------------------------------------------------------


def _check_method(method: str, allowed: tuple[str, ...] = METHODS) -> str:
    if method not in allowed:
        raise InvalidInputError(
            f"unknown distance method {method!r}: use one of {', '.join(map(repr, allowed))}"
        )
    return method


def _is_frame(obj: Any) -> bool:
    return isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries))


def _check_same_crs(a: Any, b: Any, names: tuple[str, str]) -> None:
    """Refuse two frames in different CRS: converting one silently hides a mistake."""
    if not (_is_frame(a) and _is_frame(b)):
        return
    ca = CRS.from_user_input(a.crs) if a.crs is not None else None
    cb = CRS.from_user_input(b.crs) if b.crs is not None else None
    if (ca is None) != (cb is None) or (ca is not None and not ca.equals(cb)):
        raise CRSMismatchError(
            f"{names[0]} is in {ca.to_string() if ca else 'no CRS'} but {names[1]} in "
            f"{cb.to_string() if cb else 'no CRS'}: bring them to one CRS first, e.g. "
            f"{names[1]}.to_crs({names[0]}.crs), or set_crs() on the one without"
        )


def _places(obj: Any, where: str) -> tuple[gpd.GeoDataFrame, pd.Index]:
    """Resolve places (polygons in full) and keep the caller's row labels."""
    places = as_places(obj, resolve_polygons=True, where=where)
    index = obj.index if _is_frame(obj) else pd.RangeIndex(len(places))
    return places, index


def _layer(obj: Any, where: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Targets as (features to return, resolved places), row for row."""
    if obj is None:
        obj = "sites"
    if isinstance(obj, str):
        features = load_layer(obj)
        # A row without geometry is at no distance at all: leave it out rather than fail.
        features = features[features.geometry.notna() & ~features.geometry.is_empty]
        return features, as_places(features, where=f"layer {obj!r}")
    places = as_places(obj, resolve_polygons=True, where=where)
    if isinstance(obj, gpd.GeoDataFrame):
        return obj, places
    return places, places


# --- metric frame and sides ---------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The metric CRS used for the search, its transformers and its scale-factor bounds."""

    crs: CRS
    to_metric: Transformer
    to_wgs84: Transformer
    kmin: float
    kmax: float

    @property
    def ratio(self) -> float:
        return self.kmax / self.kmin * (1 + _SLACK)


@functools.lru_cache(maxsize=64)
def _frame_for(crs_text: str, bounds: tuple[float, float, float, float]) -> _Frame:
    crs = CRS.from_user_input(crs_text)
    xmin, ymin, xmax, ymax = bounds
    # Scale factors over the data's box with a margin: a conformal projection stretches
    # every direction alike, so planar/geodesic ratios lie between their min and max.
    pad_x, pad_y = 0.1 * (xmax - xmin) + 0.01, 0.1 * (ymax - ymin) + 0.01
    lon, lat = np.meshgrid(
        np.linspace(max(xmin - pad_x, -180), min(xmax + pad_x, 180), 9),
        np.linspace(max(ymin - pad_y, -89.9), min(ymax + pad_y, 89.9), 9),
    )
    factors = Proj(crs).get_factors(lon.ravel(), lat.ravel())
    k = np.concatenate([factors.meridional_scale, factors.parallel_scale])
    k = k[np.isfinite(k)]
    return _Frame(
        crs=crs,
        to_metric=Transformer.from_crs(WGS84, crs, always_xy=True),
        to_wgs84=Transformer.from_crs(crs, WGS84, always_xy=True),
        kmin=float(k.min()) * (1 - 1e-6),
        kmax=float(k.max()) * (1 + 1e-6),
    )


def _frame(*places: gpd.GeoDataFrame, crs: str | None = None) -> _Frame:
    bounds = np.array([p.total_bounds for p in places])
    box = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    if crs is None:
        crs = metric_crs_for([box[0], box[2]], [box[1], box[3]]).to_string()
    # Rounded so that partitions of one data set share one cached frame.
    return _frame_for(crs, tuple(round(v, 2) for v in box))


def _transform(transformer: Transformer) -> Callable[[np.ndarray], np.ndarray]:
    def apply(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return apply


class _Side:
    """One set of WGS84 geometries with what the searches need: metric coords and shapes."""

    def __init__(self, geoms: np.ndarray, frame: _Frame, metric: np.ndarray | None = None) -> None:
        self.geoms = geoms
        if metric is not None:  # already projected: skip the round trip
            self.__dict__["metric"] = metric
        self.frame = frame
        n = len(geoms)
        self.point = np.empty(n, dtype=bool)
        self.lon, self.lat, self.x, self.y = (np.empty(n) for _ in range(4))

        def run(part: slice) -> None:
            self.point[part] = shapely.get_type_id(geoms[part]) == shapely.GeometryType.POINT
            # get_x/get_y give NaN for non-points, which the transform carries through.
            lon, lat = shapely.get_x(geoms[part]), shapely.get_y(geoms[part])
            self.lon[part], self.lat[part] = lon, lat
            self.x[part], self.y[part] = frame.to_metric.transform(lon, lat)

        _in_threads(n, run)
        self.all_points = bool(self.point.all())

    def __len__(self) -> int:
        return len(self.geoms)

    @functools.cached_property
    def metric(self) -> np.ndarray:
        out = np.empty(len(self.geoms), dtype=object)
        out[self.point] = shapely.points(self.x[self.point], self.y[self.point])
        rest = ~self.point
        if rest.any():
            out[rest] = shapely.transform(self.geoms[rest], _transform(self.frame.to_metric))
        return out

    @functools.cached_property
    def anchor_xy(self) -> np.ndarray:
        """One metric point on each geometry: bounds its distance to anything from above."""
        xy = np.column_stack([self.x, self.y])
        rest = ~self.point
        if rest.any():
            xy[rest] = shapely.get_coordinates(shapely.point_on_surface(self.metric[rest]))
        return xy


def _pair_distances(a: _Side, b: _Side, ia: np.ndarray, ib: np.ndarray, method: str) -> np.ndarray:
    """Distances of the pairs (a[ia[n]], b[ib[n]]), vectorized."""
    ia = np.asarray(ia, dtype=np.intp)
    ib = np.asarray(ib, dtype=np.intp)
    if a.all_points and b.all_points:  # no masks to build and apply: a million pairs is common
        if method == "planar":
            return np.hypot(a.x[ia] - b.x[ib], a.y[ia] - b.y[ib])
        return _geodesic(a.lon[ia], a.lat[ia], b.lon[ib], b.lat[ib])
    out = np.empty(len(ia))
    pp = a.point[ia] & b.point[ib]
    if pp.any():
        pa, pb = ia[pp], ib[pp]
        if method == "planar":
            out[pp] = np.hypot(a.x[pa] - b.x[pb], a.y[pa] - b.y[pb])
        else:
            out[pp] = _geodesic(a.lon[pa], a.lat[pa], b.lon[pb], b.lat[pb])
    rest = ~pp
    if rest.any():
        ra, rb = ia[rest], ib[rest]
        if method == "planar":
            out[rest] = shapely.distance(a.metric[ra], b.metric[rb])
        else:
            ends = shapely.get_coordinates(shapely.shortest_line(a.metric[ra], b.metric[rb]))
            # Both ends equal: the shapes touch or overlap. Exactly 0, not a round-trip error.
            touch = (ends[0::2] == ends[1::2]).all(axis=1)
            lon, lat = a.frame.to_wgs84.transform(ends[:, 0], ends[:, 1])
            lon, lat = lon.reshape(-1, 2), lat.reshape(-1, 2)
            # A point end is the point itself: keep its exact coordinates, not a round trip.
            for col, side, idx in ((0, a, ra), (1, b, rb)):
                keep = side.point[idx]
                lon[keep, col] = side.lon[idx[keep]]
                lat[keep, col] = side.lat[idx[keep]]
            out[rest] = np.where(touch, 0.0, _geodesic(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1]))
    return out


def _in_threads(n: int, run: Callable[[slice], None]) -> None:
    """Call ``run`` on consecutive slices covering ``range(n)``, in threads if n is large.

    For work that frees the GIL (pyproj, shapely, scipy): each slice writes its own part.
    """
    workers = min(os.cpu_count() or 1, n // _THREAD_MIN)
    if workers < 2:
        run(slice(0, n))
        return
    cuts = np.linspace(0, n, workers + 1).astype(int)
    list(_pool(os.getpid()).map(run, [slice(cuts[i], cuts[i + 1]) for i in range(workers)]))


@functools.cache
def _pool(pid: int) -> ThreadPoolExecutor:
    # One pool per process: its threads keep the per-thread PROJ objects that pyproj builds
    # on first use (~10 ms each), instead of rebuilding them on every call. Keyed by pid
    # because a forked child (multiprocessing, dask workers) inherits no running threads.
    return ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="bassin_geo")


def _geodesic(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """``GEOD.inv`` distances, split over threads for large arrays (pyproj frees the GIL)."""
    out = np.empty(len(lon1))

    def run(part: slice) -> None:
        out[part] = GEOD.inv(lon1[part], lat1[part], lon2[part], lat2[part])[2]

    _in_threads(len(lon1), run)
    return out


# --- distance and distance_matrix ---------------------------------------------------------


def distance(a: Any, b: Any, method: str = "geodesic") -> float:
    """Distance in metres between two places.

    Parameters
    ----------
    a, b : str, shapely geometry, (lon, lat) or one-row GeoDataFrame
        A site id or name (as :func:`bassin_geo.get_site` accepts), a WGS84 geometry or a
        ``(longitude, latitude)`` pair. A polygon site (estate, slag heap) counts in full:
        the distance is to its nearest edge, 0 inside.
    method : {"geodesic", "planar"}
        On the WGS84 ellipsoid (``pyproj.Geod``), or straight in Lambert-93 (in France).

    Returns
    -------
    float

    Raises
    ------
    UnknownSiteError, CoordinateError, EmptyInputError, CRSMismatchError, InvalidInputError

    Examples
    --------
    >>> round(distance("Arenberg", "9-9bis"))
    32267
    >>> distance((2.8, 50.4), (2.8, 50.4))
    0.0
    """
    _check_method(method)
    _check_same_crs(a, b, ("a", "b"))
    pa = as_places(a, resolve_polygons=True, where="a")
    pb = as_places(b, resolve_polygons=True, where="b")
    for name, p in (("a", pa), ("b", pb)):
        if len(p) != 1:
            raise InvalidInputError(
                f"{name} holds {len(p)} places; distance() measures between two places: use "
                "distance_matrix() for several"
            )
    frame = _frame(pa, pb)
    sa, sb = _Side(pa.geometry.to_numpy(), frame), _Side(pb.geometry.to_numpy(), frame)
    return float(_pair_distances(sa, sb, np.array([0]), np.array([0]), method)[0])


def distance_matrix(
    origins: Any,
    destinations: Any = None,
    method: str = "geodesic",
    *,
    network: Any = None,
) -> pd.DataFrame:
    """Distances in metres between every origin and every destination.

    Parameters
    ----------
    origins : GeoDataFrame, GeoSeries, or list of site ids, names, geometries, (lon, lat)
        Polygon sites count in full (distance to the nearest edge).
    destinations : same, optional
        Defaults to ``origins``: the matrix is then symmetric with a zero diagonal, and
        only half of it is computed.
    method : {"geodesic", "planar", "network"}
        ``"network"`` measures along ``network`` with
        ``bassin_geo.routing.network.network_distance_matrix``.
    network : bassin_geo.routing.network.Network, optional
        Required with ``method="network"``, refused otherwise.

    Returns
    -------
    DataFrame
        Rows labelled by the origins' ``site_id`` (index name ``origin``), columns by the
        destinations' (``destination``). Places that are not sites are ``place:<position>``.

    Examples
    --------
    >>> m = distance_matrix(["Arenberg", "9-9bis", "11/19"])
    >>> m.round(-2).astype(int).to_numpy().tolist()
    [[0, 32300, 45700], [32300, 0, 14200], [45700, 14200, 0]]
    """
    _check_method(method, (*METHODS, "network"))
    if method == "network":
        if network is None:
            raise InvalidInputError(
                "method='network' measures along a road network: pass network=<Network> "
                "(see bassin_geo.routing.network), or use method='geodesic'"
            )
        from bassin_geo.routing.network import network_distance_matrix  # optional heavy part

        return network_distance_matrix(network, origins, destinations)
    if network is not None:
        raise InvalidInputError(
            f"network= is only used with method='network', not method={method!r}"
        )
    _check_same_crs(origins, destinations, ("origins", "destinations"))
    po = as_places(origins, resolve_polygons=True, where="origins")
    symmetric = destinations is None
    pd_ = po if symmetric else as_places(destinations, resolve_polygons=True, where="destinations")
    frame = _frame(po, pd_)
    so = _Side(po.geometry.to_numpy(), frame)
    sd = so if symmetric else _Side(pd_.geometry.to_numpy(), frame)
    n, m = len(so), len(sd)
    out = np.zeros((n, m))
    if symmetric:
        # Only the pairs i < j are measured, then mirrored: exact symmetry, zero diagonal.
        rows = np.arange(n)
        counts = n - rows - 1
        step = max(1, _CHUNK // max(n, 1))
        for r0 in range(0, n, step):
            r = rows[r0 : r0 + step]
            c = counts[r0 : r0 + step]
            ia = np.repeat(r, c)
            # j runs from i + 1 to n - 1 within each row of the block.
            ib = np.arange(len(ia)) - np.repeat(np.cumsum(c) - c, c) + ia + 1
            out[ia, ib] = _pair_distances(so, sd, ia, ib, method)
        out += out.T
    else:
        step = max(1, _CHUNK // m)
        for r0 in range(0, n, step):
            r1 = min(n, r0 + step)
            ia = np.repeat(np.arange(r0, r1), m)
            ib = np.tile(np.arange(m), r1 - r0)
            out[r0:r1] = _pair_distances(so, sd, ia, ib, method).reshape(r1 - r0, m)
    return pd.DataFrame(
        out,
        index=pd.Index(po["site_id"].to_numpy(), name="origin"),
        columns=pd.Index(pd_["site_id"].to_numpy(), name="destination"),
    )


# --- nearest ------------------------------------------------------------------------------


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidInputError(f"k must be a whole number >= 1, got {k!r}")
    return int(k)


def _rank_rows(
    rows: np.ndarray, targets: np.ndarray, dist: np.ndarray, k: int, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keep the k best (distance, then target position) of each row's candidate pairs."""
    order = np.lexsort((targets, dist, rows))
    rows, targets, dist = rows[order], targets[order], dist[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)])) + 1
    keep = (rank <= k) & (dist <= limit)
    return rows[keep], targets[keep], dist[keep], rank[keep]


def _nearest_points(
    a: _Side, b: _Side, k: int, limit: float, method: str
) -> tuple[np.ndarray, ...]:
    """k nearest for point inputs and point targets: cKDTree in the plane, then re-rank."""
    frame = a.frame
    ratio = frame.ratio if method == "geodesic" else 1 + _SLACK
    # The planar distance of a pair is at most kmax times its geodesic distance.
    bound = np.inf
    if np.isfinite(limit):
        bound = limit * (frame.kmax * (1 + _SLACK) if method == "geodesic" else 1) + 1e-6
    tree = cKDTree(np.column_stack([b.x, b.y]))
    xy = np.column_stack([a.x, a.y])
    m = len(b)
    pending = np.arange(len(a))
    kk = min(k + 1, m)
    found: list[tuple[np.ndarray, ...]] = []
    passes = 0
    while pending.size:
        passes += 1
        left = []
        step = max(1, _CHUNK // kk)
        for s in range(0, pending.size, step):
            chunk = pending[s : s + step]
            # First pass: every row in order, so a slice (a view), not a gathered copy.
            query = xy[s : s + step] if passes == 1 else xy[chunk]
            d, j = tree.query(query, k=kk, distance_upper_bound=bound, workers=-1)
            d, j = d.reshape(len(chunk), kk), j.reshape(len(chunk), kk)
            # A target can beat the k-th planar candidate on the ellipsoid only if its
            # planar distance is within the scale-factor ratio of the k-th one ("reach").
            # A row is settled once the farthest candidate returned lies beyond reach, or
            # nothing is left out: then every rival is among the candidates.
            kth = d[:, min(k, kk) - 1]
            reach = np.where(np.isfinite(kth), kth * ratio + 1e-9, np.inf)
            settled = (kk >= m) | ~np.isfinite(kth) | (d[:, -1] > reach)
            need = (d <= reach[:, None]) & np.isfinite(d) & settled[:, None]
            r_idx, c_idx = np.nonzero(need)
            dist = np.full(d.shape, np.inf)
            dist[r_idx, c_idx] = _pair_distances(a, b, chunk[r_idx], j[r_idx, c_idx], method)
            # The candidates within reach come first (d is sorted). A row with one of them
            # is ranked as it is; only rows with rivals are sorted (few of them for k=1).
            width = min(k, kk)
            best_d, best_j = dist[:, :width].copy(), j[:, :width].copy()
            rivals = np.flatnonzero(need[:, 1] if kk > 1 else np.zeros(len(chunk), bool))
            if rivals.size:
                sub_d, sub_j = dist[rivals], j[rivals]
                # Rank by distance, equal distances by target position (two stable sorts).
                sub_j = np.where(np.isfinite(sub_d), sub_j, m)
                order = np.argsort(sub_j, axis=1, kind="stable")
                sub_d = np.take_along_axis(sub_d, order, 1)
                sub_j = np.take_along_axis(sub_j, order, 1)
                order = np.argsort(sub_d, axis=1, kind="stable")[:, :width]
                best_d[rivals] = np.take_along_axis(sub_d, order, 1)
                best_j[rivals] = np.take_along_axis(sub_j, order, 1)
            ok = (best_d <= limit) & settled[:, None]  # inf (not measured) fails too
            rank = np.broadcast_to(np.arange(1, width + 1), ok.shape)
            found.append(
                (
                    np.broadcast_to(chunk[:, None], ok.shape)[ok],
                    best_j[ok],
                    best_d[ok],
                    rank[ok],
                )
            )
            left.append(chunk[~settled])
        pending = np.concatenate(left)
        kk = min(2 * kk, m)
    rows, targets, dist, rank = (np.concatenate(parts) for parts in zip(*found, strict=True))
    if passes > 1:  # rows settled in a later pass come last: back to input order
        order = np.argsort(rows, kind="stable")  # a row's ranks come from one pass, in order
        rows, targets, dist, rank = rows[order], targets[order], dist[order], rank[order]
    return rows, targets, dist, rank


def _nearest_shapes(
    a: _Side, b: _Side, k: int, limit: float, method: str
) -> tuple[np.ndarray, ...]:
    """k nearest when either side holds lines or polygons: STRtree candidates, exact ranks."""
    frame = a.frame
    ratio = frame.ratio if method == "geodesic" else 1 + _SLACK
    kk = min(k, len(b))
    # The k-th nearest anchor (a point on each target) bounds the k-th nearest shape from
    # above; widened by the scale-factor ratio it holds every geodesic rival too.
    radius = cKDTree(b.anchor_xy).query(a.anchor_xy, k=kk, workers=-1)[0].reshape(len(a), kk)
    radius = radius[:, -1] * ratio + 1e-6
    if np.isfinite(limit):
        cap = limit * frame.kmax * (1 + _SLACK) if method == "geodesic" else limit
        radius = np.minimum(radius, cap + 1e-6)
    tree = shapely.STRtree(b.metric)
    found = []
    step = max(1, 200_000 // kk)  # candidates are shapes: keep each batch small
    for s in range(0, len(a), step):
        chunk = np.arange(s, min(len(a), s + step))
        pairs = tree.query(a.metric[chunk], predicate="dwithin", distance=radius[chunk])
        rows, targets = chunk[pairs[0]], pairs[1]
        planar = shapely.distance(a.metric[rows], b.metric[targets])
        if method == "planar" or len(rows) == 0:  # nothing within the limit: empty ranks
            found.append(_rank_rows(rows, targets, planar, k, limit))
            continue
        # Measure on the ellipsoid only the candidates within reach of each row's k-th
        # planar distance: the others cannot win (see the module notes).
        order = np.lexsort((planar, rows))
        rows, targets, planar = rows[order], targets[order], planar[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        counts = np.diff(np.r_[starts, len(rows)])
        kth = planar[starts + np.minimum(counts, kk) - 1]
        reach = np.where(counts >= kk, kth * ratio + 1e-9, np.inf)
        keep = planar <= np.repeat(reach, counts)
        rows, targets = rows[keep], targets[keep]
        dist = _pair_distances(a, b, rows, targets, method)
        found.append(_rank_rows(rows, targets, dist, k, limit))
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))


def nearest(
    points: Any,
    targets: Any = None,
    k: int = 1,
    max_distance: float | None = None,
    method: str = "geodesic",
) -> pd.DataFrame:
    """The k nearest targets of each point, with their distances in metres.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, or list of site ids, names, geometries, (lon, lat)
        The places to start from (a million points is fine; pass a GeoDataFrame, not a
        list, for that many). Lines and polygons are accepted too.
    targets : str, GeoDataFrame, GeoSeries or list of places, optional
        A layer name (``"pitheads"``, ``"slag_heaps"`` measured to their polygons...) or
        your own features. Default: every site of the ``sites`` layer (as points).
    k : int
        How many targets per point.
    max_distance : float, optional
        Leave out targets farther than this (metres); points with none are left out.
    method : {"geodesic", "planar"}
        The distance reported, ranked and compared with ``max_distance``.

    Returns
    -------
    DataFrame
        Columns :data:`NEAREST_COLUMNS`: ``point_index`` (the row label of the input, or
        its position), ``point_id``, ``target_index`` (the row label in the targets),
        ``target_id``, ``target_name``, ``distance_m``, ``rank`` (1 = nearest). Sorted by
        point then rank. Equal distances rank by target position.

    Examples
    --------
    >>> near = nearest([(3.08, 50.37)], "pitheads", k=2)
    >>> near[["target_id", "rank"]].to_numpy().tolist()
    [['pit:waziers-gayant', 1], ['pit:sin-le-noble-puits-du-midi', 2]]
    """
    _check_method(method)
    k = _check_k(k)
    limit = np.inf if max_distance is None else check_distance(max_distance, "max_distance")
    if _is_frame(targets):
        _check_same_crs(points, targets, ("points", "targets"))
    pts, labels = _places(points, "points")
    features, tgt = _layer(targets, "targets")
    frame = _frame(pts, tgt)
    a = _Side(pts.geometry.to_numpy(), frame)
    b = _Side(tgt.geometry.to_numpy(), frame)
    search = _nearest_points if (a.all_points and b.all_points) else _nearest_shapes
    rows, targets_pos, dist, rank = search(a, b, k, limit, method)
    # take() on the columns' own arrays keeps their string dtype: no object round trip.
    return pd.DataFrame(
        {
            "point_index": labels.take(rows),
            "point_id": pts["site_id"].array.take(rows),
            "target_index": features.index.take(targets_pos),
            "target_id": tgt["site_id"].array.take(targets_pos),
            "target_name": tgt["name"].array.take(targets_pos),
            "distance_m": dist,
            "rank": rank.astype(np.int64),
        },
        columns=list(NEAREST_COLUMNS),
    )


# --- within_distance ----------------------------------------------------------------------


def within_distance(
    geometry: Any,
    distance_m: float,
    layer: Any = "sites",
    method: str = "geodesic",
) -> gpd.GeoDataFrame:
    """The features of a layer within ``distance_m`` metres of a place, a route, an area.

    Parameters
    ----------
    geometry : str, shapely geometry, (lon, lat), GeoDataFrame or list of these
        What to measure from; with several geometries a feature is kept when it is near any
        of them.
    distance_m : float
        Metres, >= 0 (0 keeps what touches or overlaps).
    layer : str, GeoDataFrame or list of places
        A layer name (default ``"sites"``) or your own features.
    method : {"geodesic", "planar"}

    Returns
    -------
    GeoDataFrame
        The matching features with every column of the layer, in WGS84, plus
        ``distance_m`` (to the nearest of the given geometries), nearest first.

    Examples
    --------
    >>> near = within_distance("Arenberg", 2_000, layer="pitheads")
    >>> near["site_id"].tolist()
    ['pit:wallers-arenberg']
    """
    _check_method(method)
    limit = check_distance(distance_m, "distance_m")
    if _is_frame(layer):
        _check_same_crs(geometry, layer, ("geometry", "layer"))
    query = as_places(geometry, resolve_polygons=True, where="geometry")
    features, tgt = _layer(layer, "layer")
    frame = _frame(query, tgt)
    a = _Side(query.geometry.to_numpy(), frame)
    b = _Side(tgt.geometry.to_numpy(), frame)
    radius = limit * frame.kmax * (1 + _SLACK) if method == "geodesic" else limit
    pairs = shapely.STRtree(b.metric).query(a.metric, predicate="dwithin", distance=radius + 1e-6)
    dist = _pair_distances(a, b, pairs[0], pairs[1], method)
    best = np.full(len(b), np.inf)
    np.minimum.at(best, pairs[1], dist)
    hits = np.flatnonzero(best <= limit)
    hits = hits[np.argsort(best[hits], kind="stable")]
    out = features.iloc[hits].copy()
    if out.crs is None or not CRS.from_user_input(out.crs).equals(CRS.from_user_input(WGS84)):
        out = out.set_geometry(tgt.geometry.to_numpy()[hits], crs=WGS84)
    out["distance_m"] = best[hits]
    return out


# --- locate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Basin:
    """The layers locate() reads, in Lambert-93, with their indexes: built once."""

    perimeter: Any
    property_tree: shapely.STRtree
    property_ids: np.ndarray
    property_names: np.ndarray
    buffer_tree: shapely.STRtree
    commune_tree: shapely.STRtree
    communes: pd.DataFrame
    contour_tree: shapely.STRtree
    contour_segments: np.ndarray
    contour_vertices: cKDTree


@functools.cache
def _basin() -> _Basin:
    def metric(name: str) -> gpd.GeoDataFrame:
        return load_layer(name).to_crs(LAMBERT93)

    perimeter = metric("perimeter").geometry.union_all()
    shapely.prepare(perimeter)
    prop = metric("property")
    communes = metric("communes_nord_pas_de_calais")
    # The contour as single segments: the nearest-segment search is then logarithmic
    # instead of scanning the whole ring for each point.
    xy, ring = shapely.get_coordinates(shapely.get_parts(perimeter.boundary), return_index=True)
    same = ring[1:] == ring[:-1]
    segments = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    return _Basin(
        perimeter=perimeter,
        property_tree=shapely.STRtree(prop.geometry.to_numpy()),
        property_ids=prop["site_id"].to_numpy(),
        property_names=prop["nom"].to_numpy(),
        buffer_tree=shapely.STRtree(metric("buffer_zone").geometry.to_numpy()),
        commune_tree=shapely.STRtree(communes.geometry.to_numpy()),
        communes=communes[["insee", "commune", "epci_siren", "epci_nom"]].reset_index(drop=True),
        contour_tree=shapely.STRtree(segments),
        contour_segments=segments,
        contour_vertices=cKDTree(shapely.get_coordinates(segments)),
    )


def _first_hit(tree: shapely.STRtree, geoms: np.ndarray) -> np.ndarray:
    """Position of the first (lowest) tree item each geometry intersects, or -1."""
    pairs = tree.query(geoms, predicate="intersects")
    hit = np.full(len(geoms), -1, dtype=np.intp)
    order = np.lexsort((pairs[1], pairs[0]))
    first, where = np.unique(pairs[0][order], return_index=True)
    hit[first] = pairs[1][order][where]
    return hit


def _take(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    out = np.full(len(pos), None, dtype=object)
    out[pos >= 0] = values[pos[pos >= 0]]
    return out


def locate(points: Any, method: str = "geodesic") -> pd.DataFrame:
    """Where each point stands in the basin.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, or list of site ids, names, points, (lon, lat)
        Points only (use ``.representative_point()`` for areas).
    method : {"geodesic", "planar"}
        How ``contour_distance_m`` is measured.

    Returns
    -------
    DataFrame
        Indexed like the input, columns :data:`LOCATE_COLUMNS`: ``in_basin`` (inside the
        Mission Bassin Minier contour, boundary included), ``in_property`` and
        ``property_id``/``property_name`` (the listed UNESCO component), ``in_buffer_zone``,
        ``insee``/``commune``/``epci_siren``/``epci_nom`` (the commune of Nord or
        Pas-de-Calais holding the point, None elsewhere), ``contour_distance_m``
        (distance to the basin contour, negative inside).

    Examples
    --------
    >>> row = locate([(3.08, 50.37)]).iloc[0]
    >>> bool(row["in_basin"]), row["commune"], round(row["contour_distance_m"])
    (True, 'Douai', -4784)
    """
    _check_method(method)
    pts, labels = _places(points, "points")
    geoms = pts.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    if (types != shapely.GeometryType.POINT).any():
        i = int(np.flatnonzero(types != shapely.GeometryType.POINT)[0])
        raise InvalidInputError(
            f"points: row {i} is a {geoms[i].geom_type}, not a point; "
            "locate() places points: pass gdf.representative_point() for areas and lines"
        )
    basin = _basin()
    frame = _frame(pts, crs=LAMBERT93)
    a = _Side(geoms, frame)
    inside = shapely.intersects_xy(basin.perimeter, a.x, a.y)
    prop = _first_hit(basin.property_tree, a.metric)
    buffer = _first_hit(basin.buffer_tree, a.metric)
    commune = _first_hit(basin.commune_tree, a.metric)
    # Nearest contour segment: the nearest vertex bounds its distance, so only segments
    # within that bound compete (twice as fast as STRtree.query_nearest here).
    bound = basin.contour_vertices.query(np.column_stack([a.x, a.y]), workers=-1)[0]
    pairs = basin.contour_tree.query(a.metric, predicate="dwithin", distance=bound + 1e-6)
    planar = shapely.distance(a.metric[pairs[0]], basin.contour_segments[pairs[1]])
    order = np.lexsort((pairs[1], planar, pairs[0]))
    first = np.unique(pairs[0][order], return_index=True)[1]
    near = pairs[1][order][first]
    segments = basin.contour_segments[near]
    contour = _Side(segments, frame, metric=segments)  # lines: only their metric form is read
    idx = np.arange(len(a))
    dist = _pair_distances(a, contour, idx, idx, method)
    c = basin.communes
    out = pd.DataFrame(
        {
            "point_id": pts["site_id"].to_numpy(),
            "in_basin": inside,
            "in_property": prop >= 0,
            "property_id": _take(basin.property_ids, prop),
            "property_name": _take(basin.property_names, prop),
            "in_buffer_zone": buffer >= 0,
            "insee": _take(c["insee"].to_numpy(), commune),
            "commune": _take(c["commune"].to_numpy(), commune),
            "epci_siren": _take(c["epci_siren"].to_numpy(), commune),
            "epci_nom": _take(c["epci_nom"].to_numpy(), commune),
            "contour_distance_m": np.where(inside, -dist, dist),
        },
        index=labels,
        columns=list(LOCATE_COLUMNS),
    )
    return out

"""The distance engine: metric frame, projected geometries, exact pair distances, ranking.

Every distance is in metres. ``method="geodesic"`` measures on the WGS84 ellipsoid with
:data:`bassin_geo.crs.GEOD` (``pyproj.Geod``); ``method="planar"`` measures straight lines
in the metric CRS of the data (Lambert-93 in France, see
:func:`bassin_geo.crs.metric_crs_for`).

Between two points the geodesic distance is ``Geod.inv`` on their coordinates. Between
other geometries (a point and a slag heap, a route and an estate) the two nearest points
are found in the metric CRS (``shapely.shortest_line``) and the geodesic distance between
them is reported; it is 0 when the geometries touch or overlap. Lambert-93 is conformal,
so the nearest point it gives and the ellipsoidal one coincide to well under a millimetre
at the scale of the basin.

The search indexes (scipy ``cKDTree``, shapely ``STRtree``) work in the plane. They are
queried with the radius :func:`planar_reach` gives, the one margin between planar and
geodesic distances in the package, then the candidates are measured, ranked and filtered
on the reported distance, so the geodesic answer is exact, not the planar one. Ties (equal
distances) are broken by target position: the first target wins.

Used by :mod:`bassin_geo.analysis.distances`, :mod:`bassin_geo.analysis.locate`,
:mod:`bassin_geo.analysis.stages` and :mod:`bassin_geo.scale`.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias, overload

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Proj, Transformer
from scipy.spatial import cKDTree

from bassin_geo.crs import WGS84, geod_inv, metric_crs_for, transform_xy

__all__ = [
    "CHUNK_PAIRS",
    "MetricFrame",
    "ProjectedGeometries",
    "geodesic_distances",
    "in_threads",
    "metric_frame",
    "nearest_pairs",
    "pair_distances",
    "pair_matrix",
    "planar_reach",
]

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.intp]
BoolArray: TypeAlias = NDArray[np.bool_]
GeomArray: TypeAlias = NDArray[np.object_]
#: What :func:`nearest_pairs` returns: rows, target positions, distances, ranks.
Ranked: TypeAlias = tuple[IntArray, IntArray, FloatArray, IntArray]

#: Pairs measured at once: bounds the memory of the matrix and the nearest searches.
CHUNK_PAIRS = 2_000_000
# Candidate pairs of one nearest-point search step: its temporaries (distances, indexes,
# masks, about 100 bytes a pair) stay small beside the answers (32 bytes a row).
_NEAREST_CHUNK = 500_000
# Below this many pairs per thread, threads cost more than they save.
_THREAD_MIN = 100_000
# Relative slack on scale factors and their ratios: covers the rounding of projections and
# square roots (around 1e-15), many times over.
_SLACK = 1e-9
# Absolute slack added to every planar radius (metres): coordinates of the order of 1e6 m
# carry rounding errors around 1e-10 m in doubles.
_ROUNDING_M = 1e-6


# --- metric frame -------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricFrame:
    """The metric CRS of a search, its transformers and the bounds of its scale factor.

    Build one with :func:`metric_frame`.

    Parameters
    ----------
    crs : pyproj.CRS
        The metric CRS (Lambert-93 in France, else a UTM zone).
    to_metric, to_wgs84 : pyproj.Transformer
        Always-xy transformers between WGS84 and ``crs``.
    kmin, kmax : float
        The smallest and largest scale factor of ``crs`` over the data (with a margin).

    Examples
    --------
    >>> frame = metric_frame(gpd.GeoSeries.from_xy([3.0], [50.4], crs=4326))
    >>> frame.crs.to_epsg(), 0.999 < frame.kmin <= frame.kmax < 1.003
    (2154, True)
    """

    crs: CRS
    to_metric: Transformer
    to_wgs84: Transformer
    kmin: float
    kmax: float


@functools.lru_cache(maxsize=64)
def _frame_for(crs_text: str, bounds: tuple[float, float, float, float]) -> MetricFrame:
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
    return MetricFrame(
        crs=crs,
        to_metric=Transformer.from_crs(WGS84, crs, always_xy=True),
        to_wgs84=Transformer.from_crs(crs, WGS84, always_xy=True),
        kmin=float(k.min()) * (1 - 1e-6),
        kmax=float(k.max()) * (1 + 1e-6),
    )


def metric_frame(*places: gpd.GeoDataFrame | gpd.GeoSeries, crs: str | None = None) -> MetricFrame:
    """The metric frame for measuring between the given WGS84 geometries.

    Parameters
    ----------
    *places : GeoDataFrame or GeoSeries
        Every input of the measure, in WGS84.
    crs : str, optional
        The metric CRS to use; default :func:`bassin_geo.crs.metric_crs_for` their box.

    Returns
    -------
    MetricFrame
        Cached: frames over one box (rounded to 0.01 degree) are built once, so that
        partitions of one data set share one.

    Examples
    --------
    >>> metric_frame(gpd.GeoSeries.from_xy([24.9], [60.2], crs=4326)).crs.to_epsg()
    32635
    """
    bounds = np.array([p.total_bounds for p in places])
    box = (
        float(bounds[:, 0].min()),
        float(bounds[:, 1].min()),
        float(bounds[:, 2].max()),
        float(bounds[:, 3].max()),
    )
    if crs is None:
        crs = metric_crs_for(np.array([box[0], box[2]]), np.array([box[1], box[3]])).to_string()
    xmin, ymin, xmax, ymax = (round(v, 2) for v in box)
    return _frame_for(crs, (xmin, ymin, xmax, ymax))


@overload
def planar_reach(
    distance_m: float, frame: MetricFrame, method: str = ..., *, planar: bool = ...
) -> float: ...
@overload
def planar_reach(
    distance_m: FloatArray, frame: MetricFrame, method: str = ..., *, planar: bool = ...
) -> FloatArray: ...
def planar_reach(
    distance_m: float | FloatArray,
    frame: MetricFrame,
    method: str = "geodesic",
    *,
    planar: bool = False,
) -> float | FloatArray:
    """The planar search radius that holds every pair within ``distance_m``: the one margin.

    The indexes search in the plane of ``frame.crs``; the answer is decided on the reported
    distance. Why the radius is safe: a conformal projection (Lambert-93, UTM) stretches
    lengths by a scale factor between ``frame.kmin`` and ``frame.kmax`` over the data, the
    same in every direction. The projected geodesic between two points is a curve at most
    ``kmax`` times the geodesic long, and the straight planar segment is no longer than
    that curve: ``planar <= kmax * geodesic``. So every pair at geodesic distance
    ``distance_m`` or less lies within ``kmax * distance_m`` in the plane. Conversely the
    geodesic is no longer than the unprojected planar segment: ``geodesic <= planar /
    kmin``, so with ``planar=True`` (``distance_m`` is a planar distance found by a search,
    such as the k-th candidate) the radius ``distance_m * kmax / kmin`` holds every rival
    that can be as near on the ellipsoid. In the basin (Lambert-93, scale factor 1.0009 to
    1.0021) that is 0.1 to 0.2 % wider than the plain distance. A relative slack of 1e-9
    and 1e-6 m cover the rounding of the factors and of coordinates.

    Parameters
    ----------
    distance_m : float or array of float
        A reported distance (metres), or with ``planar`` a planar one.
    frame : MetricFrame
        The frame of the search.
    method : {"geodesic", "planar"}
        The reported distance: with ``"planar"`` it is the planar one, and only the
        rounding slack is added.
    planar : bool
        ``distance_m`` is a planar distance (the bound of a candidate), not a reported one.

    Returns
    -------
    float or array of float
        The radius in the units of ``frame.crs`` (metres), like ``distance_m``.

    Examples
    --------
    >>> frame = metric_frame(gpd.GeoSeries.from_xy([3.0], [50.4], crs=4326))
    >>> 1000 < planar_reach(1000.0, frame) < 1002.5
    True
    >>> round(planar_reach(1000.0, frame, "planar"), 3)
    1000.0
    """
    if method == "planar":
        factor = 1.0
    elif planar:
        factor = frame.kmax / frame.kmin
    else:
        factor = frame.kmax
    return distance_m * (factor * (1 + _SLACK)) + _ROUNDING_M


# --- projected geometries -----------------------------------------------------------------


def _transform(transformer: Transformer) -> Callable[[FloatArray], FloatArray]:
    def apply(xy: FloatArray) -> FloatArray:
        return np.column_stack(transform_xy(transformer, xy[:, 0], xy[:, 1]))

    return apply


class ProjectedGeometries:
    """WGS84 geometries with what the searches need: metric coordinates and shapes.

    Points keep their exact longitude/latitude (``lon``, ``lat``) and metric ``x``, ``y``
    (the columns of ``xy``); other geometries are projected on first use (``metric``).

    Parameters
    ----------
    geoms : array of shapely geometries
        In WGS84.
    frame : MetricFrame
        The frame to project into.
    metric : array of shapely geometries, optional
        The same geometries already in ``frame.crs`` (skips the round trip).

    Examples
    --------
    >>> pts = gpd.GeoSeries.from_xy([3.0, 3.1], [50.4, 50.4], crs=4326)
    >>> side = ProjectedGeometries(pts.to_numpy(), metric_frame(pts))
    >>> len(side), side.all_points
    (2, True)
    """

    def __init__(
        self, geoms: GeomArray, frame: MetricFrame, metric: GeomArray | None = None
    ) -> None:
        self.geoms = geoms
        if metric is not None:  # already projected: skip the round trip
            self.__dict__["metric"] = metric
        self.frame = frame
        n = len(geoms)
        self.point: BoolArray = np.empty(n, dtype=bool)
        self.lon, self.lat = np.empty(n), np.empty(n)
        # x and y are the columns of one (n, 2) array: the searches take it as it is,
        # without stacking a copy of a million coordinates.
        self.xy: FloatArray = np.empty((n, 2))
        self.x, self.y = self.xy[:, 0], self.xy[:, 1]

        def run(part: slice) -> None:
            self.point[part] = shapely.get_type_id(geoms[part]) == shapely.GeometryType.POINT
            # get_x/get_y give NaN for non-points, which the transform carries through.
            lon, lat = shapely.get_x(geoms[part]), shapely.get_y(geoms[part])
            self.lon[part], self.lat[part] = lon, lat
            self.x[part], self.y[part] = transform_xy(frame.to_metric, lon, lat)

        in_threads(n, run)
        self.all_points = bool(self.point.all())

    def __len__(self) -> int:
        return len(self.geoms)

    @functools.cached_property
    def metric(self) -> GeomArray:
        """The geometries in the metric CRS of the frame."""
        out: GeomArray = np.empty(len(self.geoms), dtype=object)
        out[self.point] = shapely.points(self.x[self.point], self.y[self.point])
        rest = ~self.point
        if rest.any():
            out[rest] = shapely.transform(self.geoms[rest], _transform(self.frame.to_metric))
        return out

    @functools.cached_property
    def anchor_xy(self) -> FloatArray:
        """One metric point on each geometry: bounds its distance to anything from above."""
        xy: FloatArray = self.xy.copy()
        rest = ~self.point
        if rest.any():
            xy[rest] = shapely.get_coordinates(shapely.point_on_surface(self.metric[rest]))
        return xy


# --- pair distances -----------------------------------------------------------------------


def in_threads(n: int, run: Callable[[slice], None]) -> None:
    """Call ``run`` on consecutive slices covering ``range(n)``, in threads if n is large.

    For work that frees the GIL (pyproj, shapely, scipy): each slice writes its own part.

    Parameters
    ----------
    n : int
        The length of the work.
    run : callable
        Takes one ``slice`` and fills that part of its outputs.

    Examples
    --------
    >>> out = np.zeros(4)
    >>> def fill(part):
    ...     out[part] = 1.0
    >>> in_threads(4, fill)
    >>> out.tolist()
    [1.0, 1.0, 1.0, 1.0]
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


def geodesic_distances(
    lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray
) -> FloatArray:
    """``GEOD.inv`` distances (metres), split over threads for large arrays.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : array of float
        The two ends of each pair, in degrees.

    Returns
    -------
    array of float

    Examples
    --------
    >>> d = geodesic_distances(np.array([3.0]), np.array([50.4]), np.array([3.0]),
    ...                        np.array([50.5]))
    >>> round(float(d[0]))
    11124
    """
    out = np.empty(len(lon1))

    def run(part: slice) -> None:
        out[part] = geod_inv(lon1[part], lat1[part], lon2[part], lat2[part])[2]

    in_threads(len(lon1), run)
    return out


def pair_distances(
    a: ProjectedGeometries,
    b: ProjectedGeometries,
    ia: NDArray[np.integer],
    ib: NDArray[np.integer],
    method: str,
) -> FloatArray:
    """Distances of the pairs ``(a[ia[n]], b[ib[n]])``, vectorized.

    Parameters
    ----------
    a, b : ProjectedGeometries
        The two sides, in one frame.
    ia, ib : array of int
        Positions in ``a`` and ``b`` of each pair.
    method : {"geodesic", "planar"}
        What to measure.

    Returns
    -------
    array of float
        Metres; 0 for geometries that touch or overlap.

    Examples
    --------
    >>> pts = gpd.GeoSeries.from_xy([3.0, 3.0], [50.4, 50.5], crs=4326)
    >>> side = ProjectedGeometries(pts.to_numpy(), metric_frame(pts))
    >>> round(float(pair_distances(side, side, np.array([0]), np.array([1]), "geodesic")[0]))
    11124
    """
    ia = np.asarray(ia, dtype=np.intp)
    ib = np.asarray(ib, dtype=np.intp)
    if a.all_points and b.all_points:  # no masks to build and apply: a million pairs is common
        if method == "planar":
            planar: FloatArray = np.hypot(a.x[ia] - b.x[ib], a.y[ia] - b.y[ib])
            return planar
        return geodesic_distances(a.lon[ia], a.lat[ia], b.lon[ib], b.lat[ib])
    out = np.empty(len(ia))
    pp = a.point[ia] & b.point[ib]
    if pp.any():
        pa, pb = ia[pp], ib[pp]
        if method == "planar":
            out[pp] = np.hypot(a.x[pa] - b.x[pb], a.y[pa] - b.y[pb])
        else:
            out[pp] = geodesic_distances(a.lon[pa], a.lat[pa], b.lon[pb], b.lat[pb])
    rest = ~pp
    if rest.any():
        ra, rb = ia[rest], ib[rest]
        if method == "planar":
            out[rest] = shapely.distance(a.metric[ra], b.metric[rb])
        else:
            ends = shapely.get_coordinates(shapely.shortest_line(a.metric[ra], b.metric[rb]))
            # Both ends equal: the shapes touch or overlap. Exactly 0, not a round-trip error.
            touch = (ends[0::2] == ends[1::2]).all(axis=1)
            lon, lat = transform_xy(a.frame.to_wgs84, ends[:, 0], ends[:, 1])
            lon, lat = lon.reshape(-1, 2), lat.reshape(-1, 2)
            # A point end is the point itself: keep its exact coordinates, not a round trip.
            for col, side, idx in ((0, a, ra), (1, b, rb)):
                keep = side.point[idx]
                lon[keep, col] = side.lon[idx[keep]]
                lat[keep, col] = side.lat[idx[keep]]
            far = geodesic_distances(lon[:, 0], lat[:, 0], lon[:, 1], lat[:, 1])
            out[rest] = np.where(touch, 0.0, far)
    return out


def pair_matrix(a: ProjectedGeometries, b: ProjectedGeometries | None, method: str) -> FloatArray:
    """The distances between every geometry of ``a`` and every one of ``b``, chunked.

    Parameters
    ----------
    a : ProjectedGeometries
        The rows.
    b : ProjectedGeometries or None
        The columns; None for ``a`` against itself: only the pairs ``i < j`` are measured,
        then mirrored (exact symmetry, zero diagonal).
    method : {"geodesic", "planar"}
        What to measure.

    Returns
    -------
    array of float
        Shape ``(len(a), len(b))``, metres.

    Examples
    --------
    >>> pts = gpd.GeoSeries.from_xy([3.0, 3.0], [50.4, 50.5], crs=4326)
    >>> side = ProjectedGeometries(pts.to_numpy(), metric_frame(pts))
    >>> pair_matrix(side, None, "geodesic").round().tolist()
    [[0.0, 11124.0], [11124.0, 0.0]]
    """
    n = len(a)
    if b is None:
        out = np.zeros((n, n))
        rows = np.arange(n)
        counts = n - rows - 1
        step = max(1, CHUNK_PAIRS // max(n, 1))
        for r0 in range(0, n, step):
            r = rows[r0 : r0 + step]
            c = counts[r0 : r0 + step]
            ia = np.repeat(r, c)
            # j runs from i + 1 to n - 1 within each row of the block.
            ib = np.arange(len(ia)) - np.repeat(np.cumsum(c) - c, c) + ia + 1
            out[ia, ib] = pair_distances(a, a, ia, ib, method)
        mirrored: FloatArray = out + out.T
        return mirrored
    m = len(b)
    out = np.zeros((n, m))
    step = max(1, CHUNK_PAIRS // max(m, 1))
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        ia = np.repeat(np.arange(r0, r1), m)
        ib = np.tile(np.arange(m), r1 - r0)
        out[r0:r1] = pair_distances(a, b, ia, ib, method).reshape(r1 - r0, m)
    return out


# --- nearest ------------------------------------------------------------------------------


def _rank_rows(rows: IntArray, targets: IntArray, dist: FloatArray, k: int, limit: float) -> Ranked:
    """Keep the k best (distance, then target position) of each row's candidate pairs."""
    order = np.lexsort((targets, dist, rows))
    rows, targets, dist = rows[order], targets[order], dist[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)])) + 1
    keep = (rank <= k) & (dist <= limit)
    return rows[keep], targets[keep], dist[keep], rank[keep]


def _concat(found: list[Ranked]) -> Ranked:
    if len(found) == 1:  # one chunk (most calls): no copy of the answers
        return found[0]
    rows, targets, dist, rank = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return rows, targets, dist, rank


@dataclass(frozen=True)
class _Grid:
    """Square cells over the targets, each with the target nearest to all of its points.

    ``owner`` holds, per cell, the target that is the nearest one on the ellipsoid (and in
    the plane) for every point of the cell, or -1 where that is not certain.
    """

    x0: float
    y0: float
    cell: float
    owner: NDArray[np.int32]

    def lookup(self, xy: FloatArray) -> NDArray[np.int32]:
        ny, nx = self.owner.shape
        out: NDArray[np.int32] = np.full(len(xy), -1, dtype=np.int32)
        for s in range(0, len(xy), _NEAREST_CHUNK):  # in steps: small temporaries
            part = xy[s : s + _NEAREST_CHUNK]
            ix = np.floor((part[:, 0] - self.x0) / self.cell)
            iy = np.floor((part[:, 1] - self.y0) / self.cell)
            inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
            cells = iy[inside].astype(np.intp) * nx + ix[inside].astype(np.intp)
            out[s : s + len(part)][inside] = self.owner.ravel()[cells]
        return out


# The lookup grid: its cell (metres), its margin around the targets, the inputs from which
# it pays for itself, and how many are kept (keyed by the targets' coordinates and frame).
_GRID_CELL_M = 100.0
_GRID_PAD_M = 5_000.0
_GRID_MIN_POINTS = 200_000
_GRID_CACHE = 4
_grids: dict[tuple[bytes, str], _Grid] = {}


def _grid_for(b: ProjectedGeometries, frame: MetricFrame) -> _Grid:
    """The lookup grid of these targets in this frame, built once (0.3 s for the sites).

    Why a cell's owner is exact: within a cell, every point is at most ``r`` (half the
    cell's diagonal) from the centre, so its planar distance to any target differs from
    the centre's by at most ``r``. If the nearest target j of the centre (planar distance
    d1) and the second one (d2) satisfy ``planar_reach(d1 + r) < d2 - r``, then for every
    point of the cell each rival lies beyond the reach of j's planar distance: the search
    of :func:`_nearest_points` would settle the point with j alone, and j is also the
    nearest in the plane. The scale-factor bounds are those of the grid's own box, which
    holds every point it answers and every target, so the grid does not depend on the
    query and is built once per target set; points outside it, or in an uncertain cell,
    go to the tree.
    """
    crs_text = frame.crs.to_string()
    key = (hashlib.sha1(b.xy.tobytes()).digest(), crs_text)
    grid = _grids.get(key)
    if grid is not None:
        return grid
    x0, y0 = b.xy.min(axis=0) - _GRID_PAD_M
    x1, y1 = b.xy.max(axis=0) + _GRID_PAD_M
    ex, ey = np.meshgrid(np.linspace(x0, x1, 17), np.linspace(y0, y1, 17))
    lon, lat = transform_xy(frame.to_wgs84, ex.ravel(), ey.ravel())
    box = (
        float(np.floor(lon.min() * 100) / 100),
        float(np.floor(lat.min() * 100) / 100),
        float(np.ceil(lon.max() * 100) / 100),
        float(np.ceil(lat.max() * 100) / 100),
    )
    frame = _frame_for(crs_text, box)
    cell = _GRID_CELL_M
    nx, ny = int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell))
    tree = cKDTree(b.xy)
    r = cell * np.sqrt(0.5) * (1 + _SLACK)
    owner = np.empty((ny, nx), dtype=np.int32)
    cx = x0 + cell * (np.arange(nx) + 0.5)
    rows = max(1, _NEAREST_CHUNK // nx)
    for r0 in range(0, ny, rows):  # a band of cell rows at a time: small temporaries
        cy = y0 + cell * (np.arange(r0, min(ny, r0 + rows)) + 0.5)
        gx, gy = np.meshgrid(cx, cy)
        d, j = tree.query(np.column_stack([gx.ravel(), gy.ravel()]), k=2, workers=-1)
        certain = planar_reach(d[:, 0] + r, frame, "geodesic", planar=True) < d[:, 1] - r
        owner[r0 : r0 + len(cy)] = np.where(certain, j[:, 0], -1).reshape(len(cy), nx)
    grid = _Grid(float(x0), float(y0), cell, owner)
    if len(_grids) >= _GRID_CACHE:
        _grids.pop(next(iter(_grids)))
    _grids[key] = grid
    return grid


def _nearest_points(
    a: ProjectedGeometries, b: ProjectedGeometries, k: int, limit: float, method: str
) -> Ranked:
    """k nearest for point inputs and point targets: cKDTree in the plane, then re-rank."""
    frame = a.frame
    bound = planar_reach(limit, frame, method) if np.isfinite(limit) else np.inf
    tree = cKDTree(b.xy)
    xy = a.xy
    m = len(b)
    pending = np.arange(len(a))
    kk = min(k + 1, m)
    found: list[Ranked] = []
    passes = 0
    in_order = True  # pending is every row in order
    if k == 1 and m >= 2 and len(a) >= _GRID_MIN_POINTS:
        # Most points fall in a cell whose nearest target is certain: one array lookup
        # instead of a tree query; the others are searched below.
        owner = _grid_for(b, frame).lookup(xy)
        sure = np.flatnonzero(owner >= 0)
        targets = owner[sure].astype(np.intp)
        dist = pair_distances(a, b, sure, targets, method)
        if np.isfinite(limit):
            ok = dist <= limit
            sure, targets, dist = sure[ok], targets[ok], dist[ok]
        found.append((sure, targets, dist, np.ones(len(sure), dtype=np.intp)))
        pending = np.flatnonzero(owner < 0)
        in_order = False
    while pending.size:
        passes += 1
        left = []
        step = max(1, _NEAREST_CHUNK // kk)
        for s in range(0, pending.size, step):
            chunk = pending[s : s + step]
            # First pass: every row in order, so a slice (a view), not a gathered copy.
            query = xy[s : s + step] if passes == 1 and in_order else xy[chunk]
            d, j = tree.query(query, k=kk, distance_upper_bound=bound, workers=-1)
            d, j = d.reshape(len(chunk), kk), j.reshape(len(chunk), kk)
            # A target can beat the k-th planar candidate on the reported distance only if
            # its planar distance is within planar_reach of the k-th one ("reach"). A row
            # is settled once the farthest candidate returned lies beyond reach, or nothing
            # is left out: then every rival is among the candidates.
            kth = d[:, min(k, kk) - 1]
            finite = np.isfinite(kth)
            reach = np.full(len(kth), np.inf)
            reach[finite] = planar_reach(kth[finite], frame, method, planar=True)
            settled = (kk >= m) | ~finite | (d[:, -1] > reach)
            need = (d <= reach[:, None]) & np.isfinite(d) & settled[:, None]
            r_idx, c_idx = np.nonzero(need)
            dist = np.full(d.shape, np.inf)
            dist[r_idx, c_idx] = pair_distances(a, b, chunk[r_idx], j[r_idx, c_idx], method)
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
                    best_j[ok].astype(np.intp, copy=False),
                    best_d[ok],
                    rank[ok].astype(np.intp, copy=False),
                )
            )
            left.append(chunk[~settled])
        pending = np.concatenate(left)
        kk = min(2 * kk, m)
    if k == 1 and len(found) > 1:
        # One answer a row at most: put the parts in place in row order, without sorting
        # and gathering copies of every answer.
        best_t = np.full(len(a), -1, dtype=np.intp)
        best_d = np.empty(len(a))
        for part_rows, part_targets, part_dist, _ in found:
            best_t[part_rows], best_d[part_rows] = part_targets, part_dist
        found.clear()
        answered = best_t >= 0
        if answered.all():
            rows, targets, dist = np.arange(len(a)), best_t, best_d
        else:
            rows = np.flatnonzero(answered)
            targets, dist = best_t[rows], best_d[rows]
        return rows, targets, dist, np.ones(len(rows), dtype=np.intp)
    rows, targets, dist, rank = _concat(found)
    if passes > 1 or (not in_order and len(found) > 1):  # back to input order
        order = np.argsort(rows, kind="stable")  # a row's ranks come from one pass, in order
        rows, targets, dist, rank = rows[order], targets[order], dist[order], rank[order]
    return rows, targets, dist, rank


def _nearest_shapes(
    a: ProjectedGeometries, b: ProjectedGeometries, k: int, limit: float, method: str
) -> Ranked:
    """k nearest when either side holds lines or polygons: STRtree candidates, exact ranks."""
    frame = a.frame
    kk = min(k, len(b))
    # The k-th nearest anchor (a point on each target) bounds the k-th nearest shape from
    # above; widened by planar_reach it holds every rival on the reported distance too.
    anchor = cKDTree(b.anchor_xy).query(a.anchor_xy, k=kk, workers=-1)[0].reshape(len(a), kk)
    radius = planar_reach(anchor[:, -1], frame, method, planar=True)
    if np.isfinite(limit):
        radius = np.minimum(radius, planar_reach(limit, frame, method))
    tree = shapely.STRtree(b.metric)
    found: list[Ranked] = []
    step = max(1, 200_000 // kk)  # candidates are shapes: keep each batch small
    for s in range(0, len(a), step):
        chunk = np.arange(s, min(len(a), s + step))
        pairs = tree.query(a.metric[chunk], predicate="dwithin", distance=radius[chunk])
        rows, targets = chunk[pairs[0]], pairs[1].astype(np.intp)
        planar = shapely.distance(a.metric[rows], b.metric[targets])
        if method == "planar" or len(rows) == 0:  # nothing within the limit: empty ranks
            found.append(_rank_rows(rows, targets, planar, k, limit))
            continue
        # Measure on the ellipsoid only the candidates within reach of each row's k-th
        # planar distance: the others cannot win (see planar_reach).
        order = np.lexsort((planar, rows))
        rows, targets, planar = rows[order], targets[order], planar[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        counts = np.diff(np.r_[starts, len(rows)])
        kth = planar[starts + np.minimum(counts, kk) - 1]
        reach = np.where(counts >= kk, planar_reach(kth, frame, method, planar=True), np.inf)
        keep = planar <= np.repeat(reach, counts)
        rows, targets = rows[keep], targets[keep]
        dist = pair_distances(a, b, rows, targets, method)
        found.append(_rank_rows(rows, targets, dist, k, limit))
    return _concat(found)


def nearest_pairs(
    a: ProjectedGeometries, b: ProjectedGeometries, k: int, limit: float, method: str
) -> Ranked:
    """The k nearest of ``b`` for each geometry of ``a``, exact on the reported distance.

    Points against points search a cKDTree; anything else an STRtree. Both widen the
    planar search with :func:`planar_reach`, then rank on the reported distance; equal
    distances rank by position in ``b``.

    Parameters
    ----------
    a, b : ProjectedGeometries
        The points and the targets, in one frame.
    k : int
        How many per row.
    limit : float
        Leave out pairs farther than this (metres; ``numpy.inf`` for no limit).
    method : {"geodesic", "planar"}
        The reported distance.

    Returns
    -------
    tuple of arrays
        ``(rows, targets, distances, ranks)``, sorted by row then rank; rows without a
        target within ``limit`` are absent.

    Examples
    --------
    >>> pts = gpd.GeoSeries.from_xy([3.0, 3.0, 3.2], [50.4, 50.5, 50.4], crs=4326)
    >>> side = ProjectedGeometries(pts.to_numpy(), metric_frame(pts))
    >>> rows, targets, dist, rank = nearest_pairs(side, side, 2, np.inf, "geodesic")
    >>> targets.tolist()[:2], rank.tolist()[:2]
    ([0, 1], [1, 2])
    """
    search = _nearest_points if (a.all_points and b.all_points) else _nearest_shapes
    return search(a, b, k, limit, method)

"""Geometry behind the route analyses: cut a route by polygons, locate points along it.

Used by :mod:`bassin_geo.analysis.routes` and :mod:`bassin_geo.analysis.stages` (through
:meth:`bassin_geo.Route.geometry_index`). A position on a route is a parameter ``g`` = segment
index + fraction along that segment, which only grows along the route, even on a loop that
passes the same place twice (a projection onto the line would not tell the passages apart).

Cutting a 100,000-point track: building one shapely geometry per segment costs more than
the whole analysis, so the route is first cut into windows of :data:`WINDOW` segments;
only the few windows that touch a boundary are split into segments, which are then
intersected with short pieces of the boundaries (an STRtree on each side).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from bassin_geo.crs import WGS84, geod_inv, metric_crs_for, transform_xy

__all__ = [
    "NEAR_M",
    "ON_BOUNDARY_DEG",
    "WINDOW",
    "AreaIndex",
    "RouteGeom",
    "transformer",
    "windows",
]

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
GeomArray: TypeAlias = NDArray[np.object_]

#: Segments per window of a route, and edges per piece of a boundary.
WINDOW = 32

# A sample point closer than this to a boundary (degrees, about 0.1 mm) lies on it.
ON_BOUNDARY_DEG = 1e-9

# How far inside from an entry or exit to look for the feature or commune entered or left
# (metres): the basin contour and the IGN communes do not share their vertices exactly.
NEAR_M = 10.0


def windows(coords: FloatArray, part: IntArray, size: int = WINDOW) -> tuple[GeomArray, IntArray]:
    """Split lines into consecutive LineStrings of at most ``size`` edges.

    Consecutive windows of a line share one vertex, so that every edge belongs to exactly
    one window.

    Parameters
    ----------
    coords : array of shape (N, 2)
        The vertices of one or several lines.
    part : array of int
        The line of each vertex (consecutive).
    size : int
        Edges per window.

    Returns
    -------
    tuple of arrays
        The windows (LineStrings) and the index of each window's first vertex.

    Examples
    --------
    >>> xy = np.column_stack([np.arange(5.0), np.zeros(5)])
    >>> wins, starts = windows(xy, np.zeros(5, dtype=np.int64), size=3)
    >>> [len(w.coords) for w in wins], starts.tolist()
    ([4, 2], [0, 3])
    """
    n = len(coords)
    first = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
    edges = np.diff(np.r_[first, n]) - 1
    per_part = -(-edges // size)  # ceil; a one-vertex part has no window
    starts = np.repeat(first, per_part) + _ranges(np.zeros_like(per_part), per_part) * size
    ends = np.repeat(first + edges, per_part)
    count = np.minimum(starts + size, ends) - starts + 1
    index = np.repeat(np.arange(len(starts)), count)
    return shapely.linestrings(coords[_ranges(starts, count)], indices=index), starts


@functools.lru_cache(maxsize=16)
def transformer(src: str, dst: str) -> Transformer:
    """A cached always-xy transformer (building one costs milliseconds).

    Parameters
    ----------
    src, dst : str
        The CRS to transform from and to.

    Returns
    -------
    pyproj.Transformer

    Examples
    --------
    >>> transformer("EPSG:4326", "EPSG:2154") is transformer("EPSG:4326", "EPSG:2154")
    True
    """
    return Transformer.from_crs(src, dst, always_xy=True)


def _ranges(first: NDArray[np.integer], count: NDArray[np.integer]) -> IntArray:
    """Concatenated ``arange(first[i], first[i] + count[i])``, without a Python loop."""
    out: IntArray = (
        np.repeat(first, count)
        + np.arange(count.sum())
        - np.repeat(np.cumsum(count) - count, count)
    )
    return out


@dataclass(frozen=True, eq=False)
class AreaIndex:
    """Polygons ready to cut routes: their STRtree, and their boundaries in short pieces.

    Parameters
    ----------
    polygons : array of shapely (Multi)Polygons
        In WGS84.
    tree : shapely.STRtree
        Of the polygons.
    pieces : array of LineStrings
        The rings cut into :data:`WINDOW` edges.
    piece_tree : shapely.STRtree
        Of the pieces.

    Examples
    --------
    >>> area = AreaIndex.build(np.array([shapely.box(2.0, 50.0, 2.1, 50.1)]))
    >>> len(area.polygons), len(area.pieces)
    (1, 1)
    """

    polygons: GeomArray
    tree: shapely.STRtree
    pieces: GeomArray
    piece_tree: shapely.STRtree

    @classmethod
    def build(cls, polygons: GeomArray) -> AreaIndex:
        """Index polygons (in WGS84).

        Parameters
        ----------
        polygons : array of shapely (Multi)Polygons
            The area.

        Returns
        -------
        AreaIndex

        Examples
        --------
        >>> AreaIndex.build(np.array([shapely.box(2.0, 50.0, 2.1, 50.1)])).tree.geometries.size
        1
        """
        rings = shapely.get_parts(shapely.get_rings(shapely.get_parts(polygons)))
        coords, part = shapely.get_coordinates(rings, return_index=True)
        pieces, _ = windows(coords, part, WINDOW)
        return cls(polygons, shapely.STRtree(polygons), pieces, shapely.STRtree(pieces))


@dataclass(frozen=True)
class RouteGeom:
    """The route's distinct consecutive vertices (lon/lat) and their cumulative metres.

    Get the one of a route with :meth:`bassin_geo.Route.geometry_index`. A position on the
    route is a parameter ``g``: segment index + fraction along that segment.

    Parameters
    ----------
    xy : array of shape (N, 2)
        Longitude/latitude of the vertices, no two consecutive ones equal.
    cum : array of float
        Cumulative geodesic metres of each vertex.

    Examples
    --------
    >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.8, 50.4], [2.9, 50.4]]),
    ...                     np.array([0.0, 0.0, 7110.0]))
    >>> geom.last
    1.0
    """

    xy: FloatArray
    cum: FloatArray
    # The vertices per metric CRS, filled on first use (see metric()).
    _metric: dict[str, FloatArray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def of(cls, xy: FloatArray, cum: FloatArray) -> RouteGeom:
        """The route's geometry from its vertices, dropping repeated consecutive ones.

        Parameters
        ----------
        xy : array of shape (N, 2)
            Longitude/latitude of the vertices.
        cum : array of float
            Cumulative geodesic metres of each vertex.

        Returns
        -------
        RouteGeom

        Examples
        --------
        >>> RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0])).last
        1.0
        """
        keep = np.r_[True, np.any(xy[1:] != xy[:-1], axis=1)]
        return cls(xy[keep], cum[keep])

    @property
    def last(self) -> float:
        """The parameter of the last vertex."""
        return float(len(self.xy) - 1)

    def split(self, g: FloatArray) -> tuple[IntArray, FloatArray]:
        """Segment index and fraction along it of parameters ``g``.

        Parameters
        ----------
        g : array of float
            Parameters along the route.

        Returns
        -------
        tuple of arrays
            The segments (the last vertex belongs to the last segment) and the fractions.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> [a.tolist() for a in geom.split(np.array([0.25, 1.0]))]
        [[0, 0], [0.25, 1.0]]
        """
        s = np.minimum(np.floor(g).astype(np.int64), len(self.xy) - 2)
        return s, g - s

    def point(self, g: FloatArray) -> FloatArray:
        """Coordinates at parameters ``g``, on the straight segment between two vertices.

        Parameters
        ----------
        g : array of float
            Parameters along the route.

        Returns
        -------
        array of shape (len(g), 2)
            Longitude/latitude.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> geom.point(np.array([0.5])).round(2).tolist()
        [[2.85, 50.4]]
        """
        s, t = self.split(g)
        a, b = self.xy[s], self.xy[s + 1]
        out: FloatArray = a + t[:, None] * (b - a)
        return out

    def metres(self, g: FloatArray) -> FloatArray:
        """Geodesic distance from the start at parameters ``g``.

        Parameters
        ----------
        g : array of float
            Parameters along the route.

        Returns
        -------
        array of float
            Metres.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> geom.metres(np.array([0.0, 1.0])).tolist()
        [0.0, 7110.0]
        """
        s, t = self.split(g)
        a, p = self.xy[s], self.point(g)
        _, _, d = geod_inv(a[:, 0], a[:, 1], p[:, 0], p[:, 1])
        m = np.where(t <= 0.0, self.cum[s], self.cum[s] + np.asarray(d))
        out: FloatArray = np.where(t >= 1.0, self.cum[s + 1], m)
        return out

    def step_in(self, g_from: FloatArray, g_to: FloatArray, metres: float = NEAR_M) -> FloatArray:
        """Parameters ``metres`` from ``g_from`` towards ``g_to``, at most half way there.

        Parameters
        ----------
        g_from, g_to : array of float
            Where to step from, and towards.
        metres : float
            How far to step.

        Returns
        -------
        array of float
            Parameters.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> geom.step_in(np.array([0.0]), np.array([1.0]), 711.0).round(3).tolist()
        [0.1]
        """
        s, _ = self.split(g_from)
        seg_m = np.maximum(self.cum[s + 1] - self.cum[s], 1e-9)
        # The parameter is per segment; a step within the segment of g_from is enough here.
        step = np.minimum(np.abs(g_to - g_from) / 2.0, metres / seg_m)
        out: FloatArray = g_from + np.sign(g_to - g_from) * step
        return out

    def sub_lines(self, g0: FloatArray, g1: FloatArray) -> GeomArray:
        """The parts of the route between parameters ``g0`` and ``g1`` (LineStrings).

        Parameters
        ----------
        g0, g1 : array of float
            Where each part starts and ends.

        Returns
        -------
        array of LineStrings

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> round(geom.sub_lines(np.array([0.0]), np.array([0.5]))[0].length, 6)
        0.05
        """
        if not len(g0):
            return np.array([], dtype=object)
        p0, p1 = self.point(g0), self.point(g1)
        lo = np.floor(g0).astype(np.int64) + 1  # first vertex after g0
        hi = np.ceil(g1).astype(np.int64)  # first vertex at or after g1
        coords = [
            np.vstack([p0[i], self.xy[lo[i] : hi[i]], p1[i]]) for i in range(len(g0))
        ]  # one per output part, not per vertex
        index = np.repeat(np.arange(len(g0)), [len(c) for c in coords])
        lines: GeomArray = shapely.linestrings(np.vstack(coords), indices=index)
        return lines

    def contacts(self, area: AreaIndex) -> FloatArray:
        """Sorted parameters where the route touches a boundary of ``area``.

        Parameters
        ----------
        area : AreaIndex
            The polygons.

        Returns
        -------
        array of float
            Parameters, sorted, without repeats.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.0, 50.05], [2.2, 50.05]]), np.array([0.0, 14300.0]))
        >>> geom.contacts(AreaIndex.build(np.array([shapely.box(2.05, 50.0, 2.1, 50.1)])))
        array([0.25, 0.5 ])
        """
        n_seg = len(self.xy) - 1
        wins, starts = windows(self.xy, np.zeros(len(self.xy), dtype=np.int64), WINDOW)
        hit = np.unique(area.piece_tree.query(wins, predicate="intersects")[0])
        if not len(hit):
            return np.zeros(0)
        first = starts[hit]
        count = np.minimum(first + WINDOW, n_seg) - first
        seg = _ranges(first, count)
        segments = shapely.linestrings(np.stack([self.xy[seg], self.xy[seg + 1]], axis=1))
        s_idx, p_idx = area.piece_tree.query(segments, predicate="intersects")
        if not len(s_idx):
            return np.zeros(0)
        inter = shapely.intersection(segments[s_idx], area.pieces[p_idx])
        pts, which = shapely.get_coordinates(inter, return_index=True)
        s = seg[s_idx[which]]
        a, b = self.xy[s], self.xy[s + 1]
        ab = b - a
        t = np.einsum("ij,ij->i", pts - a, ab) / np.einsum("ij,ij->i", ab, ab)
        out: FloatArray = np.unique(s + np.clip(t, 0.0, 1.0))
        return out

    def cut(self, area: AreaIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Runs of the route inside each polygon of ``area``, and metres along a boundary.

        The contacts split the route into pieces that are each wholly inside one polygon,
        outside, or along a boundary; one sample point per piece tells which. Consecutive
        pieces in the same polygon form a run: touching a boundary from inside does not
        end it.

        Parameters
        ----------
        area : AreaIndex
            The polygons.

        Returns
        -------
        tuple of (DataFrame, DataFrame)
            The runs (``poly``, ``g_in``, ``g_out``, ``m_in``, ``m_out``, ``first``,
            ``last``) sorted by ``g_in``, with ``first``/``last`` points inside the run a
            few metres from its ends, to tell which feature or commune is entered or left
            there; and the pieces run along a boundary (``m_in``, ``m_out``, in route
            order), whose lengths add up to the metres on the border.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.0, 50.05], [2.2, 50.05]]), np.array([0.0, 14300.0]))
        >>> square = AreaIndex.build(np.array([shapely.box(2.05, 50.0, 2.1, 50.1)]))
        >>> runs, border = geom.cut(square)
        >>> runs[["g_in", "g_out"]].to_numpy().round(6).tolist(), len(border)
        ([[0.25, 0.5]], 0)
        """
        g = np.unique(np.concatenate([[0.0], self.contacts(area), [self.last]]))
        m = self.metres(g)
        keep = m[1:] > m[:-1]  # zero-length pieces (rounding) carry no state
        g0, g1, m0, m1 = g[:-1][keep], g[1:][keep], m[:-1][keep], m[1:][keep]
        samples = shapely.points(self.point((g0 + g1) / 2.0))
        piece, poly = area.tree.query(samples, predicate="intersects")
        edge = (
            shapely.distance(samples[piece], shapely.boundary(area.polygons[poly]))
            < ON_BOUNDARY_DEG
        )
        border = np.zeros(len(samples), dtype=bool)
        border[piece[edge]] = True
        piece, poly = piece[~edge], poly[~edge]
        border[piece] = False
        along = pd.DataFrame({"m_in": m0[border], "m_out": m1[border]})
        cols = ["poly", "g_in", "g_out", "m_in", "m_out", "first", "last"]
        if not len(piece):
            return pd.DataFrame({c: [] for c in cols}), along
        order = np.lexsort((piece, poly))
        piece, poly = piece[order], poly[order]
        new = np.r_[True, (poly[1:] != poly[:-1]) | (piece[1:] != piece[:-1] + 1)]
        start = np.flatnonzero(new)
        end = np.r_[start[1:], len(piece)] - 1
        a, b = piece[start], piece[end]
        runs = pd.DataFrame(
            {
                "poly": poly[start],
                "g_in": g0[a],
                "g_out": g1[b],
                "m_in": m0[a],
                "m_out": m1[b],
                "first": shapely.points(self.point(self.step_in(g0[a], g1[a]))),
                "last": shapely.points(self.point(self.step_in(g1[b], g0[b]))),
            }
        )
        return runs.sort_values(["g_in", "poly"], kind="stable").reset_index(drop=True), along

    def metric(self, crs: CRS) -> FloatArray:
        """The vertices in the metric ``crs`` (cached per CRS).

        Parameters
        ----------
        crs : pyproj.CRS
            A metric CRS.

        Returns
        -------
        array of shape (N, 2)

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> geom.metric(CRS.from_epsg(2154)).shape
        (2, 2)
        """
        key = crs.to_string()
        if key not in self._metric:
            fwd = transformer(WGS84, key)
            self._metric[key] = np.column_stack(transform_xy(fwd, self.xy[:, 0], self.xy[:, 1]))
        return self._metric[key]

    def locate(self, geoms: GeomArray, crs: CRS | None = None) -> tuple[FloatArray, FloatArray]:
        """km of the route point closest to each geometry, and the geodesic metres to it.

        Missing or empty geometries give NaN. The closest segment and point are found in a
        metric CRS; km and distance are then measured on the ellipsoid. Equally close
        passages (a loop): the first one.

        Parameters
        ----------
        geoms : array of shapely geometries
            In WGS84.
        crs : pyproj.CRS, optional
            The metric CRS of the search; default :func:`bassin_geo.crs.metric_crs_for`
            the route.

        Returns
        -------
        tuple of arrays
            The km along the route and the distances in metres.

        Examples
        --------
        >>> geom = RouteGeom.of(np.array([[2.8, 50.4], [2.9, 50.4]]), np.array([0.0, 7110.0]))
        >>> km, dist = geom.locate(np.array([shapely.Point(2.85, 50.41)]))
        >>> round(float(km[0]), 1), round(float(dist[0]))
        (3.6, 1111)
        """
        n = len(geoms)
        km, dist = np.full(n, np.nan), np.full(n, np.nan)
        valid = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
        if not len(valid):
            return km, dist
        crs = crs or metric_crs_for(self.xy[:, 0], self.xy[:, 1])
        fwd, back = transformer(WGS84, crs.to_string()), transformer(crs.to_string(), WGS84)
        xy_m = self.metric(crs)
        targets = shapely.transform(
            geoms[valid], lambda c: np.column_stack(transform_xy(fwd, c[:, 0], c[:, 1]))
        )
        # Nearest window first (few geometries to build), then its segments.
        wins, starts = windows(xy_m, np.zeros(len(xy_m), dtype=np.int64), WINDOW)
        t_in, w_idx = shapely.STRtree(wins).query_nearest(targets, all_matches=True)
        n_seg = len(xy_m) - 1
        count = np.minimum(starts[w_idx] + WINDOW, n_seg) - starts[w_idx]
        owner = np.repeat(t_in, count)
        seg = _ranges(starts[w_idx], count)
        segments = shapely.linestrings(np.stack([xy_m[seg], xy_m[seg + 1]], axis=1))
        d = shapely.distance(segments, targets[owner])
        # Per target: smallest distance, then smallest segment index (first passage).
        order = np.lexsort((seg, d, owner))
        best = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        who, s = owner[best], seg[best]
        links = shapely.shortest_line(segments[best], targets[who])
        ends = shapely.get_coordinates(links).reshape(-1, 2, 2)
        on_route = np.column_stack(transform_xy(back, ends[:, 0, 0], ends[:, 0, 1]))
        at_site = np.column_stack(transform_xy(back, ends[:, 1, 0], ends[:, 1, 1]))
        a = self.xy[s]
        _, _, along = geod_inv(a[:, 0], a[:, 1], on_route[:, 0], on_route[:, 1])
        _, _, gap = geod_inv(on_route[:, 0], on_route[:, 1], at_site[:, 0], at_site[:, 1])
        km[valid[who]] = np.minimum(self.cum[s] + along, self.cum[s + 1]) / 1000.0
        dist[valid[who]] = gap
        return km, dist

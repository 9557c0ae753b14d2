"""Routes: a line in WGS84 with the geodesic distance of each vertex, read from any file.

A :class:`Route` is what the analyses of :mod:`bassin_geo.analysis.stages` take. :func:`read_route`
reads GPX (tracks, routes, several segments, waypoints), GeoJSON, KML or any line layer
GDAL reads, in any CRS; :meth:`Route.from_coords` builds one from ``(lon, lat)`` pairs.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from bassin_geo._compat import keyword_only
from bassin_geo._types import CRSLike, PathLike
from bassin_geo.analysis.routegeom import RouteGeom
from bassin_geo.crs import GEOD, WGS84, geod_inv
from bassin_geo.errors import (
    DataFileError,
    EmptyInputError,
    InvalidInputError,
    RouteError,
    RouteWarning,
)
from bassin_geo.places.checks import check_lonlat
from bassin_geo.places.files import list_file_layers, read_layer
from bassin_geo.places.resolve import as_places

__all__ = ["Route", "RouteLike", "RouteWarning", "as_route", "read_route"]

#: What the route analyses accept: a :class:`Route`, the path of a file
#: :func:`read_route` reads, a LineString in WGS84, or a GeoDataFrame / GeoSeries of lines.
RouteLike: TypeAlias = "Route | str | os.PathLike[str] | BaseGeometry | gpd.GeoDataFrame"

# What a file reader gives Route.from_coords: vertices, name, waypoints, properties.
_Read: TypeAlias = "tuple[NDArray[np.float64], str, gpd.GeoDataFrame, dict[str, Any]]"


# --------------------------------------------------------------------------------------
# Route
# --------------------------------------------------------------------------------------


def _empty_waypoints() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": pd.Series([], dtype=object), "event": pd.Series([], dtype=object)},
        geometry=gpd.GeoSeries([], crs=WGS84),
        crs=WGS84,
    )


@dataclass(frozen=True, eq=False)
class Route:
    """A route in WGS84 with the cumulative geodesic distance of each vertex.

    Build one with :func:`read_route`, :func:`bassin_geo.analysis.stages.load_stage` or
    :meth:`Route.from_coords`.

    Parameters
    ----------
    name : str
        Track or stage name.
    line : shapely.LineString
        The route, longitude/latitude (EPSG:4326). Track segments of a GPX are joined in
        file order; the straight gap between two segments is part of the line.
    distance_m : numpy.ndarray
        Cumulative geodesic distance (metres, WGS84 ellipsoid) of each vertex of ``line``.
    waypoints : GeoDataFrame
        Named points (GPX waypoints, climbs, sprints), WGS84; a waypoint whose position is
        unknown has no geometry. ``km_on_route`` is its km along this line.
    properties : dict
        ``approximate`` (bool), ``method`` (how the line was obtained), and for stages
        ``official_length_km`` and ``sources``.

    Examples
    --------
    >>> r = Route.from_coords([(2.8, 50.4), (2.9, 50.4)], name="east")
    >>> round(r.length_km, 3)
    7.11
    """

    name: str
    line: shapely.LineString
    distance_m: NDArray[np.float64]
    waypoints: gpd.GeoDataFrame = field(default_factory=_empty_waypoints)
    properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    @keyword_only(2, ("name", "waypoints", "properties", "where"))  # cls and coords
    def from_coords(
        cls,
        coords: ArrayLike,
        *,
        name: str = "route",
        waypoints: gpd.GeoDataFrame | None = None,
        properties: dict[str, Any] | None = None,
        where: str = "route",
    ) -> Route:
        """Build a route from ``(lon, lat)`` coordinates in WGS84, in travel order.

        Parameters
        ----------
        coords : array-like of shape (N, 2)
            Longitude/latitude pairs (a third column, such as elevation, is dropped).
        name : str
            The route's name. Keyword-only, like the options below (by position they
            still work, with a FutureWarning, until 0.3).
        waypoints : GeoDataFrame, optional
            Named points (``name``, ``event``, WGS84); their ``km_on_route`` is computed
            when missing.
        properties : dict, optional
            Added to ``approximate=False`` and ``method="given coordinates"``.
        where : str
            Names the input in error messages.

        Returns
        -------
        Route

        Raises
        ------
        RouteError
            Fewer than two distinct points.
        CoordinateError
            NaN, projected or swapped coordinates.

        Examples
        --------
        >>> Route.from_coords([(2.8, 50.4), (2.9, 50.4)], name="east").name
        'east'
        """
        xy = np.asarray(coords, dtype=float)
        if xy.size == 0:
            raise RouteError(f"{where}: the route has no points; give a track of 2 points or more")
        if xy.ndim != 2 or xy.shape[1] < 2:
            raise RouteError(f"{where}: coordinates must be (lon, lat) pairs, got {xy.shape}")
        xy = xy[:, :2]
        check_lonlat(xy[:, 0], xy[:, 1], where)
        if not np.any(xy != xy[0]):
            raise RouteError(
                f"{where}: the route has {len(xy)} point(s) but only one position; a route "
                "needs at least two distinct points"
            )
        step = GEOD.line_lengths(xy[:, 0], xy[:, 1])
        distance = np.concatenate([[0.0], np.cumsum(step)])
        props = {"approximate": False, "method": "given coordinates"}
        props.update(properties or {})
        route = cls(
            name=str(name),
            line=shapely.linestrings(xy),
            distance_m=distance,
            waypoints=_empty_waypoints() if waypoints is None else waypoints.copy(),
            properties=props,
        )
        if len(route.waypoints) and "km_on_route" not in route.waypoints:
            km, _ = route.geometry_index().locate(route.waypoints.geometry.to_numpy())
            route.waypoints["km_on_route"] = km
        return route

    @functools.cached_property
    def _geometry(self) -> RouteGeom:
        # Distinct consecutive vertices: computed once per route, reused by every analysis.
        return RouteGeom.of(self.coords, self.distance_m)

    def geometry_index(self) -> RouteGeom:
        """The route prepared for the analyses: cut by polygons, locate points along it.

        Built on first use and kept: :func:`bassin_geo.crossings`,
        :func:`bassin_geo.communes_crossed` and :func:`bassin_geo.sites_along` on one
        route share it.

        Returns
        -------
        RouteGeom
            The distinct consecutive vertices and their cumulative geodesic metres.

        Examples
        --------
        >>> r = Route.from_coords([(2.8, 50.4), (2.8, 50.4), (2.9, 50.4)])
        >>> len(r.geometry_index().xy)
        2
        """
        return self._geometry

    @property
    def coords(self) -> NDArray[np.float64]:
        """The (N, 2) longitude/latitude array of the vertices."""
        xy: NDArray[np.float64] = shapely.get_coordinates(self.line)
        return xy

    @property
    def km(self) -> NDArray[np.float64]:
        """Cumulative geodesic distance of each vertex, in km."""
        return self.distance_m / 1000.0

    @property
    def length_km(self) -> float:
        """Geodesic length of the route in km."""
        return float(self.distance_m[-1]) / 1000.0

    @property
    def approximate(self) -> bool:
        """True when the line is an approximation (see ``properties['method']``)."""
        return bool(self.properties.get("approximate", False))

    def __repr__(self) -> str:
        flag = ", approximate" if self.approximate else ""
        official = self.properties.get("official_length_km")
        if official:
            flag += f" (official {official:g} km)"
        return (
            f"Route({self.name!r}, {len(self.distance_m)} points, {self.length_km:.1f} km, "
            f"{len(self.waypoints)} waypoints{flag})"
        )

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The route line and its waypoints as one GeoDataFrame in WGS84.

        One row ``kind="route"`` (the line, ``length_km``) then one row per waypoint, of
        kind ``"start"``, ``"finish"`` or ``"waypoint"`` (``event`` says climb, sprint...).
        Every row carries ``approximate`` and ``method`` so that a map or an export shows
        that a stage line is an approximation. The writers (:func:`bassin_geo.to_geojson`,
        :func:`bassin_geo.to_geopackage`...) and :func:`bassin_geo.make_map` take a Route
        through this method.

        Returns
        -------
        GeoDataFrame
            In WGS84; the route's ``properties`` (but lists) are in ``attrs``.

        Examples
        --------
        >>> gdf = Route.from_coords([(2.8, 50.4), (2.9, 50.4)], name="east").to_gdf()
        >>> gdf["kind"].tolist(), bool(gdf["approximate"].any())
        (['route'], False)
        """
        props = self.properties
        head = {
            "kind": "route",
            "name": self.name,
            "event": None,
            "km": np.nan,
            "km_on_route": np.nan,
            "length_km": self.length_km,
            "official_length_km": props.get("official_length_km", np.nan),
        }
        rows = gpd.GeoDataFrame([head], geometry=[self.line], crs=WGS84)
        if len(self.waypoints):
            wp = self.waypoints.copy()
            event = wp["event"] if "event" in wp else pd.Series(None, index=wp.index)
            kind = event.where(event.isin(["start", "finish"]), "waypoint")
            wp = wp.drop(columns="kind", errors="ignore")
            wp.insert(0, "kind", kind.to_numpy())
            rows = gpd.GeoDataFrame(pd.concat([rows, wp], ignore_index=True), crs=WGS84)
        rows["approximate"] = self.approximate
        rows["method"] = str(props.get("method", ""))
        sources = props.get("sources")
        if sources:
            rows["sources"] = "; ".join(sources) if not isinstance(sources, str) else sources
        rows.attrs.update({k: v for k, v in props.items() if not isinstance(v, list)})
        return rows


# --------------------------------------------------------------------------------------
# Reading routes
# --------------------------------------------------------------------------------------


def _gpx_layer(path: Path, layer: str, columns: list[str]) -> gpd.GeoDataFrame:
    """Some columns of a layer of a GPX file, through the library's reader; empty is 0 rows."""
    try:
        return read_layer(path, layer=layer, columns=columns)
    except EmptyInputError:
        empty = {c: pd.Series([], dtype=object) for c in columns}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def _check_times(times: pd.Series, path: Path) -> None:
    t = pd.to_datetime(times, utc=True, errors="coerce").to_numpy(dtype="datetime64[ns]")
    known = ~np.isnat(t)
    if known.sum() < 2:
        return
    tk = t[known]
    back = np.flatnonzero(tk[1:] < tk[:-1])
    if len(back):
        i = int(np.flatnonzero(known)[back[0] + 1])
        warnings.warn(
            f"{path}: timestamps go backwards at {len(back)} place(s) (first at track point "
            f"{i}: {pd.Timestamp(tk[back[0] + 1])} after {pd.Timestamp(tk[back[0]])}); the "
            "points are kept in file order. Check that the track was not merged out of order.",
            RouteWarning,
            stacklevel=3,
        )


def _gpx(path: Path) -> _Read:
    # The track points layer keeps the segment ids and timestamps that the tracks layer
    # drops; four of its 26 columns are read (2.5x faster on a 100,000-point ride).
    if "track_points" not in list_file_layers(path):
        msg = f"{path}: not a GPX file GDAL can read (no track_points layer)"
        raise DataFileError(msg)
    name = None
    kind, seg_cols = "tracks", ["track_fid", "track_seg_id", "track_seg_point_id"]
    pts = _gpx_layer(path, "track_points", [*seg_cols, "time"])
    if not len(pts):  # no track: the planned route (<rte>), if any
        kind, seg_cols = "routes", ["route_fid", "route_point_id"]
        pts = _gpx_layer(path, "route_points", [*seg_cols, "time"])
    if not len(pts):
        raise RouteError(
            f"{path}: the GPX holds no track points and no route points (only waypoints, or "
            "nothing); export the track itself from your device or planner"
        )
    # GDAL lists points in file order; the segment ids give the number of segments.
    xy = shapely.get_coordinates(pts.geometry.to_numpy())
    seg_key = pts[seg_cols[:-1]].to_numpy()
    starts = np.flatnonzero(np.any(seg_key[1:] != seg_key[:-1], axis=1)) + 1
    if len(xy) < 2:
        raise RouteError(f"{path}: the track has a single point; a route needs at least two")
    _check_times(pts["time"], path)
    names = _gpx_layer(path, kind, ["name"])
    if len(names) and isinstance(names["name"].iloc[0], str) and names["name"].iloc[0].strip():
        name = names["name"].iloc[0].strip()
    wpt = _gpx_layer(path, "waypoints", ["name", "desc"])
    waypoints = gpd.GeoDataFrame(
        {"name": wpt["name"].to_numpy(), "event": "waypoint"},
        geometry=wpt.geometry.to_numpy(),
        crs=WGS84,
    )
    _, _, gaps = geod_inv(xy[starts - 1, 0], xy[starts - 1, 1], xy[starts, 0], xy[starts, 1])
    props = {
        "method": f"read from {path.name} (GPX {kind}, {len(starts) + 1} segment(s) joined in "
        "file order)",
        "segments": len(starts) + 1,
        "gap_km": round(float(np.sum(gaps)) / 1000.0, 3),
    }
    return xy, name or path.stem, waypoints, props


def _lines_layer(path: Path, layer: str | None, crs: CRSLike | None) -> _Read:
    # Through the library's reader: CRS checks, metres labelled as degrees, repairs.
    names = list_file_layers(path)
    if layer is None and len(names) > 1:
        # Which layer is the route is the caller's to say: taking the first with lines gave
        # one 2,626 km "route" out of the embedded GeoPackage's railway sections.
        line_layers = [
            str(n) for n, kind in pyogrio.list_layers(path) if "LineString" in str(kind or "")
        ]
        hint = f" (line layers: {', '.join(line_layers)})" if line_layers else ""
        msg = f"{path} holds {len(names)} layers{hint}; say which one is the route with layer=..."
        raise InvalidInputError(msg)
    candidates = [layer] if layer is not None else names
    if layer is not None and layer not in names:
        raise DataFileError(f"{path}: no layer {layer!r}; the file has {', '.join(names)}")
    for lname in candidates:
        try:
            gdf = read_layer(path, layer=lname, crs=crs)
        except EmptyInputError:
            continue
        kinds = gdf.geom_type.fillna("")
        lines = gdf[kinds.str.contains("LineString")]
        if not len(lines):
            continue
        parts = shapely.get_parts(lines.geometry.to_numpy())
        xy = shapely.get_coordinates(parts)
        points = gdf[kinds == "Point"]
        label = next((c for c in ("name", "Name", "nom") if c in gdf.columns), None)
        waypoints = gpd.GeoDataFrame(
            {
                "name": points[label].to_numpy() if label else [None] * len(points),
                "event": points["event"].to_numpy() if "event" in points else "waypoint",
                "km": points["km"].to_numpy() if "km" in points else np.nan,
            },
            geometry=points.geometry.to_numpy(),
            crs=WGS84,
        )
        name = lines[label].iloc[0] if label and isinstance(lines[label].iloc[0], str) else None
        props = {
            "method": f"read from {path.name} (layer {lname!r}, {len(parts)} line part(s) "
            "joined in file order)",
            "segments": len(parts),
        }
        # A file written from Route.to_gdf() keeps saying that its line is approximate.
        if "approximate" in lines and lines["approximate"].fillna(False).astype(bool).any():
            props["approximate"] = True
            if "method" in lines:
                props["method"] = f"{lines['method'].iloc[0]} (read from {path.name})"
        return xy, name or path.stem, waypoints, props
    where = f"layer {layer!r}" if layer else "any layer"
    raise RouteError(f"{path}: no line geometry in {where}; a route needs a line")


@keyword_only(2, ("name", "crs"))
def read_route(
    path: PathLike,
    layer: str | None = None,
    *,
    name: str | None = None,
    crs: CRSLike | None = None,
) -> Route:
    """Read a route from a GPX, GeoJSON, KML, GeoPackage or any line layer GDAL reads.

    GPX: the track points of every track and segment, in file order (or the route points
    when the file has no track); waypoints are kept as named points. Other formats: the
    line features of ``layer`` (default: the first layer holding lines) joined in order,
    converted to WGS84; point features of that layer become waypoints.

    Parameters
    ----------
    path : str or Path
        The file.
    layer : str, optional
        Layer to read (not for GPX).
    name : str, optional
        Route name; default: the track name, else the file name. Keyword-only (by
        position it still works, with a FutureWarning, until 0.3), like ``crs``.
    crs : str or pyproj.CRS, optional
        CRS of a file that records none. Every layer is read by
        :func:`bassin_geo.read_layer`, which checks it and converts it to WGS84.

    Returns
    -------
    Route

    Raises
    ------
    DataFileError
        Missing, unreadable or truncated file, unknown layer, no CRS.
    CoordinateError
        Coordinates that cannot be degrees, or swapped latitude and longitude.
    RouteError
        No track points, a single point, no line.

    Warns
    -----
    RouteWarning
        Timestamps that go backwards (points kept in file order).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> gpx = pathlib.Path(tempfile.mkdtemp()) / "ride.gpx"
    >>> _ = gpx.write_text(
    ...     '<gpx version="1.1" creator="doc" xmlns="http://www.topografix.com/GPX/1/1">'
    ...     '<trk><name>Ride</name><trkseg><trkpt lat="50.4" lon="2.8"/>'
    ...     '<trkpt lat="50.4" lon="2.9"/></trkseg></trk></gpx>')
    >>> r = read_route(gpx)
    >>> r.name, round(r.length_km, 3)
    ('Ride', 7.11)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError(
            f"read_route reads a file: give the path of a GPX, GeoJSON or KML, not a "
            f"{type(path).__name__}. A LineString or a GeoDataFrame of lines goes straight "
            "to crossings(), communes_crossed() and sites_along()"
        )
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"{path}: no such file; give the path of a GPX, GeoJSON or KML")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path}: the file is empty")
    if path.suffix.lower() == ".gpx":
        if layer is not None:
            msg = "read_route: `layer` does not apply to GPX files"
            raise InvalidInputError(msg)
        xy, found, waypoints, props = _gpx(path)
    else:
        xy, found, waypoints, props = _lines_layer(path, layer, crs)
    props = {"approximate": False, "source_file": path.name} | props
    return Route.from_coords(
        xy, name=name or found, waypoints=waypoints, properties=props, where=str(path)
    )


def as_route(route: RouteLike) -> Route:
    """A :class:`Route` from a Route, a file path, a LineString in WGS84 or lines in any CRS.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
        A Route is returned as it is; a path is read with :func:`read_route`; the lines
        of a frame (through :func:`bassin_geo.as_places`) are joined in order.

    Returns
    -------
    Route

    Raises
    ------
    InvalidInputError
        Anything else, or a frame without lines.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> as_route(LineString([(2.8, 50.4), (2.9, 50.4)])).length_km > 7
    True
    """
    if isinstance(route, Route):
        return route
    if isinstance(route, (str, os.PathLike)):
        return read_route(route)
    if isinstance(route, BaseGeometry) and route.geom_type in ("LineString", "MultiLineString"):
        return Route.from_coords(shapely.get_coordinates(shapely.get_parts(route)))
    if isinstance(route, (gpd.GeoDataFrame, gpd.GeoSeries)):
        gdf = as_places(route, where="route")
        lines = gdf[gdf.geom_type.isin(["LineString", "MultiLineString"])]
        if len(lines):
            parts = shapely.get_parts(lines.geometry.to_numpy())
            return Route.from_coords(shapely.get_coordinates(parts))
    if isinstance(route, (gpd.GeoDataFrame, gpd.GeoSeries)):
        # Not the frame's repr: it spans several lines and says nothing about the problem.
        kinds = ", ".join(sorted(set(gdf.geom_type.dropna()))) or "no"
        what = f"a {type(route).__name__} of {kinds} geometries (no line)"
    else:
        what = f"{route!r:.60}"
    raise InvalidInputError(
        f"route: {what} is not a route; give a Route, a file path, a LineString in "
        "WGS84 or a GeoDataFrame of lines"
    )

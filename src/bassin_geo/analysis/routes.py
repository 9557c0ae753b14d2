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
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from bassin_geo.analysis.routegeom import RouteGeom
from bassin_geo.crs import GEOD, WGS84
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

__all__ = ["Route", "RouteWarning", "as_route", "read_route"]


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

    Attributes
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
    distance_m: np.ndarray
    waypoints: gpd.GeoDataFrame = field(default_factory=_empty_waypoints)
    properties: dict = field(default_factory=dict)

    @classmethod
    def from_coords(
        cls,
        coords: Any,
        name: str = "route",
        waypoints: gpd.GeoDataFrame | None = None,
        properties: dict | None = None,
        where: str = "route",
    ) -> Route:
        """Build a route from ``(lon, lat)`` coordinates in WGS84, in travel order.

        Raises
        ------
        RouteError
            Fewer than two distinct points.
        CoordinateError
            NaN, projected or swapped coordinates.
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
            km, _ = route._geometry.locate(route.waypoints.geometry.to_numpy())
            route.waypoints["km_on_route"] = km
        return route

    @functools.cached_property
    def _geometry(self) -> RouteGeom:
        # Distinct consecutive vertices: computed once per route, reused by every analysis.
        return RouteGeom.of(self.coords, self.distance_m)

    @property
    def coords(self) -> np.ndarray:
        """The (N, 2) longitude/latitude array of the vertices."""
        return shapely.get_coordinates(self.line)

    @property
    def km(self) -> np.ndarray:
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
        that a stage line is an approximation.

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


def _read(path: Path, layer: str, **kwargs) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio", **kwargs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise DataFileError(f"{path}: layer {layer!r} could not be read ({exc})") from exc


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


def _gpx(path: Path) -> tuple[np.ndarray, str, gpd.GeoDataFrame, dict]:
    # The track points layer keeps the segment ids and timestamps that the tracks layer
    # drops; reading four of its 26 columns is 2.5x faster than the whole layer on a
    # 100,000-point ride, so it is read here rather than through io.read_layer.
    if "track_points" not in list_file_layers(path):
        raise DataFileError(f"{path}: not a GPX file GDAL can read (no track_points layer)")
    name = None
    kind, seg_cols = "tracks", ["track_fid", "track_seg_id", "track_seg_point_id"]
    pts = _read(path, "track_points", columns=[*seg_cols, "time"])
    if not len(pts):  # no track: the planned route (<rte>), if any
        kind, seg_cols = "routes", ["route_fid", "route_point_id"]
        pts = _read(path, "route_points", columns=[*seg_cols, "time"])
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
    names = _read(path, kind, columns=["name"], read_geometry=False)
    if len(names) and isinstance(names["name"].iloc[0], str) and names["name"].iloc[0].strip():
        name = names["name"].iloc[0].strip()
    wpt = _read(path, "waypoints", columns=["name", "desc"])
    waypoints = gpd.GeoDataFrame(
        {"name": wpt["name"].to_numpy(), "event": "waypoint"},
        geometry=wpt.geometry.to_numpy(),
        crs=WGS84,
    )
    _, _, gaps = GEOD.inv(xy[starts - 1, 0], xy[starts - 1, 1], xy[starts, 0], xy[starts, 1])
    props = {
        "method": f"read from {path.name} (GPX {kind}, {len(starts) + 1} segment(s) joined in "
        "file order)",
        "segments": len(starts) + 1,
        "gap_km": round(float(np.sum(gaps)) / 1000.0, 3),
    }
    return xy, name or path.stem, waypoints, props


def _lines_layer(
    path: Path, layer: str | None, crs: Any
) -> tuple[np.ndarray, str, gpd.GeoDataFrame, dict]:
    # Through the library's reader: CRS checks, metres labelled as degrees, repairs.
    names = list_file_layers(path)
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


def read_route(
    path: str | Path, layer: str | None = None, name: str | None = None, crs: Any = None
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
        Route name; default: the track name, else the file name.
    crs : optional
        CRS of a file that records none (other formats are read by
        :func:`bassin_geo.places.files.read_layer`, which checks and converts to WGS84).

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
    try:
        if path.suffix.lower() == ".gpx":
            if layer is not None:
                raise InvalidInputError("read_route: `layer` does not apply to GPX files")
            xy, found, waypoints, props = _gpx(path)
        else:
            xy, found, waypoints, props = _lines_layer(path, layer, crs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataFileError(f"{path}: could not be read ({exc})") from exc
    props = {"approximate": False, "source_file": path.name} | props
    return Route.from_coords(
        xy, name=name or found, waypoints=waypoints, properties=props, where=str(path)
    )


def as_route(route: Any) -> Route:
    """A :class:`Route` from a Route, a file path, a LineString in WGS84 or lines in any CRS.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> as_route(LineString([(2.8, 50.4), (2.9, 50.4)])).length_km > 7
    True
    """
    if isinstance(route, Route):
        return route
    if isinstance(route, (str, Path)):
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

"""Routes through the basin: where a stage enters, crosses and leaves an area, and what it passes.

A :class:`Route` is a line in WGS84 with the cumulative geodesic distance of each vertex
(WGS84 ellipsoid) and named waypoints. Read one from a GPX, GeoJSON, KML or any line layer
with :func:`read_route`, or load an approximation of a 2025 Tour de France stage with
:func:`load_stage`. Then:

- :func:`crossings`: every entry into and exit from an area, km inside, passages;
- :func:`communes_crossed`: the communes in route order with km in and km out;
- :func:`sites_along`: the sites within a distance of the route, with the km where the
  route passes closest.

How the geometry is cut: every route segment is intersected with the area boundaries
(an STRtree over the segments finds the few that touch one), which splits the route into
pieces that are wholly inside one area, outside, or running along a boundary. One sample
point per piece says which. So a long straight segment that clips a corner of a polygon
is seen even when both its ends are outside, and the cost does not grow with the number
of vertices far from any boundary. Kilometres are geodesic; positions along a segment are
taken on the straight segment between its two vertices, as the file draws it.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from bassin_geo._routegeom import AreaIndex, RouteGeom
from bassin_geo._text import fold
from bassin_geo.crs import GEOD, WGS84, metric_crs_for
from bassin_geo.errors import (
    DataFileError,
    EmptyInputError,
    InvalidInputError,
    RouteError,
)
from bassin_geo.layers import data_dir, list_layers, load_layer
from bassin_geo.places import as_places, check_distance, check_lonlat

__all__ = [
    "Crossings",
    "Route",
    "RouteWarning",
    "communes_crossed",
    "crossings",
    "list_stages",
    "load_stage",
    "read_route",
    "sites_along",
]

#: File (in :func:`bassin_geo.layers.data_dir`) of the ordered communes of the 2025 stages.
STAGES_CSV = "tdf2025_stages.csv"

#: How :func:`load_stage` draws a stage; stored in the route's ``method`` property.
STAGE_METHOD = (
    "approximation: straight lines between one representative point per commune crossed "
    "(shapely point_on_surface of the commune polygon of the 'communes_nord_pas_de_calais' "
    "layer), in the order of the source table; shorter than the real stage. Climb and sprint "
    "km are the official ones from the source, not measured on this line."
)

# Source names that are not communes of their own in the commune layer, and the commune
# that holds them (tdf2025_stages.SOURCES.md: Lomme is a commune associée of Lille).
_COMMUNE_ALIASES = {"Lomme": "Lille"}


class RouteWarning(UserWarning):
    """A route is usable but suspicious (its timestamps go backwards)."""


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

    Build one with :func:`read_route`, :func:`load_stage` or :meth:`Route.from_coords`.

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
        if xy.ndim != 2 or xy.shape[1] < 2:
            raise RouteError(f"{where}: coordinates must be (lon, lat) pairs, got {xy.shape}")
        xy = xy[:, :2]
        if len(xy) == 0:
            raise RouteError(f"{where}: the route has no points; give a track of 2 points or more")
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
            waypoints=_empty_waypoints() if waypoints is None else waypoints,
            properties=props,
        )
        if len(route.waypoints) and "km_on_route" not in route.waypoints:
            geom = RouteGeom.of(xy, distance)
            km, _ = geom.locate(route.waypoints.geometry.to_numpy())
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
        return (
            f"Route({self.name!r}, {len(self.distance_m)} points, {self.length_km:.1f} km, "
            f"{len(self.waypoints)} waypoints{flag})"
        )

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The route line and its waypoints as one GeoDataFrame in WGS84.

        One row ``feature="route"`` (the line, ``length_km``) then one row per waypoint
        (``feature="waypoint"``). Every row carries ``approximate`` and ``method`` so that a
        map or an export shows that a stage line is an approximation.

        Examples
        --------
        >>> gdf = load_stage(2025, 2).to_gdf()
        >>> gdf["feature"].iloc[0], bool(gdf["approximate"].all())
        ('route', True)
        """
        props = self.properties
        head = {
            "feature": "route",
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
            wp.insert(0, "feature", "waypoint")
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
    layers = {str(n) for n, _ in pyogrio.list_layers(path)}
    if "track_points" not in layers:
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


def _lines_layer(path: Path, layer: str | None) -> tuple[np.ndarray, str, gpd.GeoDataFrame, dict]:
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise DataFileError(f"{path}: not a vector file GDAL can read ({exc})") from exc
    candidates = [layer] if layer is not None else names
    if layer is not None and layer not in names:
        raise DataFileError(f"{path}: no layer {layer!r}; layers: {', '.join(names)}")
    for lname in candidates:
        gdf = _read(path, lname)
        if not len(gdf):
            continue
        if gdf.crs is None:
            b = gdf.geometry.bounds
            check_lonlat(b[["minx", "maxx"]].to_numpy(), b[["miny", "maxy"]].to_numpy(), str(path))
            gdf = gdf.set_crs(WGS84)
        elif not CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(WGS84)):
            gdf = gdf.to_crs(WGS84)
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


def read_route(path: str | Path, layer: str | None = None, name: str | None = None) -> Route:
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

    Returns
    -------
    Route

    Raises
    ------
    DataFileError
        Missing, unreadable or truncated file, unknown layer.
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
            xy, found, waypoints, props = _lines_layer(path, layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataFileError(f"{path}: could not be read ({exc})") from exc
    props = {"approximate": False, "source_file": path.name} | props
    return Route.from_coords(
        xy, name=name or found, waypoints=waypoints, properties=props, where=str(path)
    )


def _as_route(route: Any) -> Route:
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
    raise InvalidInputError(
        f"route: {route!r:.60} is not a route; give a Route, a file path, a LineString in "
        "WGS84 or a GeoDataFrame of lines"
    )


# --------------------------------------------------------------------------------------
# The 2025 stages
# --------------------------------------------------------------------------------------


def _stage_table() -> pd.DataFrame:
    path = data_dir() / STAGES_CSV
    if not path.is_file():
        raise DataFileError(f"{path}: the stage table is missing; reinstall bassin-geo")
    table = pd.read_csv(path, dtype={"commune": str, "department": "Int64", "event": str})
    return table.sort_values(["stage", "seq"], kind="stable").reset_index(drop=True)


def list_stages() -> pd.DataFrame:
    """The shipped Tour de France stages: year, stage, start, finish, official length.

    Examples
    --------
    >>> list_stages()[["stage", "start", "finish", "official_length_km"]].values.tolist()[0]
    [1, 'Lille', 'Lille', 184.9]
    """
    table = _stage_table()
    rows = []
    for stage, rows_ in table.groupby("stage", sort=True):
        start = rows_.loc[rows_["event"] == "start", "commune"]
        finish = rows_[rows_["event"] == "finish"]
        rows.append(
            {
                "year": 2025,
                "stage": int(stage),
                "start": start.iloc[0] if len(start) else None,
                "finish": finish["commune"].iloc[0] if len(finish) else None,
                "official_length_km": float(finish["km"].iloc[0]) if len(finish) else np.nan,
                "communes": int(rows_["commune"].notna().sum()),
            }
        )
    return pd.DataFrame(rows)


def _event(raw: Any) -> tuple[str, str | None]:
    if not isinstance(raw, str) or not raw.strip():
        return "passage", None
    raw = raw.strip()
    if raw.startswith("climb:"):
        return "climb", raw.split(":", 1)[1].strip()
    return raw, None


def load_stage(year: int, number: int) -> Route:
    """An approximation of a Tour de France stage that touches the basin (2025: stages 1-3).

    The line joins one representative point per commune crossed (``point_on_surface`` of
    the commune polygon), in the order of the shipped source table
    (``data/boundaries/tdf2025_stages.csv``). It is shorter than the real stage: the
    route's ``properties`` hold ``approximate=True``, the ``method``, the
    ``official_length_km`` and the ``sources``. Waypoints are the start, the finish,
    the climbs and sprints (and any row with a km): ``km`` is the official km from the
    source, never recomputed; ``km_on_polyline`` is where the same point lies on the
    approximate line, for comparison. Climbs the source places in no commune keep their
    km and have no geometry. With the official GPX, use :func:`read_route` instead.

    Parameters
    ----------
    year, number : int
        2025 and 1, 2 or 3 (see :func:`list_stages`).

    Raises
    ------
    InvalidInputError
        A stage that is not shipped.

    Examples
    --------
    >>> stage = load_stage(2025, 1)
    >>> stage.approximate, stage.properties["official_length_km"]
    (True, 184.9)
    >>> stage.length_km < 184.9
    True
    """
    table = _stage_table()
    shipped = sorted(int(s) for s in table["stage"].unique())
    if int(year) != 2025 or int(number) not in shipped:
        raise InvalidInputError(
            f"no shipped stage {number} of {year}: the package ships the 2025 stages "
            f"{', '.join(map(str, shipped))} (those that touch the basin). For another stage, "
            "read its GPX with read_route()"
        )
    rows = table[table["stage"] == int(number)].reset_index(drop=True)
    communes = load_layer("communes_nord_pas_de_calais")
    key = communes["commune"].map(fold) + "|" + communes["insee"].str[:2]
    points = shapely.point_on_surface(communes.geometry.to_numpy())
    by_key = dict(zip(key, range(len(communes)), strict=True))

    position, commune_of = [], []
    for _, row in rows.iterrows():
        name = row["commune"]
        if not isinstance(name, str) or not name.strip():
            position.append(-1)
            commune_of.append(None)
            continue
        real = _COMMUNE_ALIASES.get(name, name)
        dept = row["department"]
        depts = [int(dept)] if pd.notna(dept) else [59, 62]  # Lomme has no department
        cands = [f"{fold(real)}|{d}" for d in depts]
        hit = next((by_key[c] for c in cands if c in by_key), None)
        if hit is None:
            raise DataFileError(
                f"{STAGES_CSV}: stage {number} row {row['seq']}: commune {name!r} is not in the "
                "communes_nord_pas_de_calais layer"
            )
        position.append(hit)
        commune_of.append(communes["commune"].iloc[hit])

    # One vertex per commune; a commune listed twice in a row (Lomme then Lille) is one.
    vertex_of, order = [], []
    for pos in position:
        if pos < 0:
            vertex_of.append(-1)
            continue
        if not order or order[-1] != pos:
            order.append(pos)
        vertex_of.append(len(order) - 1)
    xy = shapely.get_coordinates(points[order])

    events = [_event(e) for e in rows["event"]]
    keep = [ev != "passage" or pd.notna(km) for (ev, _), km in zip(events, rows["km"], strict=True)]
    wp_rows = []
    for i in np.flatnonzero(keep):
        ev, climb = events[i]
        commune = commune_of[i]
        label = {
            "start": f"Start: {commune}",
            "finish": f"Finish: {commune}",
            "sprint": f"Intermediate sprint: {commune}",
        }.get(ev, climb or commune)
        wp_rows.append(
            {
                "name": label,
                "event": ev,
                "km": float(rows["km"].iloc[i]) if pd.notna(rows["km"].iloc[i]) else np.nan,
                "commune": commune,
                "seq": int(rows["seq"].iloc[i]),
                "source_url": rows["source_url"].iloc[i],
                "vertex": vertex_of[i],
            }
        )
    wp = pd.DataFrame(wp_rows)
    placed = wp["vertex"].to_numpy() >= 0
    geoms = np.full(len(wp), None, dtype=object)
    geoms[placed] = shapely.points(xy[wp["vertex"].to_numpy()[placed]])
    step = GEOD.line_lengths(xy[:, 0], xy[:, 1])
    cum_km = np.concatenate([[0.0], np.cumsum(step)]) / 1000.0
    wp["km_on_polyline"] = np.where(placed, cum_km[np.maximum(wp["vertex"], 0)], np.nan)
    waypoints = gpd.GeoDataFrame(wp.drop(columns="vertex"), geometry=geoms, crs=WGS84)
    waypoints["km_on_route"] = waypoints["km_on_polyline"]

    finish = rows[rows["event"] == "finish"]
    start = rows[rows["event"] == "start"]
    start_name = commune_of[int(start.index[0])] if len(start) else commune_of[0]
    finish_name = commune_of[int(finish.index[0])] if len(finish) else commune_of[-1]
    official = finish["km"].dropna()
    official = float(official.iloc[0]) if len(official) else None
    props = {
        "approximate": True,
        "method": STAGE_METHOD,
        "year": 2025,
        "stage": int(number),
        "official_length_km": official,
        "sources": list(dict.fromkeys(rows["source_url"].dropna())),
        "source_file": STAGES_CSV,
    }
    return Route.from_coords(
        xy,
        name=f"Tour de France 2025, stage {number}: {start_name} > {finish_name}",
        waypoints=waypoints,
        properties=props,
        where=f"{STAGES_CSV} stage {number}",
    )


# --------------------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------------------


@functools.cache
def _layer_area(name: str, merged: bool) -> AreaIndex:
    # Layers do not change during a session: index them once (osmnx users lost hours
    # rebuilding indexes on every call).
    polygons = load_layer(name).geometry.to_numpy()
    if merged:
        polygons = np.array([shapely.union_all(polygons)], dtype=object)
    return AreaIndex.build(polygons)


def _polygon_layer(area: Any) -> tuple[gpd.GeoDataFrame, str]:
    """The area as polygons in WGS84 with ``site_id`` and ``name``, and its label."""
    if isinstance(area, str):
        return _named_layer(area), area
    if isinstance(area, BaseGeometry):
        area = gpd.GeoDataFrame(geometry=[area], crs=WGS84)
    return _polygons(area, "area"), "area"


@functools.cache
def _named_layer(name: str) -> gpd.GeoDataFrame:
    if name not in set(list_layers()["name"]):
        raise InvalidInputError(
            f"area {name!r} is not a layer name; give a polygon layer ('perimeter', "
            "'property', 'buffer_zone', 'communes', ...), a polygon in WGS84 or a "
            "GeoDataFrame of polygons (e.g. one commune of load_communes())"
        )
    return _polygons(load_layer(name), name)


def _polygons(gdf: Any, label: str) -> gpd.GeoDataFrame:
    places = as_places(gdf, where=f"area {label}")
    if isinstance(gdf, gpd.GeoDataFrame):
        for col in ("nom", "commune", "name"):
            if col in gdf.columns:
                places["name"] = gdf[col].to_numpy()
                break
    odd = set(places.geom_type) - {"Polygon", "MultiPolygon"}
    if odd:
        raise InvalidInputError(
            f"area {label}: holds {', '.join(sorted(odd))} geometries; crossings need polygons"
        )
    return places


@functools.cache
def _communes_npdc() -> tuple[gpd.GeoDataFrame, shapely.STRtree]:
    communes = load_layer("communes_nord_pas_de_calais")
    return communes, shapely.STRtree(communes.geometry.to_numpy())


def _commune_at(points: np.ndarray) -> pd.DataFrame:
    """INSEE code and name of the commune of Nord / Pas-de-Calais holding each point."""
    communes, tree = _communes_npdc()
    out = pd.DataFrame({"insee": [None] * len(points), "commune": [None] * len(points)})
    if len(points):
        p, c = tree.query(points, predicate="intersects")
        first = np.unique(p, return_index=True)[1]
        out.loc[p[first], "insee"] = communes["insee"].to_numpy()[c[first]]
        out.loc[p[first], "commune"] = communes["commune"].to_numpy()[c[first]]
    return out


def _route_geom(route: Route) -> RouteGeom:
    return route._geometry


# --------------------------------------------------------------------------------------
# Crossings
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Crossings:
    """Entries into and exits from an area along a route, and the passages inside it.

    Attributes
    ----------
    events : GeoDataFrame
        In route order: ``kind`` ("enter" or "exit"), ``km``, ``insee`` and ``commune`` on
        the inside of the boundary there, ``area_id`` (``site_id`` of the feature entered or
        left), and the point.
    passages : GeoDataFrame
        One row per stretch inside: ``passage``, ``km_in``, ``km_out``, ``length_km`` and
        the part of the route.
    route_km : float
        Route length.
    km_on_border : float
        km run exactly along the boundary (counted outside).
    starts_inside, ends_inside : bool
        Whether the route starts / ends in the interior of the area.
    area : str
        The layer name, or "area".
    """

    events: gpd.GeoDataFrame
    passages: gpd.GeoDataFrame
    route_km: float
    km_on_border: float
    starts_inside: bool
    ends_inside: bool
    area: str

    @property
    def km_inside(self) -> float:
        """Kilometres run inside the area."""
        return float(self.passages["length_km"].sum())

    @property
    def share(self) -> float:
        """Share of the route run inside the area (0 to 1)."""
        return self.km_inside / self.route_km if self.route_km else 0.0

    @property
    def n_passages(self) -> int:
        """Number of separate stretches inside the area."""
        return len(self.passages)

    def summary(self) -> dict:
        """The figures in one dict: km inside, share, passages, entries, exits."""
        kinds = self.events["kind"].value_counts()
        return {
            "area": self.area,
            "route_km": round(self.route_km, 3),
            "km_inside": round(self.km_inside, 3),
            "share": round(self.share, 4),
            "passages": self.n_passages,
            "entries": int(kinds.get("enter", 0)),
            "exits": int(kinds.get("exit", 0)),
            "starts_inside": self.starts_inside,
            "ends_inside": self.ends_inside,
            "km_on_border": round(self.km_on_border, 3),
        }

    def to_gdf(self) -> gpd.GeoDataFrame:
        """Events (points) and passages (lines) in one GeoDataFrame, WGS84."""
        ev = self.events.assign(feature="crossing")
        pa = self.passages.assign(feature="passage", kind="inside")
        return gpd.GeoDataFrame(pd.concat([ev, pa], ignore_index=True), crs=WGS84)


def crossings(route: Any, area: Any = "perimeter") -> Crossings:
    """Where a route enters and leaves an area, in route order, and the km it runs inside.

    Inside means in the interior of the area; the features of a layer are merged first, so
    going from one listed component into an adjacent one is no crossing. An entry is where
    the route goes from outside (or from running along the boundary) into the interior; an
    exit the reverse. Touching the boundary (grazing a corner, a vertex on the boundary) is
    no crossing; running along it counts as outside and its km are ``km_on_border``. A
    route that starts inside has no entry at km 0 (``starts_inside``); one that starts on
    the boundary and goes in enters at km 0. Loops, duplicate points and segments that clip
    a corner between two vertices are handled.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
        See :func:`read_route`.
    area : str, polygon or GeoDataFrame
        A polygon layer name ("perimeter", "property", "buffer_zone", "communes", ...), a
        (Multi)Polygon in WGS84, or polygons in any CRS (e.g. one row of
        :func:`bassin_geo.load_communes`).

    Returns
    -------
    Crossings
        ``events``, ``passages`` and the summary figures (``summary()``).

    Examples
    --------
    >>> c = crossings(load_stage(2025, 2), "perimeter")
    >>> c.starts_inside, c.events["kind"].tolist()
    (True, ['exit'])
    >>> c.summary()["passages"]
    1
    """
    route = _as_route(route)
    geom = _route_geom(route)
    features, label = _polygon_layer(area)
    if isinstance(area, str):
        index = _layer_area(area, merged=True)
    else:
        index = AreaIndex.build(
            np.array([shapely.union_all(features.geometry.to_numpy())], dtype=object)
        )
    runs, border_m = geom.cut(index)
    merged = index.polygons[0]
    starts_inside = bool(shapely.contains_xy(merged, *geom.xy[0]))
    ends_inside = bool(shapely.contains_xy(merged, *geom.xy[-1]))

    enter = runs[~((runs["g_in"] <= 0) & starts_inside)]
    leave = runs[~((runs["g_out"] >= geom.last) & ends_inside)]
    kinds = np.array(["enter"] * len(enter) + ["exit"] * len(leave), dtype=object)
    g = np.r_[enter["g_in"].to_numpy(float), leave["g_out"].to_numpy(float)]
    m = np.r_[enter["m_in"].to_numpy(float), leave["m_out"].to_numpy(float)]
    inner = np.r_[enter["first"].to_numpy(object), leave["last"].to_numpy(object)]
    order = np.lexsort((kinds == "enter", g))  # at one point, an exit comes before an entry
    kinds, g, m, inner = kinds[order], g[order], m[order], inner[order]

    where = _commune_at(inner)
    f_tree = shapely.STRtree(features.geometry.to_numpy())
    p, f = f_tree.query(inner, predicate="intersects")
    ids = pd.Series(features["site_id"].to_numpy()[f]).groupby(p).agg("; ".join)
    events = gpd.GeoDataFrame(
        {
            "kind": kinds,
            "km": m / 1000.0,
            "insee": where["insee"].to_numpy(),
            "commune": where["commune"].to_numpy(),
            "area_id": ids.reindex(range(len(inner))).to_numpy(),
        },
        geometry=shapely.points(geom.point(g)) if len(g) else np.array([], dtype=object),
        crs=WGS84,
    )
    g_in, g_out = runs["g_in"].to_numpy(float), runs["g_out"].to_numpy(float)
    m_in, m_out = runs["m_in"].to_numpy(float), runs["m_out"].to_numpy(float)
    passages = gpd.GeoDataFrame(
        {
            "passage": np.arange(1, len(runs) + 1),
            "km_in": m_in / 1000.0,
            "km_out": m_out / 1000.0,
            "length_km": (m_out - m_in) / 1000.0,
        },
        geometry=geom.sub_lines(g_in, g_out),
        crs=WGS84,
    )
    return Crossings(
        events=events,
        passages=passages,
        route_km=route.length_km,
        km_on_border=border_m / 1000.0,
        starts_inside=starts_inside,
        ends_inside=ends_inside,
        area=label,
    )


def communes_crossed(route: Any, all_nord_pas_de_calais: bool = True) -> gpd.GeoDataFrame:
    """The communes a route crosses, in route order, with the km where it enters and leaves.

    A commune entered twice (a loop, a road that zigzags across a border) has one row per
    passage. Stretches that run exactly along a commune boundary belong to no commune.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
    all_nord_pas_de_calais : bool
        Use the 1,534 communes of Nord and Pas-de-Calais (default), or only the 330 of the
        basin territory.

    Returns
    -------
    GeoDataFrame
        ``order``, ``insee``, ``commune``, ``km_in``, ``km_out``, ``length_km``, ``in_basin``
        (one of the 330 communes of the basin territory) and the part of the route (WGS84).

    Examples
    --------
    >>> cc = communes_crossed(load_stage(2025, 1))
    >>> cc["commune"].iloc[0], cc["commune"].iloc[-1]
    ('Lille', 'Lille')
    """
    route = _as_route(route)
    geom = _route_geom(route)
    name = "communes_nord_pas_de_calais" if all_nord_pas_de_calais else "communes"
    communes = load_layer(name)
    label = "commune" if "commune" in communes.columns else "nom"
    runs, _ = geom.cut(_layer_area(name, merged=False))
    k = runs["poly"].to_numpy(dtype=np.int64)
    insee = communes["insee"].to_numpy()[k]
    m_in, m_out = runs["m_in"].to_numpy(float), runs["m_out"].to_numpy(float)
    return gpd.GeoDataFrame(
        {
            "order": np.arange(1, len(runs) + 1),
            "insee": insee,
            "commune": communes[label].to_numpy()[k],
            "km_in": m_in / 1000.0,
            "km_out": m_out / 1000.0,
            "length_km": (m_out - m_in) / 1000.0,
            "in_basin": np.isin(insee, load_layer("communes")["insee"].to_numpy()),
        },
        geometry=geom.sub_lines(runs["g_in"].to_numpy(float), runs["g_out"].to_numpy(float)),
        crs=WGS84,
    )


# --------------------------------------------------------------------------------------
# Sites along a route
# --------------------------------------------------------------------------------------


def sites_along(route: Any, distance_m: float = 1000, layer: Any = "sites") -> gpd.GeoDataFrame:
    """Sites within ``distance_m`` of a route, with the km where the route passes closest.

    Candidates come from an STRtree ``dwithin`` query in a metric CRS (Lambert-93 in the
    basin); each is then measured on the WGS84 ellipsoid from the closest route point and
    kept when that geodesic distance is at most ``distance_m``. Polygons (slag heaps,
    estates) are measured from their nearest edge, 0 when the route crosses them. A route
    that passes a site twice reports its closest passage.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
    distance_m : float
        Search distance in metres.
    layer : str or GeoDataFrame
        A layer name ("sites", "pitheads", "slag_heaps", "shafts"...) or features in any CRS.

    Returns
    -------
    GeoDataFrame
        The layer's rows (WGS84) plus ``km`` and ``distance_m``, sorted by km.

    Examples
    --------
    >>> near = sites_along(load_stage(2025, 1), 1000, layer="pitheads")
    >>> bool(near["km"].is_monotonic_increasing), bool((near["distance_m"] <= 1000).all())
    (True, True)
    """
    route = _as_route(route)
    d = check_distance(distance_m)
    if isinstance(layer, str):
        gdf = load_layer(layer)
    elif isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        gdf = layer.to_frame("geometry") if isinstance(layer, gpd.GeoSeries) else layer
        if len(gdf) == 0:
            raise EmptyInputError("sites_along: the layer is empty; give at least one feature")
        gdf = gdf.set_crs(WGS84) if gdf.crs is None else gdf.to_crs(WGS84)
    else:
        raise InvalidInputError(
            f"sites_along: layer must be a layer name or a GeoDataFrame, got {type(layer).__name__}"
        )
    geom = _route_geom(route)
    crs = metric_crs_for(geom.xy[:, 0], geom.xy[:, 1])
    line_m = shapely.linestrings(geom.metric(crs))
    sites_m = gdf.geometry.to_crs(crs).to_numpy()
    # Planar and geodesic distances differ by the projection's scale (< 0.1 % in the
    # basin): query a little wider, then keep what the geodesic distance allows.
    hits = np.sort(
        shapely.STRtree(sites_m).query(line_m, predicate="dwithin", distance=d * 1.005 + 1.0)
    )
    out = gdf.iloc[hits].copy()
    km, dist = geom.locate(out.geometry.to_numpy(), crs)
    out["km"] = km
    out["distance_m"] = dist
    out = out[out["distance_m"] <= d]
    return out.sort_values(["km", "distance_m"], kind="stable").reset_index(drop=True)

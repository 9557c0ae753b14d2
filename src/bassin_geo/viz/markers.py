"""Marks along routes: kilometre markers, measured on the WGS84 ellipsoid, and start/finish.

Examples
--------
>>> import geopandas as gpd, shapely
>>> line = gpd.GeoDataFrame({"kind": ["route"]},
...                         geometry=[shapely.LineString([(3.0, 50.4), (3.0, 50.5)])], crs=4326)
>>> with_route_marks(line, step_km=5)["kind"].tolist()
['route', 'start', 'finish', 'km', 'km']
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo.crs import GEOD, geod_fwd, geod_inv
from bassin_geo.errors import InvalidInputError
from bassin_geo.io import FrameLike, as_frame
from bassin_geo.viz.labels import Lang, label

__all__ = ["ROUTE_LINES", "auto_step_km", "itinerary_stops", "km_markers", "with_route_marks"]

#: The ``kind`` values of the lines that routes are measured along.
ROUTE_LINES: frozenset[str] = frozenset({"route", "leg"})


def km_markers(lines: FrameLike, step_km: float) -> gpd.GeoDataFrame:
    """Points every ``step_km`` kilometres along lines taken end to end, geodesically.

    Distances are measured on the WGS84 ellipsoid: each marker lies on the segment
    that holds it, at the geodesic distance left from the segment's start.

    Parameters
    ----------
    lines : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        LineString / MultiLineString features, in travel order.
    step_km : float
        Spacing of the markers, > 0.

    Returns
    -------
    GeoDataFrame
        ``km`` (float) and point ``geometry`` in WGS84; the start (km 0) is not included.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> line = gpd.GeoDataFrame(geometry=[shapely.LineString([(3.0, 50.4), (3.0, 50.5)])],
    ...                         crs=4326)
    >>> km_markers(line, 5)["km"].tolist()
    [5.0, 10.0]
    """
    if (
        isinstance(step_km, (bool, np.bool_))
        or not isinstance(step_km, (int, float, np.integer, np.floating))
        or not np.isfinite(step_km)
        or step_km <= 0
    ):
        msg = f"step_km must be a number of kilometres > 0, got {step_km!r}"
        raise InvalidInputError(msg)
    gdf = as_frame(lines, where="lines")
    parts = shapely.get_parts(gdf.geometry.dropna().to_numpy())
    parts = parts[np.isin(shapely.get_type_id(parts), [1])]
    if len(parts) == 0:
        return gpd.GeoDataFrame({"km": []}, geometry=[], crs="EPSG:4326")
    coords, index = shapely.get_coordinates(parts, return_index=True)
    same = index[1:] == index[:-1]  # segments inside one part only
    x0, y0 = coords[:-1][same, 0], coords[:-1][same, 1]
    x1, y1 = coords[1:][same, 0], coords[1:][same, 1]
    az, _, seg = geod_inv(x0, y0, x1, y1)
    ends = np.cumsum(seg)
    starts = ends - seg
    targets = np.arange(1, int(ends[-1] // (step_km * 1000)) + 1) * step_km * 1000.0
    if len(targets) == 0:
        return gpd.GeoDataFrame({"km": []}, geometry=[], crs="EPSG:4326")
    k = np.minimum(np.searchsorted(ends, targets, side="left"), len(seg) - 1)
    lon, lat, _ = geod_fwd(x0[k], y0[k], az[k], targets - starts[k])
    return gpd.GeoDataFrame(
        {"km": targets / 1000.0}, geometry=shapely.points(lon, lat), crs="EPSG:4326"
    )


def auto_step_km(total_km: float) -> float:
    """Return the marker spacing for a route of ``total_km``: 1 to 50 km.

    Parameters
    ----------
    total_km : float
        The route's length in kilometres.

    Returns
    -------
    float
        1 km up to 12 km, then 5, 10, 25, and 50 km beyond 600 km.

    Examples
    --------
    >>> auto_step_km(180.0)
    10
    """
    for limit, step in ((12, 1), (40, 5), (250, 10), (600, 25)):
        if total_km <= limit:
            return step
    return 50


def itinerary_stops(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return an itinerary's legs as a route, with its stops numbered in order.

    A frame of legs (lines with ``from_name`` and ``to_name`` and no ``kind`` column, as
    :meth:`Itinerary.to_gdf` gives) becomes ``kind="leg"`` lines, a "start" at the first
    stop, numbered "stop" points (``stop_number`` 2, 3...) and a "finish" at the last;
    any other frame is returned as it is.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in WGS84.

    Returns
    -------
    GeoDataFrame
        The legs and their stops, or ``gdf`` itself.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> legs = gpd.GeoDataFrame(
    ...     {"from_name": ["A", "B"], "to_name": ["B", "C"]},
    ...     geometry=[shapely.LineString([(3, 50), (3.1, 50)]),
    ...               shapely.LineString([(3.1, 50), (3.2, 50)])], crs=4326)
    >>> marks = itinerary_stops(legs)
    >>> marks["kind"].tolist(), marks["name"].tolist()[2:], marks["stop_number"].tolist()[2:]
    (['leg', 'leg', 'start', 'stop', 'finish'], ['A', 'B', 'C'], [1, 2, 3])
    """
    if "kind" in gdf or not {"from_name", "to_name"} <= set(gdf.columns) or len(gdf) == 0:
        return gdf
    types = shapely.get_type_id(gdf.geometry.to_numpy())
    if not np.isin(types, [1, 5]).all():
        return gdf
    coords = [shapely.get_coordinates(g) for g in gdf.geometry]
    names = [*gdf["from_name"].tolist(), gdf["to_name"].iloc[-1]]
    points = [shapely.Point(c[0]) for c in coords] + [shapely.Point(coords[-1][-1])]
    kinds = ["start"] + ["stop"] * (len(points) - 2) + ["finish"]
    stops = gpd.GeoDataFrame(
        {
            "kind": kinds,
            "name": [None if pd.isna(n) else str(n) for n in names],
            "stop_number": pd.array(range(1, len(points) + 1), dtype=object),
        },
        geometry=points,
        crs=gdf.crs,
    )
    legs = gdf.assign(kind="leg")
    if "name" not in legs:
        legs["name"] = None
    joined = pd.concat([legs, stops], ignore_index=True)
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=gdf.crs)


def with_route_marks(
    gdf: gpd.GeoDataFrame, *, step_km: float | bool | None, lang: Lang = "fr"
) -> gpd.GeoDataFrame:
    """Return a route-like frame with start/finish points (when missing) and km markers.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features with a ``kind`` column; its "route" and "leg" lines are measured.
    step_km : float, False or None
        Spacing of the km markers; ``None`` picks it from the length
        (:func:`auto_step_km`), ``False`` draws none.
    lang : {"fr", "en"}, default "fr"
        The language of the names given to the added points ("Départ", "Arrivée").

    Returns
    -------
    GeoDataFrame
        ``gdf``'s rows, then "start" / "finish" points and "km" points (``km``, ``name``).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> line = gpd.GeoDataFrame({"kind": ["route"]},
    ...                         geometry=[shapely.LineString([(3.0, 50.4), (3.0, 50.5)])], crs=4326)
    >>> with_route_marks(line, step_km=False)["kind"].tolist()
    ['route', 'start', 'finish']
    """
    kind = gdf["kind"].astype(str)
    lines = gdf[kind.isin(list(ROUTE_LINES)).to_numpy()]
    lines = lines[lines.geometry.notna() & ~lines.geometry.is_empty]
    if len(lines) == 0:
        return gdf
    extra = []
    coords = shapely.get_coordinates(lines.geometry.to_numpy())
    if not kind.eq("start").any():
        extra.append(
            {"kind": "start", "name": label("Start", lang), "geometry": shapely.Point(coords[0])}
        )
    if not kind.eq("finish").any():
        extra.append(
            {"kind": "finish", "name": label("Finish", lang), "geometry": shapely.Point(coords[-1])}
        )
    frames = [gdf]
    if extra:
        frames.append(gpd.GeoDataFrame(extra, geometry="geometry", crs=gdf.crs))
    if step_km is not False:
        total = GEOD.geometry_length(shapely.line_merge(shapely.union_all(lines.geometry))) / 1000
        step = step_km or auto_step_km(total)
        marks = km_markers(lines, step)
        if len(marks):
            marks["kind"] = "km"
            marks["name"] = [f"km {v:g}" for v in marks["km"]]
            frames.append(marks)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=gdf.crs)

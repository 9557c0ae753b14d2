"""Turn what users call a place into WGS84 geometries, and check coordinates on the way.

A place is a site id or name (as :func:`bassin_geo.get_site` accepts), a shapely geometry
in WGS84, a ``(lon, lat)`` pair, or the rows of a GeoDataFrame / GeoSeries in any CRS.
Every public function that takes places goes through :func:`as_places`, so they all
accept the same things and reject bad input with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from bassin_geo.crs import WGS84
from bassin_geo.errors import (
    CoordinateError,
    CRSMismatchError,
    EmptyInputError,
    InvalidInputError,
)

__all__ = [
    "as_places",
    "check_distance",
    "check_lonlat",
    "looks_like_degrees",
    "mislabelled_degrees",
    "site_geometry",
]

# Bounding box of the basin (lon, lat) with a margin: used to recognise swapped inputs.
BASIN_BOUNDS = (1.9, 50.0, 3.9, 50.9)


def check_lonlat(x: Any, y: Any, where: str = "input") -> None:
    """Raise :class:`CoordinateError` unless ``x``/``y`` are finite longitudes/latitudes.

    Also catches the two usual mistakes: projected coordinates (metres) passed as degrees,
    and latitude given before longitude for points in the basin.

    Parameters
    ----------
    x, y : array-like
        Longitudes and latitudes.
    where : str
        Names the input in the message ("the file roads.gpkg", "stops").

    Examples
    --------
    >>> check_lonlat([3.0], [50.4])
    >>> check_lonlat([50.4], [3.0])
    Traceback (most recent call last):
    ...
    bassin_geo.errors.CoordinateError: ...
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.size == 0:
        return
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CoordinateError(
            f"{where}: {int(bad.sum())} coordinate(s) are NaN or infinite (first at position "
            f"{i}: x={x[i]}, y={y[i]}); drop or fix those rows"
        )
    out = (np.abs(x) > 180) | (np.abs(y) > 90)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise CoordinateError(
            f"{where}: coordinates cannot be degrees (x={x[i]:g}, y={y[i]:g}); they look "
            "projected (metres). Give the data its CRS (for Lambert-93: "
            "gdf.set_crs('EPSG:2154')) so it can be converted to WGS84"
        )
    xmin, ymin, xmax, ymax = BASIN_BOUNDS
    swapped = (y >= xmin) & (y <= xmax) & (x >= ymin) & (x <= ymax)
    if swapped.mean() > 0.5:
        raise CoordinateError(
            f"{where}: the points land in the mining basin only once latitude and longitude "
            f"are swapped (first: x={x[0]:g}, y={y[0]:g}); did you swap lat/lon? Coordinates "
            "go in (longitude, latitude) order"
        )


def check_distance(value: Any, name: str = "distance_m") -> float:
    """Return ``value`` as a float after checking it is a finite, non-negative distance."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        # float("5000") and float(True) work, but a distance given as text or a flag is
        # a mistake to report, not to guess at.
        raise InvalidInputError(f"{name} must be a number of metres, got {value!r}")
    try:
        d = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be a number of metres, got {value!r}") from None
    if not np.isfinite(d) or d < 0:
        raise InvalidInputError(f"{name} must be a finite number of metres >= 0, got {value!r}")
    return d


def looks_like_degrees(gdf: gpd.GeoDataFrame) -> bool:
    """True when every coordinate lies within longitude/latitude ranges."""
    xmin, ymin, xmax, ymax = gdf.total_bounds
    return bool(-180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90)


def mislabelled_degrees(gdf: gpd.GeoDataFrame) -> bool:
    """A projected label on longitude/latitude numbers.

    True when every coordinate could be degrees and, read in the projected CRS, the data
    lands wholly outside that CRS's area of use (3, 50 in Lambert-93 is off Africa).
    """
    if not gdf.crs.is_projected or not looks_like_degrees(gdf) or gdf.crs.area_of_use is None:
        return False
    west, south, east, north = gdf.crs.area_of_use.bounds
    xmin, ymin, xmax, ymax = gdf.geometry.to_crs(WGS84).total_bounds
    margin = 1.0  # degrees: data just beyond a UTM zone's edge is normal
    return bool(
        xmax < west - margin
        or xmin > east + margin
        or ymax < south - margin
        or ymin > north + margin
    )


def site_geometry(site: pd.Series) -> BaseGeometry:
    """The full geometry of a site row: the polygon of an estate or slag heap, else its point."""
    from bassin_geo.layers import _read_cached  # late: layers imports nothing from here

    layer = site.get("layer")
    if isinstance(layer, str) and layer != "pitheads":
        source = _read_cached(layer)  # read only: no copy of the whole layer per site
        match = source.loc[source["site_id"] == site["site_id"], "geometry"]
        if len(match):
            return match.iloc[0]
    return site["geometry"]


def _from_frame(data: gpd.GeoDataFrame | gpd.GeoSeries, where: str) -> gpd.GeoDataFrame:
    gdf = data.to_frame("geometry") if isinstance(data, gpd.GeoSeries) else data
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf)
    if len(gdf) == 0:
        raise EmptyInputError(f"{where} is empty: give at least one feature")
    missing = gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise EmptyInputError(f"{where}: row {i} has no geometry; drop it or give one")
    if gdf.crs is not None and mislabelled_degrees(gdf):
        raise CoordinateError(
            f"{where}: the frame says its CRS is {CRS.from_user_input(gdf.crs).to_string()}, "
            "but its coordinates look like longitude/latitude degrees; fix the label with "
            "gdf.set_crs('EPSG:4326', allow_override=True)"
        )
    if gdf.crs is None:
        # No CRS: accept WGS84 degrees, refuse anything else with a clear message.
        bounds = gdf.geometry.bounds
        check_lonlat(
            bounds[["minx", "maxx"]].to_numpy(), bounds[["miny", "maxy"]].to_numpy(), where
        )
        gdf = gdf.set_crs(WGS84)
    elif not CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(WGS84)):
        gdf = gdf.to_crs(WGS84)
    else:
        bounds = gdf.geometry.bounds
        check_lonlat(
            bounds[["minx", "maxx"]].to_numpy(), bounds[["miny", "maxy"]].to_numpy(), where
        )
    if "name" not in gdf:
        name: Any = [None] * len(gdf)
    elif isinstance(gdf["name"].dtype, pd.StringDtype):
        name = gdf["name"].array  # already strings: no object round trip
    else:
        name = gdf["name"].to_numpy()
    out = gpd.GeoDataFrame(
        {
            # .array, not .to_numpy(): strings stay in their own storage, not re-converted.
            "site_id": gdf["site_id"].astype(str).array
            if "site_id" in gdf
            else _place_ids(len(gdf)),
            "name": name,
        },
        geometry=gdf.geometry.to_numpy(),
        crs=WGS84,
    )
    return out


def _place_ids(n: int) -> Any:
    """``"place:0"`` ... ``"place:<n-1>"`` as a string array, built in one vectorized step."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pyarrow is optional: pandas' own string conversion (slower)
        return ("place:" + pd.RangeIndex(n).astype(str)).to_numpy()
    # Formatting the numbers in Arrow costs 0.05 s per million rows, against 0.7 s for
    # Python strings converted to pandas' Arrow-backed str dtype afterwards.
    ids = pc.binary_join_element_wise("place:", pc.cast(pa.array(np.arange(n)), pa.string()), "")
    return pd.array(ids, dtype="str")


def _one(item: Any, i: int, resolve_polygons: bool, where: str) -> tuple[str, Any, BaseGeometry]:
    from bassin_geo.layers import get_site

    if isinstance(item, str):
        site = get_site(item)
        geom = site_geometry(site) if resolve_polygons else site["geometry"]
        return str(site["site_id"]), site["name"], geom
    if isinstance(item, BaseGeometry):
        if item.is_empty:
            raise EmptyInputError(f"{where}: item {i} is an empty geometry")
        coords = shapely.get_coordinates(item)
        check_lonlat(coords[:, 0], coords[:, 1], f"{where} (item {i})")
        return f"place:{i}", None, item
    if (
        isinstance(item, (tuple, list, np.ndarray))
        and len(item) == 2
        and all(isinstance(v, (Real, np.floating, np.integer)) for v in item)
    ):
        lon, lat = float(item[0]), float(item[1])
        check_lonlat([lon], [lat], f"{where} (item {i})")
        return f"place:{i}", None, shapely.Point(lon, lat)
    if isinstance(item, pd.Series) and "geometry" in item:
        return str(item.get("site_id", f"place:{i}")), item.get("name"), item["geometry"]
    raise InvalidInputError(
        f"{where}: item {i} ({item!r:.60}) is not a place: give a site id or name, a shapely "
        "geometry in WGS84, or a (lon, lat) pair"
    )


def as_places(
    places: Any, *, resolve_polygons: bool = False, where: str = "places"
) -> gpd.GeoDataFrame:
    """Normalise places into a GeoDataFrame (``site_id``, ``name``, ``geometry``) in WGS84.

    Parameters
    ----------
    places : str, geometry, (lon, lat), GeoDataFrame, GeoSeries or list of these
        One place or several. GeoDataFrames in another CRS are converted to WGS84; without
        a CRS they must hold degrees.
    resolve_polygons : bool
        Give the polygon of estates, slag heaps and buildings named by id or name instead
        of their representative point.
    where : str
        Names the input in error messages.

    Returns
    -------
    GeoDataFrame
        In input order; inputs that are not sites get ids ``"place:<position>"``.

    Raises
    ------
    EmptyInputError, CoordinateError, CRSMismatchError, InvalidInputError, UnknownSiteError

    Examples
    --------
    >>> as_places(["Arenberg", (3.0, 50.4)])["site_id"].tolist()
    ['pit:wallers-arenberg', 'place:1']
    """
    if isinstance(places, (gpd.GeoDataFrame, gpd.GeoSeries)):
        return _from_frame(places, where)
    if isinstance(places, (str, BaseGeometry)) or (
        isinstance(places, tuple)
        and len(places) == 2
        and all(isinstance(v, (Real, np.floating, np.integer)) for v in places)
    ):
        places = [places]
    if not isinstance(places, Iterable):
        raise InvalidInputError(f"{where}: {places!r:.60} is not a place or a list of places")
    items = list(places)
    if not items:
        raise EmptyInputError(f"{where} is empty: give at least one place")
    frames = [p for p in items if isinstance(p, (gpd.GeoDataFrame, gpd.GeoSeries))]
    if frames and len(frames) != len(items):
        raise InvalidInputError(
            f"{where}: a list mixes GeoDataFrames with other places; concatenate the frames or "
            "pass one list of site ids, geometries and (lon, lat) pairs"
        )
    if frames:
        crss = {CRS.from_user_input(f.crs).to_string() if f.crs else None for f in frames}
        if len(crss) > 1:
            raise CRSMismatchError(
                f"{where}: the inputs come in different CRS ({', '.join(map(str, crss))}); "
                "convert them to one CRS with .to_crs() first"
            )
        parts = [_from_frame(f, where) for f in frames]
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
    rows = [_one(item, i, resolve_polygons, where) for i, item in enumerate(items)]
    return gpd.GeoDataFrame(
        {"site_id": [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=WGS84,
    )

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
from bassin_geo.data.layers import read_cached
from bassin_geo.errors import (
    CoordinateError,
    CRSMismatchError,
    EmptyInputError,
    InvalidInputError,
)
from bassin_geo.places.checks import check_lonlat, mislabelled_degrees
from bassin_geo.places.gazetteer import get_site

__all__ = ["as_places", "site_geometry"]


def site_geometry(site: pd.Series) -> BaseGeometry:
    """The full geometry of a site row: the polygon of an estate or slag heap, else its point."""
    layer = site.get("layer")
    if isinstance(layer, str) and layer != "pitheads":
        source = read_cached(layer)  # read only: no copy of the whole layer per site
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
        # A row of a layer or of get_site(): a polygon site counts in full, as by its id.
        geom = site_geometry(item) if resolve_polygons and "site_id" in item else item["geometry"]
        return str(item.get("site_id", f"place:{i}")), item.get("name"), geom
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
    places : str, pandas.Series, geometry, (lon, lat), GeoDataFrame, GeoSeries or list of these
        One place or several; a Series is a row with a ``geometry`` (what
        :func:`bassin_geo.get_site` returns). GeoDataFrames in another CRS are converted
        to WGS84; without a CRS they must hold degrees.
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
    # A row (what get_site returns) is one place, not a list of its values.
    row = isinstance(places, pd.Series) and "geometry" in places.index
    if (
        row
        or isinstance(places, (str, BaseGeometry))
        or (
            isinstance(places, tuple)
            and len(places) == 2
            and all(isinstance(v, (Real, np.floating, np.integer)) for v in places)
        )
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

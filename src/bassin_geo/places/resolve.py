"""Turn what users call a place into WGS84 geometries, and check coordinates on the way.

:func:`as_places` is the one resolver: every public function that takes places goes
through it, so they all accept the same things and reject bad input with the same
messages. A place is

- a site id or name, as :func:`bassin_geo.get_site` accepts (``"11/19"``), a commune's
  name or INSEE code (``"Lens"``, ``"62498"``): a name that could mean several places
  raises :class:`~bassin_geo.errors.AmbiguousSiteError` with the candidates;
- the row :func:`bassin_geo.get_site` returns (a pandas Series with a ``geometry``), or
  any row with a ``site_id``;
- a ``(lon, lat)`` pair, or a shapely geometry in WGS84;
- the rows of a GeoDataFrame or GeoSeries, in any CRS;
- the rows of a DataFrame with a ``site_id`` column (what a site search returns), whose
  ids are looked up in the embedded sites;
- the rows of a plain table (a DataFrame) with coordinate columns (``lon``/``lat``,
  ``X``/``Y`` in Lambert-93...), as :func:`bassin_geo.places.tables.table_geometry` reads them;
- a list mixing any of these.
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

from bassin_geo._text import compact
from bassin_geo._types import PlacesLike
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
from bassin_geo.places.index import id_positions, places_table
from bassin_geo.places.tables import point_columns, table_geometry

__all__ = ["LABEL_COLUMNS", "NAME_COLUMNS", "as_places", "row_labels", "site_geometry"]


def site_geometry(site: pd.Series[Any]) -> BaseGeometry:
    """The full geometry of a place: the polygon of an estate, slag heap or commune, else its point.

    Parameters
    ----------
    site : pandas.Series
        A row of the ``sites`` layer, as :func:`bassin_geo.get_site` returns it.

    Returns
    -------
    shapely geometry
        The feature of the site's source ``layer`` when it has one, else the row's point.

    Examples
    --------
    >>> from bassin_geo.places.gazetteer import get_site
    >>> site_geometry(get_site("Arenberg")).geom_type
    'Point'
    >>> site_geometry(get_site("Terril Sainte-Marie")).geom_type in {"Polygon", "MultiPolygon"}
    True
    """
    layer = site.get("layer")
    if isinstance(layer, str) and layer != "pitheads":
        source = read_cached(layer)  # read only: no copy of the whole layer per site
        match = source.loc[source["site_id"] == site["site_id"], "geometry"]
        if len(match):
            return match.iloc[0]
    return site["geometry"]


#: Column names (compacted: lower case, no accents, letters and digits) that label a
#: user's rows when no ``id=`` is given, in order of preference.
LABEL_COLUMNS = ("id", "identifiant", "ident", "name", "nom", "libelle")
#: Column names (compacted) that hold a row's display name.
NAME_COLUMNS = ("name", "nom", "libelle", "label")


def row_labels(frame: pd.DataFrame, id: str | None = None) -> pd.Index | None:
    """The labels of a user's rows: the ``id=`` column, the named index, or an id/name column.

    This is how results keep the user's names instead of ``place:<n>``: a frame with a
    ``site_id`` column is labelled by it (embedded sites, search results); otherwise
    the column named with ``id=``; otherwise the frame's index when it has a name
    (``df.set_index("code_insee")``); otherwise a column called, case and accents
    ignored and in this order of preference, ``id``, ``identifiant``, ``ident``,
    ``name``, ``nom`` or ``libelle``. Missing labels stay missing;
    :func:`as_places` numbers those rows.

    Parameters
    ----------
    frame : DataFrame
        The user's rows.
    id : str, optional
        The column that names each row.

    Returns
    -------
    pandas.Index or None
        One label (text) per row, or None when the frame has nothing to label by.

    Raises
    ------
    InvalidInputError
        ``id`` names no column of the frame.

    Examples
    --------
    >>> import pandas as pd
    >>> row_labels(pd.DataFrame({"Nom": ["Mairie"], "lon": [3.0]})).tolist()
    ['Mairie']
    >>> row_labels(pd.DataFrame({"lon": [3.0]})) is None
    True
    """
    if "site_id" in frame.columns and id is None:
        values: pd.Series[Any] | pd.Index = frame["site_id"]
    elif id is not None:
        if id not in frame.columns:
            msg = f"id={id!r}: no such column; the frame has {', '.join(map(str, frame.columns))}"
            raise InvalidInputError(msg)
        values = frame[id]
    elif frame.index.name is not None:
        values = frame.index
    else:
        folded = {compact(str(c)): c for c in reversed(list(frame.columns))}
        found = next((folded[n] for n in LABEL_COLUMNS if n in folded), None)
        if found is None:
            return None
        values = frame[found]
    text: list[str | None] = [None if pd.isna(v) else str(v) for v in values]
    labels: pd.Index = pd.Index(text, dtype=object)
    return labels


def _labelled(gdf: gpd.GeoDataFrame, id: str | None, start: int = 0) -> tuple[Any, Any]:
    """The ``site_id`` and ``name`` values of a user's frame (see :func:`row_labels`)."""
    labels = row_labels(gdf, id)
    positions = _place_ids(len(gdf), start=start)
    if labels is None:
        ids: Any = positions
    else:
        ids = np.where(pd.isna(np.asarray(labels, dtype=object)), np.asarray(positions), labels)
    folded = {compact(str(c)): c for c in reversed(list(gdf.columns))}
    name_column = next((folded[n] for n in NAME_COLUMNS if n in folded), None)
    if name_column is None:
        name: Any = [None] * len(gdf)
    elif isinstance(gdf[name_column].dtype, pd.StringDtype):
        name = gdf[name_column].array  # already strings: no object round trip
    else:
        name = gdf[name_column].to_numpy()
    return ids, name


def _from_frame(
    data: gpd.GeoDataFrame | gpd.GeoSeries,
    where: str,
    id: str | None = None,
    start: int = 0,
) -> gpd.GeoDataFrame:
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
    if "site_id" in gdf and id is None:
        # .array, not .to_numpy(): strings stay in their own storage, not re-converted.
        ids: Any = gdf["site_id"].astype(str).array
        name: Any = gdf["name"].array if "name" in gdf else [None] * len(gdf)
    else:
        ids, name = _labelled(gdf, id, start)
    out = gpd.GeoDataFrame(
        {"site_id": ids, "name": name},
        geometry=gdf.geometry.to_numpy(),
        crs=WGS84,
    )
    return out


def _place_ids(n: int, start: int = 0) -> Any:
    """``"place:<start>"`` ... as a string array of ``n`` ids, built in one vectorized step."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pyarrow is optional: pandas' own string conversion (slower)
        return ("place:" + pd.RangeIndex(start, start + n).astype(str)).to_numpy()
    # Formatting the numbers in Arrow costs 0.05 s per million rows, against 0.7 s for
    # Python strings converted to pandas' Arrow-backed str dtype afterwards.
    numbers = pa.array(np.arange(start, start + n))
    ids = pc.binary_join_element_wise("place:", pc.cast(numbers, pa.string()), "")
    return pd.array(ids, dtype="str")


def _from_site_ids(frame: pd.DataFrame, resolve_polygons: bool, where: str) -> gpd.GeoDataFrame:
    """The embedded sites named by the ``site_id`` column of a frame without geometry."""
    if len(frame) == 0:
        msg = f"{where} is empty: give at least one site"
        raise EmptyInputError(msg)
    ids = frame["site_id"]
    if ids.isna().any():
        i = int(np.flatnonzero(ids.isna().to_numpy())[0])
        msg = f"{where}: row {i} has no site_id; drop it or give one"
        raise EmptyInputError(msg)
    sites = places_table()  # every place of the gazetteer: sites, shafts, communes, EPCI
    known = id_positions()  # old ids of merged estates and slag heaps included
    positions = np.array([known.get(i, -1) for i in ids.astype(str)], dtype=np.intp)
    for missing in np.flatnonzero(positions < 0):
        get_site(str(ids.iloc[missing]))  # not a site id: UnknownSiteError with suggestions
    rows = sites.iloc[positions]
    geometry = (
        [site_geometry(row) for _, row in rows.iterrows()]
        if resolve_polygons
        else rows.geometry.to_numpy()
    )
    return gpd.GeoDataFrame(
        {"site_id": rows["site_id"].array, "name": rows["name"].array},
        geometry=geometry,
        crs=WGS84,
    )


def _from_row(
    row: pd.Series[Any], i: int, resolve_polygons: bool, where: str
) -> tuple[str, Any, BaseGeometry]:
    """A row of a frame: get_site's (with a geometry) or a search result (a site_id)."""
    if "geometry" in row.index and isinstance(row["geometry"], BaseGeometry):
        site_id = row.get("site_id")
        is_site = isinstance(site_id, str) and isinstance(row.get("layer"), str)
        geom = site_geometry(row) if resolve_polygons and is_site else row["geometry"]
        _check_geometry(geom, i, where)
        name = row.get("name")
        return (str(site_id) if isinstance(site_id, str) else f"place:{i}"), name, geom
    if isinstance(row.get("site_id"), str):
        site = get_site(row["site_id"])
        geom = site_geometry(site) if resolve_polygons else site["geometry"]
        return str(site["site_id"]), site["name"], geom
    msg = (
        f"{where}: item {i} is a row with neither a geometry nor a site_id; give the row "
        "get_site returns, or a row of a frame with a site_id column"
    )
    raise InvalidInputError(msg)


def _check_geometry(geom: BaseGeometry, i: int, where: str) -> None:
    if geom.is_empty:
        msg = f"{where}: item {i} is an empty geometry"
        raise EmptyInputError(msg)
    coords = shapely.get_coordinates(geom)
    check_lonlat(coords[:, 0], coords[:, 1], f"{where} (item {i})")


def _is_lonlat(item: object) -> bool:
    return (
        isinstance(item, (tuple, list, np.ndarray))
        and len(item) == 2
        and all(isinstance(v, (Real, np.floating, np.integer)) for v in item)
    )


def _is_one_place(item: object) -> bool:
    """One place, not a collection of places (a row of get_site is one place)."""
    if isinstance(item, pd.Series):
        return "geometry" in item.index or "site_id" in item.index
    return isinstance(item, (str, BaseGeometry)) or (isinstance(item, tuple) and _is_lonlat(item))


def _one(item: Any, i: int, resolve_polygons: bool, where: str) -> tuple[str, Any, BaseGeometry]:
    if isinstance(item, str):
        site = get_site(item)
        geom = site_geometry(site) if resolve_polygons else site["geometry"]
        return str(site["site_id"]), site["name"], geom
    if isinstance(item, BaseGeometry):
        _check_geometry(item, i, where)
        return f"place:{i}", None, item
    if _is_lonlat(item):
        lon, lat = float(item[0]), float(item[1])
        check_lonlat([lon], [lat], f"{where} (item {i})")
        return f"place:{i}", None, shapely.Point(lon, lat)
    if isinstance(item, pd.Series) and _is_one_place(item):
        return _from_row(item, i, resolve_polygons, where)
    msg = (
        f"{where}: item {i} ({item!r:.60}) is not a place: give a site id or name, a shapely "
        "geometry in WGS84, a (lon, lat) pair, or the row get_site returns"
    )
    raise InvalidInputError(msg)


def _frame(
    data: gpd.GeoDataFrame | gpd.GeoSeries | pd.DataFrame,
    resolve_polygons: bool,
    where: str,
    id: str | None = None,
    start: int = 0,
) -> gpd.GeoDataFrame:
    """The places of one frame: with geometry (any CRS), or a ``site_id`` column."""
    if isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries)):
        return _from_frame(data, where, id, start)
    if "geometry" in data.columns:  # a GeoDataFrame that lost its class: no CRS known
        return _from_frame(gpd.GeoDataFrame(data, geometry="geometry"), where, id, start)
    if "site_id" in data.columns:
        return _from_site_ids(data, resolve_polygons, where)
    if all(isinstance(c, str) for c in data.columns) and point_columns(data) is not None:
        # A table read with pandas (lon/lat, X/Y...): its points, as read_layer makes them.
        return _from_frame(table_geometry(data, where=where), where, id, start)
    msg = (
        f"{where}: a DataFrame of places needs a site_id column (search results), a "
        "geometry, or coordinate columns (lon/lat, or X/Y for Lambert-93); this one has "
        f"{', '.join(map(str, data.columns[:8]))}"
    )
    raise InvalidInputError(msg)


def as_places(
    places: PlacesLike,
    *,
    resolve_polygons: bool = False,
    where: str = "places",
    id: str | None = None,
) -> gpd.GeoDataFrame:
    """Normalise places into a GeoDataFrame (``site_id``, ``name``, ``geometry``) in WGS84.

    This is the one resolver of the package: every function that takes places calls it.

    Parameters
    ----------
    places : place, list of places, GeoDataFrame, GeoSeries or DataFrame
        One place or several. A place is a site id or name (as :func:`get_site`
        accepts), the row :func:`get_site` returns, a ``(lon, lat)`` pair or a shapely
        geometry in WGS84. Frames: a GeoDataFrame or GeoSeries in any CRS (without a CRS
        it must hold degrees), a DataFrame with a ``site_id`` column, such as site
        search results, whose ids are looked up, or a plain table with coordinate
        columns (``lon``/``lat``, ``X``/``Y``...). A list may mix all of these.
    resolve_polygons : bool, default False
        Give the polygon of estates, slag heaps, buildings, listed components, communes
        and EPCI named by id, name or row instead of their representative point. The
        distance functions ask for it: a distance to a commune is to its outline (0
        inside it); pass the row's point (``get_site("Lens")["geometry"]``) to measure
        from a point inside it instead.
    where : str, default "places"
        Names the input in error messages ("stops", "origins").
    id : str, optional
        The column of a user's frame that names its rows. Without it the rows are
        labelled by their ``site_id`` column, else the frame's named index, else a
        column called ``id``, ``identifiant``, ``name`` or ``nom`` (case and
        accents ignored; see :func:`row_labels`). The ``name`` comes from a column
        ``name``, ``nom`` or ``libelle``.

    Returns
    -------
    GeoDataFrame
        One row per place, in input order (a frame gives its rows in its order), with
        ``site_id``, ``name`` and ``geometry`` in WGS84. Rows of a user's frame keep
        the user's labels as ``site_id``, so results join back to the table; places
        with no label get ids ``"place:<position>"``.

    Raises
    ------
    EmptyInputError
        No place, an empty geometry or a row without geometry.
    CoordinateError
        Coordinates that cannot be degrees, or that look like swapped lat/lon.
    CRSMismatchError
        Several frames in different CRS.
    InvalidInputError
        Something that is not a place.
    UnknownSiteError
        A name or id that matches no site; the message lists the closest names.

    Examples
    --------
    >>> as_places(["Arenberg", (3.0, 50.4)])["site_id"].tolist()
    ['pit:wallers-arenberg', 'place:1']
    >>> from bassin_geo.places.gazetteer import get_site
    >>> as_places(get_site("11/19"))["name"].tolist()
    ['Fosse 11 - 19 Pierre Destombes']
    >>> import pandas as pd
    >>> found = pd.DataFrame({"site_id": ["pit:wallers-arenberg"], "score": [1.0]})
    >>> as_places(found).geometry.iloc[0].geom_type
    'Point'
    """
    if not isinstance(resolve_polygons, bool | np.bool_):
        msg = f"resolve_polygons must be True or False, got {resolve_polygons!r}"
        raise InvalidInputError(msg)
    if isinstance(places, pd.DataFrame | gpd.GeoSeries):  # GeoDataFrame included
        return _frame(places, resolve_polygons, where, id)
    if _is_one_place(places):
        places = [places]  # one place: a list of one
    if not isinstance(places, Iterable):
        msg = f"{where}: {places!r:.60} is not a place or a list of places"
        raise InvalidInputError(msg)
    items = list(places)
    if not items:
        msg = f"{where} is empty: give at least one place"
        raise EmptyInputError(msg)
    frames = [p for p in items if isinstance(p, pd.DataFrame | gpd.GeoSeries)]
    if id is not None and not any(isinstance(p, pd.DataFrame) for p in frames):
        msg = f"{where}: id={id!r} names a column of a frame, and no frame was given"
        raise InvalidInputError(msg)
    crss = {
        CRS.from_user_input(f.crs).to_string() if f.crs else None
        for f in frames
        if isinstance(f, gpd.GeoDataFrame | gpd.GeoSeries)
    }
    if len(crss) > 1:
        msg = (
            f"{where}: the inputs come in different CRS ({', '.join(map(str, crss))}); "
            "convert them to one CRS with .to_crs() first"
        )
        raise CRSMismatchError(msg)
    if not frames:
        rows = [_one(item, i, resolve_polygons, where) for i, item in enumerate(items)]
        return gpd.GeoDataFrame(
            {"site_id": [r[0] for r in rows], "name": [r[1] for r in rows]},
            geometry=[r[2] for r in rows],
            crs=WGS84,
        )
    # A list mixing frames and single places: each in turn, ids numbered by output row.
    parts: list[gpd.GeoDataFrame] = []
    count = 0
    for item in items:
        if isinstance(item, pd.DataFrame | gpd.GeoSeries):
            part = _frame(item, resolve_polygons, where, id, start=count)
        else:
            site_id, name, geom = _one(item, count, resolve_polygons, where)
            part = gpd.GeoDataFrame(
                {"site_id": [site_id], "name": [name]}, geometry=[geom], crs=WGS84
            )
        parts.append(part)
        count += len(part)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=WGS84)

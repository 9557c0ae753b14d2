"""What the writers accept, made a plain WGS84 GeoDataFrame; table cells made writable."""

from __future__ import annotations

import datetime as _dt
import json
import math
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from bassin_geo._compat import keyword_only
from bassin_geo.crs import WGS84
from bassin_geo.errors import (
    BassinGeoWarning,
    CoordinateError,
    EmptyInputError,
    InvalidInputError,
)
from bassin_geo.places.checks import check_lonlat, mislabelled_degrees

__all__ = [
    "FrameLike",
    "LayersLike",
    "SupportsGdf",
    "as_frame",
    "clean_value",
    "named_frames",
    "plain_table",
    "unwrap_frame",
]


@runtime_checkable
class SupportsGdf(Protocol):
    """Any result object that gives its features as a WGS84 GeoDataFrame.

    :class:`~bassin_geo.Route`, :class:`~bassin_geo.Itinerary`,
    :class:`~bassin_geo.Crossings`, :class:`~bassin_geo.Reachable` and
    :class:`~bassin_geo.Network` are such objects; so is any user class with a
    ``to_gdf()`` method.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> isinstance(bg.load_stage(2025, 1), SupportsGdf)
    True
    """

    # A protocol is never instantiated: the empty signature says so to the docs checks.
    def __init__(self) -> None: ...

    def to_gdf(self) -> gpd.GeoDataFrame:
        """Return the features as a GeoDataFrame in WGS84.

        Returns
        -------
        GeoDataFrame
            The object's features, in WGS84.

        Examples
        --------
        >>> import bassin_geo as bg
        >>> bg.load_stage(2025, 1).to_gdf().crs.to_epsg()
        4326
        """


#: What the writers and :func:`~bassin_geo.make_map` draw or write: a GeoDataFrame or
#: GeoSeries in any CRS, or an object with ``to_gdf()``.
FrameLike: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | SupportsGdf


#: What the writers of several layers take (:func:`~bassin_geo.to_geopackage`,
#: :func:`~bassin_geo.to_kml`): ``{layer name: data}``, one frame or result object, or
#: names of embedded layers.
LayersLike: TypeAlias = Mapping[str, FrameLike] | FrameLike | str | Iterable[str]


def unwrap_frame(data: object) -> object:
    """Return the table behind ``data``: a result object's ``to_gdf()``, a GeoSeries as a frame.

    Anything else, a DataFrame included, comes back unchanged for the caller to check.

    Parameters
    ----------
    data : object
        A result object with ``to_gdf()``, a GeoSeries, a DataFrame, or anything.

    Returns
    -------
    object
        ``data.to_gdf()`` for a result object, a one-column GeoDataFrame named
        ``geometry`` for a GeoSeries, else ``data`` itself.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> unwrap_frame(gpd.GeoSeries([shapely.Point(3, 50)], crs=4326)).columns.tolist()
    ['geometry']
    >>> unwrap_frame("slag_heaps")
    'slag_heaps'
    """
    if isinstance(data, SupportsGdf) and not isinstance(data, (pd.DataFrame, gpd.GeoSeries)):
        return data.to_gdf()
    if isinstance(data, gpd.GeoSeries):
        return data.to_frame("geometry")
    return data


@keyword_only(1, ("where",))
def as_frame(data: object, *, where: str = "data") -> gpd.GeoDataFrame:
    """Return ``data`` as a GeoDataFrame in WGS84.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        Routes, itineraries, crossings, reachable areas, networks and stages are accepted
        through their ``to_gdf()`` method, which returns a GeoDataFrame.
    where : str, default "data"
        Names the input in error messages.

    Returns
    -------
    GeoDataFrame
        ``data`` in WGS84 (the same object when it already is one in WGS84).

    Raises
    ------
    InvalidInputError
        ``data`` is none of these, or two of its columns have one name.
    CoordinateError
        A row has NaN or infinite coordinates; coordinates are not WGS84 degrees once
        converted (no CRS and metres); degrees labelled with a projected CRS; latitude
        and longitude swapped.

    Warns
    -----
    BassinGeoWarning
        ``data`` has no CRS and its numbers look like degrees: they are taken as WGS84.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> as_frame(bg.load_layer("lakes").to_crs(2154)).crs.to_epsg()
    4326
    """
    data = unwrap_frame(data)
    if not isinstance(data, gpd.GeoDataFrame):
        msg = (
            f"{where}: expected a GeoDataFrame or an object with a to_gdf() method "
            f"(route, itinerary, crossings, reachable area, network), got {type(data).__name__}"
        )
        raise InvalidInputError(msg)
    if data.active_geometry_name is None:
        msg = (
            f"{where}: the GeoDataFrame has no geometry column; set one with "
            "gdf.set_geometry('column') or build it with geometry=..."
        )
        raise InvalidInputError(msg)
    _refuse_duplicate_columns(data, where)
    if data.crs is None:
        _check_degrees(data, where)
        warnings.warn(
            f"{where} has no CRS: its coordinates are taken as WGS84 longitude/latitude "
            "(EPSG:4326). Say so to silence this warning, gdf = gdf.set_crs('EPSG:4326'), "
            "or give its real CRS (for Lambert-93 metres: gdf.set_crs('EPSG:2154'))",
            BassinGeoWarning,
            stacklevel=3,
        )
        return data.set_crs(WGS84)
    if mislabelled_degrees(data):
        x, y = data.total_bounds[:2]
        msg = (
            f"{where}: the frame says its CRS is {data.crs.to_string()}, but its coordinates "
            f"look like longitude/latitude degrees (first corner x={x:g}, y={y:g}), which in "
            "that CRS lie outside its area of use. The label is wrong: relabel it with "
            "gdf.set_crs('EPSG:4326', allow_override=True)"
        )
        raise CoordinateError(msg)
    if not CRS.from_user_input(data.crs).equals(CRS.from_user_input(WGS84)):
        _check_finite(data, where)
        data = data.to_crs(WGS84)
    _check_degrees(data, where)
    return data


def _refuse_duplicate_columns(data: gpd.GeoDataFrame, where: str) -> None:
    # A GeoPackage keeps one of two same-named columns and drops the other without a word.
    repeated = data.columns[data.columns.duplicated()].unique()
    if len(repeated):
        names = ", ".join(repr(str(name)) for name in repeated)
        msg = (
            f"{where}: column name(s) {names} appear more than once; rename or drop the "
            "copies (gdf.loc[:, ~gdf.columns.duplicated()]) before writing"
        )
        raise InvalidInputError(msg)


def _check_finite(
    data: gpd.GeoDataFrame, where: str
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Raise CoordinateError naming the first row with a NaN or infinite coordinate."""
    coords, rows = shapely.get_coordinates(data.geometry.to_numpy(), return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        count = len(np.unique(rows[bad]))
        label = data.index[int(rows[first])]
        x, y = coords[first]
        msg = (
            f"{where}: {count} row(s) have NaN or infinite coordinates (first: row "
            f"{label!r}, x={x}, y={y}); drop or fix those rows before writing"
        )
        raise CoordinateError(msg)
    return coords, rows


def _check_degrees(data: gpd.GeoDataFrame, where: str) -> None:
    """Raise CoordinateError naming the first row whose coordinates cannot be degrees."""
    coords, rows = _check_finite(data, where)
    out = (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90)
    if out.any():
        first = int(np.flatnonzero(out)[0])
        label = data.index[int(rows[first])]
        x, y = coords[first]
        told = "has no CRS" if data.crs is None else f"is labelled {data.crs.to_string()}"
        msg = (
            f"{where}: row {label!r} has coordinates that cannot be degrees (x={x:g}, "
            f"y={y:g}), yet the frame {told}; they look projected (metres). Give the frame "
            "its real CRS (for Lambert-93: gdf.set_crs('EPSG:2154', allow_override=True))"
        )
        raise CoordinateError(msg)
    check_lonlat(coords[:, 0], coords[:, 1], where)


def clean_value(value: object) -> object:
    """Return a JSON-safe copy of one table cell.

    NaN and infinities become ``None``, dates ISO 8601 strings, NumPy scalars and arrays
    Python numbers and lists, geometries WKT (7 decimals), anything else its text.

    Parameters
    ----------
    value : object
        One cell of a table, possibly a nested list or dict.

    Returns
    -------
    object
        ``None``, a bool, int, float, str, or a list or dict of these.

    Examples
    --------
    >>> clean_value({"depth": np.float64("nan"), "when": pd.Timestamp("2012-06-30")})
    {'depth': None, 'when': '2012-06-30T00:00:00'}
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean_value(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (str, Path)):
        return str(value)
    if value is pd.NA:
        return None
    if isinstance(value, shapely.Geometry):
        return shapely.to_wkt(value, rounding_precision=7)
    return str(value)


def _is_nested(value: object) -> bool:
    return isinstance(value, (dict, list, tuple, np.ndarray))


def plain_table(df: pd.DataFrame, nested: Literal["keep", "json"]) -> pd.DataFrame:
    """Return a copy of ``df`` whose columns every writer can take.

    Dates become ISO 8601 strings, NaN in object columns ``None``, geometry columns WKT.

    Parameters
    ----------
    df : DataFrame
        The attribute table (a GeoDataFrame's active geometry already dropped).
    nested : {"keep", "json"}
        ``"keep"`` leaves lists and dicts (cleaned) for GeoJSON; ``"json"`` turns them
        into JSON text for GeoPackage and CSV.

    Returns
    -------
    DataFrame
        The same index and column names.

    Examples
    --------
    >>> plain_table(pd.DataFrame({"crossed": [["Douai", "Lewarde"]]}), "json").iat[0, 0]
    '["Douai", "Lewarde"]'
    """
    out: dict[Any, Any] = {}
    for name, col in df.items():
        if isinstance(col.dtype, gpd.array.GeometryDtype):
            out[name] = shapely.to_wkt(col.to_numpy(), rounding_precision=7)
        elif pd.api.types.is_datetime64_any_dtype(col):
            whole_days = col.dropna().eq(col.dropna().dt.normalize()).all() and col.dt.tz is None
            fmt = "%Y-%m-%d" if whole_days else None
            out[name] = pd.Series(
                [None if pd.isna(v) else (v.strftime(fmt) if fmt else v.isoformat()) for v in col],
                index=col.index,
                dtype=object,
            )
        elif col.dtype == object:
            values = [clean_value(v) for v in col]
            if nested == "json":
                values = [json.dumps(v, ensure_ascii=False) if _is_nested(v) else v for v in values]
            out[name] = pd.Series(values, index=col.index, dtype=object)
        else:
            out[name] = col
    plain: pd.DataFrame = pd.DataFrame(out, index=df.index)
    return plain


def named_frames(layers: LayersLike, default_name: str) -> dict[str, gpd.GeoDataFrame]:
    """Return the layers to write as ``{name: WGS84 GeoDataFrame}``.

    Parameters
    ----------
    layers : dict, GeoDataFrame, object with ``to_gdf()``, str or list of str
        ``{layer name: data}``; one frame or result object; or names of embedded layers.
    default_name : str
        The name of a single frame or result object (the file's stem).

    Returns
    -------
    dict
        Layer name -> GeoDataFrame in WGS84, in the given order.

    Raises
    ------
    InvalidInputError
        ``layers`` is none of these, or a name is empty, reserved or repeated.
    EmptyInputError
        ``layers`` is empty.
    UnknownLayerError
        A name is not an embedded layer.

    Examples
    --------
    >>> list(named_frames(["lakes", "perimeter"], "basin"))
    ['lakes', 'perimeter']
    """
    from bassin_geo.data.layers import load_layer

    items: list[tuple[object, object]]
    if isinstance(layers, Mapping):
        items = list(layers.items())
    elif isinstance(layers, str):
        items = [(layers, load_layer(layers))]
    elif isinstance(layers, (gpd.GeoDataFrame, gpd.GeoSeries, SupportsGdf)):
        items = [(default_name, layers)]
    elif isinstance(layers, Iterable):
        items = []
        for item in layers:
            if not isinstance(item, str):
                msg = (
                    "layers: give a dict {name: GeoDataFrame}, one GeoDataFrame, or a list of "
                    f"embedded layer names; got a list holding {type(item).__name__}"
                )
                raise InvalidInputError(msg)
            items.append((item, load_layer(item)))
    else:
        msg = (
            f"layers: expected a dict {{name: GeoDataFrame}}, a GeoDataFrame or a list of "
            f"layer names, got {type(layers).__name__}"
        )
        raise InvalidInputError(msg)
    if not items:
        msg = "layers is empty: give at least one layer to write"
        raise EmptyInputError(msg)
    out: dict[str, gpd.GeoDataFrame] = {}
    for key, frame in items:
        name = str(key)
        if not name or name.lower() == "layer_styles" or name in out:
            msg = (
                f"layer name {name!r} is empty, reserved or repeated; give each layer its own name"
            )
            raise InvalidInputError(msg)
        out[name] = as_frame(frame, where=f"layer {name!r}")
    return out

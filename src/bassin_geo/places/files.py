"""Read the user's own geodata files, checked, in WGS84.

Writers live in :mod:`bassin_geo.io`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from bassin_geo._compat import keyword_only
from bassin_geo._types import CRSLike, PathLike
from bassin_geo.crs import WGS84
from bassin_geo.errors import (
    BassinGeoWarning,
    CoordinateError,
    DataFileError,
    EmptyInputError,
    InvalidInputError,
)
from bassin_geo.places.checks import check_lonlat, looks_like_degrees, mislabelled_degrees

__all__ = ["list_file_layers", "read_layer"]

ENGINES = ("pyogrio", "fiona")
# GPX files hold several layers; a route or track is what people mean when they name one.
_GPX_ORDER = ("tracks", "routes", "waypoints")


def _check_path(path: PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise DataFileError(f"{p}: no such file; check the path and the working folder")
    if p.is_file() and p.stat().st_size == 0:
        raise DataFileError(f"{p}: the file is empty (0 bytes); export it again from its source")
    return p


def list_file_layers(path: PathLike) -> list[str]:
    """Names of the layers in a file (several for GeoPackage and GPX, one otherwise).

    Parameters
    ----------
    path : str or os.PathLike
        A geodata file GDAL reads.

    Returns
    -------
    list of str
        The layer names, in the file's order.

    Raises
    ------
    DataFileError
        Missing, empty or unreadable file.

    Examples
    --------
    >>> from bassin_geo.data.layers import data_dir
    >>> "pitheads" in list_file_layers(data_dir() / "bassin_minier.gpkg")
    True
    """
    import pyogrio

    p = _check_path(path)
    try:
        return [str(name) for name in pyogrio.list_layers(p)[:, 0]]
    except Exception as exc:  # GDAL raises its own error types for unreadable files
        raise DataFileError(
            f"{p}: GDAL cannot open this file ({exc}); it may be truncated or not a "
            "geodata file (GeoJSON, GeoPackage, Shapefile, GPX, FlatGeobuf, KML)"
        ) from None


def _pick_layer(p: Path, layer: str | None) -> str | None:
    names = list_file_layers(p)
    if layer is not None:
        if layer not in names:
            raise DataFileError(f"{p}: no layer {layer!r}; the file has {', '.join(names)}")
        return layer
    if p.suffix.lower() == ".gpx":
        import pyogrio

        for candidate in _GPX_ORDER:
            if (
                candidate in names
                and pyogrio.read_info(p, layer=candidate, force_feature_count=True)["features"] > 0
            ):
                return candidate
        raise EmptyInputError(f"{p}: the GPX file has no track, route or waypoint")
    if len(names) > 1:
        raise InvalidInputError(
            f"{p} holds {len(names)} layers ({', '.join(names)}); choose one with layer=..."
        )
    return None


def _read(
    p: Path, layer: str | None, engine: str, columns: list[str] | None = None
) -> gpd.GeoDataFrame:
    # Only the columns asked for: a GPX track_points layer has 26 (2.5x slower to read all).
    options = {} if columns is None else {"columns": columns}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's own chatter; we report what matters
            return gpd.read_file(p, layer=layer, engine=engine, **options)
    except Exception as exc:
        raise DataFileError(
            f"{p}: could not be read ({type(exc).__name__}: {exc}); the file may be truncated "
            "or in a format GDAL does not know"
        ) from None


def _repair(gdf: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.to_numpy()
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        rows = np.flatnonzero(invalid)
        reasons = shapely.is_valid_reason(geoms[rows[:3]])
        warnings.warn(
            f"{where}: {len(rows)} invalid geometr{'y' if len(rows) == 1 else 'ies'} repaired "
            f"with shapely.make_valid (rows {', '.join(map(str, rows[:5]))}"
            f"{'...' if len(rows) > 5 else ''}: {'; '.join(reasons)})",
            BassinGeoWarning,
            stacklevel=3,
        )
        fixed = geoms.copy()
        fixed[rows] = shapely.make_valid(geoms[rows])
        gdf = gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
    return gdf


@keyword_only(2, ("engine", "crs"))
def read_layer(
    path: PathLike,
    layer: str | None = None,
    *,
    engine: str = "pyogrio",
    crs: CRSLike | None = None,
    columns: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a user's geodata file, check it, and return it in WGS84.

    Parameters
    ----------
    path : str or os.PathLike
        A GeoJSON, GeoPackage, Shapefile, GPX, FlatGeobuf or KML file.
    layer : str, optional
        The layer to read in multi-layer files. A GPX gives its tracks, else its routes,
        else its waypoints.
    engine : {"pyogrio", "fiona"}
        The GDAL binding geopandas uses.
    crs : str, int or pyproj.CRS, optional
        The CRS of a file that does not record one (a Shapefile without ``.prj``).
    columns : list of str, optional
        Read only these attribute columns (and the geometry); default all.

    Returns
    -------
    GeoDataFrame
        In WGS84. Invalid geometries are repaired with a :class:`BassinGeoWarning`.

    Raises
    ------
    DataFileError
        Missing, empty, unreadable or truncated file, no CRS where the format needs one.
    CoordinateError
        Coordinates that cannot be degrees, or that land in the basin once swapped.
    EmptyInputError
        A file with no feature.

    Examples
    --------
    >>> from bassin_geo.data.layers import data_dir
    >>> pits = read_layer(data_dir() / "bassin_minier.gpkg", layer="pitheads")
    >>> pits.crs.to_epsg()
    4326
    """
    if engine not in ENGINES:
        msg = f"engine must be one of {', '.join(ENGINES)}, got {engine!r}"
        raise InvalidInputError(msg)
    given: CRS | None = None
    if crs is not None:
        try:
            given = CRS.from_user_input(crs)
        except CRSError as exc:
            msg = (
                f"read_layer: crs={crs!r} is not a CRS pyproj knows ({exc}); give e.g. "
                "'EPSG:2154' (Lambert-93) or 'EPSG:4326' (longitude/latitude)"
            )
            raise InvalidInputError(msg) from None
    crs = given
    p = _check_path(path)
    chosen = _pick_layer(p, layer)
    gdf = _read(p, chosen, engine, columns)
    where = f"{p}" + (f" (layer {chosen})" if chosen else "")
    if len(gdf) == 0:
        raise EmptyInputError(f"{where}: the layer has no feature")
    if gdf.crs is None:
        if crs is None:
            raise DataFileError(
                f"{where}: the file does not say which CRS its coordinates are in (for a "
                "Shapefile, the .prj file is missing); pass it, e.g. read_layer(path, "
                "crs='EPSG:2154')"
            )
        gdf = gdf.set_crs(crs)
    elif crs is not None and not gdf.crs.equals(crs):
        relabel = gdf.crs.is_geographic and not looks_like_degrees(gdf)
        if not (relabel or (crs.is_geographic and mislabelled_degrees(gdf))):
            raise InvalidInputError(
                f"{where}: the file says its CRS is {gdf.crs.to_string()}, not {crs}; drop crs="
            )
        # A GeoJSON without a crs member is labelled WGS84 by GDAL even when it holds
        # metres: the caller's crs= is the truth then.
        gdf = gdf.set_crs(crs, allow_override=True)
    if mislabelled_degrees(gdf):
        x, y = gdf.total_bounds[:2]
        raise CoordinateError(
            f"{where}: the file says its CRS is {gdf.crs.to_string()}, but its coordinates "
            f"look like longitude/latitude degrees (first corner x={x:g}, y={y:g}), which in "
            f"that CRS lie outside its area of use ({gdf.crs.area_of_use.name}). The label "
            "is wrong: read it with read_layer(path, crs='EPSG:4326'), or fix the file's CRS"
        )
    if gdf.crs.is_geographic:
        coords = shapely.get_coordinates(gdf.geometry.to_numpy())
        try:
            check_lonlat(coords[:, 0], coords[:, 1], where)
        except CoordinateError as exc:
            if "cannot be degrees" in str(exc):
                raise CoordinateError(
                    f"{exc}. The file is labelled {gdf.crs.to_string()} but holds metres: "
                    "pass its real CRS, e.g. read_layer(path, crs='EPSG:2154')"
                ) from None
            raise
    gdf = _repair(gdf, where)
    return gdf.to_crs(WGS84) if not gdf.crs.equals(WGS84) else gdf

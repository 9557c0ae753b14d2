"""Read the user's own geodata files, checked, in WGS84.

Writers live in :mod:`bassin_geo.io`.
"""

from __future__ import annotations

import errno
import os
import stat
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
from bassin_geo.places.tables import SPREADSHEET_SUFFIXES, TABLE_SUFFIXES, list_sheets, read_table

__all__ = [
    "MAX_PACK_RATIO",
    "MAX_UNPACKED_BYTES",
    "check_unpacked_size",
    "check_zip",
    "list_file_layers",
    "read_layer",
]

ENGINES = ("pyogrio", "fiona")
# GPX files hold several layers; a route or track is what people mean when they name one.
_GPX_ORDER = ("tracks", "routes", "waypoints")


#: Largest size (bytes) a compressed input (``.zip``, ``.osm.gz``, ``.osm.bz2``) may unpack
#: to. Raise it for a bigger extract: ``bassin_geo.places.files.MAX_UNPACKED_BYTES = 2**34``.
MAX_UNPACKED_BYTES = 4 * 2**30
#: Largest ratio of unpacked to packed size, past :data:`RATIO_FLOOR_BYTES` unpacked: real
#: geodata packs 5 to 20 times, a decompression bomb a thousand times.
MAX_PACK_RATIO = 100
#: Below this unpacked size (bytes) any ratio is accepted: a small file does no harm.
RATIO_FLOOR_BYTES = 64 * 2**20


def check_unpacked_size(path: PathLike, unpacked: int, packed: int) -> None:
    """Raise :class:`DataFileError` when a compressed input unpacks past the limits.

    The limits are :data:`MAX_UNPACKED_BYTES` and, once :data:`RATIO_FLOOR_BYTES` are
    unpacked, :data:`MAX_PACK_RATIO`; both are read at each call, so a caller can raise
    them for a large extract.

    Parameters
    ----------
    path : str or os.PathLike
        The compressed file, named in the message.
    unpacked : int
        Bytes unpacked so far (or announced by the archive).
    packed : int
        The compressed size in bytes.

    Raises
    ------
    DataFileError
        ``unpacked`` exceeds a limit: the message names it and how to raise it.

    Examples
    --------
    >>> check_unpacked_size("roads.osm.gz", 10_000_000, 1_000_000)
    >>> check_unpacked_size("bomb.osm.gz", 2**31, 2**20)
    Traceback (most recent call last):
    ...
    bassin_geo.errors.DataFileError: bomb.osm.gz: ...
    """
    ratio = unpacked / max(packed, 1)
    if unpacked > MAX_UNPACKED_BYTES:
        msg = (
            f"{path}: unpacks to more than {MAX_UNPACKED_BYTES:,} bytes, the limit "
            "bassin_geo.places.files.MAX_UNPACKED_BYTES; if the file is a genuine large "
            "extract, raise that limit or unpack it yourself and give the unpacked file"
        )
        raise DataFileError(msg)
    if unpacked > RATIO_FLOOR_BYTES and ratio > MAX_PACK_RATIO:
        msg = (
            f"{path}: unpacks {ratio:.0f} times its size (past {unpacked:,} bytes), more "
            f"than the limit bassin_geo.places.files.MAX_PACK_RATIO = {MAX_PACK_RATIO}; "
            "such files are usually decompression bombs. If you trust it, raise that "
            "limit or unpack it yourself and give the unpacked file"
        )
        raise DataFileError(msg)


def check_zip(path: PathLike) -> None:
    """Raise :class:`DataFileError` when a ``.zip`` announces more than the limits allow.

    Read from the archive's directory, before anything is unpacked (see
    :func:`check_unpacked_size`).

    Parameters
    ----------
    path : str or os.PathLike
        A zip archive.

    Raises
    ------
    DataFileError
        Not a zip archive, or one that unpacks past a limit.

    Examples
    --------
    >>> import pathlib, tempfile, zipfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "roads.zip"
    >>> with zipfile.ZipFile(path, "w") as z:
    ...     z.writestr("roads.geojson", '{"type": "FeatureCollection", "features": []}')
    >>> check_zip(path)
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{path}: not a readable zip archive ({exc}); download or pack it again"
        raise DataFileError(msg) from None
    check_unpacked_size(
        path, sum(i.file_size for i in infos), sum(i.compress_size for i in infos) or 1
    )


# Longest file name most file systems allow (ext4, NTFS, APFS: 255 bytes or characters).
_NAME_MAX = 255


def _check_path(path: PathLike) -> Path:
    """Return ``path`` as a Path to a regular, readable, non-empty file, or raise.

    Nothing is opened: a FIFO or a device would block the reader forever.
    """
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        msg = (
            f"path must be a str or a pathlib.Path naming a file, got "
            f"{type(path).__name__} ({path!r:.60})"
        )
        raise InvalidInputError(msg)
    try:
        p = Path(path)
    except TypeError:  # an os.PathLike whose __fspath__ gives bytes
        msg = f"path must be a str or a pathlib.Path naming a file, got {path!r:.60}"
        raise InvalidInputError(msg) from None
    long_part = next((part for part in p.parts if len(part.encode()) > _NAME_MAX), None)
    if long_part is not None:
        msg = (
            f"{str(p)[:80]}...: a file or folder name is {len(long_part.encode())} bytes long; "
            f"file systems allow at most {_NAME_MAX}. Check the path (a whole text pasted as "
            "a name?) or rename the file"
        )
        raise InvalidInputError(msg)
    try:
        info = p.stat()
    except FileNotFoundError:
        msg = f"{p}: no such file; check the path and the working folder"
        if p.is_symlink():
            msg = f"{p}: a symbolic link to a file that does not exist; fix or remove the link"
        raise DataFileError(msg) from None
    except PermissionError:
        msg = (
            f"{p}: permission denied on a folder of this path; ask for read access to the "
            "folder, or copy the file somewhere you can read"
        )
        raise DataFileError(msg) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            msg = f"{p}: symbolic links point at each other in a loop; fix the links"
        else:
            msg = f"{p}: cannot be read ({exc.strerror}); check the path"
        raise DataFileError(msg) from None
    if stat.S_ISDIR(info.st_mode):
        msg = (
            f"{p}: is a directory, not a file; give the path of a file inside it "
            "(a .gpkg, .geojson, .shp, .gpx, .csv...)"
        )
        raise DataFileError(msg)
    if not stat.S_ISREG(info.st_mode):
        msg = (
            f"{p}: not a regular file (a pipe, socket or device); reading it could wait "
            "forever. Save the data to a file first and give that file's path"
        )
        raise DataFileError(msg)
    if not os.access(p, os.R_OK):
        msg = (
            f"{p}: permission denied; the file exists but you may not read it. Ask for read "
            "access (chmod u+r), or copy it somewhere you can read"
        )
        raise DataFileError(msg)
    if info.st_size == 0:
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
    if p.suffix.lower() == ".zip":
        check_zip(p)  # GDAL would unpack a bomb whole before listing it
    if p.suffix.lower() in SPREADSHEET_SUFFIXES:
        return list_sheets(p)
    if p.suffix.lower() in TABLE_SUFFIXES:
        return [p.stem]  # a text table is one layer, named after its file
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
    # The QGIS style table that to_geopackage writes is not a layer anyone means to read.
    data_layers = [name for name in names if name.lower() != "layer_styles"]
    if len(data_layers) > 1:
        raise InvalidInputError(
            f"{p} holds {len(data_layers)} layers ({', '.join(data_layers)}); choose one "
            "with layer=..."
        )
    return data_layers[0] if len(data_layers) == 1 < len(names) else None


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
        if "permission denied" in str(exc).lower():
            msg = (
                f"{p}: permission denied while reading it (or a file beside it, such as a "
                "Shapefile's .dbf or a GeoPackage's -wal); ask for read access to them"
            )
            raise DataFileError(msg) from None
        raise DataFileError(
            f"{p}: could not be read ({type(exc).__name__}: {exc}); the file may be truncated "
            "or in a format GDAL does not know"
        ) from None


def _warn_missing_sidecars(p: Path) -> None:
    # GDAL reads a .shp without its .dbf and silently returns no attribute at all.
    if p.suffix.lower() != ".shp":
        return
    siblings = {child.name.lower() for child in p.parent.iterdir()}
    if f"{p.stem}.dbf".lower() not in siblings:
        warnings.warn(
            f"{p}: the Shapefile has no {p.stem}.dbf beside it, so its attributes (names, "
            "ids...) are missing and only geometries are read; copy the .dbf (and .shx, "
            ".prj) with the .shp",
            BassinGeoWarning,
            stacklevel=4,
        )


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
    x: str | None = None,
    y: str | None = None,
    wkt: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a user's geodata file or table, check it, and return it in WGS84.

    Tables (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.ods``) are read by
    :func:`bassin_geo.places.tables.read_table`: separator, decimal comma and encoding
    detected, point columns found by name (lon/lat, longitude/latitude, X/Y, E/N, in
    French or English, case and accents ignored) or given with ``x=``/``y=``, or a WKT
    column; numbers in the range of Lambert-93 are read as EPSG:2154 with a warning
    unless ``crs=`` says what they are.

    Parameters
    ----------
    path : str or os.PathLike
        A GeoJSON, GeoPackage, Shapefile, GPX, FlatGeobuf or KML file, or a table.
    layer : str, optional
        The layer to read in multi-layer files (the sheet of a workbook). A GPX gives
        its tracks, else its routes, else its waypoints.
    engine : {"pyogrio", "fiona"}
        The GDAL binding geopandas uses.
    crs : str, int or pyproj.CRS, optional
        The CRS of a file that does not record one (a Shapefile without ``.prj``).
    columns : list of str, optional
        Read only these attribute columns (and the geometry); default all.
    x, y : str, optional
        Tables only: the coordinate columns, when their names are not recognised.
    wkt : str, optional
        Tables only: a column of WKT geometries.

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
    InvalidInputError
        A table without recognisable coordinates (the message lists its columns), or
        options that do not fit the file.

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
    if p.suffix.lower() in TABLE_SUFFIXES:
        gdf = read_table(p, layer=layer, x=x, y=y, wkt=wkt, crs=crs)
        if columns is not None:
            unknown = [c for c in columns if c not in gdf.columns]
            if unknown:
                msg = f"{p}: no column {', '.join(map(repr, unknown))}; the table has " + (
                    ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
                )
                raise InvalidInputError(msg)
            gdf = gdf[[*columns, gdf.geometry.name]]
        return _checked(gdf, f"{p}", crs)
    if (x, y, wkt) != (None, None, None):
        msg = f"{p}: x=, y= and wkt= are for tables (.csv, .xlsx, .ods...), not this file"
        raise InvalidInputError(msg)
    chosen = _pick_layer(p, layer)
    _warn_missing_sidecars(p)
    gdf = _read(p, chosen, engine, columns)
    where = f"{p}" + (f" (layer {chosen})" if chosen else "")
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.active_geometry_name is None:
        msg = (
            f"{where}: the layer has no geometry column (an attribute table); read it with "
            "pandas, or join it to a layer that has geometries"
        )
        raise DataFileError(msg)
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
    return _checked(gdf, where, crs)


def _checked(gdf: gpd.GeoDataFrame, where: str, crs: CRS | None) -> gpd.GeoDataFrame:
    """The checks every file gets once its CRS is known, and the conversion to WGS84."""
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
                told = "you gave" if crs is not None else "the file is labelled"
                raise CoordinateError(
                    f"{exc}. {told.capitalize()} {gdf.crs.to_string()} but it holds metres: "
                    "pass its real CRS, e.g. read_layer(path, crs='EPSG:2154')"
                ) from None
            raise
    gdf = _repair(gdf, where)
    return gdf.to_crs(WGS84) if not gdf.crs.equals(WGS84) else gdf

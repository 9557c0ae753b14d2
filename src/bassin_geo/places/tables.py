"""Read the user's tables (CSV, TSV, TXT, XLSX, ODS) as point layers.

Planners' tables come from a French Excel as often as from a script: semicolons, decimal
commas, Windows-1252 text, Lambert-93 ``X``/``Y`` columns. :func:`read_table` takes them
as they are:

- **encoding**: UTF-8 (with or without a byte-order mark), else Windows-1252, else
  Latin-1;
- **separator**: ``;``, ``,``, tab or ``|``, whichever splits the header and the first rows
  into the same number of columns (tab for ``.tsv``); **decimal comma** when the separator
  is not a comma and the numbers are written ``50,43``;
- **coordinates**: two columns found by name, case, accents, spaces and units ignored
  (see :data:`X_NAMES` and :data:`Y_NAMES`), or named with ``x=``/``y=``, or one WKT
  column (``wkt=``, or a column called ``wkt``/``geometry``/``geom``);
- **CRS**: ``crs=`` when given; otherwise degrees are read as WGS84, and numbers in the
  range of Lambert-93 (EPSG:2154) in France as Lambert-93, with a warning saying so.

:func:`bassin_geo.read_layer` calls it for these suffixes and then runs the checks every
file gets (swapped latitude/longitude, NaN, metres labelled as degrees).
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from bassin_geo._text import compact
from bassin_geo.crs import WGS84
from bassin_geo.errors import (
    BassinGeoWarning,
    CoordinateError,
    DataFileError,
    EmptyInputError,
    InvalidInputError,
)

__all__ = [
    "LAMBERT93",
    "SPREADSHEET_SUFFIXES",
    "TABLE_SUFFIXES",
    "TEXT_SUFFIXES",
    "WKT_NAMES",
    "X_NAMES",
    "Y_NAMES",
    "list_sheets",
    "point_columns",
    "read_table",
    "read_text_table",
    "table_geometry",
]

#: Delimited text tables.
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
#: Workbooks (the first sheet, or the one named with ``layer=``).
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")
#: Every suffix :func:`read_table` reads.
TABLE_SUFFIXES = TEXT_SUFFIXES + SPREADSHEET_SUFFIXES

#: Lambert-93, the French projected CRS of most planners' X/Y columns.
LAMBERT93 = "EPSG:2154"

# Column names, compacted (lower case, no accents, letters and digits only), by pair:
# the first pair found in a table wins, so lon/lat beats x/y when a table has both.
_PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("lon", "lng", "long", "longitude", "longitudewgs84"), ("lat", "latitude", "latitudewgs84")),
    (
        ("x", "coordx", "xcoord", "coordonneex", "xl93", "xlambert93", "lambertx", "x2154"),
        ("y", "coordy", "ycoord", "coordonneey", "yl93", "ylambert93", "lamberty", "y2154"),
    ),
    (("e", "est", "easting"), ("n", "nord", "northing")),
)
#: The names recognised for the x (longitude, easting) column, compacted.
X_NAMES: tuple[str, ...] = tuple(name for pair in _PAIRS for name in pair[0])
#: The names recognised for the y (latitude, northing) column, compacted.
Y_NAMES: tuple[str, ...] = tuple(name for pair in _PAIRS for name in pair[1])
#: The names recognised for a WKT geometry column, compacted.
WKT_NAMES: tuple[str, ...] = ("wkt", "geometry", "geometrie", "geom", "thegeom")

# Lambert-93 over metropolitan France (with a margin): what X/Y numbers in metres look like.
_L93_X = (50_000.0, 1_300_000.0)
_L93_Y = (6_000_000.0, 7_200_000.0)
_SEPARATORS = ";,\t|"
_HOW_TO_NAME = (
    "name the columns lon/lat (or longitude/latitude), or X/Y for Lambert-93, or pass "
    "x='...', y='...' (or wkt='...' for a WKT column)"
)


def _decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"  # decodes any byte: the last resort


def _separator(text: str, suffix: str) -> str:
    """The column separator: the one that splits the first lines into equal widths."""
    if suffix == ".tsv":
        return "\t"
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_width = ",", 1
    for sep in _SEPARATORS:
        widths = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = sep, width
    return best


def _has_decimal_comma(text: str, sep: str) -> bool:
    if sep == ",":
        return False
    number = r"-?\d+,\d+"
    cells = re.findall(
        rf"(?:^|{re.escape(sep)})\s*\"?({number})\"?\s*(?={re.escape(sep)}|$)", text, re.M
    )
    return bool(cells)


def read_text_table(
    path: Path, *, sep: str | None = None, encoding: str | None = None
) -> pd.DataFrame:
    """A delimited text table as pandas reads it, its separator and encoding detected.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv``, ``.tsv`` or ``.txt`` file.
    sep : str, optional
        The separator; detected among ``;``, ``,``, tab and ``|`` by default.
    encoding : str, optional
        The encoding; UTF-8 (BOM or not), else Windows-1252, else Latin-1 by default.

    Returns
    -------
    DataFrame
        The cells, numbers with a decimal comma read as numbers.

    Raises
    ------
    DataFileError
        A file pandas cannot parse.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("nom;lon;lat\\nFosse Delloye;3,087;50,375\\n".encode("cp1252"))
    >>> read_text_table(p)["lon"].tolist()
    [3.087]
    """
    raw = path.read_bytes()
    if encoding is None:
        text, encoding = _decode(raw)
    else:
        text = raw.decode(encoding)
    if sep is None:
        sep = _separator(text, path.suffix.lower())
    decimal = "," if _has_decimal_comma(text, sep) else "."
    try:
        return pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as exc:
        msg = f"{path}: cannot be read as a table with separator {sep!r} ({exc})"
        raise DataFileError(msg) from None


def _calamine_or_openpyxl(path: Path) -> Literal["calamine", "odf", "openpyxl"]:
    try:
        import python_calamine  # noqa: F401  (only asked whether it is there)
    except ImportError:
        if path.suffix.lower() == ".ods":
            return "odf"
        return "openpyxl"
    return "calamine"


def list_sheets(path: Path) -> list[str]:
    """The sheet names of a workbook, in order.

    Parameters
    ----------
    path : pathlib.Path
        An ``.xlsx`` or ``.ods`` file.

    Returns
    -------
    list of str
        Its sheets.

    Raises
    ------
    DataFileError
        A file that is not a workbook.

    Examples
    --------
    >>> import pathlib, tempfile, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> pd.DataFrame({"lon": [3.0], "lat": [50.4]}).to_excel(p, sheet_name="sites", index=False)
    >>> list_sheets(p)
    ['sites']
    """
    try:
        with pd.ExcelFile(path, engine=_calamine_or_openpyxl(path)) as book:
            return [str(name) for name in book.sheet_names]
    except Exception as exc:  # zip, XML and engine errors: one message for a bad workbook
        msg = f"{path}: cannot be opened as a workbook ({type(exc).__name__}: {exc})"
        raise DataFileError(msg) from None


def _read_sheet(path: Path, sheet: str | None) -> pd.DataFrame:
    names = list_sheets(path)
    if sheet is None:
        if len(names) > 1:
            msg = (
                f"{path} holds {len(names)} sheets ({', '.join(names)}); choose one with layer=..."
            )
            raise InvalidInputError(msg)
        sheet = names[0]
    elif sheet not in names:
        msg = f"{path}: no sheet {sheet!r}; the workbook has {', '.join(names)}"
        raise DataFileError(msg)
    frame: pd.DataFrame = pd.read_excel(path, sheet_name=sheet, engine=_calamine_or_openpyxl(path))
    return frame


def _find(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    # Units and notes in brackets do not count: "X (m)" and "Longitude [°]" are X and longitude.
    for name in wanted:
        for column in columns:
            if compact(re.sub(r"[(\[].*?[)\]]", "", str(column))) == name:
                return column
    return None


def point_columns(
    frame: pd.DataFrame, *, x: str | None = None, y: str | None = None
) -> tuple[str, str] | None:
    """The coordinate columns of a table: ``x``/``y`` when given, else found by name.

    Parameters
    ----------
    frame : DataFrame
        The table.
    x, y : str, optional
        The columns to use; checked against the table.

    Returns
    -------
    tuple of str or None
        The x (longitude, easting) and y column names; None when no pair of
        :data:`X_NAMES`/:data:`Y_NAMES` is there.

    Raises
    ------
    InvalidInputError
        Only one of ``x``/``y``, or a column the table does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> point_columns(pd.DataFrame(columns=["Nom", "Coord X (m)", "Coord Y (m)"]))
    ('Coord X (m)', 'Coord Y (m)')
    """
    columns = [str(c) for c in frame.columns]
    if x is not None or y is not None:
        for given, label in ((x, "x"), (y, "y")):
            if given is None:
                msg = f"give both x= and y= (only {label == 'x' and 'y' or 'x'}= was given)"
                raise InvalidInputError(msg)
            if given not in columns:
                msg = f"{label}={given!r}: no such column; the table has {', '.join(columns)}"
                raise InvalidInputError(msg)
        assert x is not None and y is not None  # checked just above; narrows for mypy
        return x, y
    for xs, ys in _PAIRS:
        found_x, found_y = _find(columns, xs), _find(columns, ys)
        if found_x is not None and found_y is not None:
            return found_x, found_y
    return None


def _numbers(frame: pd.DataFrame, column: str, where: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values):
        # Text such as "704 123,5" (a French thousands space, a decimal comma).
        text = values.astype("string").str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            msg = (
                f"{where}: column {column!r} row {i + 2} holds {frame[column].iloc[i]!r}, "
                "not a number"
            )
            raise CoordinateError(msg)
    out = np.asarray(values, dtype=float)
    missing = ~np.isfinite(out)
    if missing.any():
        rows = np.flatnonzero(missing)
        shown = ", ".join(str(r + 2) for r in rows[:5]) + ("..." if len(rows) > 5 else "")
        msg = (
            f"{where}: {len(rows)} row(s) have no {column!r} coordinate (table rows {shown}, "
            "counting the header as row 1); fill them in or drop those rows"
        )
        raise CoordinateError(msg)
    return out


def _in_lambert93(xs: np.ndarray[Any, Any], ys: np.ndarray[Any, Any]) -> bool:
    return bool(
        (xs >= _L93_X[0]).all()
        and (xs <= _L93_X[1]).all()
        and (ys >= _L93_Y[0]).all()
        and (ys <= _L93_Y[1]).all()
    )


def _decide_crs(
    xs: np.ndarray[Any, Any], ys: np.ndarray[Any, Any], crs: CRS | None, where: str
) -> CRS:
    if crs is not None:
        return crs
    if (np.abs(xs) <= 180).all() and (np.abs(ys) <= 90).all():
        return CRS.from_user_input(WGS84)
    if _in_lambert93(xs, ys):
        warnings.warn(
            f"{where}: the coordinates are metres in the range of Lambert-93 in France; read "
            f"them as {LAMBERT93}. Pass crs='{LAMBERT93}' to say so (or the real CRS)",
            BassinGeoWarning,
            stacklevel=5,  # _decide_crs, read_table, read_layer, its shim: the caller
        )
        return CRS.from_user_input(LAMBERT93)
    if _in_lambert93(ys, xs):
        msg = (
            f"{where}: the coordinates look like Lambert-93 with X and Y swapped (first "
            f"row: x={xs[0]:g}, y={ys[0]:g}); X (easting) is the smaller number, about "
            "700 000 in the basin: check which column is which, or pass x=..., y=..."
        )
        raise CoordinateError(msg)
    i = int(np.flatnonzero((np.abs(xs) > 180) | (np.abs(ys) > 90))[0])
    msg = (
        f"{where}: coordinates cannot be degrees (row {i + 2}: x={xs[i]:g}, y={ys[i]:g}) and "
        "are not Lambert-93 either; pass the table's CRS, e.g. read_layer(path, "
        "crs='EPSG:3949') for a CC49 conic zone"
    )
    raise CoordinateError(msg)


def read_table(
    path: str | Path,
    *,
    layer: str | None = None,
    x: str | None = None,
    y: str | None = None,
    wkt: str | None = None,
    crs: CRS | None = None,
    sep: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """A user's table as a GeoDataFrame of its points (or WKT geometries), in its own CRS.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv``, ``.tsv``, ``.txt``, ``.xlsx`` or ``.ods`` file.
    layer : str, optional
        The sheet of a workbook with several.
    x, y : str, optional
        The coordinate columns, when their names are not among :data:`X_NAMES` and
        :data:`Y_NAMES`.
    wkt : str, optional
        A column of WKT geometries, instead of ``x``/``y``.
    crs : pyproj.CRS, optional
        The CRS of the coordinates; by default WGS84 for degrees, Lambert-93 (with a
        :class:`BassinGeoWarning`) for metres in its range.
    sep : str, optional
        The separator of a text table; detected by default.
    encoding : str, optional
        The encoding of a text table; detected by default.

    Returns
    -------
    GeoDataFrame
        Every column of the table, in its order, and a ``geometry``, labelled with the
        CRS decided above (not yet converted to WGS84).

    Raises
    ------
    InvalidInputError
        No coordinate columns (the message lists the columns seen and how to name
        them), or options naming columns the table does not have.
    CoordinateError
        Empty or non-numeric coordinates, metres outside Lambert-93 without ``crs=``.
    EmptyInputError
        A table with no row.
    DataFileError
        A file that cannot be parsed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pits.csv"
    >>> _ = p.write_text("name,longitude,latitude\\nArenberg,3.4167,50.3977\\n")
    >>> read_table(p).geometry.iloc[0].x
    3.4167
    """
    p = Path(path)
    where = str(p)
    if p.suffix.lower() in SPREADSHEET_SUFFIXES:
        frame = _read_sheet(p, layer)
        where = f"{p} (sheet {layer})" if layer else where
    else:
        frame = read_text_table(p, sep=sep, encoding=encoding)
    frame = frame.dropna(how="all")  # the blank rows a spreadsheet leaves at the end
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame) == 0:
        msg = f"{where}: the table has a header but no row"
        raise EmptyInputError(msg)
    frame = frame.reset_index(drop=True)
    return table_geometry(frame, x=x, y=y, wkt=wkt, crs=crs, where=where)


def table_geometry(
    frame: pd.DataFrame,
    *,
    x: str | None = None,
    y: str | None = None,
    wkt: str | None = None,
    crs: CRS | None = None,
    where: str = "table",
) -> gpd.GeoDataFrame:
    """The geometry of a plain table: its point columns, or its WKT column.

    Parameters
    ----------
    frame : DataFrame
        The table, as pandas read it.
    x, y : str, optional
        The coordinate columns; found by name by default (:func:`point_columns`).
    wkt : str, optional
        A column of WKT geometries, instead of ``x``/``y``.
    crs : pyproj.CRS, optional
        The CRS of the coordinates; by default WGS84 for degrees, Lambert-93 (with a
        :class:`BassinGeoWarning`) for metres in its range.
    where : str, default "table"
        Names the table in messages.

    Returns
    -------
    GeoDataFrame
        Every column of the table (the WKT column turned into the geometry), labelled
        with the CRS decided above.

    Raises
    ------
    InvalidInputError
        No coordinate columns: the message lists the columns and how to name them.
    CoordinateError
        Empty, non-numeric, swapped Lambert-93, or unrecognised metres.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"Nom": ["Arenberg"], "LON": [3.4], "LAT": [50.4]})
    >>> table_geometry(table).crs.to_epsg()
    4326
    """
    wkt_column = wkt if wkt is not None else None
    points = None if wkt is not None else point_columns(frame, x=x, y=y)
    if points is None and wkt_column is None:
        wkt_column = _find(list(frame.columns), WKT_NAMES)
    if wkt_column is not None:
        if wkt_column not in frame.columns:
            msg = f"wkt={wkt_column!r}: no such column; the table has {', '.join(frame.columns)}"
            raise InvalidInputError(msg)
        try:
            geoms = shapely.from_wkt(frame[wkt_column].astype(str).to_numpy(), on_invalid="raise")
        except shapely.errors.GEOSException as exc:
            msg = f"{where}: column {wkt_column!r} does not hold WKT geometries ({exc})"
            raise CoordinateError(msg) from None
        coords = shapely.get_coordinates(geoms)
        chosen = _decide_crs(coords[:, 0], coords[:, 1], crs, where)
        frame = frame.drop(columns=wkt_column)
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=chosen)
    if points is None:
        msg = (
            f"{where}: no coordinate columns found among {', '.join(frame.columns)}; "
            + _HOW_TO_NAME
        )
        raise InvalidInputError(msg)
    xs, ys = (_numbers(frame, column, where) for column in points)
    chosen = _decide_crs(xs, ys, crs, where)
    return gpd.GeoDataFrame(frame, geometry=shapely.points(xs, ys), crs=chosen)

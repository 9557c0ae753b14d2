"""Tables for spreadsheets and scripts: CSV (plain or for a French Excel) and Excel workbooks.

Two kinds of CSV, one choice (``excel=``):

- the default is for programs: UTF-8 without a byte-order mark, ``,`` separator, ``.``
  decimals, every number as Python writes it back exactly, so ``pandas.read_csv`` gives
  the same table back;
- ``excel=True`` is for a French Excel, which opens it with a double click: UTF-8 with a
  byte-order mark (without it Excel reads UTF-8 as Windows-1252 and breaks the accents),
  ``;`` separator, decimal comma, Windows line ends, and text cells that a spreadsheet
  would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return) defused with a leading apostrophe.

A table labelled by its rows (a distance matrix: ``origin`` by ``destination``) keeps its
labels as a first column; ``pandas.read_csv(path, index_col=0)`` gives the matrix back.
Geometry is written as ``lon``/``lat`` columns for points, else (or with ``wkt=True``)
as a ``wkt`` column. :func:`to_excel` writes one sheet per table, with typed cells, a
header row and column widths that fit.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo._compat import keyword_only
from bassin_geo.errors import BassinGeoWarning, InvalidInputError
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike, as_frame, plain_table, unwrap_frame
from bassin_geo.io.options import check_flag

#: What :func:`to_csv` writes: a plain table, or anything :func:`as_frame` takes.
TableLike: TypeAlias = pd.DataFrame | FrameLike

__all__ = [
    "EXCEL_CELL_MAX",
    "FORMULA_STARTS",
    "Decimals",
    "TableLike",
    "csv_text",
    "defuse_formulas",
    "flat_table",
    "round_by_unit",
    "to_csv",
    "to_excel",
]

#: The longest text an Excel cell holds.
EXCEL_CELL_MAX = 32_767
#: The first characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


# How many decimals a column keeps, by its name's unit: metres are whole (the data are
# good to a metre at best), kilometres to the metre, coordinates to about 10 cm.
_DECIMALS_BY_UNIT = (
    (re.compile(r"(^|_)m$"), 0),
    (re.compile(r"(^|_)km($|_)"), 3),
    (re.compile(r"(^|_)s$"), 0),
    (re.compile(r"(^|_)min$"), 1),
    (re.compile(r"(^|_)h$"), 2),
    (re.compile(r"^(lon|lat|longitude|latitude|x|y)$"), 6),
)
_OTHER_DECIMALS = 3


def round_by_unit(data: pd.DataFrame) -> pd.DataFrame:
    """Round the floating-point columns of a result for people to read, by their unit.

    The unit is read from the column's name: ``*_m`` whole metres, ``km``/``*_km``
    3 decimals, ``*_s`` whole seconds, ``*_min`` 1 decimal, ``*_h`` 2 decimals,
    ``lon``/``lat`` 6 decimals; other floats 3 decimals.

    Parameters
    ----------
    data : DataFrame
        A result table.

    Returns
    -------
    DataFrame
        A copy; whole-metre columns become integers (missing values stay missing).

    Examples
    --------
    >>> import pandas as pd
    >>> r = round_by_unit(pd.DataFrame({"length_m": [14208.149828], "km": [14.208149]}))
    >>> r["length_m"].tolist(), r["km"].tolist()
    ([14208], [14.208])
    """
    out: pd.DataFrame = data.copy()
    for name in out.columns:
        column = out[name]
        if not pd.api.types.is_float_dtype(column) or name == "geometry":
            continue
        decimals = next(
            (d for pattern, d in _DECIMALS_BY_UNIT if pattern.search(str(name).lower())),
            _OTHER_DECIMALS,
        )
        column = column.round(decimals)
        if decimals == 0:
            column = column.astype("Int64")
        out[name] = column
    return out


def _has_labels(index: pd.Index) -> bool:
    """Whether an index says something (a matrix's origins), not just row numbers."""
    if isinstance(index, pd.RangeIndex) and index.name is None:
        return not (index.start == 0 and index.step == 1)
    return index.name is not None or not pd.api.types.is_integer_dtype(index)


def flat_table(table: TableLike, *, wkt: bool = False) -> pd.DataFrame:
    """The table as plain columns: labels as a first column, geometry as lon/lat or WKT.

    Parameters
    ----------
    table : DataFrame, GeoDataFrame, GeoSeries or object with ``to_gdf()``
        The rows to flatten. Geometries are converted to WGS84 first.
    wkt : bool, default False
        Write every geometry as a ``wkt`` column, points included.

    Returns
    -------
    DataFrame
        A default index; the row labels, when the table has any, as its first column
        (named after the index, else ``id``).

    Raises
    ------
    InvalidInputError
        Something that is not a table.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"B": [1.0]}, index=pd.Index(["A"], name="origin"))
    >>> flat_table(m).columns.tolist()
    ['origin', 'B']
    """
    wkt = check_flag(wkt, "wkt")
    table = unwrap_frame(table)
    if not isinstance(table, pd.DataFrame):
        msg = (
            f"table: expected a DataFrame, a GeoDataFrame or an object with to_gdf(), "
            f"got {type(table).__name__}"
        )
        raise InvalidInputError(msg)
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        gdf = as_frame(table, where="table")
        geoms = gdf.geometry.to_numpy()
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        is_point = shapely.get_type_id(geoms) == 0
        if len(geoms) and is_point.all() and not wkt:
            frame["lon"] = np.round(shapely.get_x(geoms), 7)
            frame["lat"] = np.round(shapely.get_y(geoms), 7)
        else:
            frame["wkt"] = shapely.to_wkt(geoms, rounding_precision=7)
        table = frame
    if _has_labels(table.index):
        names = [
            n if n is not None else ("id" if i == 0 else f"id{i}")
            for i, n in enumerate(table.index.names)
        ]
        flat: pd.DataFrame = table.rename_axis(names).reset_index()
    else:
        flat = table.reset_index(drop=True)
    return flat


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix with ``'`` the text cells a spreadsheet would run as a formula.

    Parameters
    ----------
    frame : DataFrame
        Cells to write into a CSV a spreadsheet opens.

    Returns
    -------
    DataFrame
        A copy; text cells starting with one of :data:`FORMULA_STARTS` begin with an
        apostrophe, which spreadsheets take as "this is text".

    Examples
    --------
    >>> import pandas as pd
    >>> defuse_formulas(pd.DataFrame({"nom": ["=HYPERLINK()", "Arenberg"]}))["nom"].tolist()
    ["'=HYPERLINK()", 'Arenberg']
    """
    out: pd.DataFrame = frame.copy()
    for name, col in out.items():
        if col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            risky = col.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
            if risky.any():
                out[name] = col.astype(object).where(~risky, "'" + col.astype(str))
    return out


#: How :func:`to_csv` rounds: a number of decimals, ``"unit"`` (:func:`round_by_unit`),
#: ``"exact"`` (as Python writes floats back), or None (exact, by unit with ``excel=True``).
Decimals: TypeAlias = int | Literal["unit", "exact"] | None


def _prepared(table: TableLike, excel: bool, wkt: bool, decimals: Decimals) -> pd.DataFrame:
    plain = plain_table(flat_table(table, wkt=wkt), nested="json")
    if decimals is None:
        decimals = "unit" if excel else "exact"
    if decimals == "unit":
        plain = round_by_unit(plain)
    elif decimals != "exact":
        if not isinstance(decimals, int) or isinstance(decimals, bool) or decimals < 0:
            msg = f"decimals must be 'unit', 'exact', None or a whole number >= 0, got {decimals!r}"
            raise InvalidInputError(msg)
        floats = plain.select_dtypes("float").columns
        plain[floats] = plain[floats].round(decimals)
    return defuse_formulas(plain) if excel else plain


def _write_csv(plain: pd.DataFrame, target: Any, excel: bool) -> None:
    if excel:
        plain.to_csv(target, index=False, sep=";", decimal=",", lineterminator="\r\n")
    else:
        plain.to_csv(target, index=False, lineterminator="\n")


def csv_text(
    table: TableLike, *, excel: bool = False, wkt: bool = False, decimals: Decimals = None
) -> str:
    """The CSV text :func:`to_csv` would write, for printing (the CLI's ``--format csv``).

    Parameters
    ----------
    table : DataFrame, GeoDataFrame, GeoSeries or object with ``to_gdf()``
        The rows to write.
    excel : bool, default False
        ``;`` separator, decimal comma, formulas defused (the byte-order mark is the
        file's business: :func:`to_csv` adds it).
    wkt : bool, default False
        Geometry as a ``wkt`` column, points included.
    decimals : int, "unit", "exact" or None
        As for :func:`to_csv`.

    Returns
    -------
    str
        The CSV text.

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"nom": ["Arenberg"], "km": [12.5]}), excel=True), end="")
    nom;km
    Arenberg;12,5
    """
    excel = check_flag(excel, "excel")
    buf = io.StringIO()
    _write_csv(_prepared(table, excel, wkt, decimals), buf, excel)
    return buf.getvalue()


@keyword_only(2, ("overwrite",))
def to_csv(
    table: TableLike,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    excel: bool = False,
    wkt: bool = False,
    decimals: Decimals = None,
) -> Path:
    """Write a table (distances, crossings, a user's places...) as CSV.

    A GeoDataFrame (or an object with ``to_gdf()``) is converted to WGS84; point
    geometries become ``lon`` and ``lat`` columns, other geometries a ``wkt`` column
    (7 decimals). Row labels (a distance matrix's origins) become the first column.
    Lists and dicts are written as JSON, dates as ISO strings, NaN as an empty cell.

    Parameters
    ----------
    table : DataFrame, GeoDataFrame, GeoSeries or object with ``to_gdf()``
        The rows to write.
    path : path-like
        Target ``.csv`` file.
    overwrite : bool, default False
        Replace an existing file.
    excel : bool, default False
        Write for a French Excel: UTF-8 with a byte-order mark, ``;`` separator,
        decimal comma, formula-looking text defused (see the module notes). By default
        plain UTF-8 CSV that pandas reads back as it was.
    wkt : bool, default False
        Geometry as a ``wkt`` column, points included.
    decimals : int, "unit", "exact" or None
        How floating-point columns are rounded: to a number of decimals; ``"unit"`` by
        the unit in the column's name (:func:`round_by_unit`: whole metres for ``*_m``,
        3 decimals for ``km``...); ``"exact"`` not at all (pandas reads back the same
        numbers). None, the default, is ``"exact"``, and ``"unit"`` with ``excel=True``.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = to_csv(pd.DataFrame({"a": [1.5]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> out.read_text().splitlines()
    ['a', '1.5']
    """
    overwrite = check_flag(overwrite, "overwrite")
    excel = check_flag(excel, "excel")
    plain = _prepared(table, excel, wkt, decimals)
    with atomic_write(path, overwrite=overwrite) as tmp:
        with open(tmp, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as out:
            _write_csv(plain, out, excel)
    return Path(path)


def _sheet_names(frames: TableLike | Mapping[str, TableLike]) -> list[tuple[str, TableLike]]:
    if isinstance(frames, Mapping):
        items = [(str(name), table) for name, table in frames.items()]
    else:
        items = [("table", frames)]
    if not items:
        msg = "to_excel: give at least one table"
        raise InvalidInputError(msg)
    named: list[tuple[str, TableLike]] = []
    seen: set[str] = set()
    for name, table in items:
        # Excel's rules: at most 31 characters, none of []:*?/\, unique ignoring case.
        sheet = (name.translate(_SHEET_FORBIDDEN).strip("'") or "table")[:31]
        base, n = sheet, 2
        while sheet.lower() in seen:
            sheet = f"{base[: 31 - len(str(n)) - 1]}_{n}"
            n += 1
        seen.add(sheet.lower())
        named.append((sheet, table))
    return named


def _excel_cells(table: TableLike, wkt: bool, sheet: str) -> pd.DataFrame:
    flat = flat_table(table, wkt=wkt)
    plain = plain_table(flat, nested="json")
    for name, col in plain.items():
        if col.dtype != object and not isinstance(col.dtype, pd.StringDtype):
            continue
        long = col.map(lambda v: isinstance(v, str) and len(v) > EXCEL_CELL_MAX)
        if long.any():
            # Excel refuses longer cells (it "repairs" the file by dropping them).
            warnings.warn(
                f"to_excel: sheet {sheet!r}, column {name!r}: {int(long.sum())} cell(s) longer "
                f"than Excel's {EXCEL_CELL_MAX} characters were cut (a long route's WKT: "
                "write the geometry with to_geopackage or to_geojson instead)",
                BassinGeoWarning,
                stacklevel=3,
            )
            plain[name] = col.astype(object).where(
                ~long, col.astype(str).str.slice(0, EXCEL_CELL_MAX)
            )
    for name, col in flat.items():
        # Dates stay dates (typed cells); Excel has no time zones, so local wall time.
        if pd.api.types.is_datetime64_any_dtype(col):
            plain[name] = col.dt.tz_localize(None) if col.dt.tz is not None else col
    return plain


@keyword_only(2, ("overwrite",))
def to_excel(
    frames: TableLike | Mapping[str, TableLike],
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    wkt: bool = False,
) -> Path:
    """Write tables into an Excel workbook (``.xlsx``), one sheet per table.

    Each sheet has a bold, frozen header row, typed cells (numbers stay numbers, dates
    dates) and columns as wide as their content (up to 60 characters). Geometry and row
    labels are written as :func:`to_csv` writes them. Text that looks like a formula
    (``=...``) is stored as text, never run; text longer than Excel's 32,767 characters
    per cell (a long route's WKT) is cut, with a :class:`BassinGeoWarning`.

    Parameters
    ----------
    frames : table or mapping of str to table
        One table (sheet ``table``), or ``{"sheet name": table}``. A table is a
        DataFrame, GeoDataFrame, GeoSeries or an object with ``to_gdf()``. Sheet names
        are cut to 31 characters and cleared of ``[]:*?/\\``, as Excel requires.
    path : path-like
        Target ``.xlsx`` file.
    overwrite : bool, default False
        Replace an existing file.
    wkt : bool, default False
        Geometry as a ``wkt`` column, points included.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InvalidInputError
        No table, or something that is not a table.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> _ = to_excel({"distances": pd.DataFrame({"km": [12.5]})}, out)
    >>> pd.read_excel(out, sheet_name="distances", engine="calamine")["km"].tolist()
    [12.5]
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    overwrite = check_flag(overwrite, "overwrite")
    wkt = check_flag(wkt, "wkt")
    sheets = [(name, _excel_cells(table, wkt, name)) for name, table in _sheet_names(frames)]
    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, cells in sheets:
        sheet = book.create_sheet(name)
        sheet.append([str(c) for c in cells.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in cells.itertuples(index=False):
            sheet.append([None if _is_missing(v) else _excel_value(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":  # text starting with "=": keep it text
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        for i, column in enumerate(cells.columns, start=1):
            width = max([len(str(column)), *(len(str(v)) for v in cells[column].head(500))])
            sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
    with atomic_write(path, overwrite=overwrite) as tmp:
        book.save(tmp)
    return Path(path)


def _is_missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NaT
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
    )


def _excel_value(value: object) -> object:
    # numpy scalars become Python ones: openpyxl types cells by Python type.
    return value.item() if isinstance(value, np.generic) else value

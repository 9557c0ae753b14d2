"""Tables for spreadsheets: CSV in UTF-8."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo._compat import keyword_only
from bassin_geo.errors import (
    InvalidInputError,
)
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike, SupportsGdf, as_frame, plain_table
from bassin_geo.io.options import check_flag

#: What :func:`to_csv` writes: a plain table, or anything :func:`as_frame` takes.
TableLike: TypeAlias = pd.DataFrame | FrameLike

__all__ = [
    "TableLike",
    "to_csv",
]


@keyword_only(2, ("overwrite",))
def to_csv(table: TableLike, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write a table (distances, crossings...) as UTF-8 CSV.

    A GeoDataFrame (or an object with ``to_gdf()``) is converted to WGS84; point
    geometries become ``lon`` and ``lat`` columns, other geometries a ``wkt`` column
    (7 decimals). Lists and dicts are written as JSON, dates as ISO strings, NaN as an
    empty cell.

    Parameters
    ----------
    table : DataFrame, GeoDataFrame, GeoSeries or object with ``to_gdf()``
        The rows to write.
    path : path-like
        Target ``.csv`` file.
    overwrite : bool, default False
        Replace an existing file.

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
    if isinstance(table, SupportsGdf) and not isinstance(table, (pd.DataFrame, gpd.GeoSeries)):
        table = table.to_gdf()
    if isinstance(table, gpd.GeoSeries):
        table = table.to_frame("geometry")
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
        if len(geoms) and is_point.all():
            frame["lon"] = np.round(shapely.get_x(geoms), 7)
            frame["lat"] = np.round(shapely.get_y(geoms), 7)
        else:
            frame["wkt"] = shapely.to_wkt(geoms, rounding_precision=7)
        table = frame
    plain = plain_table(table, nested="json")
    with atomic_write(path, overwrite=overwrite) as tmp:
        plain.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)

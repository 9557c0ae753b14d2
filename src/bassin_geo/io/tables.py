"""Tables for spreadsheets: CSV in UTF-8."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo.errors import (
    InvalidInputError,
)
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import as_frame, plain_table

__all__ = [
    "to_csv",
]


def to_csv(table: Any, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write a table (distances, crossings...) as UTF-8 CSV.

    A GeoDataFrame (or an object with ``to_gdf()``) is converted to WGS84; point
    geometries become ``lon`` and ``lat`` columns, other geometries a ``wkt`` column
    (7 decimals). Lists and dicts are written as JSON, dates as ISO strings, NaN as an
    empty cell.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = to_csv(pd.DataFrame({"a": [1.5]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> out.read_text().splitlines()
    ['a', '1.5']
    """
    if hasattr(table, "to_gdf") and not isinstance(table, pd.DataFrame):
        table = table.to_gdf()
    if isinstance(table, gpd.GeoSeries):
        table = table.to_frame("geometry")
    if not isinstance(table, pd.DataFrame):
        raise InvalidInputError(
            f"table: expected a DataFrame, a GeoDataFrame or an object with to_gdf(), "
            f"got {type(table).__name__}"
        )
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

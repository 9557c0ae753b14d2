"""RFC 7946 GeoJSON: a FeatureCollection in WGS84, right-hand rule, bounded precision."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from bassin_geo._compat import keyword_only
from bassin_geo.errors import ExportError
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike, as_frame, plain_table
from bassin_geo.io.options import DEFAULT_PRECISION, check_flag, check_precision

__all__ = [
    "feature_collection",
    "to_geojson",
]


@keyword_only(1, ("precision",))
def feature_collection(data: FrameLike, *, precision: int = DEFAULT_PRECISION) -> str:
    """Return an RFC 7946 GeoJSON FeatureCollection of ``data`` as text.

    WGS84 longitude/latitude, exterior rings counter-clockwise and holes clockwise
    (right-hand rule), no ``crs`` member, coordinates rounded to ``precision`` decimals,
    properties JSON-safe (dates as ISO strings, NaN as null, lists and dicts as JSON).

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        Any CRS; written in WGS84 longitude/latitude.
    precision : int, default 6
        Decimals kept in coordinates: 6 is about 10 cm (RFC 7946 notes it is enough).

    Returns
    -------
    str
        The GeoJSON text, one feature per line.

    Raises
    ------
    InvalidInputError
        ``data`` is not a frame nor has ``to_gdf()``, or ``precision`` is not 0 to 15.

    Examples
    --------
    >>> import json, bassin_geo as bg
    >>> doc = json.loads(feature_collection(bg.load_layer("lakes"), precision=5))
    >>> doc["type"], len(doc["features"]), "crs" in doc
    ('FeatureCollection', 12, False)
    """
    gdf = as_frame(data)
    decimals = check_precision(precision)
    geoms = gdf.geometry.to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    # Orient after rounding: rounding can flip the winding of a sliver ring.
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    texts = shapely.to_geojson(geoms)
    texts = np.where(pd.isna(texts), "null", texts)
    props = plain_table(gdf.drop(columns=gdf.geometry.name), nested="keep")
    if len(props.columns) and len(props):
        lines = props.to_json(
            orient="records", lines=True, date_format="iso", double_precision=15, force_ascii=False
        ).splitlines()
    else:
        lines = ["{}"] * len(gdf)
    features = [
        f'{{"type":"Feature","properties":{p},"geometry":{g}}}'
        for p, g in zip(lines, texts, strict=True)
    ]
    if not features:  # an empty result (no site within reach) is a valid, empty collection
        return '{"type":"FeatureCollection","features":[]}\n'
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"


# ---------------------------------------------------------------------------- writers
@keyword_only(2, ("precision", "overwrite"))
def to_geojson(
    data: FrameLike,
    path: str | os.PathLike[str],
    *,
    precision: int = DEFAULT_PRECISION,
    overwrite: bool = False,
) -> Path:
    """Write ``data`` as an RFC 7946 GeoJSON file.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        Any CRS; written in WGS84 longitude/latitude.
    path : path-like
        Target file (``.geojson``).
    precision : int, default 6
        Decimals kept in coordinates: 6 is about 10 cm (RFC 7946 notes it is enough).
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib, bassin_geo as bg
    >>> out = to_geojson(bg.load_layer("lakes"), pathlib.Path(tempfile.mkdtemp()) / "l.geojson")
    >>> out.suffix
    '.geojson'
    """
    other = {
        ".gpkg": "to_geopackage",
        ".gpx": "to_gpx",
        ".csv": "to_csv",
        ".shp": "to_file",
        ".kml": "to_file",
        ".fgb": "to_file",
    }
    suffix = Path(path).suffix.lower()
    if suffix in other:
        # GeoJSON text in a file named .gpkg would fool every program that opens it.
        msg = (
            f"{path}: to_geojson writes GeoJSON, but the name ends in {suffix}; name it "
            f".geojson, or use {other[suffix]} for that format"
        )
        raise ExportError(msg)
    overwrite = check_flag(overwrite, "overwrite")
    text = feature_collection(data, precision=precision)
    with atomic_write(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)

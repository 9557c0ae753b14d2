"""GeoPackage for QGIS: every layer in one file, each with its QGIS style."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeAlias

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from bassin_geo._compat import keyword_only
from bassin_geo.crs import LAMBERT93
from bassin_geo.errors import (
    EmptyInputError,
    InvalidInputError,
)
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike, SupportsGdf, as_frame, plain_table
from bassin_geo.io.options import check_flag

__all__ = [
    "GeoPackageLayers",
    "to_geopackage",
]

#: What :func:`to_geopackage` writes: ``{layer name: data}``, one frame or result object,
#: or names of embedded layers.
GeoPackageLayers: TypeAlias = Mapping[str, FrameLike] | FrameLike | str | Iterable[str]

#: A CRS as pyproj reads it ("EPSG:2154", 2154, a pyproj CRS), or None for WGS84.
CRSLike: TypeAlias = CRS | str | int | None


def _layer_dict(layers: GeoPackageLayers, path: Path) -> dict[str, gpd.GeoDataFrame]:
    from bassin_geo.data.layers import load_layer

    items: list[tuple[object, object]]
    if isinstance(layers, Mapping):
        items = list(layers.items())
    elif isinstance(layers, str):
        items = [(layers, load_layer(layers))]
    elif isinstance(layers, (gpd.GeoDataFrame, gpd.GeoSeries, SupportsGdf)):
        items = [(path.stem, layers)]
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


@keyword_only(2, ("crs", "styles", "overwrite"))
def to_geopackage(
    layers: GeoPackageLayers,
    path: str | os.PathLike[str],
    *,
    crs: CRSLike = LAMBERT93,
    styles: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write several layers into one GeoPackage, styled for QGIS.

    Parameters
    ----------
    layers : dict, GeoDataFrame, object with ``to_gdf()``, str or list of str
        ``{layer name: data}``; one frame or result object (named after the file); or
        names of embedded layers (``["pitheads", "property"]``).
    path : path-like
        Target ``.gpkg`` file.
    crs : CRS-like or None, default "EPSG:2154"
        CRS of the stored geometries; Lambert-93 by default, ``None`` keeps WGS84.
    styles : bool, default True
        Store a QGIS style per layer in the ``layer_styles`` table (the one QGIS reads,
        with ``useAsDefault=1``), so QGIS opens each layer drawn as on the map.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio
    >>> out = to_geopackage(["lakes", "perimeter"], pathlib.Path(tempfile.mkdtemp()) / "b.gpkg")
    >>> sorted(pyogrio.list_layers(out)[:, 0])
    ['lakes', 'layer_styles', 'perimeter']
    """
    from bassin_geo.styles import qml, style_for

    styles = check_flag(styles, "styles")
    overwrite = check_flag(overwrite, "overwrite")
    target = Path(path)
    frames = _layer_dict(layers, target)
    rows = []
    with atomic_write(target, overwrite=overwrite) as tmp, _sqlite_unsynced():
        for i, (name, gdf) in enumerate(frames.items()):
            out = gdf if crs is None else gdf.to_crs(crs)
            table = plain_table(out.drop(columns=out.geometry.name), nested="json")
            frame = gpd.GeoDataFrame(table, geometry=out.geometry.to_numpy(), crs=out.crs)
            types = out.geom_type.dropna()
            # Mixed single/multi parts are promoted so GDAL stores one geometry type.
            pyogrio.write_dataframe(
                frame, tmp, layer=name, driver="GPKG", promote_to_multi=types.nunique() > 1
            )
            if styles:
                geometry_type = types.mode().iloc[0] if len(types) else "Point"
                style = style_for(name, i, columns=gdf.columns, values=gdf.get("kind"))
                rows.append(
                    {
                        "f_table_catalog": "",
                        "f_table_schema": "",
                        "f_table_name": name,
                        "f_geometry_column": "geom",
                        "styleName": name,
                        "styleQML": qml(style, geometry_type),
                        "styleSLD": "",
                        "useAsDefault": True,
                        "description": f"{style.label} (bassin_geo)",
                        "owner": "",
                        "ui": None,
                        "update_time": pd.Timestamp.now(tz="UTC").floor("s"),
                    }
                )
        if rows:
            pyogrio.write_dataframe(
                pd.DataFrame(rows),
                tmp,
                layer="layer_styles",
                driver="GPKG",
                layer_options={"FID": "id"},
            )
    return target


@contextlib.contextmanager
def _sqlite_unsynced() -> Iterator[None]:
    """Let SQLite skip its fsync after each layer of a file that is still temporary.

    Each GDAL write to a GeoPackage commits with an fsync, which made most of the
    write time; :func:`atomic_write` flushes the finished file once instead.
    """
    key = "OGR_SQLITE_SYNCHRONOUS"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})

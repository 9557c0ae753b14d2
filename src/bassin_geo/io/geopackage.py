"""GeoPackage for QGIS: every layer in one file, each with its QGIS style."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final, TypeAlias

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from bassin_geo._compat import keyword_only
from bassin_geo.crs import LAMBERT93
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import LayersLike, named_frames, plain_table
from bassin_geo.io.options import check_flag

__all__ = [
    "GPKG_VERSION",
    "GeoPackageLayers",
    "to_geopackage",
]

#: What :func:`to_geopackage` writes: ``{layer name: data}``, one frame or result object,
#: or names of embedded layers.
GeoPackageLayers: TypeAlias = LayersLike

#: A CRS as pyproj reads it ("EPSG:2154", 2154, a pyproj CRS), or None for WGS84.
CRSLike: TypeAlias = CRS | str | int | None


#: GeoPackage version written: 1.3 (``PRAGMA user_version`` 10300). GDAL 3.6, the one under
#: QGIS 3.22 on Debian 12, reads 1.0 to 1.3 silently but warns that 1.4, the default of
#: newer GDAL, "may only be partially supported".
GPKG_VERSION: Final = "1.3"

# Drawing rank of a geometry type: layers are listed points first, polygons last, so a
# legend read top-down (and QGIS' layer tree) draws polygons under lines under points.
_RANK = {"point": 0, "line": 1, "polygon": 2}


def _geometry_family(types: pd.Series[str]) -> str:
    main = str(types.mode().iloc[0]).lower() if len(types) else "point"
    return "polygon" if "polygon" in main else "line" if "line" in main else "point"


def _drawing_order(types: dict[str, pd.Series[str]]) -> list[str]:
    ranks = {name: _RANK[_geometry_family(layer_types)] for name, layer_types in types.items()}
    return sorted(types, key=lambda name: ranks[name])  # stable: given order within a rank


def _layer_text(
    name: str, gdf: gpd.GeoDataFrame, style_label: str, lang: str
) -> tuple[str, str, dict[str, str]]:
    """Title, description and metadata items (sources, licence) of one layer."""
    from bassin_geo.data.catalog import LAYERS, LICENCE
    from bassin_geo.styles import KIND_LAYERS, layer_title, translated

    info = LAYERS.get(name)
    kinds = set(gdf["kind"].dropna().astype(str)) if "kind" in gdf else set()
    if info is None and len(kinds) == 1 and kinds <= set(KIND_LAYERS):
        info = LAYERS.get(KIND_LAYERS[next(iter(kinds))])  # a user's subset of a layer
    if name in LAYERS:
        title = layer_title(name, lang)
    else:
        title = translated(style_label, lang) if style_label != name else name
    if info is None:
        return title, "", {}
    own = name in LAYERS
    if lang == "fr":
        what = "" if own else f"Extrait de la couche « {layer_title(info.name, 'fr')} ». "
        description = f"{what}Source : {info.credit}."
    else:
        what = "" if own else f"Subset of the layer '{layer_title(info.name, 'en')}'. "
        description = f"{what}{info.description} Source: {info.credit}."
    metadata = {
        "SOURCES": "; ".join(info.sources),
        "CREDIT": info.credit,
        "LICENCE": LICENCE,
        "LAYER": info.name,
    }
    return title, description, metadata


@keyword_only(2, ("crs", "styles", "overwrite"))
def to_geopackage(
    layers: GeoPackageLayers,
    path: str | os.PathLike[str],
    *,
    crs: CRSLike = LAMBERT93,
    styles: bool = True,
    lang: str = "fr",
    overwrite: bool = False,
) -> Path:
    """Write several layers into one GeoPackage, styled for QGIS.

    The file is a GeoPackage 1.3 (:data:`GPKG_VERSION`), which GDAL 3.6 and QGIS 3.22
    open without a warning. Layers are stored points first, then lines, then polygons, so
    that polygons draw under lines under points; each has a readable title
    (``gpkg_contents.identifier``: "Terrils", "Cités minières"...) and, when it is an
    embedded layer or a subset of one, a description and a metadata record
    (``gpkg_metadata``) naming its sources and licence. The extent of each layer in
    ``gpkg_contents`` is its data's own.

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
        with ``useAsDefault=1``), so QGIS opens each layer drawn as on the map. A user's
        layer whose ``kind`` values come from one embedded layer gets that layer's style.
    lang : {"fr", "en"}, default "fr"
        Language of the layer titles, descriptions and legend labels.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InvalidInputError
        A layer name is empty, reserved or repeated, or ``lang`` is neither "fr" nor "en".
    EmptyInputError
        ``layers`` is empty.

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio
    >>> out = to_geopackage(["lakes", "perimeter"], pathlib.Path(tempfile.mkdtemp()) / "b.gpkg")
    >>> sorted(pyogrio.list_layers(out)[:, 0])
    ['lakes', 'layer_styles', 'perimeter']
    """
    from bassin_geo.styles import check_lang, qml, style_for

    styles = check_flag(styles, "styles")
    overwrite = check_flag(overwrite, "overwrite")
    lang = check_lang(lang)
    target = Path(path)
    target_crs = None if crs is None else CRS.from_user_input(crs)
    frames = _frames_to_write(layers, target.stem, target_crs)
    arrow = _has_pyarrow()
    rows = []
    with atomic_write(target, overwrite=overwrite) as tmp, _sqlite_unsynced():
        # The geometry types of each layer, once: they set its rank, promotion and style.
        geometry_types = {name: gdf.geom_type.dropna() for name, gdf in frames.items()}
        order = _drawing_order(geometry_types)
        layer_styles = {
            name: style_for(name, i, columns=frames[name].columns, values=frames[name].get("kind"))
            for i, name in enumerate(order)
        }
        texts = {n: _layer_text(n, frames[n], layer_styles[n].label, lang) for n in order}
        for i, name in enumerate(order):
            gdf = frames[name]
            out = gdf if target_crs is None or _in_crs(gdf, target_crs) else gdf.to_crs(crs)
            table = plain_table(out.drop(columns=out.geometry.name), nested="json")
            frame = gpd.GeoDataFrame(table, geometry=out.geometry.to_numpy(), crs=out.crs)
            types = geometry_types[name]
            style = layer_styles[name]
            title, description, metadata = texts[name]
            # Mixed single/multi parts are promoted so GDAL stores one geometry type.
            pyogrio.write_dataframe(
                frame,
                tmp,
                layer=name,
                driver="GPKG",
                promote_to_multi=types.nunique() > 1,
                use_arrow=arrow,
                dataset_options={"VERSION": GPKG_VERSION},
                layer_options={"IDENTIFIER": title, "DESCRIPTION": description},
                layer_metadata=metadata or None,
                # The file's own record (gpkg_metadata, scope dataset), with the first layer.
                dataset_metadata=_file_metadata(texts.values()) if i == 0 else None,
            )
            if styles:
                geometry_type = types.mode().iloc[0] if len(types) else "Point"
                rows.append(
                    {
                        "f_table_catalog": "",
                        "f_table_schema": "",
                        "f_table_name": name,
                        "f_geometry_column": "geom",
                        "styleName": name,
                        "styleQML": qml(style, geometry_type, lang=lang),
                        "styleSLD": "",
                        "useAsDefault": True,
                        "description": f"{title} (bassin_geo)",
                        "owner": "",
                        "ui": None,
                        "update_time": pd.Timestamp.now(tz="UTC"),
                    }
                )
        if rows:
            pyogrio.write_dataframe(
                pd.DataFrame(rows),
                tmp,
                layer="layer_styles",
                driver="GPKG",
                layer_options={
                    "FID": "id",
                    "IDENTIFIER": "Styles QGIS" if lang == "fr" else "QGIS styles",
                },
            )
        _conform(tmp)
    return target


def _in_crs(gdf: gpd.GeoDataFrame, crs: CRS) -> bool:
    return gdf.crs is not None and CRS.from_user_input(gdf.crs).equals(crs)


def _frames_to_write(
    layers: GeoPackageLayers, default_name: str, crs: CRS | None
) -> dict[str, gpd.GeoDataFrame]:
    """The layers by name, those given as frames in the target CRS written as given.

    :func:`named_frames` checks every layer (names, columns, coordinates) and returns it
    in WGS84; a frame already in the target CRS (Lambert-93 by default) is then written
    as it was given rather than projected back again, which took a sixth of the write
    time and rounded its coordinates twice.
    """
    checked = named_frames(layers, default_name)
    if crs is None or not isinstance(layers, Mapping):
        return checked
    given = {str(name): gdf for name, gdf in layers.items()}
    return {
        name: given[name]
        if isinstance(given.get(name), gpd.GeoDataFrame) and _in_crs(given[name], crs)
        else gdf
        for name, gdf in checked.items()
    }


def _has_pyarrow() -> bool:
    """Whether pyogrio can write through Arrow (pyarrow installed): much less per row."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def _file_metadata(texts: Iterable[tuple[str, str, dict[str, str]]]) -> dict[str, str]:
    """The file's metadata: its creator, and the credits and licence of the data in it."""
    credits = list(dict.fromkeys(m["CREDIT"] for _, _, m in texts if m))
    items = {"CREATOR": "bassin_geo"}
    if credits:
        from bassin_geo.data.catalog import LICENCE

        items |= {"CREDITS": "; ".join(credits), "LICENCE": LICENCE}
    return items


def _conform(path: Path) -> None:
    """Write what GDAL leaves to the format's defaults as GeoPackage 1.3 readers want it.

    GDAL writes ``update_time`` without milliseconds when they are zero, which GDAL 3.6
    reports as "Non-conformant content"; the standard's form is
    ``YYYY-MM-DDTHH:MM:SS.SSSZ``.
    """
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        tables = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
        if "layer_styles" in tables:
            db.execute(
                "UPDATE layer_styles SET update_time = "
                "strftime('%Y-%m-%dT%H:%M:%fZ', replace(update_time, 'Z', ''))"
            )
        db.execute(
            "UPDATE gpkg_contents SET last_change = "
            "strftime('%Y-%m-%dT%H:%M:%fZ', replace(last_change, 'Z', ''))"
        )


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

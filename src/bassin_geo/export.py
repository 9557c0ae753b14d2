"""Writers that GIS software, GPS devices and spreadsheets open as they are.

Every writer here accepts a GeoDataFrame (in any CRS; without a CRS it must hold WGS84
degrees) or any object with a ``to_gdf()`` method returning one — routes, itineraries
and stages expose it, with LineString / Point features in WGS84 and columns such as
``name``, ``kind``, ``km``. Every writer is atomic: it writes into a temporary folder
beside the target and renames the finished file into place, so a failure never leaves a
half-written file; and it refuses to replace an existing file unless ``overwrite=True``.

Columns holding lists or dicts (the ``shafts`` of pitheads) are written as JSON (nested
JSON in GeoJSON, JSON text elsewhere), dates as ISO 8601 strings and NaN as null.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from bassin_geo.crs import LAMBERT93, WGS84
from bassin_geo.errors import (
    BassinGeoError,
    EmptyInputError,
    ExportError,
    InvalidInputError,
    OverwriteError,
)
from bassin_geo.places import check_lonlat

__all__ = [
    "as_frame",
    "atomic_write",
    "export_all",
    "feature_collection",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "to_gpx",
]


# ---------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Give a temporary path to write ``path``'s content to, then move it into place.

    The temporary file sits in a hidden folder beside the target (same file system, so
    the final rename is atomic) and keeps the target's name, so format drivers that look
    at the extension (GDAL) see the right one. If the block raises, the temporary folder
    is removed and the target is left as it was.

    Parameters
    ----------
    path : path-like
        The file to create. Missing parent folders are created.
    overwrite : bool
        Replace an existing file. Without it an existing file raises
        :class:`OverwriteError` before anything is written.

    Raises
    ------
    OverwriteError
        The target exists and ``overwrite`` is false.
    ExportError
        Writing failed (the original error is chained); no file was left behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    target = Path(path)
    _check_target(target, overwrite)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc}; choose a writable folder") from exc
    try:
        tmp = workdir / target.name
        yield tmp
        if not tmp.exists():
            raise ExportError(f"nothing was written for {target}")
        _check_target(target, overwrite)  # it may have appeared while we were writing
        # One flush of the finished file, so the rename never exposes unwritten data.
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BassinGeoError:
        raise
    except Exception as exc:
        raise ExportError(
            f"writing {target} failed ({type(exc).__name__}: {exc}); no file was left behind"
        ) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _check_target(target: Path, overwrite: bool) -> None:
    # A folder first: "pass overwrite=True" would be wrong advice, it cannot replace one.
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file path inside it")
    if target.exists() and not overwrite:
        raise OverwriteError(
            f"{target} already exists; pass overwrite=True to replace it, or choose another path"
        )


def as_frame(data: Any, where: str = "data") -> gpd.GeoDataFrame:
    """Return ``data`` as a GeoDataFrame in WGS84.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        Routes, itineraries and stages are accepted through their ``to_gdf()`` method,
        which returns a GeoDataFrame (LineString / Point features, WGS84).
    where : str
        Names the input in error messages.

    Raises
    ------
    InvalidInputError
        ``data`` is none of these.
    CoordinateError
        ``data`` has no CRS and its coordinates are not WGS84 degrees.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> as_frame(bg.load_layer("lakes").to_crs(2154)).crs.to_epsg()
    4326
    """
    if hasattr(data, "to_gdf") and not isinstance(data, (gpd.GeoDataFrame, gpd.GeoSeries)):
        data = data.to_gdf()
    if isinstance(data, gpd.GeoSeries):
        data = data.to_frame("geometry")
    if not isinstance(data, gpd.GeoDataFrame):
        raise InvalidInputError(
            f"{where}: expected a GeoDataFrame or an object with a to_gdf() method "
            f"(route, itinerary, stage), got {type(data).__name__}"
        )
    if data.crs is None:
        bounds = data.geometry.bounds.dropna()
        check_lonlat(
            bounds[["minx", "maxx"]].to_numpy(), bounds[["miny", "maxy"]].to_numpy(), where
        )
        return data.set_crs(WGS84)
    if CRS.from_user_input(data.crs).equals(CRS.from_user_input(WGS84)):
        return data
    return data.to_crs(WGS84)


def _clean(value: Any) -> Any:
    """A JSON-safe copy of one value: NaN/inf -> None, dates -> ISO, numpy -> Python."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_clean(v) for v in value]
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


def _is_nested(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple, np.ndarray))


def _plain_table(df: pd.DataFrame, nested: str) -> pd.DataFrame:
    """Columns that every writer can take: ISO dates, no NaN in objects, JSON for nesting.

    ``nested="keep"`` leaves lists and dicts (cleaned) for GeoJSON, ``"json"`` turns them
    into JSON text for GeoPackage and CSV.
    """
    out = {}
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
            values = [_clean(v) for v in col]
            if nested == "json":
                values = [json.dumps(v, ensure_ascii=False) if _is_nested(v) else v for v in values]
            out[name] = pd.Series(values, index=col.index, dtype=object)
        else:
            out[name] = col
    return pd.DataFrame(out, index=df.index)


def feature_collection(data: Any, precision: int = 7) -> str:
    """An RFC 7946 GeoJSON FeatureCollection of ``data`` as text.

    WGS84 longitude/latitude, exterior rings counter-clockwise and holes clockwise
    (right-hand rule), no ``crs`` member, coordinates rounded to ``precision`` decimals,
    properties JSON-safe (dates as ISO strings, NaN as null, lists and dicts as JSON).

    Examples
    --------
    >>> import json, bassin_geo as bg
    >>> doc = json.loads(feature_collection(bg.load_layer("lakes"), precision=5))
    >>> doc["type"], len(doc["features"]), "crs" in doc
    ('FeatureCollection', 12, False)
    """
    gdf = as_frame(data)
    if not isinstance(precision, (int, np.integer)) or not 0 <= int(precision) <= 15:
        raise InvalidInputError(f"precision must be an integer from 0 to 15, got {precision!r}")
    geoms = gdf.geometry.to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, int(precision)))
    # Orient after rounding: rounding can flip the winding of a sliver ring.
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    texts = shapely.to_geojson(geoms)
    texts = np.where(pd.isna(texts), "null", texts)
    props = _plain_table(gdf.drop(columns=gdf.geometry.name), nested="keep")
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
def to_geojson(
    data: Any, path: str | os.PathLike, precision: int = 7, overwrite: bool = False
) -> Path:
    """Write ``data`` as an RFC 7946 GeoJSON file.

    Parameters
    ----------
    data : GeoDataFrame or object with ``to_gdf()``
        Any CRS; written in WGS84 longitude/latitude.
    path : path-like
        Target file (``.geojson``).
    precision : int
        Decimals kept in coordinates: 7 is about 1 cm.
    overwrite : bool
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
        raise ExportError(
            f"{path}: to_geojson writes GeoJSON, but the name ends in {suffix}; name it "
            f".geojson, or use {other[suffix]} for that format"
        )
    text = feature_collection(data, precision=precision)
    with atomic_write(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _layer_dict(layers: Any, path: Path) -> dict[str, gpd.GeoDataFrame]:
    from bassin_geo.layers import load_layer

    if isinstance(layers, Mapping):
        items = list(layers.items())
    elif isinstance(layers, str):
        items = [(layers, load_layer(layers))]
    elif isinstance(layers, (gpd.GeoDataFrame, gpd.GeoSeries)) or hasattr(layers, "to_gdf"):
        items = [(path.stem, layers)]
    elif isinstance(layers, Iterable):
        items = []
        for item in layers:
            if not isinstance(item, str):
                raise InvalidInputError(
                    "layers: give a dict {name: GeoDataFrame}, one GeoDataFrame, or a list of "
                    f"embedded layer names; got a list holding {type(item).__name__}"
                )
            items.append((item, load_layer(item)))
    else:
        raise InvalidInputError(
            f"layers: expected a dict {{name: GeoDataFrame}}, a GeoDataFrame or a list of "
            f"layer names, got {type(layers).__name__}"
        )
    if not items:
        raise EmptyInputError("layers is empty: give at least one layer to write")
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in items:
        name = str(name)
        if not name or name.lower() == "layer_styles" or name in out:
            raise InvalidInputError(
                f"layer name {name!r} is empty, reserved or repeated; give each layer its own name"
            )
        out[name] = as_frame(frame, where=f"layer {name!r}")
    return out


def to_geopackage(
    layers: Any,
    path: str | os.PathLike,
    crs: Any = LAMBERT93,
    styles: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write several layers into one GeoPackage, styled for QGIS.

    Parameters
    ----------
    layers : dict, GeoDataFrame, object with ``to_gdf()``, or list of str
        ``{layer name: data}``; one frame (named after the file); or names of embedded
        layers (``["pitheads", "property"]``).
    path : path-like
        Target ``.gpkg`` file.
    crs : CRS-like, optional
        CRS of the stored geometries; Lambert-93 by default, ``None`` keeps WGS84.
    styles : bool
        Store a QGIS style per layer in the ``layer_styles`` table (the one QGIS reads,
        with ``useAsDefault=1``), so QGIS opens each layer drawn as on the map.
    overwrite : bool
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

    target = Path(path)
    frames = _layer_dict(layers, target)
    rows = []
    with atomic_write(target, overwrite=overwrite) as tmp, _sqlite_unsynced():
        for i, (name, gdf) in enumerate(frames.items()):
            out = gdf if crs is None else gdf.to_crs(crs)
            table = _plain_table(out.drop(columns=out.geometry.name), nested="json")
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


def to_gpx(
    route: Any, path: str | os.PathLike, name: str | None = None, overwrite: bool = False
) -> Path:
    """Write a route, itinerary or stage as GPX 1.1 for GPS devices.

    Line features become tracks (one ``<trk>`` per feature, one ``<trkseg>`` per part),
    point features waypoints (``<wpt>``), each named after its ``name`` column; ``kind``
    and ``km`` go into the description, and so does the ``method`` of features marked
    ``approximate``. Coordinates are written in WGS84 with 7 decimals.

    Parameters
    ----------
    route : GeoDataFrame or object with ``to_gdf()``
        Lines and points; polygons are refused.
    path : path-like
        Target ``.gpx`` file.
    name : str, optional
        Name of the whole file (``<metadata><name>``).
    overwrite : bool
        Replace an existing file.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> track = gpd.GeoDataFrame({"name": ["demo"]},
    ...     geometry=[shapely.LineString([(3.0, 50.4), (3.1, 50.45)])], crs=4326)
    >>> out = to_gpx(track, pathlib.Path(tempfile.mkdtemp()) / "demo.gpx")
    >>> b"<trkpt" in out.read_bytes()
    True
    """
    gdf = as_frame(route, where="route")
    geoms = gdf.geometry
    if len(gdf) == 0 or geoms.isna().all():
        raise EmptyInputError("route: nothing to write to GPX (no features)")
    kinds = shapely.get_type_id(geoms.to_numpy())
    if np.isin(kinds, [3, 6]).any():
        raise InvalidInputError(
            "route: GPX holds tracks and waypoints only, but the data has polygons; "
            "write polygons with to_geojson or to_geopackage"
        )
    ns = "http://www.topografix.com/GPX/1/1"
    ET.register_namespace("", ns)
    root = ET.Element(
        f"{{{ns}}}gpx", {"version": "1.1", "creator": "bassin_geo (bassin-geo Python package)"}
    )
    if name:
        meta = ET.SubElement(root, f"{{{ns}}}metadata")
        ET.SubElement(meta, f"{{{ns}}}name").text = str(name)
    names = gdf["name"] if "name" in gdf else pd.Series([None] * len(gdf), index=gdf.index)
    descs = _descriptions(gdf)
    # GPX 1.1 requires every <wpt> before the first <trk>.
    points = np.isin(kinds, [0, 4])
    for geom, label, desc in zip(geoms[points], names[points], descs[points], strict=True):
        for x, y in shapely.get_coordinates(geom):
            wpt = ET.SubElement(root, f"{{{ns}}}wpt", {"lat": f"{y:.7f}", "lon": f"{x:.7f}"})
            if pd.notna(label):
                ET.SubElement(wpt, f"{{{ns}}}name").text = str(label)
            if desc:
                ET.SubElement(wpt, f"{{{ns}}}desc").text = desc
    lines = np.isin(kinds, [1, 2, 5])
    for geom, label, desc in zip(geoms[lines], names[lines], descs[lines], strict=True):
        trk = ET.SubElement(root, f"{{{ns}}}trk")
        if pd.notna(label):
            ET.SubElement(trk, f"{{{ns}}}name").text = str(label)
        if desc:
            ET.SubElement(trk, f"{{{ns}}}desc").text = desc
        for part in shapely.get_parts(geom):
            seg = ET.SubElement(trk, f"{{{ns}}}trkseg")
            for x, y in shapely.get_coordinates(part):
                ET.SubElement(seg, f"{{{ns}}}trkpt", {"lat": f"{y:.7f}", "lon": f"{x:.7f}"})
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    with atomic_write(path, overwrite=overwrite) as tmp:
        tree.write(tmp, encoding="UTF-8", xml_declaration=True)
    return Path(path)


def _descriptions(gdf: pd.DataFrame) -> pd.Series:
    desc = pd.Series([""] * len(gdf), index=gdf.index, dtype=object)
    if "kind" in gdf:
        desc = gdf["kind"].fillna("").astype(str)
    if "km" in gdf:
        km = pd.to_numeric(gdf["km"], errors="coerce")
        text = km.map(lambda v: f"km {v:.1f}" if pd.notna(v) else "")
        desc = (desc + " " + text).str.strip()
    if "approximate" in gdf and "method" in gdf:
        # A reconstructed line must say so wherever it travels, GPS devices included.
        approx = gdf["approximate"].fillna(False).astype(bool)
        note = "approximate: " + gdf["method"].fillna("").astype(str)
        desc = desc.where(~approx, (desc + "; " + note).str.strip("; "))
    return desc


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
    plain = _plain_table(table, nested="json")
    with atomic_write(path, overwrite=overwrite) as tmp:
        plain.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)


def export_all(
    out_dir: str | os.PathLike, overwrite: bool = False, progress: bool = True
) -> dict[str, Path]:
    """Write the embedded data as a field kit: an offline map, GeoJSON and a GeoPackage.

    Writes ``out_dir/map.html`` (the default map, self-contained, works with no network),
    ``out_dir/geojson/<layer>.geojson`` for every embedded layer and
    ``out_dir/bassin_minier.gpkg`` (every layer, Lambert-93, with QGIS styles).

    Parameters
    ----------
    out_dir : path-like
        Folder to fill (created if missing).
    overwrite : bool
        Replace existing files; without it nothing is written if any target exists.
    progress : bool
        Show a progress bar (tqdm) on standard error.

    Returns
    -------
    dict
        What was written: ``{"map": path, "geopackage": path, "<layer>": path...}``.

    Examples
    --------
    >>> import tempfile
    >>> written = export_all(tempfile.mkdtemp(), progress=False)
    >>> sorted(written)[:3], written["map"].name
    (['buffer_zone', 'buildings', 'communes'], 'map.html')
    """
    from tqdm import tqdm

    from bassin_geo.layers import list_layers, load_layer
    from bassin_geo.maps import make_map, save_map

    out = Path(out_dir)
    names = list(list_layers()["name"])
    targets = {name: out / "geojson" / f"{name}.geojson" for name in names}
    targets["geopackage"] = out / "bassin_minier.gpkg"
    targets["map"] = out / "map.html"
    if not overwrite:
        existing = [str(p) for p in targets.values() if p.exists()]
        if existing:
            raise OverwriteError(
                f"{len(existing)} file(s) already exist in {out} (first: {existing[0]}); "
                "pass overwrite=True to replace them"
            )
    with tqdm(total=len(targets), desc="bassin_geo export", disable=not progress) as bar:
        for name in names:
            bar.set_postfix_str(name)
            to_geojson(load_layer(name), targets[name], overwrite=overwrite)
            bar.update()
        bar.set_postfix_str("geopackage")
        to_geopackage(names, targets["geopackage"], overwrite=overwrite)
        bar.update()
        bar.set_postfix_str("map")
        save_map(make_map(), targets["map"], offline=True, overwrite=overwrite)
        bar.update()
    return targets

"""GPX 1.1 for GPS devices and route apps."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from bassin_geo._compat import keyword_only
from bassin_geo.errors import (
    EmptyInputError,
    InvalidInputError,
)
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike, as_frame
from bassin_geo.io.options import check_flag

__all__ = [
    "to_gpx",
]


@keyword_only(2, ("name", "overwrite"))
def to_gpx(
    route: FrameLike,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a route, itinerary or stage as GPX 1.1 for GPS devices.

    Line features become tracks (one ``<trk>`` per feature, one ``<trkseg>`` per part),
    point features waypoints (``<wpt>``), each named after its ``name`` column; ``kind``
    and ``km`` go into the description, and so does the ``method`` of features marked
    ``approximate``. Coordinates are written in WGS84 with 7 decimals.

    Parameters
    ----------
    route : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        Lines and points (a route, itinerary, stage or crossings); polygons are refused.
    path : path-like
        Target ``.gpx`` file.
    name : str, optional
        Name of the whole file (``<metadata><name>``).
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    EmptyInputError
        ``route`` has no features.
    InvalidInputError
        ``route`` holds polygons, or ``overwrite`` is not a bool.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> track = gpd.GeoDataFrame({"name": ["demo"]},
    ...     geometry=[shapely.LineString([(3.0, 50.4), (3.1, 50.45)])], crs=4326)
    >>> out = to_gpx(track, pathlib.Path(tempfile.mkdtemp()) / "demo.gpx")
    >>> b"<trkpt" in out.read_bytes()
    True
    """
    overwrite = check_flag(overwrite, "overwrite")
    gdf = as_frame(route, where="route")
    geoms = gdf.geometry
    if len(gdf) == 0 or geoms.isna().all():
        msg = "route: nothing to write to GPX (no features)"
        raise EmptyInputError(msg)
    kinds = shapely.get_type_id(geoms.to_numpy())
    if np.isin(kinds, [3, 6]).any():
        msg = (
            "route: GPX holds tracks and waypoints only, but the data has polygons; "
            "write polygons with to_geojson or to_geopackage"
        )
        raise InvalidInputError(msg)
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


def _descriptions(gdf: pd.DataFrame) -> pd.Series[str]:
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

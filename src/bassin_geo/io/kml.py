"""KML 2.2 for Google Earth and Google My Maps: named placemarks styled from the style table."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import LayersLike, named_frames, plain_table
from bassin_geo.io.options import DEFAULT_PRECISION, check_flag, check_precision
from bassin_geo.io.rides import xml_text

__all__ = [
    "KML_NAMESPACE",
    "to_kml",
]

#: The XML namespace of KML 2.2 (OGC 07-147r2).
KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
_NS = f"{{{KML_NAMESPACE}}}"
# Google's own point icon, which Google Earth and My Maps tint with the style's colour.
_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
_WORDS = {
    "fr": {"commune": "Commune", "kind": "Type", "km": "km"},
    "en": {"commune": "Commune", "kind": "Kind", "km": "km"},
}


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _NS + tag, attrs)
    if text is not None:
        element.text = xml_text(text)
    return element


def _kml_color(color: str | None, opacity: float = 1.0) -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    if color is None:
        return "00000000"
    h = color.lstrip("#")
    return f"{round(255 * opacity):02x}{h[4:6]}{h[2:4]}{h[0:2]}"


def _style(document: ET.Element, style_id: str, style: Any) -> None:
    element = _sub(document, "Style", id=style_id)
    icon = _sub(element, "IconStyle")
    _sub(icon, "color", _kml_color(style.fill_color or style.color, 1.0))
    _sub(icon, "scale", f"{max(style.radius, 3.0) / 8:.2f}")
    _sub(_sub(icon, "Icon"), "href", _ICON)
    line = _sub(element, "LineStyle")
    _sub(line, "color", _kml_color(style.color))
    _sub(line, "width", f"{style.weight:g}")
    poly = _sub(element, "PolyStyle")
    _sub(poly, "color", _kml_color(style.fill_color, style.fill_opacity))
    _sub(poly, "fill", "1" if style.fill_color else "0")
    _sub(poly, "outline", "1")


def _coordinates(xy: npt.NDArray[np.float64], precision: int) -> str:
    return " ".join(f"{x:.{precision}f},{y:.{precision}f}" for x, y in xy)


def _geometry(parent: ET.Element, geom: shapely.Geometry, precision: int) -> None:
    kind = geom.geom_type
    if kind == "Point":
        _sub(
            _sub(parent, "Point"),
            "coordinates",
            _coordinates(shapely.get_coordinates(geom), precision),
        )
    elif kind in ("LineString", "LinearRing"):
        line = _sub(parent, "LineString")
        _sub(line, "tessellate", "1")
        _sub(line, "coordinates", _coordinates(shapely.get_coordinates(geom), precision))
    elif kind == "Polygon":
        polygon = _sub(parent, "Polygon")
        rings = [geom.exterior, *geom.interiors]
        for i, ring in enumerate(rings):
            boundary = _sub(polygon, "outerBoundaryIs" if i == 0 else "innerBoundaryIs")
            _sub(
                _sub(boundary, "LinearRing"),
                "coordinates",
                _coordinates(shapely.get_coordinates(ring), precision),
            )
    else:  # Multi* and collections
        multi = _sub(parent, "MultiGeometry")
        for part in shapely.get_parts(geom):
            _geometry(multi, part, precision)


def _description(record: dict[str, object], lang: str) -> str:
    from bassin_geo.io.rides import stop_kind

    words = _WORDS[lang]
    parts = []
    code, event = record.get("kind"), record.get("event")
    if code in (None, "", "waypoint") and isinstance(event, str) and event:
        code = event  # a stage's climbs and sprints say which they are
    kind = stop_kind(code, lang)
    if kind:
        parts.append(kind)
    commune = record.get("commune")
    if isinstance(commune, str) and commune:
        parts.append(commune)
    km = record.get("km")
    length = record.get("length_m")
    for value, template in ((km, "{km} {v}"), (length, "{v} {km}")):
        if isinstance(value, float) and np.isfinite(value):
            number = value if value is km else value / 1000.0
            text = f"{number:.1f}"
            text = text.replace(".", ",") if lang == "fr" else text
            parts.append(template.format(km=words["km"], v=text))
    return ", ".join(parts)


def _placemark_name(record: dict[str, object], fallback: str) -> str:
    label = record.get("name")
    if isinstance(label, str) and label:
        return label
    start, end = record.get("from_name"), record.get("to_name")
    if isinstance(start, str) and isinstance(end, str) and start and end:
        return f"{start} → {end}"  # a leg of an itinerary
    return fallback


def to_kml(
    layers: LayersLike,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    lang: str = "fr",
    precision: int = DEFAULT_PRECISION,
    overwrite: bool = False,
) -> Path:
    """Write layers as KML 2.2 for Google Earth and Google My Maps.

    Each layer is a ``<Folder>`` with its readable title ("Terrils"), each feature a
    ``<Placemark>`` with its ``name``, a description (kind, commune, km) and its columns
    as ``<ExtendedData>``; colours and widths come from the one style table
    (:mod:`bassin_geo.styles`), category by category, as on the maps and in QGIS.

    Parameters
    ----------
    layers : dict, GeoDataFrame, object with ``to_gdf()``, str or list of str
        ``{layer name: data}``; one frame or result object (named after the file); or
        names of embedded layers.
    path : path-like
        Target ``.kml`` file.
    name : str, optional
        Name of the document; by default the title of its single layer, or the file's stem.
    lang : {"fr", "en"}, default "fr"
        Language of the titles and descriptions.
    precision : int, default 6
        Decimals of the coordinates (6 is about 10 cm).
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InvalidInputError
        ``lang`` is neither "fr" nor "en", a layer name is empty or repeated, or an option
        has the wrong type.
    EmptyInputError
        ``layers`` is empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = to_kml(["slag_heaps"], pathlib.Path(tempfile.mkdtemp()) / "terrils.kml")
    >>> "<name>Terrils</name>" in out.read_text(encoding="utf-8")
    True
    """
    from bassin_geo.styles import check_lang, layer_title, style_for, translated

    overwrite = check_flag(overwrite, "overwrite")
    precision = check_precision(precision)
    lang = check_lang(lang)
    target = Path(path)
    frames = named_frames(layers, target.stem)
    ET.register_namespace("", KML_NAMESPACE)
    root = ET.Element(_NS + "kml")
    document = _sub(root, "Document")
    titles = {n: layer_title(n, lang) for n in frames}
    default = titles[next(iter(frames))] if len(frames) == 1 else target.stem
    _sub(document, "name", name if name is not None else default)
    folders = []
    for i, (layer, gdf) in enumerate(frames.items()):
        style = style_for(layer, i, columns=gdf.columns, values=gdf.get("kind"))
        styles = {None: style, **style.categories} if style.by else {None: style}
        ids = {}
        for k, (value, sub) in enumerate(styles.items()):
            ids[value] = f"s{i}-{k}"
            _style(document, ids[value], sub)
        folder = ET.Element(_NS + "Folder")
        _sub(folder, "name", titles[layer])
        if not style.show:
            _sub(folder, "visibility", "0")  # off at first, as on the map
        folders.append(folder)
        table = plain_table(gdf.drop(columns=gdf.geometry.name), nested="json")
        records = [{str(k): v for k, v in r.items()} for r in table.to_dict(orient="records")]
        for record, geom in zip(records, gdf.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            placemark = _sub(folder, "Placemark")
            _sub(placemark, "name", _placemark_name(record, translated(style.label, lang)))
            text = _description(record, lang)
            if text:
                _sub(placemark, "description", text)
            value = record.get(style.by) if style.by else None
            key = value if style.by and value in style.categories else None
            _sub(placemark, "styleUrl", f"#{ids[key]}")
            data = _sub(placemark, "ExtendedData")
            for column, cell in record.items():
                missing = isinstance(cell, float) and not np.isfinite(cell)
                if cell is None or missing or column == "name":
                    continue
                _sub(_sub(data, "Data", name=xml_text(column)), "value", cell)
            _geometry(placemark, geom, precision)
    # Every <Style> comes before the features that use it.
    document.extend(folders)
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    with atomic_write(target, overwrite=overwrite) as tmp:
        tree.write(tmp, encoding="UTF-8", xml_declaration=True)
    return target

"""Interactive Folium maps of the basin, and HTML files that open with no network.

:func:`make_map` draws the embedded layers (or any GeoDataFrame, route, itinerary or
stage) with the styles of :mod:`bassin_geo.styles`: one toggleable layer per kind, a
legend, a scale bar, a fullscreen button, popups and tooltips. :func:`save_map` writes
the map; with ``offline=True`` every JavaScript and CSS asset is inlined from the
``folium-offline`` package installed with bassin-geo, and web tiles are left out, so the
file renders on a laptop with no connection.

Points are drawn on a canvas (``prefer_canvas``) as circle markers, which stays smooth
with tens of thousands of points; larger point layers are also clustered.
"""

from __future__ import annotations

import functools
import html
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from bassin_geo.crs import GEOD
from bassin_geo.errors import EmptyInputError, ExportError, InvalidInputError
from bassin_geo.io import as_frame, atomic_write, feature_collection
from bassin_geo.styles import ROUTE_STYLES, Style, headframe_svg, style_for

__all__ = ["DEFAULT_LAYERS", "km_markers", "make_map", "save_map"]

#: The embedded layers drawn by ``make_map()`` with no arguments, bottom to top.
DEFAULT_LAYERS: tuple[str, ...] = (
    "communes",
    "perimeter",
    "buffer_zone",
    "property",
    "railways",
    "mining_estates",
    "slag_heaps",
    "lakes",
    "buildings",
    "pitheads",
)

#: Online background; ``tiles=None`` gives a plain, tile-less background.
DEFAULT_TILES = "OpenStreetMap.France"

_ROUTE_LINES = {"route", "leg"}
_BACKGROUND = "#f3f1ec"
_KIND_LABELS = {
    "pithead": "Pithead",
    "slag_heap": "Slag heap",
    "mining_estate": "Mining estate",
    "building": "Listed building",
    "lake": "Neo-natural space",
}


# ---------------------------------------------------------------------------- icons
def _icon_html(style: Style, box: str = "") -> str | None:
    """HTML of a DivIcon for icon symbols, ``None`` for plain circle markers.

    ``box`` is extra CSS for the pin (a fixed size in the legend).
    """
    s = style.symbol
    if s == "headframe":
        return headframe_svg(style.color, size=int(2 * style.radius))
    if s in ("start", "finish"):
        fill = (
            "repeating-conic-gradient(#111 0 25%, #fff 0 50%) 50%/8px 8px"
            if s == "finish"
            else style.fill_color
        )
        mark = "" if s == "finish" else "&#9654;"
        return (
            f'<div class="bg-pin" style="background:{fill};border-color:{style.color};{box}">'
            f"{mark}</div>"
        )
    if s in ("enter", "exit"):
        arrow = "&#8600;" if s == "enter" else "&#8599;"
        return (
            f'<div class="bg-pin bg-small" style="background:{style.fill_color};'
            f'border-color:{style.color};{box}">{arrow}</div>'
        )
    return None


# ---------------------------------------------------------------------------- popups
def _esc(values: pd.Series) -> np.ndarray:
    text = values.astype(object).where(values.notna(), "").astype(str)
    return (
        text.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
        .str.replace('"', "&quot;", regex=False)
        .to_numpy(dtype=object)
    )


def _fmt_number(values: pd.Series, unit: str = "", decimals: int = 0) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    text = num.map(lambda v: f"{v:,.{decimals}f}{unit}".replace(",", "\u202f"))
    return text.where(num.notna())


def _yes_no(values: pd.Series) -> pd.Series:
    return values.map({True: "yes", False: "no"}).where(values.notna())


def _first(gdf: pd.DataFrame, *columns: str) -> pd.Series | None:
    for c in columns:
        if c in gdf:
            return gdf[c]
    return None


def _popup_rows(gdf: pd.DataFrame) -> list[tuple[str, pd.Series]]:
    """(label, values) pairs shown in popups, for the columns present in ``gdf``."""
    rows: list[tuple[str, pd.Series | None]] = []
    if "kind" in gdf:
        rows.append(("Kind", gdf["kind"].map(lambda k: _KIND_LABELS.get(k, k))))
    rows += [
        ("Commune", _first(gdf, "commune", "commune_1", "source_commune")),
        ("Section", _first(gdf, "section")),
        ("UNESCO element", _first(gdf, "id_unesco", "unesco_element", "no_element")),
        ("In the listed property", _yes_no(gdf["unesco"]) if "unesco" in gdf else None),
        (
            "Listed slag heap",
            _yes_no(gdf["listed"]) if "listed" in gdf and "terril" in gdf else None,
        ),
        ("Headframe / pit building", _yes_no(gdf["headframe"]) if "headframe" in gdf else None),
        ("Type", _first(gdf, "type", "typologie", "forme")),
        ("Company", _first(gdf, "compagnie")),
        ("Concession", _first(gdf, "concession")),
        ("Sunk", _fmt_number(gdf["sunk"]).str.replace("\u202f", "") if "sunk" in gdf else None),
        (
            "Closed",
            _fmt_number(gdf["closed"]).str.replace("\u202f", "") if "closed" in gdf else None,
        ),
        ("Sunk", _first(gdf, "creusement")),
        ("Closed", _first(gdf, "fermeture")),
        ("Depth", _fmt_number(gdf["depth_max_m"], " m") if "depth_max_m" in gdf else None),
        ("Depth", _fmt_number(gdf["profondeur"], " m") if "profondeur" in gdf else None),
        ("Shafts", _first(gdf, "n_shafts")),
        ("Period", _first(gdf, "periode")),
        ("Interest", _first(gdf, "interet")),
        ("Protection (MH)", _protection(gdf)),
        ("Area", _fmt_number(gdf["area_ha"], " ha", 1) if "area_ha" in gdf else None),
        ("Length", _fmt_number(gdf["length_m"], " m") if "length_m" in gdf else None),
        ("Population", _fmt_number(gdf["population"]) if "population" in gdf else None),
        ("EPCI", _first(gdf, "epci_nom")),
        ("km", _fmt_number(gdf["km"], "", 1) if "km" in gdf else None),
        ("Method", _first(gdf, "method")),
        ("Approximate", _yes_no(gdf["approximate"]) if "approximate" in gdf else None),
        ("Source", _source(gdf["source"]) if "source" in gdf else None),
    ]
    return [(label, values) for label, values in rows if values is not None]


def _source(values: pd.Series) -> pd.Series:
    name = values.astype("string").str.replace(r"^official/", "", regex=True)
    official = values.astype("string").str.startswith("official/")
    return ("Mission Bassin Minier, " + name).where(official.fillna(False), name)


def _protection(gdf: pd.DataFrame) -> pd.Series | None:
    parts = []
    for column, word in (("classe_mh", "classé"), ("inscrit_mh", "inscrit")):
        if column in gdf:
            flag = gdf[column].astype(str).str.lower().isin(["oui", "o", "t", "true", "1"])
            parts.append(flag.map({True: word, False: ""}))
    if "protection" in gdf:
        other = gdf["protection"].where(~gdf["protection"].isin(["non", "F"]))
        parts.append(other.fillna("").astype(str))
    if not parts:
        return None
    joined = parts[0]
    for p in parts[1:]:
        joined = joined.str.cat(p, sep=", ")
    joined = joined.str.strip(", ").str.replace(r"(, )+", ", ", regex=True)
    return joined.where(joined != "")


def _links(gdf: pd.DataFrame) -> np.ndarray:
    """Source links: the BRGM sheet of a shaft, or of each shaft of a pit."""
    out = np.full(len(gdf), "", dtype=object)
    if "brgm" in gdf:
        url = _esc(gdf["brgm"])
        out = np.where(
            gdf["brgm"].notna().to_numpy(),
            '<a href="' + url + '" target="_blank" rel="noopener">BRGM sheet</a>',
            out,
        )
    if "shafts" in gdf:
        # A pit holds a short list of shafts: one link per shaft with a BRGM sheet.
        def pit_links(shafts: Any) -> str:
            items = shafts if isinstance(shafts, list) else []
            return " · ".join(
                f'<a href="{html.escape(str(s["brgm"]))}" target="_blank" rel="noopener">'
                f"{html.escape('Puits ' + str(s.get('puits') or '?'))}</a>"
                for s in items
                if isinstance(s, dict) and s.get("brgm")
            )

        links = gdf["shafts"].map(pit_links).to_numpy(dtype=object)
        out = np.where(links != "", "BRGM: " + links, out)
    return out


def _popups(gdf: pd.DataFrame, layer_label: str) -> tuple[np.ndarray, np.ndarray]:
    """Popup HTML and tooltip text per feature, built column by column (not row by row)."""
    names = _first(gdf, "name", "nom", "commune", "site_id")
    title = (
        _esc(names) if names is not None else np.full(len(gdf), html.escape(layer_label), object)
    )
    title = np.where(title == "", html.escape(layer_label), title)
    body = np.full(len(gdf), "", dtype=object)
    for label, values in _popup_rows(gdf):
        text = _esc(values)
        row = f"<tr><th>{html.escape(label)}</th><td>" + text + "</td></tr>"
        body = body + np.where(values.notna().to_numpy() & (text != ""), row, "")
    links = _links(gdf)
    footer = np.where(links != "", '<div class="bg-links">' + links + "</div>", "")
    popup = (
        '<div class="bg-popup"><h4>'
        + title
        + "</h4><table>"
        + body
        + "</table>"
        + footer
        + "</div>"
    )
    return popup, title


# ---------------------------------------------------------------------------- km markers
def km_markers(lines: Any, step_km: float) -> gpd.GeoDataFrame:
    """Points every ``step_km`` kilometres along lines taken end to end, geodesically.

    Distances are measured on the WGS84 ellipsoid: each marker lies on the segment
    that holds it, at the geodesic distance left from the segment's start.

    Parameters
    ----------
    lines : GeoDataFrame or object with ``to_gdf()``
        LineString / MultiLineString features, in travel order.
    step_km : float
        Spacing of the markers, > 0.

    Returns
    -------
    GeoDataFrame
        ``km`` (float) and point ``geometry`` in WGS84; the start (km 0) is not included.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> line = gpd.GeoDataFrame(geometry=[shapely.LineString([(3.0, 50.4), (3.0, 50.5)])],
    ...                         crs=4326)
    >>> km_markers(line, 5)["km"].tolist()
    [5.0, 10.0]
    """
    if not step_km or not np.isfinite(step_km) or step_km <= 0:
        raise InvalidInputError(f"step_km must be a number of kilometres > 0, got {step_km!r}")
    gdf = as_frame(lines, where="lines")
    parts = shapely.get_parts(gdf.geometry.dropna().to_numpy())
    parts = parts[np.isin(shapely.get_type_id(parts), [1])]
    if len(parts) == 0:
        return gpd.GeoDataFrame({"km": []}, geometry=[], crs="EPSG:4326")
    coords, index = shapely.get_coordinates(parts, return_index=True)
    same = index[1:] == index[:-1]  # segments inside one part only
    x0, y0 = coords[:-1][same, 0], coords[:-1][same, 1]
    x1, y1 = coords[1:][same, 0], coords[1:][same, 1]
    az, _, seg = GEOD.inv(x0, y0, x1, y1)
    ends = np.cumsum(seg)
    starts = ends - seg
    targets = np.arange(1, int(ends[-1] // (step_km * 1000)) + 1) * step_km * 1000.0
    if len(targets) == 0:
        return gpd.GeoDataFrame({"km": []}, geometry=[], crs="EPSG:4326")
    k = np.minimum(np.searchsorted(ends, targets, side="left"), len(seg) - 1)
    lon, lat, _ = GEOD.fwd(x0[k], y0[k], az[k], targets - starts[k])
    return gpd.GeoDataFrame(
        {"km": targets / 1000.0}, geometry=shapely.points(lon, lat), crs="EPSG:4326"
    )


def _auto_step(total_km: float) -> float:
    for limit, step in ((12, 1), (40, 5), (250, 10), (600, 25)):
        if total_km <= limit:
            return step
    return 50


# ---------------------------------------------------------------------------- layers
class _GeoLayer(JSCSSMixin, Layer):
    """A GeoJSON layer styled per category, with popups, tooltips and icon markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var styles = {{ this.styles | tojson }};
            var layer = L.geoJson({{ this.data }}, {
                style: function (f) { return styles[f.properties._c || 0]; },
                pointToLayer: function (f, latlng) {
                    var s = styles[f.properties._c || 0];
                    var html = f.properties._html || s.html;
                    if (html) {
                        return L.marker(latlng, {
                            icon: L.divIcon({html: html, className: s.className,
                                             iconSize: s.iconSize, iconAnchor: s.iconAnchor}),
                            keyboard: false, zIndexOffset: s.zIndexOffset || 0
                        });
                    }
                    return L.circleMarker(latlng, s);
                },
                onEachFeature: function (f, l) {
                    var p = f.properties;
                    if (p._tip) { l.bindTooltip(p._tip, {direction: "top", sticky: !l.getLatLng}); }
                    if (p._popup) { l.bindPopup(p._popup, {maxWidth: 340}); }
                }
            });
            {%- if this.cluster %}
            var group = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45});
            group.addLayer(layer);
            return group;
            {%- else %}
            return layer;
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: str, styles: list[dict], name: str, show: bool, cluster: bool):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoLayer"
        # "</" cannot appear inside <script>: the JSON escape "<\\/" reads the same.
        self.data = data.replace("</", "<\\/")
        self.styles = styles
        self.cluster = cluster
        self.default_js = list(folium.plugins.MarkerCluster.default_js) if cluster else []
        self.default_css = list(folium.plugins.MarkerCluster.default_css) if cluster else []


def _leaflet_style(style: Style) -> dict:
    options = style.leaflet()
    icon = _icon_html(style)
    if icon is not None:
        size = (
            int(2 * style.radius)
            if style.symbol == "headframe"
            else (18 if style.symbol in ("start", "finish") else 14)
        )
        options.update(
            html=icon,
            className="bg-icon",
            iconSize=[size, size],
            iconAnchor=[size // 2, size // 2],
            zIndexOffset=1000,
        )
    return options


def _categories(gdf: pd.DataFrame, style: Style) -> tuple[np.ndarray, list[Style]]:
    """Index of each feature's category style (0 is the layer's own style)."""
    codes = np.zeros(len(gdf), dtype=int)
    styles = [style]
    if style.by and style.by in gdf:
        values = gdf[style.by]
        for value, sub in style.categories.items():
            hit = (values == value).fillna(False).to_numpy(dtype=bool)
            if hit.any():
                codes[hit] = len(styles)
                styles.append(sub)
    return codes, styles


def _layer_items(layers: Sequence[Any]) -> list[tuple[str, gpd.GeoDataFrame, Style]]:
    from bassin_geo.data.layers import load_layer

    items = []
    for i, item in enumerate(layers):
        label = None
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            label, item = item
        if isinstance(item, str):
            style = style_for(item)
            items.append((label or style.label, load_layer(item), style))
            continue
        gdf = as_frame(item, where=f"layer {i + 1}")
        name = label or getattr(item, "name", None)
        name = name if isinstance(name, str) and name else f"Layer {i + 1}"
        if "approximate" in gdf and gdf["approximate"].fillna(False).astype(bool).all():
            name = f"{name} (approximate)"  # a reconstructed line says so in the layer control
        items.append((name, gdf, style_for(name, i, columns=gdf.columns, values=gdf.get("kind"))))
    return items


def _with_route_marks(gdf: gpd.GeoDataFrame, km_step: float | None) -> gpd.GeoDataFrame:
    """Add start/finish (when missing) and km markers to a route-like frame."""
    kind = gdf["kind"].astype(str)
    lines = gdf[kind.isin(list(_ROUTE_LINES)).to_numpy()]
    lines = lines[lines.geometry.notna() & ~lines.geometry.is_empty]
    if len(lines) == 0:
        return gdf
    extra = []
    coords = shapely.get_coordinates(lines.geometry.to_numpy())
    if not kind.eq("start").any():
        extra.append({"kind": "start", "name": "Start", "geometry": shapely.Point(coords[0])})
    if not kind.eq("finish").any():
        extra.append({"kind": "finish", "name": "Finish", "geometry": shapely.Point(coords[-1])})
    frames = [gdf]
    if extra:
        frames.append(gpd.GeoDataFrame(extra, geometry="geometry", crs=gdf.crs))
    if km_step is not False:
        total = GEOD.geometry_length(shapely.line_merge(shapely.union_all(lines.geometry))) / 1000
        step = km_step or _auto_step(total)
        marks = km_markers(lines, step)
        if len(marks):
            marks["kind"] = "km"
            marks["name"] = [f"km {v:g}" for v in marks["km"]]
            frames.append(marks)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=gdf.crs)


_KM_STYLE = Style("Kilometre markers", color="#d7191c", symbol="km")


def _add_layer(
    m: folium.Map,
    label: str,
    gdf: gpd.GeoDataFrame,
    style: Style,
    cluster: bool | None,
    km_step: float | None,
    precision: int,
) -> list[tuple[Style, str]]:
    """Add one layer; return the (style, geometry kind) of each category drawn."""
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(gdf) == 0:
        return []
    is_route = style.categories is ROUTE_STYLES and "kind" in gdf
    if is_route:
        gdf = _with_route_marks(gdf, km_step)
    codes, styles = _categories(gdf, style)
    leaflet = [_leaflet_style(s) for s in styles]
    popup, tip = _popups(gdf, label)
    props = pd.DataFrame({"_c": codes, "_tip": tip, "_popup": popup})
    if is_route:
        km = (gdf["kind"] == "km").to_numpy()
        if km.any():
            codes[km] = len(leaflet)
            props["_c"] = codes
            leaflet.append({"html": "", "className": "bg-km", "iconSize": None, "iconAnchor": None})
            labels = pd.to_numeric(gdf["km"], errors="coerce").map("{:g}".format)
            html_km = "<span>" + labels.to_numpy(dtype=object) + "</span>"
            props["_html"] = np.where(km, html_km, None)
            props.loc[km, "_popup"] = None
            styles = styles + [_KM_STYLE]
    frame = gpd.GeoDataFrame(props, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    points = int(np.isin(shapely.get_type_id(frame.geometry.to_numpy()), [0, 4]).sum())
    clustered = cluster if cluster is not None else points > 5000
    layer = _GeoLayer(
        feature_collection(frame, precision=precision),
        leaflet,
        name=label,
        show=style.show,
        cluster=bool(clustered and points),
    )
    layer.add_to(m)
    type_ids = shapely.get_type_id(frame.geometry.to_numpy())
    used = []
    for c in sorted(set(codes.tolist())):
        t = type_ids[codes == c]
        kind = (
            "point"
            if np.isin(t, [0, 4]).all()
            else "line"
            if np.isin(t, [1, 2, 5]).all()
            else "polygon"
        )
        used.append((styles[c], kind))
    return used


# ---------------------------------------------------------------------------- page parts
_CSS = """
<style>
.leaflet-container { background: %(bg)s; font: 13px/1.35 system-ui, -apple-system,
  "Segoe UI", Roboto, Arial, sans-serif; }
.bg-tiles { filter: saturate(.35) brightness(1.05); }
.bg-icon { background: none; border: none; }
.bg-icon svg { filter: drop-shadow(0 1px 1.5px rgba(0,0,0,.45)); }
.bg-pin { width: 100%%; height: 100%%; box-sizing: border-box; border: 2px solid #fff;
  border-radius: 50%%; color: #fff; font-size: 9px; line-height: 14px; text-align: center;
  box-shadow: 0 1px 3px rgba(0,0,0,.5); }
.bg-pin.bg-small { font-size: 10px; line-height: 10px; color: #222; }
.bg-km span { display: inline-block; transform: translate(-50%%, -50%%); padding: 0 4px;
  background: #fff; border: 1.5px solid #d7191c; border-radius: 8px; color: #d7191c;
  font: 700 10px/14px system-ui, sans-serif; white-space: nowrap; }
.bg-popup h4 { margin: 0 0 6px; font-size: 14px; color: #222; }
.bg-popup table { border-collapse: collapse; }
.bg-popup th { text-align: left; color: #666; font-weight: 500; padding: 1px 10px 1px 0;
  vertical-align: top; white-space: nowrap; }
.bg-popup td { padding: 1px 0; }
.bg-links { margin-top: 6px; font-size: 12px; }
.bg-legend { background: rgba(255,255,255,.93); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-height: 60vh; overflow: auto; }
.bg-legend h4 { margin: 0 0 5px; font-size: 13px; }
.bg-legend div { display: flex; align-items: center; gap: 7px; margin: 2px 0; }
.bg-legend i { flex: none; width: 18px; height: 14px; display: inline-flex;
  align-items: center; justify-content: center; }
.bg-legend .bg-credit { display: block; margin-top: 6px; color: #777; font-size: 10px;
  max-width: 220px; }
.bg-title { position: absolute; z-index: 1000; top: 10px; left: 50%%;
  transform: translateX(-50%%); background: rgba(255,255,255,.93); padding: 5px 14px;
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,.35); font: 600 15px system-ui,
  sans-serif; pointer-events: none; }
</style>
"""


def _swatch(style: Style, geometry: str) -> str:
    icon = _icon_html(style)
    if style.symbol == "km":
        return (
            '<i><span style="border:1.5px solid #d7191c;border-radius:6px;font:700 8px '
            'sans-serif;color:#d7191c;padding:0 2px">km</span></i>'
        )
    if icon is not None:
        inner = (
            headframe_svg(style.color, 18)
            if style.symbol == "headframe"
            else _icon_html(style, box="width:14px;height:14px;line-height:10px;font-size:8px")
        )
        return f"<i>{inner}</i>"
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    if geometry == "point":
        r = min(style.radius, 6)
        svg = (
            f'<circle cx="9" cy="7" r="{r}" fill="{style.fill_color or style.color}" '
            f'fill-opacity="{max(style.fill_opacity, 0.6)}" stroke="#555" stroke-width="1"/>'
        )
    elif geometry == "line":
        svg = (
            f'<line x1="1" y1="7" x2="17" y2="7" stroke="{style.color}" '
            f'stroke-width="{min(style.weight, 4)}"{dash}/>'
        )
    else:
        fill = style.fill_color or "none"
        svg = (
            f'<rect x="1.5" y="1.5" width="15" height="11" rx="2" fill="{fill}" '
            f'fill-opacity="{style.fill_opacity}" stroke="{style.color}" '
            f'stroke-width="{min(max(style.weight, 1), 2.5)}"{dash}/>'
        )
    return f'<i><svg width="18" height="14" viewBox="0 0 18 14">{svg}</svg></i>'


class _Legend(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "bg-legend");
                div.innerHTML = {{ this.html | tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str):
        super().__init__()
        self._name = "Legend"
        self.html = html_text


class _Page(MacroElement):
    """The page's CSS, title and metric scale bar, added to the figure the map is drawn in."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        // Marker clusters need a maximum zoom even when no tile layer sets one.
        {{ this._parent.get_name() }}.setMaxZoom(19);
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, title: str | None):
        super().__init__()
        self._name = "BassinGeoPage"
        self.title = title

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        figure.header.add_child(Element(_CSS % {"bg": _BACKGROUND}), name="bassin_geo_css")
        if self.title:
            title = f'<div class="bg-title">{html.escape(self.title)}</div>'
            figure.html.add_child(Element(title), name="bassin_geo_title")
        super().render(**kwargs)


def _geometry_kind(gdf: gpd.GeoDataFrame) -> str:
    types = gdf.geom_type.dropna()
    if len(types) == 0:
        return "polygon"
    t = types.mode().iloc[0].lower()
    return "polygon" if "polygon" in t else "line" if "line" in t else "point"


def make_map(
    *layers: Any,
    context: bool | None = None,
    tiles: str | None = DEFAULT_TILES,
    attr: str | None = None,
    title: str | None = None,
    cluster: bool | None = None,
    km_step: float | None = None,
    precision: int = 6,
    height: str = "100%",
) -> folium.Map:
    """An interactive map of the basin, or of any layers, routes and stages on it.

    Parameters
    ----------
    *layers : str, GeoDataFrame, object with ``to_gdf()``, or (label, one of these)
        Embedded layer names ("pitheads", "slag_heaps"...), GeoDataFrames in any CRS,
        or routes, itineraries and stages: anything with a ``to_gdf()`` method returning a
        GeoDataFrame of LineString / Point features. Their ``kind`` column, when it holds
        "route", "leg", "waypoint", "stop", "start", "finish", "enter" or "exit", styles
        each feature (red route lines with kilometre markers, start and finish flags,
        basin entry and exit points), and their ``name`` and ``km`` columns go into the
        tooltips and popups. With no layers, the default basin map is drawn.
    context : bool, optional
        Draw the basin (contour, listed property, buffer zone, sites...) under the given
        layers. By default: when no layers are given, and under routes (a stage is seen
        against the listed sites); pass ``False`` to draw the given layers alone.
    tiles : str or None
        Background: a folium tile name or URL template (local tiles such as
        ``"tiles/{z}/{x}/{y}.png"`` work offline); ``None`` draws no tiles.
    attr : str, optional
        Attribution of a custom tile URL.
    title : str, optional
        A title shown at the top of the map.
    cluster : bool, optional
        Cluster point markers; by default only layers of more than 5,000 points are.
        Points are drawn on a canvas either way.
    km_step : float, optional
        Spacing of the kilometre markers along routes (auto from the route's length by
        default; ``False`` for none).
    precision : int
        Decimals of the coordinates embedded in the page (6 is about 10 cm).
    height : str
        CSS height of the map.

    Returns
    -------
    folium.Map
        Fitted to the data, with a layer control, a legend, a scale bar and a fullscreen
        button. Only Leaflet's own assets are loaded (not jQuery, Bootstrap nor the
        awesome-markers icons); before adding ``folium.Icon`` markers, restore them with
        ``m.default_js = folium.Map.default_js; m.default_css = folium.Map.default_css``.

    Examples
    --------
    >>> m = make_map()
    >>> type(m).__name__
    'Map'
    >>> m2 = make_map("slag_heaps", tiles=None, title="Slag heaps")
    """
    from bassin_geo.data.layers import load_layer

    given = _layer_items(layers)
    routes = any(style.categories is ROUTE_STYLES for _, _, style in given)
    if context is None:
        context = not given or routes
    base = []
    if context:
        labels = {label for label, _, _ in given}
        base = [
            (style_for(n).label, load_layer(n), style_for(n))
            for n in DEFAULT_LAYERS
            if style_for(n).label not in labels
        ]
    items = base + given
    if not items:
        raise EmptyInputError("make_map: nothing to draw; give layers or context=True")
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=False, height=height)
    # Only Leaflet is needed: the map draws no Bootstrap widgets nor awesome-markers
    # icons, and leaving them out keeps the page (and the offline file) small.
    m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    if tiles is not None:
        try:
            background = folium.TileLayer(
                tiles, attr=attr, name="Background", control=False, className="bg-tiles"
            )
        except (ValueError, TypeError) as exc:  # folium's own wording names no argument
            raise InvalidInputError(
                f"make_map: tiles={tiles!r:.80} cannot be drawn ({exc}). Give a folium tile "
                "name, or a URL template such as 'tiles/{z}/{x}/{y}.png' with attr= naming "
                "who made the tiles; tiles=None draws no background"
            ) from exc
        background.add_to(m)
    _Page(title).add_to(m)
    rows: list[str] = []
    for label, gdf, style in items:
        for sub, geometry in _add_layer(m, label, gdf, style, cluster, km_step, precision):
            row = f"<div>{_swatch(sub, geometry)}<span>{html.escape(sub.label)}</span></div>"
            if row not in rows:
                rows.append(row)
    bounds = np.array([gdf.total_bounds for _, gdf, _ in (given or items)], dtype=float)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]
    if len(bounds):
        m.fit_bounds(
            [[bounds[:, 1].min(), bounds[:, 0].min()], [bounds[:, 3].max(), bounds[:, 2].max()]]
        )
    credit = (
        '<span class="bg-credit">Data: Mission Bassin Minier Nord-Pas de Calais, IGN, '
        "BRGM — Licence Ouverte 2.0</span>"
    )
    _Legend("<h4>Legend</h4>" + "".join(rows) + credit).add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


# ---------------------------------------------------------------------------- saving
@functools.cache
def _offline_assets() -> dict[str, str]:
    """Asset URL -> file content, from the folium-offline package (installed with us)."""
    try:
        from offlinefolium import elements, features
    except ImportError as exc:
        raise ExportError(
            "offline maps take their JavaScript and CSS from the folium-offline package, "
            "which is not installed: pip install folium-offline"
        ) from exc
    table: dict[str, str] = {}
    for module in (elements, features):
        for attribute in ("_res", "_vres"):
            table.update(getattr(module, attribute, {}) or {})
    if not table:
        raise ExportError(
            "the installed folium-offline package holds no assets; reinstall it "
            "(pip install --force-reinstall folium-offline)"
        )
    return table


_SCRIPT = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.I)
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.I)


def _inline(page: str) -> str:
    assets = _offline_assets()
    missing = sorted({u for u in _SCRIPT.findall(page) + _LINK.findall(page) if u not in assets})
    if missing:
        raise ExportError(
            f"cannot write an offline map: no offline copy of {', '.join(missing)}; "
            "remove the plugin that loads it, or save with offline=False"
        )

    def script(match: re.Match) -> str:
        body = assets[match.group(1)].replace("</script", "<\\/script")
        return f"<script>/* {match.group(1)} */\n{body}\n</script>"

    def style(match: re.Match) -> str:
        body = assets[match.group(1)].replace("</style", "<\\/style")
        return f"<style>/* {match.group(1)} */\n{body}\n</style>"

    return _LINK.sub(style, _SCRIPT.sub(script, page))


def _is_web(tiles: Any) -> bool:
    url = str(tiles or "")
    return url.startswith(("http://", "https://", "//"))


def save_map(
    m: folium.Map, path: str | os.PathLike, offline: bool = False, overwrite: bool = False
) -> Path:
    """Write a map as one HTML file.

    Parameters
    ----------
    m : folium.Map
        From :func:`make_map` or any folium map.
    path : path-like
        Target ``.html`` file.
    offline : bool
        Make the file self-contained: every JavaScript and CSS asset is inlined (taken
        from the ``folium-offline`` package at run time) and web tile layers are left
        out, leaving the plain background or the user's local tiles (URLs that do not
        start with ``http``). The file then renders with no network at all.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    OverwriteError, ExportError
        The file exists, or an asset has no offline copy (the message names it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = save_map(make_map("lakes", context=False, tiles=None),
    ...                pathlib.Path(tempfile.mkdtemp()) / "lakes.html", offline=True)
    >>> "<script src=" in out.read_text()
    False
    """
    if not isinstance(m, folium.Map):
        raise InvalidInputError(f"save_map needs a folium.Map, got {type(m).__name__}")
    # Render into a fresh figure: a figure keeps the scripts of every earlier render, so
    # web tiles left out now would otherwise still be loaded by an earlier script.
    removed = []
    if offline:
        for key, child in list(m._children.items()):
            if isinstance(child, folium.TileLayer) and _is_web(child.tiles):
                removed.append((key, child))
                del m._children[key]
    parent = m._parent
    try:
        figure = Figure()
        figure.add_child(m)
        page = figure.render()
    finally:
        m._parent = parent
        for key, child in removed:
            m._children[key] = child
    if offline:
        page = _inline(page)
    with atomic_write(path, overwrite=overwrite) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)

"""One map layer per input: GeoJSON styled per category, with popups and tooltips.

Examples
--------
>>> import folium
>>> m = folium.Map()
>>> layer, legend = add_layer(m, "Lacs", load_layer("lakes"), style_for("lakes"))
>>> layer.layer_name, [(s.label, kind) for s, kind in legend]
('Lacs', [('Neo-natural spaces', 'polygon')])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, TypeAlias

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from branca.element import Element, Figure
from folium.map import Layer
from folium.template import Template

from bassin_geo._text import fold
from bassin_geo.crs import GEOD
from bassin_geo.data.layers import load_layer
from bassin_geo.io import FrameLike, SupportsGdf, as_frame, feature_collection
from bassin_geo.io.options import DEFAULT_PRECISION
from bassin_geo.styles import ROUTE_STYLES, Style, style_for
from bassin_geo.viz.icons import KM_STYLE, leaflet_style, numbered_dot_html
from bassin_geo.viz.labels import Lang, label
from bassin_geo.viz.legend import GeometryKind
from bassin_geo.viz.markers import itinerary_stops, with_route_marks
from bassin_geo.viz.popups import popup_html
from bassin_geo.viz.vendored import markercluster_head

__all__ = [
    "CLUSTER_ABOVE",
    "GeoLayer",
    "LayerInput",
    "LayerItem",
    "add_layer",
    "categories",
    "layer_items",
]

_SCRIPT_BREAK = re.compile(r"<(?=[!sS])")

#: Point layers with more points than this are clustered unless ``cluster`` says otherwise.
CLUSTER_ABOVE = 5000

#: What :func:`~bassin_geo.make_map` draws: an embedded layer's name, a frame or result
#: object, or ``(label, one of these)``.
LayerInput: TypeAlias = str | FrameLike | tuple[str, str | FrameLike]


class GeoLayer(Layer):
    """A GeoJSON layer styled per category, with popups, tooltips and icon markers.

    Each feature's ``_c`` property indexes ``styles``; ``_popup`` (HTML built with every
    value escaped) and ``_html`` (an icon's own HTML, made by bassin_geo) are drawn as
    they are; ``_tip`` (a name) is set as text; ``_q`` (a folded name) makes the feature
    findable by the search box; ``_dx`` shifts an icon left by that many pixels.

    Parameters
    ----------
    data : str
        A GeoJSON FeatureCollection (text) of the features and their ``_`` properties.
    styles : list of dict
        Leaflet options per category, from :func:`~bassin_geo.viz.icons.leaflet_style`.
    name : str
        The layer's name in the layer control and the search results.
    show : bool
        Whether the layer starts visible.
    cluster : bool
        Cluster the point markers (Leaflet.markercluster, inlined in the page).

    Examples
    --------
    >>> import folium
    >>> _ = GeoLayer('{"type":"FeatureCollection","features":[]}', [{}], name="Empty",
    ...              show=True, cluster=False).add_to(folium.Map())
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var styles = {{ this.styles | tojson }};
            var found = [];
            var layer = L.geoJson({{ this.data }}, {
                style: function (f) { return styles[f.properties._c || 0]; },
                pointToLayer: function (f, latlng) {
                    var s = styles[f.properties._c || 0];
                    var html = f.properties._html || s.html;
                    if (html) {
                        var a = s.iconAnchor, dx = f.properties._dx || 0;
                        return L.marker(latlng, {
                            icon: L.divIcon({html: html, className: s.className,
                                             iconSize: s.iconSize,
                                             iconAnchor: a ? [a[0] - dx, a[1]] : a}),
                            keyboard: false, zIndexOffset: s.zIndexOffset || 0
                        });
                    }
                    return L.circleMarker(latlng, s);
                },
                onEachFeature: function (f, l) {
                    var p = f.properties;
                    if (p._tip) {
                        l.bindTooltip(BassinGeo.textTip(p._tip),
                                      {direction: "top", sticky: !l.getLatLng});
                    }
                    if (p._popup) { l.bindPopup(p._popup, {maxWidth: 340}); }
                    if (p._q) { found.push([p._q, p._tip, l]); }
                }
            });
            {%- if this.cluster %}
            var group = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45});
            // Load the markers once the page's script has run: a zoom (the map's fitBounds)
            // during chunked loading makes markercluster read a cluster with no bounds yet.
            setTimeout(function () { group.addLayer(layer); }, 0);
            BassinGeo.searchable({{ this._parent.get_name() }}, found, group,
                                 {{ this.layer_name | tojson }});
            return group;
            {%- else %}
            BassinGeo.searchable({{ this._parent.get_name() }}, found, layer,
                                 {{ this.layer_name | tojson }});
            return layer;
            {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, data: str, styles: list[dict[str, object]], *, name: str, show: bool, cluster: bool
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoLayer"
        # Inside <script>, "</", "<!--" and "<script" would change how the page is parsed;
        # the JSON escapes "<\\/" and "\\u003c" read the same.
        self.data = _SCRIPT_BREAK.sub(r"\\u003c", data.replace("</", "<\\/"))
        self.styles = styles
        self.cluster = cluster

    def render(self, **kwargs: object) -> str:
        """Add the cluster plugin to the page when the layer needs it, then the script.

        Parameters
        ----------
        **kwargs : object
            Passed on to folium's rendering.

        Returns
        -------
        str
            Empty: the parts are written into the figure, not returned.

        Examples
        --------
        >>> import folium
        >>> m = folium.Map(tiles=None)
        >>> _ = GeoLayer('{"type":"FeatureCollection","features":[]}', [{}], name="E",
        ...              show=True, cluster=True).add_to(m)
        >>> "MarkerClusterGroup" in m.get_root().render()
        True
        """
        figure = self.get_root()
        if self.cluster and isinstance(figure, Figure):
            figure.header.add_child(Element(markercluster_head()), name="bassin_geo_cluster")
        super().render(**kwargs)  # type: ignore[no-untyped-call]  # folium has no hints here
        return ""


def categories(gdf: pd.DataFrame, style: Style) -> tuple[npt.NDArray[np.int_], list[Style]]:
    """Return the index of each feature's category style, and those styles.

    Parameters
    ----------
    gdf : DataFrame
        The features; the column named by ``style.by`` picks their category.
    style : Style
        The layer's style, with its ``categories``.

    Returns
    -------
    codes : numpy.ndarray of int
        Per feature, an index into ``styles`` (0 is the layer's own style).
    styles : list of Style
        The layer's style, then each category present.

    Examples
    --------
    >>> heaps = load_layer("slag_heaps")
    >>> codes, styles = categories(heaps, style_for("slag_heaps"))
    >>> len(codes) == len(heaps), len(styles) > 1
    (True, True)
    """
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


class LayerItem(NamedTuple):
    """One layer to draw: its name on the map, its features, its style and its origin.

    Parameters
    ----------
    label : str
        The layer's name on the map (layer control, legend, search results).
    frame : GeoDataFrame
        Its features, in WGS84.
    style : Style
        Its style.
    layer : str or None
        The embedded layer it is (``"pitheads"``...), ``None`` for the caller's own data.

    Examples
    --------
    >>> LayerItem("Lacs", load_layer("lakes"), style_for("lakes"), "lakes").layer
    'lakes'
    """

    label: str
    frame: gpd.GeoDataFrame
    style: Style
    layer: str | None


def layer_items(layers: Sequence[LayerInput], *, lang: Lang = "fr") -> list[LayerItem]:
    """Return each layer given to :func:`~bassin_geo.make_map`, ready to draw.

    Parameters
    ----------
    layers : sequence
        Embedded layer names, GeoDataFrames or GeoSeries in any CRS, objects with
        ``to_gdf()`` (routes, itineraries, crossings, reachable areas, networks), or
        ``(label, one of these)``.
    lang : {"fr", "en"}, default "fr"
        The language of the names bassin_geo gives.

    Returns
    -------
    list of LayerItem
        ``(label, GeoDataFrame in WGS84, Style, embedded layer name or None)`` per
        layer, in the given order. A result object is labelled by its ``name`` when it
        has one, else by its type and rank ("Itinerary 2"); a layer whose lines are all
        approximate says so.

    Raises
    ------
    InvalidInputError
        An item is none of these.

    Examples
    --------
    >>> [item.label for item in layer_items(["lakes", ("Mine", load_layer("perimeter"))])]
    ['Espaces néo-naturels', 'Mine']
    """
    items = []
    for i, given in enumerate(layers):
        name: object = None
        item: object = given
        if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str):
            name, item = given
        if isinstance(item, str):
            style = style_for(item)
            shown = name if isinstance(name, str) and name else label(style.label, lang)
            items.append(LayerItem(shown, load_layer(item), style, item))
            continue
        gdf = itinerary_stops(as_frame(item, where=f"layer {i + 1}"))
        name = name or getattr(item, "name", None)
        if not (isinstance(name, str) and name) and isinstance(item, SupportsGdf):
            # an unnamed result says what it is
            name = f"{label(type(item).__name__, lang)} {i + 1}"
        name = name if isinstance(name, str) and name else f"{label('Layer', lang)} {i + 1}"
        if "approximate" in gdf and gdf["approximate"].astype("boolean").fillna(False).all():
            # a reconstructed line says so in the layer control
            name = f"{name} ({label('approximate', lang)})"
        style = style_for(name, i, columns=gdf.columns, values=gdf.get("kind"))
        items.append(LayerItem(name, gdf, style, None))
    return items


def _loop_shift(gdf: gpd.GeoDataFrame) -> npt.NDArray[np.int_]:
    """Pixels to shift each start/finish flag by, so the two flags of a loop sit side by side."""
    shift = np.zeros(len(gdf), dtype=int)
    kind = gdf["kind"].astype(str).to_numpy()
    start, finish = np.flatnonzero(kind == "start"), np.flatnonzero(kind == "finish")
    if len(start) and len(finish):
        a, b = gdf.geometry.iloc[start[0]], gdf.geometry.iloc[finish[0]]
        if a.geom_type == "Point" and b.geom_type == "Point":
            if GEOD.inv(a.x, a.y, b.x, b.y)[2] < 60:  # closer than two flags on screen
                shift[start] = -10
                shift[finish] = 10
    return shift


def _search_text(gdf: gpd.GeoDataFrame) -> pd.Series:
    """The folded text the search box matches: the name, and a slag heap's number."""
    names = gdf["name"] if "name" in gdf else pd.Series(None, index=gdf.index, dtype=object)
    text = names.astype("string").fillna("")
    if "heap_number" in gdf:
        text = text + " " + gdf["heap_number"].astype("string").fillna("")
    folded = text.map(fold).str.strip()
    if "kind" in gdf:
        folded = folded.where(~gdf["kind"].isin(["km", "route", "leg", "passage"]), "")
    searched: pd.Series = folded.where(names.notna() & (folded != ""), None)
    return searched


def add_layer(
    m: folium.Map,
    label: str,
    gdf: gpd.GeoDataFrame,
    style: Style,
    *,
    cluster: bool | None = None,
    step_km: float | bool | None = None,
    precision: int = DEFAULT_PRECISION,
    lang: Lang = "fr",
    searchable: bool = False,
) -> tuple[GeoLayer | None, list[tuple[Style, GeometryKind]]]:
    """Draw one layer on ``m``; return the style and geometry kind of each category drawn.

    Parameters
    ----------
    m : folium.Map
        The map to draw on.
    label : str
        The layer's name in the layer control, and the title of unnamed features.
    gdf : GeoDataFrame
        The features, in WGS84.
    style : Style
        The layer's style; with the route styles, the ``kind`` column styles each feature
        and kilometre markers and start/finish flags are added.
    cluster : bool, optional
        Cluster point markers; by default only above :data:`CLUSTER_ABOVE` points.
    step_km : float, False or None
        Spacing of the kilometre markers along routes (``None``: from the length;
        ``False``: none).
    precision : int, default 6
        Decimals of the coordinates embedded in the page.
    lang : {"fr", "en"}, default "fr"
        The language of the popups and of the start/finish names.
    searchable : bool, default False
        Make the named features findable by the map's search box.

    Returns
    -------
    layer : GeoLayer or None
        The layer drawn, ``None`` when ``gdf`` has no geometry to draw.
    legend : list of tuple
        ``(Style, "point" | "line" | "polygon")`` per category drawn, for the legend.

    Examples
    --------
    >>> import folium
    >>> basin = load_layer("perimeter")
    >>> layer, legend = add_layer(folium.Map(), "Basin", basin, style_for("perimeter"))
    >>> [kind for _, kind in legend]
    ['polygon']
    """
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(gdf) == 0:
        return None, []
    is_route = style.categories is ROUTE_STYLES and "kind" in gdf
    if is_route:
        gdf = with_route_marks(gdf, step_km=step_km, lang=lang)
    codes, styles = categories(gdf, style)
    # A route's own points (waypoints, stops) are drawn above the site markers.
    above = (ROUTE_STYLES["waypoint"], ROUTE_STYLES["stop"])
    on_top = [is_route and s in above for s in styles]
    leaflet = [leaflet_style(s, on_top=top) for s, top in zip(styles, on_top, strict=True)]
    popup, tip = popup_html(gdf, label, lang=lang)
    props = pd.DataFrame({"_c": codes, "_tip": tip, "_popup": popup})
    if searchable:
        props["_q"] = _search_text(gdf).to_numpy(dtype=object)
    if is_route:
        shift = _loop_shift(gdf)
        if shift.any():
            props["_dx"] = pd.Series(shift, dtype=object).where(shift != 0, None).to_numpy()
        km = (gdf["kind"] == "km").to_numpy()
        if km.any():
            codes[km] = len(leaflet)
            props["_c"] = codes
            leaflet.append({"html": "", "className": "bg-km", "iconSize": None, "iconAnchor": None})
            labels = pd.to_numeric(gdf["km"], errors="coerce").map("{:g}".format)
            html_km = "<span>" + labels.to_numpy(dtype=object) + "</span>"
            props["_html"] = np.where(km, html_km, None)
            props.loc[km, "_popup"] = None
            styles = styles + [KM_STYLE]
        if "stop_number" in gdf:
            # An itinerary's stops show their rank in the tour.
            rank = pd.to_numeric(gdf["stop_number"], errors="coerce")
            numbered = (gdf["kind"] == "stop").to_numpy() & rank.notna().to_numpy()
            if numbered.any():
                stop = ROUTE_STYLES["stop"]
                pins = [
                    numbered_dot_html(stop, int(n)) if hit else None
                    for n, hit in zip(rank.fillna(0), numbered, strict=True)
                ]
                current = props["_html"] if "_html" in props else pd.Series(None, index=props.index)
                props["_html"] = np.where(numbered, np.array(pins, dtype=object), current)
    frame = gpd.GeoDataFrame(props, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    points = int(np.isin(shapely.get_type_id(frame.geometry.to_numpy()), [0, 4]).sum())
    clustered = cluster if cluster is not None else points > CLUSTER_ABOVE
    layer = GeoLayer(
        feature_collection(frame, precision=precision),
        leaflet,
        name=label,
        show=style.show,
        cluster=bool(clustered and points),
    )
    layer.add_to(m)
    type_ids = shapely.get_type_id(frame.geometry.to_numpy())
    used: list[tuple[Style, GeometryKind]] = []
    for c in sorted(set(codes.tolist())):
        t = type_ids[codes == c]
        kind: GeometryKind = (
            "point"
            if np.isin(t, [0, 4]).all()
            else "line"
            if np.isin(t, [1, 2, 5]).all()
            else "polygon"
        )
        used.append((styles[c], kind))
    return layer, used

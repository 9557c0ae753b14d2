"""One map layer per input: GeoJSON styled per category, with popups and tooltips.

Examples
--------
>>> import folium
>>> m = folium.Map()
>>> [(s.label, kind) for s, kind in add_layer(m, "Lakes", load_layer("lakes"),
...                                           style_for("lakes"))]
[('Neo-natural spaces', 'polygon')]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from bassin_geo.data.layers import load_layer
from bassin_geo.io import FrameLike, SupportsGdf, as_frame, feature_collection
from bassin_geo.io.options import DEFAULT_PRECISION
from bassin_geo.styles import ROUTE_STYLES, Style, style_for
from bassin_geo.viz.icons import KM_STYLE, leaflet_style
from bassin_geo.viz.legend import GeometryKind
from bassin_geo.viz.markers import with_route_marks
from bassin_geo.viz.popups import popup_html

__all__ = ["CLUSTER_ABOVE", "GeoLayer", "LayerInput", "add_layer", "categories", "layer_items"]

#: Point layers with more points than this are clustered unless ``cluster`` says otherwise.
CLUSTER_ABOVE = 5000

#: What :func:`~bassin_geo.make_map` draws: an embedded layer's name, a frame or result
#: object, or ``(label, one of these)``.
LayerInput: TypeAlias = str | FrameLike | tuple[str, str | FrameLike]


class GeoLayer(JSCSSMixin, Layer):
    """A GeoJSON layer styled per category, with popups, tooltips and icon markers.

    Each feature's ``_c`` property indexes ``styles``; ``_tip``, ``_popup`` and ``_html``
    (an icon's own HTML) are drawn as they are.

    Parameters
    ----------
    data : str
        A GeoJSON FeatureCollection (text) of the features and their ``_`` properties.
    styles : list of dict
        Leaflet options per category, from :func:`~bassin_geo.viz.icons.leaflet_style`.
    name : str
        The layer's name in the layer control.
    show : bool
        Whether the layer starts visible.
    cluster : bool
        Cluster the point markers (Leaflet.markercluster).

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
            // Load the markers once the page's script has run: a zoom (the map's fitBounds)
            // during chunked loading makes markercluster read a cluster with no bounds yet.
            setTimeout(function () { group.addLayer(layer); }, 0);
            return group;
            {%- else %}
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
        # "</" cannot appear inside <script>: the JSON escape "<\\/" reads the same.
        self.data = data.replace("</", "<\\/")
        self.styles = styles
        self.cluster = cluster
        self.default_js = list(folium.plugins.MarkerCluster.default_js) if cluster else []
        self.default_css = list(folium.plugins.MarkerCluster.default_css) if cluster else []


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


def layer_items(layers: Sequence[LayerInput]) -> list[tuple[str, gpd.GeoDataFrame, Style]]:
    """Return each layer given to :func:`~bassin_geo.make_map` as (label, WGS84 frame, style).

    Parameters
    ----------
    layers : sequence
        Embedded layer names, GeoDataFrames or GeoSeries in any CRS, objects with
        ``to_gdf()`` (routes, itineraries, crossings, reachable areas, networks), or
        ``(label, one of these)``.

    Returns
    -------
    list of tuple
        ``(label, GeoDataFrame in WGS84, Style)`` per layer, in the given order. A
        result object is labelled by its ``name`` when it has one, else by its type and
        rank ("Itinerary 2"); a layer whose lines are all approximate says so.

    Raises
    ------
    InvalidInputError
        An item is none of these.

    Examples
    --------
    >>> [label for label, _, _ in layer_items(["lakes", ("Mine", load_layer("perimeter"))])]
    ['Neo-natural spaces', 'Mine']
    """
    items = []
    for i, given in enumerate(layers):
        label: str | None = None
        item: object = given
        if isinstance(given, tuple) and len(given) == 2 and isinstance(given[0], str):
            label, item = given
        if isinstance(item, str):
            style = style_for(item)
            items.append((label or style.label, load_layer(item), style))
            continue
        gdf = as_frame(item, where=f"layer {i + 1}")
        name = label or getattr(item, "name", None)
        if not (isinstance(name, str) and name) and isinstance(item, SupportsGdf):
            name = f"{type(item).__name__} {i + 1}"  # an unnamed result says what it is
        name = name if isinstance(name, str) and name else f"Layer {i + 1}"
        if "approximate" in gdf and gdf["approximate"].fillna(False).astype(bool).all():
            name = f"{name} (approximate)"  # a reconstructed line says so in the layer control
        items.append((name, gdf, style_for(name, i, columns=gdf.columns, values=gdf.get("kind"))))
    return items


def add_layer(
    m: folium.Map,
    label: str,
    gdf: gpd.GeoDataFrame,
    style: Style,
    *,
    cluster: bool | None = None,
    step_km: float | bool | None = None,
    precision: int = DEFAULT_PRECISION,
) -> list[tuple[Style, GeometryKind]]:
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

    Returns
    -------
    list of tuple
        ``(Style, "point" | "line" | "polygon")`` per category drawn, for the legend;
        empty when ``gdf`` has no geometry to draw.

    Examples
    --------
    >>> import folium
    >>> basin = load_layer("perimeter")
    >>> [kind for _, kind in add_layer(folium.Map(), "Basin", basin, style_for("perimeter"))]
    ['polygon']
    """
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(gdf) == 0:
        return []
    is_route = style.categories is ROUTE_STYLES and "kind" in gdf
    if is_route:
        gdf = with_route_marks(gdf, step_km=step_km)
    codes, styles = categories(gdf, style)
    leaflet = [leaflet_style(s) for s in styles]
    popup, tip = popup_html(gdf, label)
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
            styles = styles + [KM_STYLE]
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
    return used

"""Interactive Folium maps of the basin, in one HTML file that opens anywhere.

:func:`make_map` draws the embedded layers (or any GeoDataFrame, route, itinerary or
stage) with the styles of :mod:`bassin_geo.styles`: one toggleable layer per kind, a
title, a collapsible legend, a search box over the sites and communes, commune names
that appear as one zooms in, a scale bar, reset-view and full-screen buttons, popups and
tooltips, in French by default (``lang="en"`` for English). Leaflet and its plugins are
inlined from the copies bassin_geo ships (:mod:`~bassin_geo.viz.vendored`), so the page
draws with no network, in a browser as in a notebook viewer; only the background tiles
come from the web, and :func:`save_map` with ``offline=True`` leaves them out too.

Points are drawn on a canvas (``prefer_canvas``) as circle markers, which stays smooth
with tens of thousands of points; larger point layers are also clustered.

The parts live beside this module: :mod:`~bassin_geo.viz.layers` (one styled layer per
input), :mod:`~bassin_geo.viz.popups`, :mod:`~bassin_geo.viz.icons`,
:mod:`~bassin_geo.viz.markers` (km markers), :mod:`~bassin_geo.viz.legend` (swatches and
page CSS), :mod:`~bassin_geo.viz.controls` (the page's controls, ``map.js``),
:mod:`~bassin_geo.viz.labels` (French and English) and :mod:`~bassin_geo.viz.vendored`.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
from branca.element import Element, Figure

from bassin_geo._compat import keyword_only, renamed
from bassin_geo.data.catalog import LAYERS, MBM_CREDIT
from bassin_geo.data.layers import load_layer
from bassin_geo.errors import EmptyInputError, InvalidInputError
from bassin_geo.io import atomic_write, check_flag, check_precision
from bassin_geo.io.options import DEFAULT_PRECISION
from bassin_geo.styles import ROUTE_STYLES, style_for
from bassin_geo.viz.controls import MapSetup, PageAssets, control_texts
from bassin_geo.viz.labels import Lang, check_lang, label
from bassin_geo.viz.layers import GeoLayer, LayerInput, LayerItem, add_layer, layer_items
from bassin_geo.viz.legend import swatch
from bassin_geo.viz.vendored import inline_assets, is_web_url

__all__ = ["DEFAULT_LAYERS", "DEFAULT_TILES", "SEARCHABLE_LAYERS", "make_map", "save_map"]

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

#: The embedded layers whose named features the search box finds (and every layer of
#: the caller's own data).
SEARCHABLE_LAYERS: frozenset[str] = frozenset(
    {
        "pitheads",
        "shafts",
        "slag_heaps",
        "mining_estates",
        "buildings",
        "lakes",
        "sites",
        "communes",
        "communes_nord_pas_de_calais",
        "epci",
    }
)

# The layers whose features are communes, labelled by name on the map.
_COMMUNE_LAYERS = ("communes", "communes_nord_pas_de_calais")


def _commune_labels(frame: gpd.GeoDataFrame) -> list[list[Any]]:
    """[name, lat, lon, first zoom shown, big] per commune, larger communes first."""
    named = frame[frame["name"].notna()] if "name" in frame else frame.iloc[:0]
    if len(named) == 0:
        return []
    size = (
        named["population"].astype(float).fillna(0).to_numpy()
        if "population" in named
        else named.to_crs(2154).area.to_numpy()
    )
    order = np.argsort(-size, kind="stable")
    points = named.geometry.representative_point()
    first_zoom = np.select([size >= 25_000, size >= 8_000, size >= 2_500], [0, 10, 11], 12)
    if "population" not in named:
        first_zoom = np.full(len(named), 0)
    return [
        [
            str(named["name"].iloc[i]),
            round(float(points.iloc[i].y), 5),
            round(float(points.iloc[i].x), 5),
            int(first_zoom[i]),
            bool(first_zoom[i] == 0 and "population" in named),
        ]
        for i in order
    ]


def _credits(items: list[LayerItem], lang: Lang) -> list[str]:
    """The data credits of the layers drawn: an embedded layer's own, and the official
    sources named in a frame's ``source`` column."""
    found: list[str] = []
    for item in items:
        credit = None
        if item.layer is not None and item.layer in LAYERS:
            credit = LAYERS[item.layer].credit
        elif "source" in item.frame:
            source = item.frame["source"].astype("string")
            if source.str.startswith("official/").fillna(False).any():
                credit = MBM_CREDIT
        if credit and credit not in found:
            found.append(credit)
    word = label("Data", lang)
    colon = " : " if lang == "fr" else ": "
    return [f"{word}{colon}{credit}" for credit in found]


@renamed(km_step="step_km")
def make_map(
    *layers: LayerInput,
    context: bool | None = None,
    tiles: str | None = DEFAULT_TILES,
    attr: str | None = None,
    title: str | None = None,
    cluster: bool | None = None,
    step_km: float | bool | None = None,
    precision: int = DEFAULT_PRECISION,
    height: str = "100%",
    lang: Lang = "fr",
) -> folium.Map:
    """An interactive map of the basin, or of any layers, routes and stages on it.

    Parameters
    ----------
    *layers : str, GeoDataFrame, object with ``to_gdf()``, or (label, one of these)
        Embedded layer names ("pitheads", "slag_heaps"...), GeoDataFrames or GeoSeries in
        any CRS, or result objects: routes, itineraries, stages, crossings, reachable areas,
        networks, anything with a ``to_gdf()`` method returning a GeoDataFrame. Their
        ``kind`` column, when it holds "route", "leg", "waypoint", "stop", "start",
        "finish", "enter" or "exit", styles each feature (red route lines with kilometre
        markers, start and finish flags, basin entry and exit points), and their ``name``
        and ``km`` columns go into the tooltips and popups. With no layers, the default
        basin map is drawn.
    context : bool, optional
        Draw the basin (contour, listed property, buffer zone, sites...) under the given
        layers. By default: when no layers are given, and under routes (a stage is seen
        against the listed sites); pass ``False`` to draw the given layers alone.
    tiles : str or None
        Background: a folium tile name or URL template (local tiles such as
        ``"tiles/{z}/{x}/{y}.png"`` work offline); ``None`` draws no tiles. The vector
        layers, labels and controls draw whether the tiles load or not.
    attr : str, optional
        Attribution of a custom tile URL, shown as text.
    title : str, optional
        The title shown at the top of the map. By default the basin's name, or the names
        of the given layers; ``""`` for none.
    cluster : bool, optional
        Cluster point markers; by default only layers of more than 5,000 points are.
        Points are drawn on a canvas either way.
    step_km : float or False, optional
        Spacing of the kilometre markers along routes (auto from the route's length by
        default; ``False`` for none). Formerly ``km_step``, which still works with a
        FutureWarning.
    precision : int, default 6
        Decimals of the coordinates embedded in the page (6 is about 10 cm).
    height : str, default "100%"
        CSS height of the map.
    lang : {"fr", "en"}, default "fr"
        The language of the layer names, legend, popups, tooltips and controls.

    Returns
    -------
    folium.Map
        Fitted to the data, with its controls. Its page inlines Leaflet (and
        Leaflet.markercluster when points are clustered): it loads nothing but tiles from
        the web. Before adding folium plugins that load other scripts (``folium.Icon``
        markers need Bootstrap), restore them with
        ``m.default_js = folium.Map.default_js; m.default_css = folium.Map.default_css``;
        such a page then needs the network.

    Examples
    --------
    >>> m = make_map()
    >>> type(m).__name__
    'Map'
    >>> m2 = make_map("slag_heaps", tiles=None, title="Slag heaps", lang="en")
    """
    if isinstance(height, bool) or not isinstance(height, (str, int, float)):
        msg = f"make_map: height must be a CSS length such as '100%' or '600px', got {height!r}"
        raise InvalidInputError(msg)
    if context is not None:
        context = check_flag(context, "context")
    if cluster is not None:
        cluster = check_flag(cluster, "cluster")
    if step_km is True:
        msg = "step_km must be a number of kilometres, False (no markers) or None (auto)"
        raise InvalidInputError(msg)
    if title is not None and not isinstance(title, str):
        msg = f"title must be text or None, got {type(title).__name__}"
        raise InvalidInputError(msg)
    lang = check_lang(lang)
    precision = check_precision(precision)
    given = layer_items(layers, lang=lang)
    routes = any(item.style.categories is ROUTE_STYLES for item in given)
    if context is None:
        context = not given or routes
    base = []
    if context:
        labels = {item.label for item in given}
        names = {item.layer for item in given}
        base = [
            LayerItem(label(style_for(n).label, lang), load_layer(n), style_for(n), n)
            for n in DEFAULT_LAYERS
            if n not in names and label(style_for(n).label, lang) not in labels
        ]
    items = base + given
    if not items:
        msg = "make_map: nothing to draw; give layers or context=True"
        raise EmptyInputError(msg)
    if title is None:
        title = (
            label("Mining Basin of Nord-Pas de Calais", lang)
            if not given
            else " · ".join(item.label for item in given[:3])
        )
    bounds = np.array([item.frame.total_bounds for item in (given or items)], dtype=float)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]
    box = (
        [[bounds[:, 1].min(), bounds[:, 0].min()], [bounds[:, 3].max(), bounds[:, 2].max()]]
        if len(bounds)
        else None
    )
    center = [(box[0][0] + box[1][0]) / 2, (box[0][1] + box[1][1]) / 2] if box else [50.45, 3.0]
    try:
        m = folium.Map(
            location=center,
            zoom_start=10,
            tiles=None,
            prefer_canvas=True,
            control_scale=False,
            zoom_control=False,
            height=height,
        )
    except ValueError as exc:  # branca parses the CSS length; nothing else here can fail
        msg = f"make_map: height must be a CSS length such as '100%' or '600px' ({exc})"
        raise InvalidInputError(msg) from None
    # Leaflet comes inline from the vendored copy (PageAssets); the map draws no
    # Bootstrap widgets nor awesome-markers icons.
    m.default_js = []
    m.default_css = []
    PageAssets().add_to(m)
    if tiles is not None:
        try:
            background = folium.TileLayer(
                tiles,
                attr=html.escape(attr) if attr else None,
                name="Background",
                control=False,
                className="bg-tiles",
            )
        except (ValueError, TypeError) as exc:  # folium's own wording names no argument
            msg = (
                f"make_map: tiles={tiles!r:.80} cannot be drawn ({exc}). Give a folium tile "
                "name, or a URL template such as 'tiles/{z}/{x}/{y}.png' with attr= naming "
                "who made the tiles; tiles=None draws no background"
            )
            raise InvalidInputError(msg) from exc
        background.add_to(m)
    rows: list[list[str]] = []
    overlays: list[tuple[str, GeoLayer]] = []
    commune_labels: list[list[Any]] | None = None
    labels_owner: int | None = None
    for item in items:
        searchable = item.layer is None or item.layer in SEARCHABLE_LAYERS
        layer, drawn = add_layer(
            m,
            item.label,
            item.frame,
            item.style,
            cluster=cluster,
            step_km=step_km,
            precision=precision,
            lang=lang,
            searchable=searchable,
        )
        if layer is None:
            continue
        overlays.append((item.label, layer))
        if item.layer in _COMMUNE_LAYERS and commune_labels is None:
            commune_labels = _commune_labels(item.frame)
            labels_owner = len(overlays) - 1
        for sub, geometry in drawn:
            text = item.label if sub is item.style else label(sub.label, lang)
            row = [swatch(sub, geometry), text]
            if row not in rows:
                rows.append(row)
    config = {
        "texts": control_texts(lang),
        "title": title or None,
        "bounds": box,
        "legend": rows,
        "credits": _credits(items, lang),
        "labels": commune_labels,
        "labelsOwner": labels_owner,
    }
    MapSetup(config, overlays).add_to(m)
    return m


# The stand-in of a layer's data while the page renders (see save_map): no jinja2 syntax.
_TOKEN = re.compile(r"@@bassin_geo_data_\w+@@")


def _geo_layers(element: Element) -> list[GeoLayer]:
    """Every GeoLayer under ``element``, in the tree's order."""
    found = []
    for child in element._children.values():
        if isinstance(child, GeoLayer):
            found.append(child)
        found.extend(_geo_layers(child))
    return found


@keyword_only(2, ("offline", "overwrite"))
def save_map(
    m: folium.Map,
    path: str | os.PathLike[str],
    *,
    offline: bool = False,
    overwrite: bool = False,
) -> Path:
    """Write a map as one HTML file.

    Parameters
    ----------
    m : folium.Map
        From :func:`make_map` or any folium map.
    path : path-like
        Target ``.html`` file.
    offline : bool, default False
        Leave the web tiles out too, keeping the plain background or the user's local
        tiles (URLs that do not start with ``http``), and refuse a page that would load
        any script or style from the web. A map of :func:`make_map` is self-contained
        either way: its scripts and styles are inline, and without tiles it still draws
        its layers, commune names and controls.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    OverwriteError, ExportError
        The file exists, or (``offline=True``) the page links a script or style that
        bassin_geo has no copy of (the message names it).
    InvalidInputError
        ``m`` is not a folium map, or a flag is not a bool.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = save_map(make_map("lakes", context=False, tiles=None),
    ...                pathlib.Path(tempfile.mkdtemp()) / "lakes.html", offline=True)
    >>> "<script src=" in out.read_text()
    False
    """
    if not isinstance(m, folium.Map):
        msg = f"save_map needs a folium.Map, got {type(m).__name__}"
        raise InvalidInputError(msg)
    offline = check_flag(offline, "offline")
    overwrite = check_flag(overwrite, "overwrite")
    # Render into a fresh figure: a figure keeps the scripts of every earlier render, so
    # web tiles left out now would otherwise still be loaded by an earlier script.
    removed = []
    if offline:
        for key, child in list(m._children.items()):
            if isinstance(child, folium.TileLayer) and is_web_url(child.tiles):
                removed.append((key, child))
                del m._children[key]
    parent = m._parent
    # The layers' GeoJSON (megabytes) stands aside while the page renders: folium compiles
    # every rendered script as a jinja2 template, which lexed all of it (0.1-0.2 s). A
    # short token takes its place, replaced by the data in the rendered page.
    layers = _geo_layers(m)
    data = {f"@@bassin_geo_data_{layer.get_name()}@@": layer.data for layer in layers}
    try:
        for layer, token in zip(layers, data, strict=True):
            layer.data = token
        figure = Figure()
        figure.add_child(m)
        page = figure.render()
    finally:
        for layer, text in zip(layers, data.values(), strict=True):
            layer.data = text
        m._parent = parent
        for key, child in removed:
            m._children[key] = child
    if data:
        page = _TOKEN.sub(lambda found: data[found[0]], page)
    page = inline_assets(page, strict=offline)
    with atomic_write(path, overwrite=overwrite) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)

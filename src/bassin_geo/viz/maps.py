"""Interactive Folium maps of the basin, and HTML files that open with no network.

:func:`make_map` draws the embedded layers (or any GeoDataFrame, route, itinerary or
stage) with the styles of :mod:`bassin_geo.styles`: one toggleable layer per kind, a
legend, a scale bar, a fullscreen button, popups and tooltips. :func:`save_map` writes
the map; with ``offline=True`` every JavaScript and CSS asset is inlined from the
``folium-offline`` package installed with bassin-geo, and web tiles are left out, so the
file renders on a laptop with no connection.

Points are drawn on a canvas (``prefer_canvas``) as circle markers, which stays smooth
with tens of thousands of points; larger point layers are also clustered.

The parts live beside this module: :mod:`~bassin_geo.viz.layers` (one styled layer per
input), :mod:`~bassin_geo.viz.popups`, :mod:`~bassin_geo.viz.icons`,
:mod:`~bassin_geo.viz.markers` (km markers), :mod:`~bassin_geo.viz.legend` (legend and
page CSS) and :mod:`~bassin_geo.viz.offline` (inlined assets).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import folium
import folium.plugins
import numpy as np
from branca.element import Figure

from bassin_geo._compat import keyword_only, renamed
from bassin_geo.data.layers import load_layer
from bassin_geo.errors import EmptyInputError, InvalidInputError
from bassin_geo.io import atomic_write, check_flag, check_precision
from bassin_geo.io.options import DEFAULT_PRECISION
from bassin_geo.styles import ROUTE_STYLES, style_for
from bassin_geo.viz.layers import LayerInput, add_layer, layer_items
from bassin_geo.viz.legend import Legend, PageStyle, swatch
from bassin_geo.viz.offline import inline_assets, is_web_url

__all__ = ["DEFAULT_LAYERS", "DEFAULT_TILES", "make_map", "save_map"]

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
        ``"tiles/{z}/{x}/{y}.png"`` work offline); ``None`` draws no tiles.
    attr : str, optional
        Attribution of a custom tile URL.
    title : str, optional
        A title shown at the top of the map.
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
    if context is not None:
        context = check_flag(context, "context")
    if cluster is not None:
        cluster = check_flag(cluster, "cluster")
    if step_km is True:
        msg = "step_km must be a number of kilometres, False (no markers) or None (auto)"
        raise InvalidInputError(msg)
    precision = check_precision(precision)
    given = layer_items(layers)
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
        msg = "make_map: nothing to draw; give layers or context=True"
        raise EmptyInputError(msg)
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
            msg = (
                f"make_map: tiles={tiles!r:.80} cannot be drawn ({exc}). Give a folium tile "
                "name, or a URL template such as 'tiles/{z}/{x}/{y}.png' with attr= naming "
                "who made the tiles; tiles=None draws no background"
            )
            raise InvalidInputError(msg) from exc
        background.add_to(m)
    PageStyle(title).add_to(m)
    rows: list[str] = []
    for label, gdf, style in items:
        drawn = add_layer(
            m, label, gdf, style, cluster=cluster, step_km=step_km, precision=precision
        )
        for sub, geometry in drawn:
            row = f"<div>{swatch(sub, geometry)}<span>{html.escape(sub.label)}</span></div>"
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
    Legend("<h4>Legend</h4>" + "".join(rows) + credit).add_to(m)
    folium.plugins.Fullscreen(position="topleft").add_to(m)  # type: ignore[no-untyped-call]  # folium has no hints here
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


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
        Make the file self-contained: every JavaScript and CSS asset is inlined (taken
        from the ``folium-offline`` package at run time) and web tile layers are left
        out, leaving the plain background or the user's local tiles (URLs that do not
        start with ``http``). The file then renders with no network at all.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    OverwriteError, ExportError
        The file exists, or an asset has no offline copy (the message names it).
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
    try:
        figure = Figure()
        figure.add_child(m)
        page = figure.render()
    finally:
        m._parent = parent
        for key, child in removed:
            m._children[key] = child
    if offline:
        page = inline_assets(page)
    with atomic_write(path, overwrite=overwrite) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)

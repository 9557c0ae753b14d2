"""The page around the map: inlined assets and CSS, then title, legend, search and controls.

:class:`PageAssets` writes Leaflet, the page's CSS and bassin_geo's own script
(``map.js``) into the page's head, inline, so the page needs no network;
:class:`MapSetup` calls that script once every layer is drawn: title, search box, zoom,
reset view and full screen buttons, layer control, scale bar, legend, credits and
commune labels, then fits the view.

Examples
--------
>>> import folium
>>> m = folium.Map(tiles=None)
>>> _ = PageAssets().add_to(m)
>>> "leaflet 1.9.4," in m.get_root().render()
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from bassin_geo.viz.labels import Lang, label
from bassin_geo.viz.legend import BACKGROUND, PAGE_CSS
from bassin_geo.viz.vendored import MAP_SCRIPT, leaflet_head

__all__ = ["CONTROL_TEXTS", "MapSetup", "PageAssets", "control_texts"]

#: The texts of the page's controls, by key, in English (see :mod:`~bassin_geo.viz.labels`).
CONTROL_TEXTS: dict[str, str] = {
    "legend": "Legend",
    "toggleLegend": "Show or hide the legend",
    "search": "Search a site or a commune",
    "noMatch": "No match",
    "reset": "Reset the view",
    "fullscreen": "Full screen",
    "zoomIn": "Zoom in",
    "zoomOut": "Zoom out",
    "offlineTiles": "Background map unavailable (no network)",
}


def control_texts(lang: Lang) -> dict[str, str]:
    """Return the texts of the page's controls in ``lang``.

    Parameters
    ----------
    lang : {"fr", "en"}
        The map's language.

    Returns
    -------
    dict
        ``{key: text}`` for every key of :data:`CONTROL_TEXTS`.

    Examples
    --------
    >>> control_texts("fr")["legend"]
    'Légende'
    """
    return {key: label(text, lang) for key, text in CONTROL_TEXTS.items()}


class PageAssets(MacroElement):
    """Leaflet, the page's CSS and bassin_geo's map script, inlined in the page's head.

    Add it to the map first: its script sets the map's maximum zoom before any layer.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> _ = PageAssets().add_to(m)
    >>> "window.BassinGeo" in m.get_root().render()
    True
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        // Marker clusters need a maximum zoom even when no tile layer sets one.
        {{ this._parent.get_name() }}.setMaxZoom(19);
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no hints here
        self._name = "BassinGeoAssets"

    def render(self, **kwargs: object) -> str:
        """Write the assets into the page's head.

        Parameters
        ----------
        **kwargs : object
            Passed on to branca's rendering.

        Returns
        -------
        str
            Empty: the parts are written into the figure, not returned.

        Examples
        --------
        >>> import folium
        >>> m = folium.Map(tiles=None)
        >>> _ = PageAssets().add_to(m)
        >>> ".bg-legend" in m.get_root().render()
        True
        """
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(Element(leaflet_head()), name="bassin_geo_leaflet")
            figure.header.add_child(Element(PAGE_CSS % {"bg": BACKGROUND}), name="bassin_geo_css")
            figure.header.add_child(Element(MAP_SCRIPT), name="bassin_geo_script")
        super().render(**kwargs)  # type: ignore[no-untyped-call]  # branca has no hints here
        return ""  # a MacroElement writes into the figure; branca's signature wants text


class MapSetup(MacroElement):
    r"""The map's title, controls, legend, credits and commune labels, and its first view.

    Parameters
    ----------
    config : dict
        What ``BassinGeo.setup`` (``map.js``) draws: ``texts`` (from
        :func:`control_texts`), ``title``, ``bounds`` (``[[south, west], [north,
        east]]`` or None), ``legend`` (``[swatch HTML, text]`` rows), ``credits``
        (texts), ``labels`` (``[name, lat, lon, min zoom, big]`` rows or None) and
        ``labelsOwner`` (the index in ``overlays`` of the layer the labels go with, or
        None). Texts are given as text: the script never reads them as markup.
    overlays : sequence of (str, Layer)
        The layers of the layer control, bottom to top, with their names.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> cfg = {"texts": control_texts("en"), "title": "<b>", "bounds": None, "legend": [],
    ...        "credits": [], "labels": None, "labelsOwner": None}
    >>> _ = MapSetup(cfg, []).add_to(m)
    >>> '"\\u003cb\\u003e"' in m.get_root().render()
    True
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        BassinGeo.setup({{ this._parent.get_name() }}, {{ this.config | tojson }}, [
            {%- for name, layer in this.overlays %}
            [{{ name | tojson }}, {{ layer.get_name() }}],
            {%- endfor %}
        ]);
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any], overlays: Sequence[tuple[str, Layer]]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no hints here
        self._name = "BassinGeoSetup"
        self.config = config
        self.overlays = list(overlays)

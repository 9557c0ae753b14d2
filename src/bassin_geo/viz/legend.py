"""The parts of the page around the map: its CSS, title, scale bar and legend.

Examples
--------
>>> from bassin_geo.styles import STYLES
>>> swatch(STYLES["lakes"], "polygon").startswith("<i><svg")
True
"""

from __future__ import annotations

import html
from typing import Literal, TypeAlias

from branca.element import Element, Figure, MacroElement
from folium.template import Template

from bassin_geo.styles import Style, headframe_svg
from bassin_geo.viz.icons import icon_html

__all__ = ["BACKGROUND", "PAGE_CSS", "GeometryKind", "Legend", "PageStyle", "swatch"]

#: The page's background, seen where no tiles are drawn (offline maps).
BACKGROUND = "#f3f1ec"

#: How a legend entry is drawn.
GeometryKind: TypeAlias = Literal["point", "line", "polygon"]

#: The page's style sheet, a %-template with the background as ``%(bg)s``.
PAGE_CSS = """
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


def swatch(style: Style, geometry: GeometryKind) -> str:
    """Return the legend's small picture of ``style``, as HTML.

    Parameters
    ----------
    style : Style
        A style of the shared table.
    geometry : {"point", "line", "polygon"}
        What the features drawn with it are.

    Returns
    -------
    str
        An ``<i>`` element holding an SVG or an icon.

    Examples
    --------
    >>> from bassin_geo.styles import ROUTE_STYLES
    >>> "stroke-dasharray" in swatch(ROUTE_STYLES["route"], "line")
    False
    """
    icon = icon_html(style)
    if style.symbol == "km":
        return (
            '<i><span style="border:1.5px solid #d7191c;border-radius:6px;font:700 8px '
            'sans-serif;color:#d7191c;padding:0 2px">km</span></i>'
        )
    if icon is not None:
        inner = (
            headframe_svg(style.color, 18)
            if style.symbol == "headframe"
            else icon_html(style, box="width:14px;height:14px;line-height:10px;font-size:8px")
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


class Legend(MacroElement):
    """A legend control at the bottom right of the map.

    Parameters
    ----------
    html_text : str
        The legend's content.

    Examples
    --------
    >>> import folium
    >>> _ = Legend("<h4>Legend</h4>").add_to(folium.Map())
    """

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

    def __init__(self, html_text: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no hints here
        self._name = "Legend"
        self.html = html_text


class PageStyle(MacroElement):
    """The page's CSS, title and metric scale bar, added to the figure the map is drawn in.

    Parameters
    ----------
    title : str or None
        A title shown at the top of the map.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map()
    >>> _ = PageStyle("Pitheads").add_to(m)
    >>> "bg-title" in m.get_root().render()
    True
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        // Marker clusters need a maximum zoom even when no tile layer sets one.
        {{ this._parent.get_name() }}.setMaxZoom(19);
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, title: str | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no hints here
        self._name = "BassinGeoPage"
        self.title = title

    def render(self, **kwargs: object) -> str:
        """Add the CSS and title to the page, then the map's script.

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
        >>> m = folium.Map()
        >>> _ = PageStyle(None).add_to(m)
        >>> ".bg-legend" in m.get_root().render()
        True
        """
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(Element(PAGE_CSS % {"bg": BACKGROUND}), name="bassin_geo_css")
            if self.title:
                title = f'<div class="bg-title">{html.escape(self.title)}</div>'
                figure.html.add_child(Element(title), name="bassin_geo_title")
        super().render(**kwargs)  # type: ignore[no-untyped-call]  # branca has no hints here
        return ""  # a MacroElement writes into the figure; branca's signature wants text

"""The legend's swatches and the page's CSS.

Examples
--------
>>> from bassin_geo.styles import STYLES
>>> swatch(STYLES["lakes"], "polygon").startswith("<i><svg")
True
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from bassin_geo.styles import Style, headframe_svg
from bassin_geo.viz.icons import icon_html

__all__ = ["BACKGROUND", "PAGE_CSS", "GeometryKind", "swatch"]

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
.bg-dot { width: 100%%; height: 100%%; box-sizing: border-box; border: 2px solid #fff;
  border-radius: 50%%; box-shadow: 0 1px 3px rgba(0,0,0,.5); }
.bg-num { color: #fff; font: 700 10px/12px system-ui, sans-serif; text-align: center; }
.bg-km span { display: inline-block; transform: translate(-50%%, -50%%); padding: 0 4px;
  background: #fff; border: 1.5px solid #d7191c; border-radius: 8px; color: #d7191c;
  font: 700 10px/14px system-ui, sans-serif; white-space: nowrap; }
.bg-popup h4 { margin: 0 0 6px; font-size: 14px; color: #222; }
.bg-popup table { border-collapse: collapse; }
.bg-popup th { text-align: left; color: #666; font-weight: 500; padding: 1px 10px 1px 0;
  vertical-align: top; white-space: nowrap; }
.bg-popup td { padding: 1px 0; }
.bg-popup .bg-out { color: #a8231d; font-style: italic; margin: 4px 0 0; }
.bg-links { margin-top: 6px; font-size: 12px; }
.bg-legend { background: rgba(255,255,255,.93); padding: 6px 10px 8px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); max-height: 55vh; overflow: auto; max-width: 260px; }
.bg-legend-head { display: block; width: 100%%; border: 0; background: none; padding: 0;
  margin: 0 0 4px; font: 600 13px system-ui, sans-serif; text-align: left; cursor: pointer; }
.bg-legend-head::after { content: " \\25BE"; color: #777; }
.bg-legend.bg-folded { padding-bottom: 6px; }
.bg-legend.bg-folded .bg-legend-head { margin: 0; }
.bg-legend.bg-folded .bg-legend-head::after { content: " \\25B8"; }
.bg-legend.bg-folded .bg-legend-body { display: none; }
.bg-legend-row { display: flex; align-items: center; gap: 7px; margin: 2px 0; }
.bg-legend i { flex: none; width: 18px; height: 14px; display: inline-flex;
  align-items: center; justify-content: center; }
.bg-title { position: absolute; z-index: 1000; top: 10px; left: 50%%; max-width: 50%%;
  transform: translateX(-50%%); background: rgba(255,255,255,.93); padding: 5px 14px;
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,.35); font: 600 15px system-ui,
  sans-serif; pointer-events: none; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.bg-note { position: absolute; z-index: 1000; bottom: 40px; left: 10px; padding: 3px 8px;
  background: rgba(255,255,255,.9); border-radius: 4px; font-size: 11px; color: #555;
  pointer-events: none; }
.bg-search { background: #fff; }
.bg-search input { width: 210px; border: 0; padding: 6px 8px; font: inherit;
  border-radius: 4px; outline: none; }
.bg-search ul { list-style: none; margin: 0; padding: 0; max-width: 260px; }
.bg-search li { padding: 4px 8px; cursor: pointer; border-top: 1px solid #eee; }
.bg-search li:hover { background: #f1efe9; }
.bg-search li small { display: block; color: #777; font-size: 11px; }
.bg-search li.bg-none { color: #777; cursor: default; }
.bg-tools a { display: flex; align-items: center; justify-content: center; }
.bg-label { position: absolute; white-space: nowrap; font: 500 11px system-ui, sans-serif;
  color: #444; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.bg-label-big { font: 600 13px system-ui, sans-serif; color: #222; }
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

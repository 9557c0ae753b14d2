"""How each map symbol is drawn: Leaflet options and the HTML of icon markers.

Circle markers, lines and polygons take Leaflet path options from the shared style table
(:mod:`bassin_geo.styles`); headframes, start/finish flags and basin entry/exit points
are HTML icons (``L.divIcon``).

Examples
--------
>>> from bassin_geo.styles import ROUTE_STYLES
>>> leaflet_style(ROUTE_STYLES["start"])["className"]
'bg-icon'
"""

from __future__ import annotations

from typing import Any

from bassin_geo.styles import Style, headframe_svg

__all__ = ["KM_STYLE", "icon_html", "leaflet_style", "numbered_dot_html"]

#: The legend entry of the kilometre markers along routes.
KM_STYLE = Style("Kilometre markers", color="#d7191c", symbol="km")


def icon_html(style: Style, box: str = "") -> str | None:
    """Return the HTML of a DivIcon for icon symbols, ``None`` for plain markers.

    Parameters
    ----------
    style : Style
        A style of the shared table; its ``symbol`` says which icon.
    box : str, default ""
        Extra CSS for the pin (a fixed size in the legend).

    Returns
    -------
    str or None
        The icon's HTML, or ``None`` when the style draws a circle marker.

    Examples
    --------
    >>> from bassin_geo.styles import ROUTE_STYLES, STYLES
    >>> icon_html(ROUTE_STYLES["finish"]).startswith('<div class="bg-pin"')
    True
    >>> icon_html(STYLES["lakes"]) is None
    True
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


def numbered_dot_html(style: Style, number: int) -> str:
    """Return the HTML of a stop's dot with its rank in the tour.

    Parameters
    ----------
    style : Style
        The stop style (its fill and outline colours).
    number : int
        The stop's rank.

    Returns
    -------
    str
        A ``div`` holding the number.

    Examples
    --------
    >>> from bassin_geo.styles import ROUTE_STYLES
    >>> numbered_dot_html(ROUTE_STYLES["stop"], 3).endswith(">3</div>")
    True
    """
    fill = style.fill_color or style.color
    return (
        f'<div class="bg-dot bg-num" style="background:{fill};border-color:{style.color}">'
        f"{int(number)}</div>"
    )


def leaflet_style(style: Style, *, on_top: bool = False) -> dict[str, Any]:
    """Return the options the map's script draws a feature of ``style`` with.

    Parameters
    ----------
    style : Style
        A style of the shared table.
    on_top : bool, default False
        Draw points above the site markers (a route's own waypoints and stops): as a
        small HTML dot in the marker pane rather than a circle on the canvas below.

    Returns
    -------
    dict
        Leaflet path options, plus ``html``, ``className``, ``iconSize``, ``iconAnchor``
        and ``zIndexOffset`` for icon symbols.

    Examples
    --------
    >>> from bassin_geo.styles import STYLES
    >>> leaflet_style(STYLES["lakes"])["fill"]
    True
    >>> leaflet_style(STYLES["lakes"], on_top=True)["className"]
    'bg-icon'
    """
    options = style.leaflet()
    icon = icon_html(style)
    if icon is None and on_top:
        size = int(2 * style.radius) + 4
        fill = style.fill_color or style.color
        options.update(
            html=f'<div class="bg-dot" style="background:{fill};border-color:{style.color}"></div>',
            className="bg-icon",
            iconSize=[size, size],
            iconAnchor=[size // 2, size // 2],
            zIndexOffset=2000,
        )
        return options
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
            # Site icons sit above the circles; a route's own flags above the site icons.
            zIndexOffset=1000 if style.symbol == "headframe" else 3000,
        )
    return options

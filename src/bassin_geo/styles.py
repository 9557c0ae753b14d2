"""One table of colours, symbols and labels per layer kind, for the maps and for QGIS.

The Folium maps (:mod:`bassin_geo.viz.maps`) and the QGIS styles stored in GeoPackage exports
(:mod:`bassin_geo.io.geopackage`) both read :data:`STYLES`, so a layer looks the same in the
browser and in QGIS. A style may split its layer into categories on one column (pits with
or without a headframe, listed or unlisted slag heaps, sites by kind); each category is a
full :class:`Style` of its own.

Examples
--------
>>> style_for("slag_heaps").categories[True].label
'Slag heaps (listed)'
>>> style_for("my_layer").label
'my_layer'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeAlias
from xml.sax.saxutils import quoteattr

import pandas as pd

from bassin_geo.errors import InvalidInputError

__all__ = [
    "FRENCH_LABELS",
    "GPX_SYMBOLS",
    "KIND_LAYERS",
    "LANGUAGES",
    "LAYER_TITLES",
    "Lang",
    "STYLES",
    "ROUTE_STYLES",
    "Style",
    "check_lang",
    "headframe_svg",
    "layer_title",
    "qml",
    "style_for",
    "translated",
]


@dataclass(frozen=True)
class Style:
    """How one layer (or one category of a layer) is drawn.

    Parameters
    ----------
    label : str
        Name shown in the legend, the layer control and QGIS.
    color : str
        Outline (or line) colour, ``#rrggbb``.
    fill_color : str, optional
        Fill colour of polygons and point symbols; ``None`` draws no fill.
    fill_opacity : float
        0 (transparent) to 1.
    weight : float
        Outline or line width in CSS pixels.
    dash : str, optional
        Dash pattern in pixels ("6 4"), ``None`` for solid lines.
    radius : float
        Radius in pixels of a point symbol.
    symbol : str
        Point symbol: ``"circle"``, ``"square"``, ``"headframe"``, ``"start"``,
        ``"finish"``, ``"enter"``, ``"exit"`` (the last five are drawn as icons).
    show : bool
        Whether the layer is visible when the map opens (it can be toggled anyway).
    by : str, optional
        Column whose values select one of ``categories``.
    categories : dict
        Value of ``by`` -> :class:`Style`; values not listed use this style itself.

    Examples
    --------
    >>> Style("Walks", color="#1b9e77", dash="6 4").leaflet()["dashArray"]
    '6 4'
    """

    label: str
    color: str = "#3388ff"
    fill_color: str | None = None
    fill_opacity: float = 0.0
    weight: float = 1.5
    dash: str | None = None
    radius: float = 5.0
    symbol: str = "circle"
    show: bool = True
    by: str | None = None
    categories: dict[Any, Style] = field(default_factory=dict)

    def leaflet(self) -> dict[str, Any]:
        """Return the Leaflet path options of this style.

        Returns
        -------
        dict
            ``color``, ``weight``, ``opacity``, ``fill``, ``fillColor``, ``fillOpacity``,
            ``radius``, and ``dashArray`` for dashed lines.

        Examples
        --------
        >>> Style("Lakes", fill_color="#4a90c2").leaflet()["fill"]
        True
        """
        options: dict[str, Any] = {
            "color": self.color,
            "weight": self.weight,
            "opacity": 0.95,
            "fill": self.fill_color is not None,
            "fillColor": self.fill_color or self.color,
            "fillOpacity": self.fill_opacity,
            "radius": self.radius,
        }
        if self.dash:
            options["dashArray"] = self.dash
        return options


def _cat(base: Style, **changes: Any) -> Style:
    return replace(base, by=None, categories={}, **changes)


_PIT = Style(
    "Pitheads", color="#ffffff", fill_color="#333333", fill_opacity=0.85, weight=1, radius=3.8
)
_HEAP = Style("Slag heaps", color="#4a3b33", fill_color="#7d6a5f", fill_opacity=0.45, weight=1)
_ESTATE = Style(
    "Mining estates", color="#7b3f8c", fill_color="#b07cc6", fill_opacity=0.45, weight=1
)
_BUILDING = Style(
    "Listed buildings", color="#174f7f", fill_color="#2f7fc1", fill_opacity=0.85, weight=1
)
_LAKE = Style(
    "Neo-natural spaces", color="#1f7ca6", fill_color="#6cc3e8", fill_opacity=0.6, weight=1
)

#: The style of each embedded layer, by layer name.
STYLES: dict[str, Style] = {
    "perimeter": Style("Basin contour", color="#2f2f2f", weight=2.5, dash="8 5"),
    "buffer_zone": Style(
        "Buffer zone", color="#d99a1e", fill_color="#f6d58a", fill_opacity=0.35, weight=1.2
    ),
    "property": Style(
        "Listed property (UNESCO)",
        color="#a8231d",
        fill_color="#d9534f",
        fill_opacity=0.4,
        weight=1.5,
    ),
    "pitheads": replace(
        _PIT,
        by="headframe",
        categories={
            True: _cat(
                _PIT,
                label="Pitheads with a headframe",
                symbol="headframe",
                color="#a8231d",
                radius=11,
            ),
            False: _cat(_PIT, label="Other pitheads"),
        },
    ),
    "shafts": Style(
        "Mine shafts",
        color="#ffffff",
        fill_color="#6b6b6b",
        fill_opacity=0.9,
        weight=1,
        radius=3.5,
        show=False,
    ),
    "slag_heaps": replace(
        _HEAP,
        by="listed",
        categories={
            True: _cat(_HEAP, label="Slag heaps (listed)", fill_color="#4a3b33", fill_opacity=0.8),
            False: _cat(_HEAP, label="Slag heaps (buffer zone)"),
        },
    ),
    "mining_estates": _ESTATE,
    "buildings": _BUILDING,
    "lakes": _LAKE,
    "railways": Style(
        "Mining railways (cavaliers)", color="#5c5c5c", weight=1.8, dash="5 3", show=False
    ),
    "railway_components": Style(
        "Listed railway components",
        color="#3d3d3d",
        fill_color="#8c8c8c",
        fill_opacity=0.5,
        weight=1,
        show=False,
    ),
    "communes": Style("Communes", color="#8f8f8f", weight=0.7, show=True),
    "communes_nord_pas_de_calais": Style(
        "Communes of Nord and Pas-de-Calais", color="#8f8f8f", weight=0.6, show=False
    ),
    "epci": Style("Intercommunalities (EPCI)", color="#5a5a5a", weight=1.6, dash="2 4", show=False),
    "sites": Style(
        "Sites",
        color="#ffffff",
        fill_color="#555555",
        fill_opacity=0.9,
        weight=1,
        by="kind",
        categories={
            "pithead": _cat(_PIT, label="Pitheads"),
            "slag_heap": _cat(
                _HEAP,
                label="Slag heaps",
                color="#ffffff",
                fill_color="#4a3b33",
                fill_opacity=0.9,
                radius=5,
            ),
            "mining_estate": _cat(
                _ESTATE, label="Mining estates", color="#ffffff", fill_opacity=0.9, radius=5
            ),
            "building": _cat(_BUILDING, label="Listed buildings", color="#ffffff", radius=5),
            "lake": _cat(
                _LAKE, label="Neo-natural spaces", color="#ffffff", fill_opacity=0.9, radius=5
            ),
        },
    ),
}

#: Styles of the features of routes, itineraries and stages, by their ``kind`` column.
ROUTE_STYLES: dict[str, Style] = {
    "route": Style("Route", color="#d7191c", weight=4.5),
    "leg": Style("Leg", color="#d7191c", weight=4.5),
    "start": Style(
        "Start", color="#1a9641", fill_color="#1a9641", fill_opacity=1, symbol="start", radius=10
    ),
    "finish": Style(
        "Finish", color="#111111", fill_color="#111111", fill_opacity=1, symbol="finish", radius=10
    ),
    "enter": Style(
        "Enters the basin",
        color="#1a9641",
        fill_color="#a6d96a",
        fill_opacity=1,
        symbol="enter",
        radius=8,
    ),
    "exit": Style(
        "Leaves the basin",
        color="#d7301f",
        fill_color="#fdae61",
        fill_opacity=1,
        symbol="exit",
        radius=8,
    ),
    # A stretch of the route inside an area: a wide translucent band under the route line.
    "passage": Style("Inside the area", color="#1a9641", weight=10, fill_color=None),
    "waypoint": Style(
        "Waypoint", color="#ffffff", fill_color="#2b83ba", fill_opacity=1, weight=1.5, radius=6
    ),
    "stop": Style(
        "Stop", color="#ffffff", fill_color="#2b83ba", fill_opacity=1, weight=1.5, radius=6
    ),
}

#: The embedded layer each ``kind`` value comes from, so that a user's subset of a layer
#: (``load_layer("mining_estates").head(20)``) is recognised and drawn as that layer.
KIND_LAYERS: dict[str, str] = {
    "perimeter": "perimeter",
    "property_component": "property",
    "buffer_zone": "buffer_zone",
    "pithead": "pitheads",
    "shaft": "shafts",
    "slag_heap": "slag_heaps",
    "mining_estate": "mining_estates",
    "building": "buildings",
    "railway": "railways",
    "railway_component": "railway_components",
    "lake": "lakes",
    "commune": "communes",
    "epci": "epci",
}

#: The GPX ``<sym>`` of a waypoint, by its kind: Garmin's symbol names, which Garmin
#: devices, BaseCamp, OsmAnd and most route apps draw; others show their default pin.
GPX_SYMBOLS: dict[str, str] = {
    "pithead": "Mine",
    "headframe": "Mine",
    "shaft": "Mine",
    "slag_heap": "Summit",
    "mining_estate": "Residence",
    "building": "Building",
    "lake": "Park",
    "start": "Flag, Green",
    "finish": "Flag, Red",
    "climb": "Summit",
    "sprint": "Flag, Blue",
    "enter": "Pin, Green",
    "exit": "Pin, Red",
    "stop": "Waypoint",
    "waypoint": "Waypoint",
}

# The kinds of the points of the ``sites`` layer: a frame mixing them is a subset of it.
_SITE_KINDS = frozenset({"pithead", "slag_heap", "mining_estate", "building", "lake"})

#: French legend labels, by the English label of :data:`STYLES` and :data:`ROUTE_STYLES`
#: (categories included): the products speak French by default.
FRENCH_LABELS: dict[str, str] = {
    "Basin contour": "Périmètre du Bassin minier",
    "Buffer zone": "Zone tampon",
    "Listed property (UNESCO)": "Bien inscrit au patrimoine mondial (UNESCO)",
    "Pitheads": "Fosses",
    "Pitheads with a headframe": "Fosses avec chevalement",
    "Other pitheads": "Autres fosses",
    "Mine shafts": "Puits de mine",
    "Slag heaps": "Terrils",
    "Slag heaps (listed)": "Terrils (bien inscrit)",
    "Slag heaps (buffer zone)": "Terrils (zone tampon)",
    "Mining estates": "Cités minières",
    "Listed buildings": "Bâtiments inscrits",
    "Neo-natural spaces": "Espaces néo-naturels",
    "Mining railways (cavaliers)": "Cavaliers (voies ferrées minières)",
    "Listed railway components": "Cavaliers inscrits",
    "Communes": "Communes",
    "Communes of Nord and Pas-de-Calais": "Communes du Nord et du Pas-de-Calais",
    "Intercommunalities (EPCI)": "Intercommunalités (EPCI)",
    "Sites": "Sites",
    "Route": "Itinéraire",
    "Leg": "Tronçon",
    "Start": "Départ",
    "Finish": "Arrivée",
    "Enters the basin": "Entrée dans le Bassin minier",
    "Leaves the basin": "Sortie du Bassin minier",
    "Inside the area": "Dans la zone",
    "Waypoint": "Point de passage",
    "Stop": "Arrêt",
}

#: Readable titles of the embedded layers, by language: what QGIS shows for a layer
#: (``gpkg_contents.identifier``) and the legend of the maps.
LAYER_TITLES: dict[str, dict[str, str]] = {
    "fr": {
        "perimeter": "Périmètre du Bassin minier",
        "property": "Bien inscrit au patrimoine mondial (UNESCO)",
        "buffer_zone": "Zone tampon du bien inscrit",
        "pitheads": "Fosses (puits de mine groupés)",
        "shafts": "Puits de mine",
        "slag_heaps": "Terrils",
        "mining_estates": "Cités minières",
        "buildings": "Bâtiments inscrits",
        "railways": "Cavaliers (voies ferrées minières)",
        "railway_components": "Cavaliers inscrits",
        "lakes": "Espaces néo-naturels",
        "communes": "Communes du Bassin minier",
        "communes_nord_pas_de_calais": "Communes du Nord et du Pas-de-Calais",
        "epci": "Intercommunalités (EPCI)",
        "sites": "Sites à visiter",
    },
    "en": {
        "perimeter": "Mining Basin contour",
        "property": "World Heritage property (UNESCO)",
        "buffer_zone": "Buffer zone of the property",
        "pitheads": "Pitheads (grouped mine shafts)",
        "shafts": "Mine shafts",
        "slag_heaps": "Slag heaps",
        "mining_estates": "Mining estates",
        "buildings": "Listed buildings",
        "railways": "Mining railways (cavaliers)",
        "railway_components": "Listed railway components",
        "lakes": "Neo-natural spaces",
        "communes": "Communes of the Mining Basin",
        "communes_nord_pas_de_calais": "Communes of Nord and Pas-de-Calais",
        "epci": "Intercommunalities (EPCI)",
        "sites": "Sites to visit",
    },
}


#: The languages the products speak (maps, strip, GeoPackage, KML, GPX), French first.
Lang: TypeAlias = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "en")


def check_lang(lang: object) -> Lang:
    """Return ``lang`` if the products speak it, else raise.

    One check for every writer and drawing that takes ``lang=``, so that all refuse the
    same values with the same message.

    Parameters
    ----------
    lang : object
        What the caller gave.

    Returns
    -------
    {"fr", "en"}
        The language.

    Raises
    ------
    InvalidInputError
        Any other value.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    if lang == "fr":
        return "fr"
    if lang == "en":
        return "en"
    msg = f"lang must be 'fr' or 'en', got {lang!r:.40}"
    raise InvalidInputError(msg)


def translated(label: str, lang: str = "en") -> str:
    """Return a legend label of the style table in ``lang``.

    Parameters
    ----------
    label : str
        An English label of :data:`STYLES` or :data:`ROUTE_STYLES`, or any text.
    lang : {"en", "fr"}, default "en"
        The language wanted.

    Returns
    -------
    str
        The French label from :data:`FRENCH_LABELS` for ``lang="fr"`` when there is one;
        else ``label`` unchanged (a user's layer name is never translated).

    Raises
    ------
    InvalidInputError
        ``lang`` is neither "en" nor "fr".

    Examples
    --------
    >>> translated("Slag heaps (listed)", "fr")
    'Terrils (bien inscrit)'
    >>> translated("my walk", "fr")
    'my walk'
    """
    if check_lang(lang) == "fr":
        return FRENCH_LABELS.get(label, label)
    return label


def layer_title(name: str, lang: str = "fr") -> str:
    """Return the readable title of the layer ``name`` in ``lang``.

    Parameters
    ----------
    name : str
        An embedded layer name (``"slag_heaps"``) or a user's layer name.
    lang : {"fr", "en"}, default "fr"
        The language of the title.

    Returns
    -------
    str
        The title from :data:`LAYER_TITLES`, or ``name`` itself for a layer the table does
        not know.

    Raises
    ------
    InvalidInputError
        ``lang`` is neither "fr" nor "en".

    Examples
    --------
    >>> layer_title("slag_heaps"), layer_title("slag_heaps", "en")
    ('Terrils', 'Slag heaps')
    """
    return LAYER_TITLES[check_lang(lang)].get(name, name)


def _known_layer(columns: Iterable[str], values: Iterable[Any] | None) -> str | None:
    """The embedded layer a frame was taken from, told by its ``kind`` values."""
    if "kind" not in set(columns) or values is None:
        return None
    kinds = set(pd.Series(values).dropna().astype(str))
    if len(kinds) == 1:
        return KIND_LAYERS.get(kinds.pop())
    if len(kinds) > 1 and kinds <= _SITE_KINDS:
        return "sites"
    return None


# Colours given in turn to layers the table does not know (user GeoDataFrames).
_CYCLE = ("#e7298a", "#1b9e77", "#d95f02", "#7570b3", "#66a61e", "#e6ab02", "#a6761d")


def style_for(
    name: str, index: int = 0, columns: Iterable[str] = (), values: Iterable[Any] | None = None
) -> Style:
    """Return the style of the layer ``name``, or the style of its kind, or a distinct default.

    Parameters
    ----------
    name : str
        An embedded layer name (see :data:`STYLES`) or any label.
    index : int, default 0
        Rank of an unknown layer on its map, to give each one its own colour.
    columns, values : optional
        The layer's columns and its ``kind`` values. A layer whose ``kind`` values all
        come from one embedded layer (a user's subset of the mining estates) gets that
        layer's style, labelled ``name``; one whose ``kind`` holds route kinds ("route",
        "start", "enter"...) is styled by :data:`ROUTE_STYLES`, and so are the legs of an
        itinerary (``from`` and ``to`` columns).

    Returns
    -------
    Style
        The table's style for an embedded layer or a known kind; else a style in the
        ``index``-th colour, by ``kind`` with the route styles when ``values`` hold route
        kinds. Categories on a column the layer lacks are dropped.

    Examples
    --------
    >>> style_for("property").fill_color
    '#d9534f'
    >>> style_for("stage 4", columns=["kind"], values=["route", "start"]).by
    'kind'
    >>> mine = style_for("my estates", columns=["kind"], values=["mining_estate"])
    >>> mine.fill_color == STYLES["mining_estates"].fill_color, mine.label
    (True, 'my estates')
    """
    if name in STYLES:
        return STYLES[name]
    columns = list(columns)
    known = _known_layer(columns, values)
    if known is not None:
        style = replace(STYLES[known], label=str(name))
        if style.by is not None and style.by not in columns:
            style = replace(style, by=None, categories={})
        return style
    if {"from", "to"} <= set(columns) and "kind" not in columns:
        return replace(ROUTE_STYLES["leg"], label=str(name))  # the legs of an itinerary
    color = _CYCLE[index % len(_CYCLE)]
    base = Style(str(name), color=color, fill_color=color, fill_opacity=0.35, weight=2.5)
    if "kind" in set(columns) and values is not None:
        if set(pd.Series(values).dropna().astype(str)) & set(ROUTE_STYLES):
            return replace(base, by="kind", categories=ROUTE_STYLES)
    return base


def headframe_svg(color: str = "#a8231d", size: int = 22) -> str:
    """Return a small headframe (chevalement) icon as inline SVG: an A-frame under a wheel.

    Parameters
    ----------
    color : str, default "#a8231d"
        Colour of the icon's ring, ``#rrggbb``.
    size : int, default 22
        Width and height in pixels.

    Returns
    -------
    str
        An ``<svg>`` element.

    Examples
    --------
    >>> headframe_svg(size=18).startswith('<svg xmlns="http://www.w3.org/2000/svg" width="18"')
    True
    """
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        'viewBox="0 0 24 24"><circle cx="12" cy="12" r="11" fill="#fff" '
        f'stroke="{color}" stroke-width="2"/><path d="M7 19.5 11.2 7.6M16.9 19.5 12.8 7.6'
        'M8.6 15h6.8M6 19.5h12" stroke="#222" stroke-width="1.7" fill="none" '
        'stroke-linecap="round"/><circle cx="12" cy="6.4" r="2.4" fill="none" '
        'stroke="#222" stroke-width="1.5"/></svg>'
    )


# ---------------------------------------------------------------------------- QGIS styles
def _rgba(color: str | None, opacity: float = 1.0) -> str:
    if color is None:
        return "0,0,0,0"
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * opacity)}"


def _props(props: dict[str, str]) -> str:
    # QGIS 3 reads the <Option> map; older 3.x releases read <prop>: write both, as
    # QGIS 3.22-3.26 themselves did.
    options = "".join(
        f'<Option name={quoteattr(k)} value={quoteattr(v)} type="QString"/>'
        for k, v in props.items()
    )
    legacy = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{options}</Option>{legacy}'


def _mm(pixels: float) -> str:
    # A CSS pixel is 0.2646 mm at 96 dpi; QGIS sizes symbols in millimetres.
    return f"{pixels * 0.2646:.3g}"


def _symbol(style: Style, geometry: str, name: str) -> str:
    dash = style.dash.replace(" ", ";") if style.dash else ""
    if geometry == "polygon":
        kind, cls = "fill", "SimpleFill"
        props = {
            "color": _rgba(style.fill_color, style.fill_opacity),
            "style": "solid" if style.fill_color else "no",
            "outline_color": _rgba(style.color),
            "outline_width": _mm(style.weight),
            "outline_width_unit": "MM",
            "outline_style": "dash" if dash else "solid",
            "joinstyle": "round",
        }
    elif geometry == "line":
        kind, cls = "line", "SimpleLine"
        props = {
            "line_color": _rgba(style.color),
            "line_width": _mm(style.weight),
            "line_width_unit": "MM",
            "line_style": "solid",
            "use_custom_dash": "1" if dash else "0",
            "customdash": dash or "5;2",
            "customdash_unit": "Pixel",
            "capstyle": "round",
            "joinstyle": "round",
        }
    else:
        kind, cls = "marker", "SimpleMarker"
        shape = {
            "square": "square",
            "headframe": "triangle",
            "enter": "triangle",
            "exit": "triangle",
            "finish": "square",
        }.get(style.symbol, "circle")
        radius = min(style.radius, 7.0)
        props = {
            "name": shape,
            "color": _rgba(style.fill_color or style.color, max(style.fill_opacity, 0.8)),
            "outline_color": _rgba("#222222" if style.symbol == "headframe" else style.color),
            "outline_width": _mm(style.weight),
            "size": _mm(2 * radius),
            "size_unit": "MM",
        }
    return (
        f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0"><layer class="{cls}" enabled="1" locked="0" pass="0">'
        f"{_props(props)}</layer></symbol>"
    )


def qml(style: Style, geometry_type: str, *, lang: str = "en") -> str:
    """A QGIS layer style (QML document) drawing a layer as ``style`` does on the map.

    Parameters
    ----------
    style : Style
        A style from :data:`STYLES` or :func:`style_for`.
    geometry_type : str
        The layer's geometry type as shapely names it ("Point", "MultiPolygon"...).
    lang : {"en", "fr"}, default "en"
        Language of the legend labels (:func:`translated`).

    Returns
    -------
    str
        The QML text: a single-symbol renderer, or a rule-based renderer on
        ``style.by`` with one symbol and legend label per category.

    Examples
    --------
    >>> doc = qml(style_for("slag_heaps"), "MultiPolygon")
    >>> 'type="RuleRenderer"' in doc and 'label="Slag heaps (listed)"' in doc
    True
    """
    g = geometry_type.lower()
    geometry = "polygon" if "polygon" in g else "line" if "line" in g else "point"
    if style.by and style.categories:
        # A rule-based renderer: its expressions match booleans whether the GeoPackage
        # field reads back as a boolean or as 0/1, which category values would not.
        column = '"' + style.by.replace('"', '""') + '"'
        rules, symbols = [], []
        for i, (value, sub) in enumerate(style.categories.items()):
            if isinstance(value, bool):
                expression = column if value else f"NOT {column}"
            else:
                expression = f"{column} = '" + str(value).replace("'", "''") + "'"
            rules.append(
                f'<rule key="r{i}" filter={quoteattr(expression)} symbol="{i}" '
                f"label={quoteattr(translated(sub.label, lang))}/>"
            )
            symbols.append(_symbol(sub, geometry, str(i)))
        n = len(symbols)
        rules.append(
            f'<rule key="r{n}" filter="ELSE" symbol="{n}" '
            f"label={quoteattr(translated(style.label, lang))}/>"
        )
        symbols.append(_symbol(style, geometry, str(n)))
        renderer = (
            '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><rules key="root">{"".join(rules)}</rules>'
            f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
        )
    else:
        renderer = (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><symbols>{_symbol(style, geometry, "0")}</symbols></renderer-v2>'
        )
    code = {"point": 0, "line": 1, "polygon": 2}[geometry]
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}'
        f"<layerGeometryType>{code}</layerGeometryType></qgis>\n"
    )

"""The stage strip: a route as the picture organisers print, kilometres along the bottom.

:func:`stage_strip` draws, for a Tour de France stage, a GPX ride or an itinerary, one
row per story told along the same km axis: the race events (start, finish, sprints,
climbs), the sites passed (icons from the one style table, :mod:`bassin_geo.styles`), the
elevation profile when the GPX has heights, the stretches inside the basin contour, the
buffer zone and the listed property with their entry and exit km, and the communes
crossed. Names are thinned with the renderer's own text extents, so none overlaps
another; ``detail`` says how much a long stage shows. The words are French by default.

:func:`save_strip` writes it as PNG, SVG or PDF, atomically; in SVG the text stays text
and in PDF it stays selectable, for print workflows.

Examples
--------
>>> import bassin_geo as bg
>>> fig = stage_strip(bg.load_stage(2025, 1))
>>> [ax.get_label() for ax in fig.axes]
['events', 'sites', 'bands', 'communes']
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bassin_geo.errors import InvalidInputError
from bassin_geo.io.atomic import atomic_write
from bassin_geo.styles import ROUTE_STYLES, STYLES, Style, style_for
from bassin_geo.viz.strip_data import AREAS, StripContent, gather
from bassin_geo.viz.strip_labels import check_lang, number, style_label, word

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "DETAILS",
    "FORMATS",
    "StripFigure",
    "resolve_detail",
    "save_strip",
    "stage_strip",
    "text_as_text",
]

#: The detail levels of :func:`stage_strip`.
DETAILS = ("auto", "full", "summary")
#: The file formats of :func:`save_strip`.
FORMATS = (".png", ".svg", ".pdf")

# "auto" draws every name up to this length and number of commune passages.
_FULL_UP_TO_KM = 120.0
_FULL_UP_TO_COMMUNES = 70
# In summary detail, only the communes run through for this long are candidates for a name.
_SUMMARY_MIN_KM = 1.5
# How far (pixels at 100 dpi) a name may reach past the ends of the km axis.
_SIDE_SLACK_PX = 6.0
# Longer site names are cut with an ellipsis.
_NAME_CHARS = 30

_INK = "#222222"
_MUTED = "#6b6b6b"
_COMMUNE_FILL = {True: "#eadfd3", False: "#efefef"}
_PROFILE = ("#cdbba7", "#6b5a4a")

# Row heights in inches: title, events, sites, profile, bands, communes, axis and notes.
_ROWS = {"events": 1.0, "sites": 1.9, "profile": 1.4, "bands": 1.05, "communes": 1.5}
_TOP_IN, _BOTTOM_IN = 0.95, 1.0


@contextmanager
def text_as_text() -> Iterator[None]:
    """Within this block, matplotlib keeps text as text in SVG and embeds TrueType in PDF.

    Yields
    ------
    None
        Nothing; the settings last as long as the block.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with text_as_text():
    ...     mpl.rcParams["svg.fonttype"]
    'none'
    """
    settings = {"svg.fonttype": "none", "pdf.fonttype": 42, "font.family": "DejaVu Sans"}
    with mpl.rc_context(settings):  # type: ignore[arg-type]  # rc keys are typed as literals
        yield


class StripFigure(Figure):
    """A matplotlib Figure whose ``savefig`` keeps text as text in SVG and PDF.

    Parameters
    ----------
    *args : Any
        Passed to :class:`matplotlib.figure.Figure`.
    **kwargs : Any
        Passed to :class:`matplotlib.figure.Figure` (``figsize``, ``dpi``...).

    Examples
    --------
    >>> import bassin_geo as bg
    >>> isinstance(stage_strip(bg.load_stage(2025, 2)), Figure)
    True
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def savefig(self, *args: Any, **kwargs: Any) -> None:
        """Save the figure as :meth:`matplotlib.figure.Figure.savefig` does, text kept as text.

        Parameters
        ----------
        *args : Any
            The file and matplotlib's positional options.
        **kwargs : Any
            Matplotlib's keyword options (``format``, ``dpi``...).

        Examples
        --------
        >>> import io
        >>> import bassin_geo as bg
        >>> buffer = io.StringIO()
        >>> stage_strip(bg.load_stage(2025, 2)).savefig(buffer, format="svg")
        >>> "<text" in buffer.getvalue()
        True
        """
        with text_as_text():
            super().savefig(*args, **kwargs)


def resolve_detail(detail: str, length_km: float, n_communes: int) -> str:
    """Return the detail a strip is drawn with: ``"full"`` or ``"summary"``.

    Parameters
    ----------
    detail : {"auto", "full", "summary"}
        What the caller asked; ``"auto"`` names everything on routes up to 120 km and 70
        commune passages, and summarises longer ones.
    length_km : float
        The route's length.
    n_communes : int
        Its number of commune passages.

    Returns
    -------
    str
        ``"full"`` or ``"summary"``.

    Raises
    ------
    InvalidInputError
        Another value of ``detail``.

    Examples
    --------
    >>> resolve_detail("auto", 60.0, 20), resolve_detail("auto", 210.0, 80)
    ('full', 'summary')
    """
    if detail not in DETAILS:
        msg = f"detail must be one of {', '.join(DETAILS)}; got {detail!r}"
        raise InvalidInputError(msg)
    if detail != "auto":
        return detail
    small = length_km <= _FULL_UP_TO_KM and n_communes <= _FULL_UP_TO_COMMUNES
    return "full" if small else "summary"


# ----------------------------------------------------------------------------- thinning
def _box(text: Text, renderer: RendererAgg, pad: float) -> Bbox:
    box = text.get_window_extent(renderer)
    return Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def _thin(
    texts: Sequence[Text],
    priority: Sequence[float],
    renderer: RendererAgg,
    pad: float = 1.5,
    room: Bbox | None = None,
    obstacles: Sequence[Bbox] = (),
) -> list[Text]:
    """Keep the texts that fit, most important first; remove the others from the figure.

    A text goes when it overlaps a text already kept or one of ``obstacles`` (the bands),
    or reaches out of ``room`` (its axes; a few pixels' slack at the sides).
    """
    placed: list[Bbox] = []
    kept: list[Text] = []
    for i in sorted(range(len(texts)), key=lambda i: -priority[i]):
        box = _box(texts[i], renderer, pad)
        bare = texts[i].get_window_extent(renderer)
        outside = room is not None and (
            box.y1 > room.y1 + pad
            or box.y0 < room.y0 - pad
            or bare.x0 < room.x0 - _SIDE_SLACK_PX
            or bare.x1 > room.x1 + _SIDE_SLACK_PX
        )
        blocked = any(bare.overlaps(other) for other in obstacles)
        if outside or blocked or any(box.overlaps(other) for other in placed):
            texts[i].remove()
            continue
        placed.append(box)
        kept.append(texts[i])
    return sorted(kept, key=lambda t: float(t.get_position()[0]))


# ----------------------------------------------------------------------------- markers
def _headframe_marker() -> MplPath:
    """The headframe of :func:`bassin_geo.styles.headframe_svg` as a matplotlib marker."""
    strokes = [((7, 19.5), (11.2, 7.6)), ((16.9, 19.5), (12.8, 7.6))]
    strokes += [((8.6, 15), (15.4, 15)), ((6, 19.5), (18, 19.5))]
    verts: list[tuple[float, float]] = []
    codes: list[np.uint8] = []
    for a, b in strokes:
        verts += [a, b]
        codes += [MplPath.MOVETO, MplPath.LINETO]
    wheel = MplPath.circle((12, 6.4), 2.4)
    verts += [(float(x), float(y)) for x, y in np.asarray(wheel.vertices, dtype=float)]
    codes += [np.uint8(c) for c in np.asarray(wheel.codes, dtype=np.uint8)]
    # SVG y points down; a marker's y points up.
    return MplPath([(x - 12, 12 - y) for x, y in verts], codes)


_MARKERS = {"circle": "o", "square": "s", "start": ">", "finish": "s", "enter": ">", "exit": "<"}


def _site_style(style: Style, row: pd.Series[Any]) -> Style:
    if style.by and style.by in row.index:
        value = row[style.by]
        for key, sub in style.categories.items():
            if key == value or (isinstance(key, bool) and bool(value) is key and value in (0, 1)):
                return sub
    return style


def _draw_site_icons(ax: Axes, style: Style, x: float, y: float) -> None:
    size = 2 * min(style.radius, 9.0)
    face = style.fill_color or style.color
    if style.symbol == "headframe":
        # Notable sites drawn over the others when icons touch.
        ax.plot(
            x,
            y,
            "o",
            ms=size * 0.95,
            mfc="#ffffff",
            mec=style.color,
            mew=1.3,
            clip_on=False,
            zorder=4,
        )
        ax.plot(
            x,
            y,
            marker=_headframe_marker(),
            ms=size * 0.62,
            mfc="none",
            mec=_INK,
            mew=0.9,
            clip_on=False,
            zorder=5,
        )
        return
    edge = _INK if style.color.lower() in ("#ffffff", "#fff") else style.color
    marker = _MARKERS.get(style.symbol, "o")
    ax.plot(x, y, marker, ms=max(size, 6.5), mfc=face, mec=edge, mew=0.6, alpha=0.95, clip_on=False)


# ----------------------------------------------------------------------------- rows
def _row_title(ax: Axes, text: str, y: float = 0.97) -> None:
    ax.text(
        -0.006,
        y,
        text,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8.5,
        fontweight="bold",
        color=_INK,
    )


def _plain(ax: Axes, label: str) -> None:
    ax.set_label(label)
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#bbbbbb")
    ax.tick_params(axis="x", length=0, labelbottom=False)


def _events_row(ax: Axes, content: StripContent, renderer: RendererAgg, lang: str) -> None:
    _plain(ax, "events")
    _row_title(ax, word("events", lang))
    length = content.route.length_km
    placed: list[Bbox] = []
    for event in sorted(content.events, key=lambda e: -e.rank):
        style = ROUTE_STYLES.get(event.kind)
        if event.kind == "climb":
            ax.plot(
                event.km, 0.16, "^", ms=11, mfc="#c0392b", mec="#7b241c", mew=0.8, clip_on=False
            )
            if event.category:
                ax.text(
                    event.km,
                    0.13,
                    event.category,
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="#ffffff",
                    fontweight="bold",
                )
        elif event.kind == "sprint":
            ax.plot(
                event.km, 0.16, "o", ms=11, mfc="#1a9641", mec="#0f5c27", mew=0.8, clip_on=False
            )
            ax.text(
                event.km,
                0.16,
                "S",
                ha="center",
                va="center",
                fontsize=6.5,
                color="#ffffff",
                fontweight="bold",
            )
        elif style is not None and event.kind in ("start", "finish"):
            ax.plot(
                event.km,
                0.16,
                _MARKERS[style.symbol],
                ms=10,
                mfc=style.fill_color,
                mec=style.color,
                mew=0.8,
                clip_on=False,
            )
        else:
            ax.plot(event.km, 0.16, "o", ms=6, mfc="#2b83ba", mec="#ffffff", mew=0.8, clip_on=False)
        ha = "left" if event.km < 0.1 * length else "right" if event.km > 0.9 * length else "center"
        weight = "bold" if event.rank >= 4 else "normal"
        for level in (0.42, 0.7):
            text = ax.text(
                event.km,
                level,
                event.label,
                ha=ha,
                va="bottom",
                fontsize=8,
                fontweight=weight,
                color=_INK,
                gid=f"event-{event.kind}-{event.km:.3f}",
            )
            box = _box(text, renderer, 2.0)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                ax.plot([event.km, event.km], [0.26, level - 0.02], color="#999999", lw=0.6)
                break
            text.remove()


def _sites_row(
    ax: Axes, content: StripContent, renderer: RendererAgg, lang: str, detail: str
) -> tuple[int, int]:
    _plain(ax, "sites")
    style = style_for(content.layer)
    within = number(content.within, lang)
    _row_title(ax, f"{style_label(style.label, lang)}\n< {within} m")
    sites: gpd.GeoDataFrame = content.sites
    shown: dict[str, Style] = {}
    texts: list[Text] = []
    priority: list[float] = []
    label_col = "name" if "name" in sites.columns else None
    for _, row in sites.iterrows():
        sub = _site_style(style, row)
        shown.setdefault(sub.label, sub)
        km = float(row["km"])
        _draw_site_icons(ax, sub, km, 0.1)
        if label_col is None or not isinstance(row[label_col], str):
            continue
        notable = bool(row.get("headframe", False) is True or row.get("unesco", False) is True)
        if detail == "summary" and not notable and float(row["distance_m"]) > content.within / 2:
            continue
        name = (
            row[label_col]
            if len(row[label_col]) <= _NAME_CHARS
            else (row[label_col][: _NAME_CHARS - 1].rstrip() + "\u2026")
        )
        texts.append(
            ax.text(
                km,
                0.22,
                name,
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=_INK,
                gid=f"site-name-{len(texts)}",
            )
        )
        priority.append((2.0 if notable else 0.0) - float(row["distance_m"]) / 1e4)
    kept = _thin(texts, priority, renderer, room=ax.get_window_extent(renderer))
    handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=_MARKERS.get(s.symbol, "o") if s.symbol != "headframe" else "o",
            ms=7,
            mfc=s.fill_color or s.color if s.symbol != "headframe" else "#ffffff",
            mec=_INK if s.symbol != "headframe" else s.color,
            label=style_label(s.label, lang),
        )
        for s in shown.values()
    ]
    if handles:
        ax.legend(
            handles=handles,
            loc="upper right",
            bbox_to_anchor=(-0.006, 0.62),
            fontsize=7,
            frameon=False,
            handletextpad=0.3,
            borderaxespad=0,
        )
    return len(kept), len(sites)


def _profile_row(ax: Axes, content: StripContent, lang: str) -> None:
    assert content.elevation is not None  # noqa: S101 - only called with heights
    ax.set_label("profile")
    km, z = content.route.km, content.elevation
    low = float(np.nanmin(z))
    high = float(np.nanmax(z))
    floor = max(0.0, low - 0.15 * (high - low + 10))
    ax.fill_between(km, z, floor, color=_PROFILE[0], lw=0)
    ax.plot(km, z, color=_PROFILE[1], lw=1.0)
    ax.set_ylim(floor, high + 0.2 * (high - floor + 10))
    ax.set_ylabel(word("elevation", lang), fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.tick_params(axis="x", length=0, labelbottom=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#e3e3e3", lw=0.6)


def _bands_row(
    ax: Axes, content: StripContent, renderer: RendererAgg, lang: str, detail: str
) -> None:
    ax.set_label("bands")
    n = len(AREAS)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(range(n), [word(key, lang) for _, key in reversed(AREAS)], fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", length=0, labelbottom=False)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#bbbbbb")
    texts: list[Text] = []
    priority: list[float] = []
    obstacles: list[Bbox] = []
    # Passages closer than this share one pair of km labels: the first entry, the last exit.
    join_km = 0.012 * content.route.length_km
    for lane, (area, _) in zip(range(n - 1, -1, -1), AREAS, strict=True):
        style = STYLES[area]
        face = style.fill_color or style.color
        alpha = 0.8 if style.fill_color else 0.35
        ax.axhspan(lane - 0.24, lane + 0.24, color="#f4f4f4", lw=0, zorder=0)
        runs: list[list[float]] = []
        for row in content.bands[area].passages.itertuples():
            km_in, km_out = float(row.km_in), float(row.km_out)
            band = ax.add_patch(
                Rectangle(
                    (km_in, lane - 0.24),
                    km_out - km_in,
                    0.48,
                    facecolor=face,
                    edgecolor=style.color,
                    lw=0.8,
                    alpha=alpha,
                    label=area,
                    zorder=2,
                )
            )
            obstacles.append(band.get_window_extent(renderer))
            if runs and km_in - runs[-1][1] < join_km:
                runs[-1][1:] = [km_out, runs[-1][2] + km_out - km_in]
            else:
                runs.append([km_in, km_out, km_out - km_in])
        for km_in, km_out, inside in runs:
            if detail == "summary" and inside < 0.5:
                continue
            for km, side, offset in ((km_in, "right", -2), (km_out, "left", 2)):
                if km <= 0.0 or km >= content.route.length_km:
                    continue  # the route starts or ends inside: no crossing there
                text = ax.annotate(
                    number(km, lang, decimals=1),
                    (km, lane),
                    xytext=(offset, 0),
                    textcoords="offset points",
                    ha=side,
                    va="center",
                    fontsize=6.5,
                    color=_INK,
                    gid=f"km-{area}-{len(texts)}",
                )
                texts.append(text)
                priority.append(inside)
    _thin(texts, priority, renderer, room=ax.get_window_extent(renderer), obstacles=obstacles)


def _communes_row(
    ax: Axes, content: StripContent, renderer: RendererAgg, lang: str, detail: str
) -> tuple[int, int]:
    _plain(ax, "communes")
    _row_title(ax, word("communes", lang))
    communes = content.communes
    texts: list[Text] = []
    priority: list[float] = []
    last = len(communes) - 1
    seen: set[str] = set()
    rows = zip(
        communes["km_in"].to_numpy(dtype=float),
        communes["km_out"].to_numpy(dtype=float),
        communes["in_basin"].to_numpy(dtype=bool),
        communes["commune"].astype(str),
        strict=True,
    )
    for i, (km_in, km_out, in_basin, name) in enumerate(rows):
        ax.add_patch(
            Rectangle(
                (km_in, 0.0),
                km_out - km_in,
                1.0,
                facecolor=_COMMUNE_FILL[bool(in_basin)],
                edgecolor="#ffffff",
                lw=0.7,
                label="commune",
                zorder=0,
            )
        )
        length = km_out - km_in
        ends = i in (0, last)
        if detail == "summary" and length < _SUMMARY_MIN_KM and not ends:
            continue
        texts.append(
            ax.text(
                (km_in + km_out) / 2,
                0.96,
                name,
                rotation=90,
                ha="center",
                va="top",
                fontsize=7,
                color=_INK,
                gid=f"commune-name-{i}",
            )
        )
        # A commune entered again (a zigzag along its border) yields to one not named yet.
        again = name in seen
        seen.add(name)
        priority.append(length * (0.3 if again else 1.0) + (1e3 if ends else 0.0))
    kept = _thin(texts, priority, renderer, room=ax.get_window_extent(renderer))
    return len(kept), len(communes)


# ----------------------------------------------------------------------------- figure
def _title(content: StripContent, lang: str, title: str | None) -> str:
    if title:
        return title
    props = content.route.properties
    name = content.route.name
    if props.get("stage") and props.get("year"):
        head = word("stage", lang).format(year=props["year"], number=props["stage"])
        return (
            f"{head} : {name.split(': ', 1)[-1]}"
            if lang == "fr"
            else (f"{head}: {name.split(': ', 1)[-1]}")
        )
    return name


def _summary_line(content: StripContent, lang: str) -> str:
    style = style_for(content.layer)
    return word("summary", lang).format(
        length=number(content.route.length_km, lang, decimals=1),
        communes=content.communes["insee"].nunique(),
        inside=number(content.bands["perimeter"].km_inside, lang, decimals=1),
        sites=len(content.sites),
        layer=style_label(style.label, lang).lower(),
        within=number(content.within, lang),
    )


def _notes(
    content: StripContent, lang: str, detail: str, counts: tuple[int, ...], note: str | None
) -> list[str]:
    route = content.route
    props = route.properties
    lines = []
    official = props.get("official_length_km")
    if route.approximate and official:
        lines.append(
            word("approximate_note", lang).format(
                length=number(route.length_km, lang, decimals=1),
                official=number(float(official), lang, decimals=1),
            )
        )
    elif route.approximate:
        lines.append(word("approximate_short", lang).format(method=props.get("method", "")))
    if int(props.get("segments", 1) or 1) > 1:
        lines.append(
            word("segments_note", lang).format(
                segments=props["segments"],
                gap=number(float(props.get("gap_km", 0.0)), lang, decimals=1),
            )
        )
    level = word("full" if detail == "full" else "summary_detail", lang)
    lines.append(
        word("thinned", lang).format(
            detail=level,
            shown=counts[0],
            total=counts[1],
            sites_shown=counts[2],
            sites_total=counts[3],
        )
    )
    lines.append(word("credit", lang) + (f" {note}" if note else ""))
    return lines


def _km_axis(ax: Axes, length: float, lang: str) -> None:
    ax.tick_params(axis="x", length=4, labelbottom=True, labelsize=8, color="#888888")
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda x, _: number(x, lang)))
    ax.xaxis.set_minor_locator(mpl.ticker.AutoMinorLocator())
    ax.tick_params(axis="x", which="minor", length=2, color="#aaaaaa")
    ax.set_xlabel(word("km", lang), fontsize=8.5, labelpad=2)
    ax.set_xlim(0, length)


def stage_strip(
    route: Any,
    *,
    layer: str | gpd.GeoDataFrame = "pitheads",
    within: float = 1000,
    lang: str = "fr",
    detail: str = "auto",
    elevation_m: Any = None,
    title: str | None = None,
    note: str | None = None,
    width_in: float = 16.5,
) -> StripFigure:
    """Draw a route as a strip: what happens at which km, through the Mining Basin.

    Rows along one km axis, top to bottom: the race events (start, finish, sprints,
    climbs with their category when the data gives one, other waypoints); the sites of
    ``layer`` within ``within`` metres, as the style table draws them, with their names;
    the elevation profile when heights are known; bands for the stretches inside the
    basin contour, the buffer zone and the listed property, with their entry and exit
    km; the communes crossed (tinted when in the basin territory), named at their
    midpoints. Names that would overlap are left out, the most telling kept (the
    longest passages, headframes and listed pits, the start and finish). A
    reconstructed stage says "approximatif" and gives its official km beside its events.

    Parameters
    ----------
    route : Route, path, Itinerary, LineString or GeoDataFrame of lines
        A stage (:func:`bassin_geo.load_stage`), a route (:func:`bassin_geo.read_route`),
        the path of a GPX file (its heights draw the profile) or an itinerary.
    layer : str or GeoDataFrame, default "pitheads"
        The sites shown: a layer name ("pitheads", "sites", "slag_heaps"...) or features.
    within : float, default 1000
        Sites closer than this to the route are shown, in metres.
    lang : {"fr", "en"}, default "fr"
        The language of every word on the strip.
    detail : {"auto", "full", "summary"}, default "auto"
        ``"full"`` tries to name every commune and site; ``"summary"`` names only the
        communes run through for 1.5 km or more, the notable sites and the bands' longer
        passages; ``"auto"`` chooses by length (see :func:`resolve_detail`).
    elevation_m : array-like, optional
        One height per route vertex, in metres; by default read from a GPX path.
    title : str, optional
        The title; by default the stage or route name.
    note : str, optional
        A line added to the notes under the strip (a credit, a date).
    width_in : float, default 16.5
        The width in inches (16.5 is A3 landscape).

    Returns
    -------
    StripFigure
        A matplotlib Figure (Agg canvas, no window): ``fig.savefig("strip.svg")`` or
        :func:`save_strip`.

    Raises
    ------
    InvalidInputError
        An unknown ``lang`` or ``detail``, or heights that do not match the route.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> fig = stage_strip(bg.load_stage(2025, 3), lang="en", detail="summary")
    >>> "approximate" in {t.get_text() for t in fig.texts}
    True
    """
    lang = check_lang(lang)
    if detail not in DETAILS:
        resolve_detail(detail, 0.0, 0)  # raises
    content = gather(route, layer=layer, within=within, lang=lang, elevation_m=elevation_m)
    length = content.route.length_km
    level = resolve_detail(detail, length, len(content.communes))
    rows = ["events", "sites"]
    if content.elevation is not None and np.isfinite(content.elevation).sum() >= 2:
        rows.append("profile")
    rows += ["bands", "communes"]
    heights = [_ROWS[r] for r in rows]
    if len(content.events) <= 2:  # only a start and a finish: a lower row
        heights[0] = 0.7
    total = _TOP_IN + sum(heights) + _BOTTOM_IN
    with text_as_text():
        fig = StripFigure(figsize=(width_in, total), dpi=100)
        canvas = FigureCanvasAgg(fig)
        # Unannotated in matplotlib; it returns the Agg renderer that measures the text.
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        grid = fig.add_gridspec(
            len(rows),
            1,
            height_ratios=heights,
            hspace=0.12,
            left=1.9 / width_in,
            right=1 - 0.35 / width_in,
            top=1 - _TOP_IN / total,
            bottom=_BOTTOM_IN / total,
        )
        axes: dict[str, Axes] = {}
        for i, name in enumerate(rows):
            share = axes.get("events")
            axes[name] = fig.add_subplot(grid[i], sharex=share)
        for ax in axes.values():
            ax.set_xlim(0, length)
        _events_row(axes["events"], content, renderer, lang)
        site_counts = _sites_row(axes["sites"], content, renderer, lang, level)
        if "profile" in axes:
            _profile_row(axes["profile"], content, lang)
        _bands_row(axes["bands"], content, renderer, lang, level)
        commune_counts = _communes_row(axes["communes"], content, renderer, lang, level)
        # The basin's stretches, faintly across every row, tie the rows together.
        for name, ax in axes.items():
            if name == "bands":
                continue
            for row in content.bands["perimeter"].passages.itertuples():
                ax.axvspan(
                    float(row.km_in),
                    float(row.km_out),
                    color="#8c6d4f",
                    alpha=0.05,
                    lw=0,
                    zorder=-1,
                    label="contour-tint",
                )
        for event in content.events:
            if event.kind in ("sprint", "climb"):
                for name, ax in axes.items():
                    if name != "events":
                        ax.axvline(event.km, color="#aaaaaa", lw=0.6, ls=":", zorder=1)
        _km_axis(axes["communes"], length, lang)
        left = 1.9 / width_in
        fig.text(
            left,
            1 - 0.22 / total,
            _title(content, lang, title),
            fontsize=15,
            fontweight="bold",
            color=_INK,
            va="top",
            gid="title",
        )
        fig.text(
            left,
            1 - 0.6 / total,
            _summary_line(content, lang),
            fontsize=9,
            color=_MUTED,
            va="top",
            gid="summary",
        )
        if content.route.approximate:
            fig.text(
                1 - 0.35 / width_in,
                1 - 0.25 / total,
                word("approximate", lang),
                fontsize=12,
                fontweight="bold",
                color="#a8231d",
                ha="right",
                va="top",
                gid="approximate",
                bbox={"boxstyle": "round,pad=0.35", "fc": "#fff4f2", "ec": "#a8231d"},
            )
        notes = _notes(content, lang, level, (*commune_counts, *site_counts), note)
        fig.text(
            left,
            0.42 / total,
            "\n".join(notes),
            fontsize=7,
            color=_MUTED,
            va="top",
            linespacing=1.45,
            gid="notes",
        )
    return fig


def save_strip(
    figure: Figure, path: str | os.PathLike[str], *, overwrite: bool = False, dpi: float = 200
) -> Path:
    """Write a strip as PNG, SVG or PDF, atomically; text stays text in SVG and PDF.

    Parameters
    ----------
    figure : Figure
        What :func:`stage_strip` returns (any matplotlib Figure).
    path : path-like
        The file: ``.png``, ``.svg`` or ``.pdf``.
    overwrite : bool, default False
        Replace an existing file.
    dpi : float, default 200
        Resolution of a PNG.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InvalidInputError
        Another file extension.
    OverwriteError
        The file exists and ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import bassin_geo as bg
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "stage2.svg"
    >>> save_strip(stage_strip(bg.load_stage(2025, 2)), out).stat().st_size > 0
    True
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        msg = f"{target}: a strip is saved as {', '.join(FORMATS)}; got {suffix or 'no extension'}"
        raise InvalidInputError(msg)
    # Dates left out: the same strip gives the same file.
    metadata = {".svg": {"Date": None}, ".pdf": {"CreationDate": None}}.get(suffix)
    with atomic_write(target, overwrite=overwrite) as tmp, text_as_text():
        figure.savefig(tmp, format=suffix[1:], dpi=dpi, metadata=metadata, facecolor="#ffffff")
    return target

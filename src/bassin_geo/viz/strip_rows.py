"""The rows of the stage strip, each drawn on its own axes along the km axis.

:mod:`bassin_geo.viz.strip` lays the rows out and calls these: the race events, the sites,
the elevation profile, the World Heritage bands and the communes. Every name is measured
with the renderer before it is kept, so that none overlaps another, runs out of its row or
covers a band.

Examples
--------
>>> sorted(__all__)[:3]
['INK', 'MUTED', 'draw_bands']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bassin_geo.errors import InvalidInputError
from bassin_geo.styles import ROUTE_STYLES, STYLES, Style, style_for
from bassin_geo.viz.strip_data import AREAS, Event, StripContent
from bassin_geo.viz.strip_labels import number, style_label, word

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "INK",
    "MUTED",
    "draw_bands",
    "draw_communes",
    "draw_events",
    "draw_profile",
    "draw_sites",
    "events_height",
    "plan_events",
]

# In summary detail, only the communes run through for this long are candidates for a name.
_SUMMARY_MIN_KM = 1.5
# The race row, in inches from its bottom: markers, first label line, line spacing.
_EVENT_MARKER_IN, _EVENT_BASE_IN, _EVENT_LINE_IN = 0.2, 0.42, 0.25
_EVENT_LINES = 4
_EVENT_FONT = 8.0
# How far (pixels at 100 dpi) a name may reach past the ends of the km axis.
_SIDE_SLACK_PX = 6.0
# Longer site names are cut with an ellipsis.
_NAME_CHARS = 30

#: The colour of names and of the muted notes.
INK = "#222222"
MUTED = "#6b6b6b"
_COMMUNE_FILL = {True: "#eadfd3", False: "#efefef"}
_PROFILE = ("#cdbba7", "#6b5a4a")


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
            mec=INK,
            mew=0.9,
            clip_on=False,
            zorder=5,
        )
        return
    edge = INK if style.color.lower() in ("#ffffff", "#fff") else style.color
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
        color=INK,
    )


def _plain(ax: Axes, label: str) -> None:
    ax.set_label(label)
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#bbbbbb")
    ax.tick_params(axis="x", length=0, labelbottom=False)


def plan_events(
    events: Sequence[Event], renderer: RendererAgg, x_px: tuple[float, float], length: float
) -> list[tuple[Event, int | None, str]]:
    """Give each race event's label a line and a side, the most important first.

    Labels on one line must not overlap (their widths are measured with the renderer) nor
    leave the axis; each is tried centred on its km, then to its left, then to its right,
    on the lowest line first. Labels that fit nowhere get no line (None): the marker stays.

    Parameters
    ----------
    events : sequence of Event
        The race events.
    renderer : RendererAgg
        The renderer that measures the names.
    x_px : tuple of float
        Where the km axis begins and ends on the figure, in pixels.
    length : float
        The route's length in km.

    Returns
    -------
    list of tuple
        ``(event, line, side)``: the line (0 lowest, None when there is no room) and the
        side (``"center"``, ``"left"``, ``"right"``: the label's anchor).

    Examples
    --------
    >>> import bassin_geo as bg
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from bassin_geo.viz.strip_data import gather
    >>> content = gather(bg.load_stage(2025, 3))
    >>> fig = Figure(figsize=(16, 2))
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.add_subplot(xlim=(0, content.route.length_km))
    >>> plan = plan_events(content.events, renderer, (0.0, 1600.0), content.route.length_km)
    >>> [line for _, line, _ in plan][:2]
    [0, 0]
    """
    left, width = x_px[0], x_px[1] - x_px[0]
    pad = 4.0 * renderer.dpi / 100
    taken: list[list[tuple[float, float]]] = [[] for _ in range(_EVENT_LINES)]
    plan: list[tuple[Event, int | None, str]] = []
    for event in sorted(events, key=lambda e: -e.rank):
        font = FontProperties(size=_EVENT_FONT, weight="bold" if event.rank >= 4 else "normal")
        # Unannotated in matplotlib: the label's width in pixels, as it will be drawn.
        w, _, _ = renderer.get_text_width_height_descent(  # type: ignore[no-untyped-call]
            event.label, font, ismath=False
        )
        x = left + width * event.km / length
        near_start, near_end = event.km < 0.1 * length, event.km > 0.9 * length
        ideal = "left" if near_start else "right" if near_end else "center"
        spans = {"center": (x - w / 2, x + w / 2), "right": (x - w, x), "left": (x, x + w)}
        chosen: tuple[int | None, str] = (None, ideal)
        for line, side in itertools.product(
            range(_EVENT_LINES), dict.fromkeys([ideal, "right", "left"])
        ):
            a, b = spans[side]
            if a < left - _SIDE_SLACK_PX or b > left + width + _SIDE_SLACK_PX:
                continue
            if all(b + pad <= c or a - pad >= d for c, d in taken[line]):
                taken[line].append((a, b))
                chosen = (line, side)
                break
        plan.append((event, *chosen))
    return plan


def _event_marker(ax: Axes, event: Event, y: float) -> None:
    style = ROUTE_STYLES.get(event.kind)
    if event.kind == "climb":
        ax.plot(event.km, y, "^", ms=11, mfc="#c0392b", mec="#7b241c", mew=0.8, clip_on=False)
        if event.category:
            ax.text(
                event.km,
                y * 0.82,
                event.category,
                ha="center",
                va="center",
                fontsize=6,
                color="#ffffff",
                fontweight="bold",
            )
    elif event.kind == "sprint":
        ax.plot(event.km, y, "o", ms=11, mfc="#1a9641", mec="#0f5c27", mew=0.8, clip_on=False)
        ax.text(
            event.km,
            y,
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
            y,
            _MARKERS[style.symbol],
            ms=10,
            mfc=style.fill_color,
            mec=style.color,
            mew=0.8,
            clip_on=False,
        )
    else:
        ax.plot(event.km, y, "o", ms=6, mfc="#2b83ba", mec="#ffffff", mew=0.8, clip_on=False)


def events_height(plan: Sequence[tuple[Event, int | None, str]]) -> float:
    """Return the race row's height in inches: room for the label lines the plan uses.

    Parameters
    ----------
    plan : sequence of tuple
        What :func:`plan_events` returns.

    Returns
    -------
    float
        Inches.

    Examples
    --------
    >>> events_height([]) > 0
    True
    """
    lines = max((line + 1 for _, line, _ in plan if line is not None), default=1)
    return _EVENT_BASE_IN + lines * _EVENT_LINE_IN + 0.12


def draw_events(
    ax: Axes, plan: Sequence[tuple[Event, int | None, str]], height_in: float, lang: str
) -> None:
    """Draw the race row: a marker per event, and the labels where the plan puts them.

    Parameters
    ----------
    ax : Axes
        The row's axes; its x axis is the route's km.
    plan : sequence of tuple
        What :func:`plan_events` returns.
    height_in : float
        The row's height in inches (:func:`events_height`).
    lang : str
        ``"fr"`` or ``"en"``.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from bassin_geo.viz.strip_data import gather
    >>> content = gather(bg.load_stage(2025, 3))
    >>> fig = Figure(figsize=(16, 2))
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.add_subplot(xlim=(0, content.route.length_km))
    >>> plan = plan_events(content.events, renderer, (0.0, 1600.0), content.route.length_km)
    >>> draw_events(ax, plan, events_height(plan), "en")
    >>> ax.get_label()
    'events'
    """
    _plain(ax, "events")
    _row_title(ax, word("events", lang))
    marker_y = _EVENT_MARKER_IN / height_in
    for event, line, side in plan:
        _event_marker(ax, event, marker_y)
        if line is None:
            continue
        y = (_EVENT_BASE_IN + line * _EVENT_LINE_IN) / height_in
        ax.text(
            event.km,
            y,
            event.label,
            ha=side,
            va="bottom",
            fontsize=_EVENT_FONT,
            fontweight="bold" if event.rank >= 4 else "normal",
            color=INK,
            gid=f"event-{event.kind}-{event.km:.3f}",
            # Over the leader lines of the events beside it.
            bbox={"boxstyle": "square,pad=0.1", "fc": "#ffffff", "ec": "none"},
            zorder=3,
        )
        top = y - 0.04 / height_in
        ax.plot([event.km, event.km], [marker_y + 0.1 / height_in, top], color="#999999", lw=0.6)


def draw_sites(
    ax: Axes, content: StripContent, renderer: RendererAgg, lang: str, detail: str
) -> tuple[int, int]:
    """Draw the sites row: each site's icon from the style table, and the names that fit.

    Parameters
    ----------
    ax : Axes
        The row's axes; its x axis is the route's km.
    content : StripContent
        What the strip shows (:func:`bassin_geo.viz.strip_data.gather`).
    renderer : RendererAgg
        The renderer that measures the names.
    lang : str
        ``"fr"`` or ``"en"``.
    detail : str
        ``"full"`` or ``"summary"`` (see :func:`bassin_geo.viz.strip.resolve_detail`).

    Returns
    -------
    tuple of int
        The names drawn, and the sites.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from bassin_geo.viz.strip_data import gather
    >>> content = gather(bg.load_stage(2025, 3))
    >>> fig = Figure(figsize=(16, 2))
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.add_subplot(xlim=(0, content.route.length_km))
    >>> shown, total = draw_sites(ax, content, renderer, "fr", "summary")
    >>> 0 < shown <= total
    True
    """
    _plain(ax, "sites")
    style = style_for(content.layer)
    within = number(content.within, lang)
    _row_title(ax, f"{style_label(style.label, lang)}\n< {within} m")
    sites: gpd.GeoDataFrame = content.sites
    if not len(sites):
        layer = style_label(style.label, lang).lower()
        ax.text(
            0.5,
            0.5,
            word("no_sites", lang).format(within=within, layer=layer),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=8,
            color=MUTED,
        )
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
                color=INK,
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
            mec=INK if s.symbol != "headframe" else s.color,
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


def draw_profile(ax: Axes, content: StripContent, lang: str) -> None:
    """Draw the elevation profile row.

    Parameters
    ----------
    ax : Axes
        The row's axes; its x axis is the route's km.
    content : StripContent
        What the strip shows; its ``elevation`` holds the heights.
    lang : str
        ``"fr"`` or ``"en"``.

    Raises
    ------
    InvalidInputError
        The content has no heights.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from bassin_geo.viz.strip_data import gather
    >>> content = gather(bg.load_stage(2025, 3))
    >>> fig = Figure(figsize=(16, 2))
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.add_subplot(xlim=(0, content.route.length_km))
    >>> from dataclasses import replace
    >>> heights = 30.0 + content.route.km
    >>> draw_profile(ax, replace(content, elevation=heights), "en")
    >>> ax.get_ylabel()
    'Elevation (m)'
    """
    if content.elevation is None:
        msg = "draw_profile: the route has no heights"
        raise InvalidInputError(msg)
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


def draw_bands(
    ax: Axes, content: StripContent, renderer: RendererAgg, lang: str, detail: str
) -> None:
    """Draw the World Heritage bands: one rectangle per passage, entry and exit km beside.

    Parameters
    ----------
    ax : Axes
        The row's axes; its x axis is the route's km.
    content : StripContent
        What the strip shows (:func:`bassin_geo.viz.strip_data.gather`).
    renderer : RendererAgg
        The renderer that measures the names.
    lang : str
        ``"fr"`` or ``"en"``.
    detail : str
        ``"full"`` or ``"summary"`` (see :func:`bassin_geo.viz.strip.resolve_detail`).

    Examples
    --------
    >>> import bassin_geo as bg
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from bassin_geo.viz.strip_data import gather
    >>> content = gather(bg.load_stage(2025, 3))
    >>> fig = Figure(figsize=(16, 2))
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.add_subplot(xlim=(0, content.route.length_km))
    >>> draw_bands(ax, content, renderer, "en", "full")
    >>> len([p for p in ax.patches if p.get_label() == "perimeter"])
    5
    """
    _plain(ax, "bands")
    n = len(AREAS)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(range(n), [word(key, lang) for _, key in reversed(AREAS)], fontsize=8)
    ax.tick_params(axis="y", length=0)
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
                    color=INK,
                    gid=f"km-{area}-{len(texts)}",
                )
                texts.append(text)
                priority.append(inside)
    _thin(texts, priority, renderer, room=ax.get_window_extent(renderer), obstacles=obstacles)


def draw_communes(
    ax: Axes, content: StripContent, renderer: RendererAgg, lang: str, detail: str
) -> tuple[int, int]:
    """Draw the communes row: a cell per passage, and the names that fit at their midpoints.

    Parameters
    ----------
    ax : Axes
        The row's axes; its x axis is the route's km.
    content : StripContent
        What the strip shows (:func:`bassin_geo.viz.strip_data.gather`).
    renderer : RendererAgg
        The renderer that measures the names.
    lang : str
        ``"fr"`` or ``"en"``.
    detail : str
        ``"full"`` or ``"summary"`` (see :func:`bassin_geo.viz.strip.resolve_detail`).

    Returns
    -------
    tuple of int
        The names drawn, and the commune passages.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from bassin_geo.viz.strip_data import gather
    >>> content = gather(bg.load_stage(2025, 3))
    >>> fig = Figure(figsize=(16, 2))
    >>> renderer = FigureCanvasAgg(fig).get_renderer()
    >>> ax = fig.add_subplot(xlim=(0, content.route.length_km))
    >>> shown, total = draw_communes(ax, content, renderer, "fr", "summary")
    >>> 0 < shown < total
    True
    """
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
        communes["in_territory"].to_numpy(dtype=bool),
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
                color=INK,
                gid=f"commune-name-{i}",
            )
        )
        # A commune entered again (a zigzag along its border) yields to one not named yet.
        again = name in seen
        seen.add(name)
        priority.append(length * (0.3 if again else 1.0) + (1e3 if ends else 0.0))
    kept = _thin(texts, priority, renderer, room=ax.get_window_extent(renderer))
    return len(kept), len(communes)

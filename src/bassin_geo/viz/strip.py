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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bassin_geo.errors import InvalidInputError
from bassin_geo.io.atomic import atomic_write
from bassin_geo.styles import style_for
from bassin_geo.viz.strip_data import StripContent, gather
from bassin_geo.viz.strip_labels import check_lang, number, style_label, word
from bassin_geo.viz.strip_rows import (
    INK,
    MUTED,
    draw_bands,
    draw_communes,
    draw_events,
    draw_profile,
    draw_sites,
    events_height,
    plan_events,
)

if TYPE_CHECKING:
    import geopandas as gpd

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


# ----------------------------------------------------------------------------- figure
def _title(content: StripContent, lang: str, title: str | None) -> str:
    if title:
        return title
    props = content.route.properties
    name = content.route.name
    if props.get("stage") and props.get("year"):
        head = word("stage", lang).format(year=props["year"], number=props["stage"])
        colon = " : " if lang == "fr" else ": "  # French typography: a space before the colon
        return f"{head}{colon}{name.split(': ', 1)[-1]}"
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
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, _: number(x, lang)))
    ax.xaxis.set_minor_locator(ticker.AutoMinorLocator())
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
    if not len(content.sites):  # nothing to name: a lower row
        heights[1] = 0.55
    left, right = 1.9 / width_in, 1 - 0.35 / width_in
    with text_as_text():
        fig = StripFigure(figsize=(width_in, 8.0), dpi=100)
        canvas = FigureCanvasAgg(fig)
        # Unannotated in matplotlib; it returns the Agg renderer that measures the text.
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        # The race labels' lines first: the row is as high as the lines they need.
        x_px = (left * width_in * fig.dpi, right * width_in * fig.dpi)
        plan = plan_events(content.events, renderer, x_px, length)
        heights[0] = events_height(plan)
        total = _TOP_IN + sum(heights) + _BOTTOM_IN
        fig.set_size_inches(width_in, total)
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        grid = fig.add_gridspec(
            len(rows),
            1,
            height_ratios=heights,
            hspace=0.12,
            left=left,
            right=right,
            top=1 - _TOP_IN / total,
            bottom=_BOTTOM_IN / total,
        )
        axes: dict[str, Axes] = {}
        for i, name in enumerate(rows):
            share = axes.get("events")
            axes[name] = fig.add_subplot(grid[i], sharex=share)
        for ax in axes.values():
            ax.set_xlim(0, length)
        draw_events(axes["events"], plan, heights[0], lang)
        site_counts = draw_sites(axes["sites"], content, renderer, lang, level)
        if "profile" in axes:
            draw_profile(axes["profile"], content, lang)
        draw_bands(axes["bands"], content, renderer, lang, level)
        commune_counts = draw_communes(axes["communes"], content, renderer, lang, level)
        # The basin's stretches, faintly across every row, tie the rows together.
        for name, ax in axes.items():
            if name in ("bands", "events"):
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
        fig.text(
            left,
            1 - 0.22 / total,
            _title(content, lang, title),
            fontsize=15,
            fontweight="bold",
            color=INK,
            va="top",
            gid="title",
        )
        fig.text(
            left,
            1 - 0.6 / total,
            _summary_line(content, lang),
            fontsize=9,
            color=MUTED,
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
            color=MUTED,
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

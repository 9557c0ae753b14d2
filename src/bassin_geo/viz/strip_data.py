"""What a stage strip shows, gathered from the analyses: bands, communes, sites, events, profile.

:func:`gather` turns a stage, a GPX ride or an itinerary into a :class:`StripContent`, the
plain data :mod:`bassin_geo.viz.strip` draws. Every km on it is measured along the route
as drawn, by :func:`bassin_geo.crossings`, :func:`bassin_geo.communes_crossed` and
:func:`bassin_geo.sites_along`; the official km of a reconstructed stage's events are kept
beside them, never mixed in.

Examples
--------
>>> import bassin_geo as bg
>>> content = gather(bg.load_stage(2025, 1), layer="pitheads", within=1000, lang="fr")
>>> [e.kind for e in content.events][:2], content.elevation is None
(['start', 'climb'], True)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyogrio
import shapely

from bassin_geo.analysis.routes import Route, as_route
from bassin_geo.analysis.stages import communes_crossed, crossings, sites_along
from bassin_geo.errors import DataFileError, InvalidInputError
from bassin_geo.places.checks import check_distance
from bassin_geo.viz.strip_labels import number, word

if TYPE_CHECKING:
    import geopandas as gpd

    from bassin_geo.analysis.stages import Crossings

__all__ = [
    "AREAS",
    "Event",
    "StripContent",
    "gather",
    "gpx_elevations",
    "itinerary_route",
]

#: The areas drawn as bands, top to bottom, with the key of their label.
AREAS: tuple[tuple[str, str], ...] = (
    ("perimeter", "inside"),
    ("buffer_zone", "buffer_zone"),
    ("property", "property"),
)

# Which events matter most when their labels compete for room.
_EVENT_RANK = {"start": 5, "finish": 5, "climb": 4, "sprint": 4, "passage": 2}


@runtime_checkable
class _ItineraryLike(Protocol):
    """What :func:`itinerary_route` reads from an itinerary: its legs and its stops."""

    legs: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame


@dataclass(frozen=True)
class Event:
    """One race event on the strip.

    Parameters
    ----------
    km : float
        Where it is on the route as drawn.
    kind : str
        ``"start"``, ``"finish"``, ``"sprint"``, ``"climb"``, ``"passage"`` or ``"waypoint"``.
    label : str
        Its name in the strip's language.
    official_km : float or None
        The source's km, for reconstructed stages.
    category : str or None
        A climb's category, when the data gives one.
    rank : int
        How much its label matters when labels compete for room.

    Examples
    --------
    >>> Event(87.5, "sprint", "Sprint intermédiaire : Morbecque").rank
    1
    """

    km: float
    kind: str
    label: str
    official_km: float | None = None
    category: str | None = None
    rank: int = 1


@dataclass(frozen=True)
class StripContent:
    """Everything a strip shows, in km along the route.

    Parameters
    ----------
    route : Route
        The route.
    communes : DataFrame
        :func:`bassin_geo.communes_crossed` without geometry.
    bands : dict
        Area name -> :class:`bassin_geo.Crossings`, for the areas of :data:`AREAS`.
    sites : GeoDataFrame
        :func:`bassin_geo.sites_along` of the layer.
    events : list of Event
        Start, finish, sprints, climbs and waypoints, in km order.
    elevation : numpy.ndarray or None
        The height of each route vertex in metres (NaN where unknown), when known.
    layer : str
        The sites' layer name.
    within : float
        The sites' search distance in metres.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> content = gather(bg.load_stage(2025, 2))
    >>> content.layer, content.bands["perimeter"].starts_inside
    ('pitheads', True)
    """

    route: Route
    communes: pd.DataFrame
    bands: dict[str, Crossings]
    sites: gpd.GeoDataFrame
    events: list[Event]
    elevation: np.ndarray[Any, np.dtype[np.float64]] | None
    layer: str
    within: float


def gpx_elevations(path: str | os.PathLike[str]) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """Return the heights of a GPX file's track (or route) points, in file order.

    They are the points :func:`bassin_geo.read_route` joins, in the same order, so the
    array matches the route's vertices.

    Parameters
    ----------
    path : path-like
        A GPX file.

    Returns
    -------
    numpy.ndarray or None
        Metres above sea level, NaN for points without ``<ele>``; None when fewer than two
        points have one.

    Raises
    ------
    DataFileError
        The file cannot be read as GPX.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> gpx = pathlib.Path(tempfile.mkdtemp()) / "ride.gpx"
    >>> _ = gpx.write_text(
    ...     '<gpx version="1.1" creator="doc" xmlns="http://www.topografix.com/GPX/1/1">'
    ...     '<trk><trkseg><trkpt lat="50.4" lon="2.8"><ele>40</ele></trkpt>'
    ...     '<trkpt lat="50.4" lon="2.9"><ele>52.5</ele></trkpt></trkseg></trk></gpx>')
    >>> gpx_elevations(gpx).tolist()
    [40.0, 52.5]
    """
    for layer in ("track_points", "route_points"):
        try:
            table = pyogrio.read_dataframe(path, layer=layer, columns=["ele"], read_geometry=False)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            msg = f"{path}: could not be read as GPX ({exc})"
            raise DataFileError(msg) from exc
        if len(table):
            heights = pd.to_numeric(table["ele"], errors="coerce").to_numpy(dtype=float)
            return heights if np.isfinite(heights).sum() >= 2 else None
    return None


def itinerary_route(itinerary: _ItineraryLike) -> Route:
    """Return an itinerary (or tour) as one route whose waypoints are its stops.

    Parameters
    ----------
    itinerary : Itinerary
        What :func:`bassin_geo.itinerary` or :func:`bassin_geo.tour` returns.

    Returns
    -------
    Route
        The legs joined in order; the stops as waypoints (first ``"start"``, last
        ``"finish"``, the others ``"stop"``) at the km where their leg begins.

    Raises
    ------
    InvalidInputError
        An itinerary without legs.

    Examples
    --------
    >>> from bassin_geo import itinerary
    >>> r = itinerary_route(itinerary(["9-9bis", "11/19"]))
    >>> r.waypoints["event"].tolist()
    ['start', 'finish']
    """
    legs = itinerary.legs
    if not len(legs):
        msg = "the itinerary has no legs; give two stops or more"
        raise InvalidInputError(msg)
    pieces: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    first_vertex: list[int] = []
    count = 0
    for line in legs.geometry.to_numpy():
        xy = shapely.get_coordinates(line)
        if pieces and len(xy) and np.array_equal(xy[0], pieces[-1][-1]):
            xy = xy[1:]  # the leg starts where the last one ended
            first_vertex.append(count - 1)
        else:
            first_vertex.append(count)
        pieces.append(xy)
        count += len(xy)
    route = Route.from_coords(np.concatenate(pieces), name="itinerary")
    stops = itinerary.stops.reset_index(drop=True)
    km = [float(route.km[v]) for v in first_vertex][: len(stops)]
    km += [route.length_km] * (len(stops) - len(km))
    events = ["stop"] * len(stops)
    events[0], events[-1] = "start", "finish"
    names = stops["name"] if "name" in stops else pd.Series([None] * len(stops))
    waypoints = stops[["geometry"]].assign(name=names.to_numpy(), event=events, km_on_route=km)
    first, last = names.iloc[0], names.iloc[-1]
    return Route.from_coords(
        route.coords,
        name=f"{first} > {last}",
        waypoints=waypoints,
        properties={"method": "itinerary legs joined in order"},
    )


def _finite(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _official_to_route(route: Route, waypoints: pd.DataFrame) -> tuple[list[float], list[float]]:
    """Anchors (official km, km on the line) to place events the line does not hold."""
    official: list[float] = [0.0]
    on_line: list[float] = [0.0]
    for km, km_on in zip(waypoints.get("km", []), waypoints.get("km_on_route", []), strict=False):
        a, b = _finite(km), _finite(km_on)
        if a is not None and b is not None:
            official.append(a)
            on_line.append(b)
    total = _finite(route.properties.get("official_length_km"))
    if total is not None:
        official.append(total)
        on_line.append(route.length_km)
    order = np.argsort(official, kind="stable")
    xs = [official[i] for i in order]
    ys = np.maximum.accumulate([on_line[i] for i in order]).tolist()
    return xs, ys


def _event_label(kind: str, row: pd.Series[Any], lang: str) -> str:
    commune, name = _text(row.get("commune")), _text(row.get("name"))
    if kind in ("start", "finish", "sprint"):
        place = commune or (name.split(":", 1)[-1].strip() if name else None)
        colon = " : " if lang == "fr" else ": "
        return f"{word(kind, lang)}{colon}{place}" if place else word(kind, lang)
    if kind == "climb":
        return name or commune or word("climb", lang)
    return name or commune or ""


def _events(route: Route, communes: pd.DataFrame, lang: str) -> list[Event]:
    wp = pd.DataFrame(route.waypoints.drop(columns="geometry", errors="ignore"))
    anchors = _official_to_route(route, wp) if route.approximate else None
    events: list[Event] = []
    for _, row in wp.iterrows():
        kind = _text(row.get("event")) or "waypoint"
        official = _finite(row.get("km"))
        km = _finite(row.get("km_on_route"))
        if km is None and official is not None and anchors is not None:
            km = float(np.interp(official, *anchors))
        if km is None:
            continue
        label = _event_label(kind, row, lang)
        category = _text(str(row["category"])) if pd.notna(row.get("category")) else None
        if category:
            label += f" ({word('category', lang)} {category})"
        if route.approximate and official is not None:
            label += f" (km {number(official, lang, decimals=1)})"
        events.append(
            Event(
                km=min(max(km, 0.0), route.length_km),
                kind=kind,
                label=label,
                official_km=official if route.approximate else None,
                category=category,
                rank=_EVENT_RANK.get(kind, 1),
            )
        )
    kinds = {e.kind for e in events}
    names = communes["commune"].tolist()
    colon = " : " if lang == "fr" else ": "
    if "start" not in kinds:
        place = f"{colon}{names[0]}" if names else ""
        events.append(Event(0.0, "start", f"{word('start', lang)}{place}", rank=5))
    if "finish" not in kinds:
        place = f"{colon}{names[-1]}" if names else ""
        events.append(Event(route.length_km, "finish", f"{word('finish', lang)}{place}", rank=5))
    return sorted(events, key=lambda e: e.km)


def gather(
    route: Any,
    *,
    layer: str | gpd.GeoDataFrame = "pitheads",
    within: float = 1000,
    lang: str = "fr",
    elevation_m: Any = None,
) -> StripContent:
    """Gather what a strip shows: run the analyses on the route once.

    Parameters
    ----------
    route : Route, path, Itinerary, LineString or GeoDataFrame of lines
        The route (see :func:`bassin_geo.read_route`); a GPX path also gives its heights.
    layer : str or GeoDataFrame, default "pitheads"
        The sites shown along the route.
    within : float, default 1000
        Sites closer than this to the route, in metres.
    lang : {"fr", "en"}, default "fr"
        The language of the event labels.
    elevation_m : array-like, optional
        The height of each route vertex in metres; by default read from a GPX path.

    Returns
    -------
    StripContent
        The route, its communes, bands, sites, events and heights.

    Raises
    ------
    InvalidInputError
        Heights that do not match the route's vertices.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> content = gather(bg.load_stage(2025, 3), within=500)
    >>> sorted(content.bands), content.within
    (['buffer_zone', 'perimeter', 'property'], 500.0)
    """
    within_m = float(check_distance(within))
    heights = None
    if isinstance(route, _ItineraryLike) and not isinstance(route, Route):
        route = itinerary_route(route)
    elif isinstance(route, (str, os.PathLike)) and Path(route).suffix.lower() == ".gpx":
        heights = gpx_elevations(route)
    the_route = as_route(route)
    if elevation_m is not None:
        heights = np.asarray(elevation_m, dtype=float)
    if heights is not None and heights.shape != the_route.distance_m.shape:
        msg = (
            f"elevation_m has {heights.size} values for a route of {the_route.distance_m.size} "
            "vertices; give one height per vertex"
        )
        raise InvalidInputError(msg)
    # Every commune of Nord and Pas-de-Calais: the strip tells the whole stage, and tints
    # the basin's communes (``in_territory``).
    crossed = communes_crossed(the_route, all_nord_pas_de_calais=True)
    communes = pd.DataFrame(crossed.drop(columns="geometry"))
    bands = {area: crossings(the_route, area) for area, _ in AREAS}
    sites = sites_along(the_route, distance_m=within_m, layer=layer)
    return StripContent(
        route=the_route,
        communes=communes,
        bands=bands,
        sites=sites,
        events=_events(the_route, communes, lang),
        elevation=heights,
        layer=layer if isinstance(layer, str) else "sites",
        within=within_m,
    )

"""What a GPS file says about a ride: its tracks, its named stops, its title, its licence.

:func:`ride_of` reads a route, an itinerary, a tour, a stage, crossings or a user's frame
and returns a :class:`Ride`: the lines to draw (the legs of an itinerary joined into one
ride), the stops with a short device-safe name, a description (kind, commune, km along
the ride), a symbol and a link to their source record, and the text of the file's
metadata, in French by default. :mod:`bassin_geo.io.gpx` writes it as XML.

Examples
--------
>>> import bassin_geo as bg
>>> ride = ride_of(bg.itinerary(["9-9bis", "11/19", "Arenberg"]))
>>> ride.title
'Itinéraire — 3 arrêts, 60 km'
>>> [stop.name for stop in ride.stops]
['Fosse 9-9 bis Declercq-Crombez', 'Fosse 11 - 19 Pierre Destombes', 'Fosse Arenberg']
"""

from __future__ import annotations

import math
import re
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod

from bassin_geo.errors import EmptyInputError, InvalidInputError
from bassin_geo.io.frames import as_frame
from bassin_geo.styles import check_lang

__all__ = [
    "MAX_NAME_LENGTH",
    "Ride",
    "Stop",
    "Track",
    "device_name",
    "ride_of",
    "stop_kind",
    "xml_text",
]

#: Longest waypoint name written: what route apps and most GPS devices show in full.
#: The site's full name is kept in the waypoint's description.
MAX_NAME_LENGTH: Final = 30

#: Characters XML 1.0 forbids in a document (control characters, lone surrogates, the two
#: non-characters): a name from a file or a caller may hold them, the file may not.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
_BASIN_URL = {
    "fr": "https://whc.unesco.org/fr/list/1360",
    "en": "https://whc.unesco.org/en/list/1360",
}
_BASIN_TEXT = {
    "fr": "Bassin minier du Nord-Pas de Calais (patrimoine mondial de l'UNESCO)",
    "en": "Nord-Pas de Calais Mining Basin (UNESCO World Heritage)",
}

# What a stop is, said to a walker, by its kind (or its event on a stage).
_KINDS: dict[str, tuple[str, str]] = {
    "pithead": ("fosse", "pithead"),
    "headframe": ("fosse avec chevalement", "pithead with a headframe"),
    "shaft": ("puits de mine", "mine shaft"),
    "slag_heap": ("terril", "slag heap"),
    "mining_estate": ("cité minière", "mining estate"),
    "building": ("bâtiment inscrit", "listed building"),
    "lake": ("espace néo-naturel", "neo-natural space"),
    "start": ("départ", "start"),
    "finish": ("arrivée", "finish"),
    "climb": ("côte", "climb"),
    "sprint": ("sprint intermédiaire", "intermediate sprint"),
    "enter": ("entrée dans la zone", "enters the area"),
    "exit": ("sortie de la zone", "leaves the area"),
    "passage": ("passage dans la zone", "stretch inside the area"),
    "stop": ("arrêt", "stop"),
    "waypoint": ("point de passage", "waypoint"),
    "route": ("itinéraire", "route"),
    "leg": ("tronçon", "leg"),
    "perimeter": ("périmètre du Bassin minier", "Mining Basin contour"),
    "property_component": ("élément du bien inscrit", "component of the listed property"),
    "buffer_zone": ("zone tampon", "buffer zone"),
    "railway": ("cavalier", "mining railway"),
    "railway_component": ("cavalier inscrit", "listed railway component"),
    "commune": ("commune", "commune"),
    "epci": ("intercommunalité", "intercommunality"),
}
# A tour whose stops are all of one kind is named for it.
_TOUR_OF: dict[str, tuple[str, str]] = {
    "headframe": ("Tournée des chevalements", "Headframe tour"),
    "pithead": ("Tournée des fosses", "Pithead tour"),
    "slag_heap": ("Tournée des terrils", "Slag heap tour"),
    "mining_estate": ("Tournée des cités minières", "Mining estate tour"),
    "building": ("Tournée des bâtiments inscrits", "Listed building tour"),
    "lake": ("Tournée des espaces néo-naturels", "Neo-natural space tour"),
}
_MODES = {
    "walk": ("à pied", "on foot"),
    "bike": ("à vélo", "by bike"),
    "drive": ("en voiture", "by car"),
}
_METHODS = {
    "straight": ("en ligne droite entre les arrêts", "straight lines between the stops"),
    "network": ("le long du réseau", "along the network"),
}
_LINK_COLUMNS = ("source_url", "url", "link", "website", "href")
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Stop:
    """One named stop of a ride, as a GPS waypoint shows it.

    Parameters
    ----------
    name : str
        Short, unique, device-safe name (at most :data:`MAX_NAME_LENGTH` characters).
    lon, lat : float
        WGS84 position.
    desc : str
        The full name when ``name`` is shortened, then kind, commune and km along the ride.
    symbol : str
        The GPX ``<sym>`` (a Garmin symbol name, see :data:`bassin_geo.styles.GPX_SYMBOLS`).
    kind : str
        What the stop is, in words ("fosse avec chevalement", "départ"...), or "".
    link : str, optional
        URL of the stop's source record.
    link_text : str
        Text of the link.
    code : str
        The kind as a key ("headframe", "slag_heap", "start"...), or "".
    site_id : str, optional
        The embedded site the stop is, when it is one.
    commune : str
        The stop's commune, or "".

    Examples
    --------
    >>> Stop("Lewarde", 3.17, 50.33, "fosse, Lewarde", "Mine", "fosse").symbol
    'Mine'
    """

    name: str
    lon: float
    lat: float
    desc: str
    symbol: str
    kind: str = ""
    link: str | None = None
    link_text: str = ""
    code: str = ""
    site_id: str | None = None
    commune: str = ""


@dataclass(frozen=True)
class Track:
    """One ride drawn as a line: its name, description and the coordinates of its pieces.

    Parameters
    ----------
    name : str
        The ride's name.
    desc : str
        Its description (length, approximations).
    pieces : list of ndarray
        ``(n, 2)`` lon/lat arrays: the legs of an itinerary, or the parts of a line.
    legs : bool
        Whether the pieces are consecutive legs of one ride (written as one segment unless
        the caller asks for one per leg) rather than disjoint parts.

    Examples
    --------
    >>> Track("demo", "", [np.array([[3.0, 50.4], [3.1, 50.45]])], legs=False).name
    'demo'
    """

    name: str
    desc: str
    pieces: list[npt.NDArray[np.float64]]
    legs: bool = False


@dataclass(frozen=True)
class Ride:
    """Everything a GPX file holds about one or more rides.

    Parameters
    ----------
    title : str
        Name of the file (``<metadata><name>``), the ride's name when there is one ride.
    desc : str
        Description of the file.
    tracks : list of Track
        The lines, one per ride.
    stops : list of Stop
        The named stops, in visiting order.
    route_stops : list of Stop
        The stops a device routes through (``<rtept>``): an itinerary's, the first one
        repeated at the end of a loop, or the points of a file without lines; empty for a
        line whose points are off it (a stage: its vertices are used).
    copyright_holder : str, optional
        Holder of the data's licence, when the ride is made of the embedded data.
    licence_url : str, optional
        URL of the licence.
    year : str, optional
        Year of the data.
    link, link_text : str
        A page about the place the file describes.

    Examples
    --------
    >>> Ride("demo", "", [], []).tracks
    []
    """

    title: str
    desc: str
    tracks: list[Track]
    stops: list[Stop]
    route_stops: list[Stop] = field(default_factory=list)
    copyright_holder: str | None = None
    licence_url: str | None = None
    year: str | None = None
    link: str = _BASIN_URL["fr"]
    link_text: str = _BASIN_TEXT["fr"]


def xml_text(value: object) -> str:
    """Return ``value`` as text that XML 1.0 can hold: forbidden characters removed.

    Parameters
    ----------
    value : object
        Any value (a name from a file, a caller's title).

    Returns
    -------
    str
        Its text without control characters, lone surrogates or non-characters; ``&``,
        ``<`` and quotes stay, the XML writer escapes them.

    Examples
    --------
    >>> xml_text("Fosse\\x00 <9> & 9bis")
    'Fosse <9> & 9bis'
    """
    return _NOT_XML.sub("", str(value))


def device_name(text: object, limit: int = MAX_NAME_LENGTH) -> str:
    """Return a short, one-line name for a GPS device's waypoint list.

    Whitespace is collapsed, spaced dashes tightened ("9 - 9 bis" becomes "9-9 bis") when
    the name is too long, and a name still too long is cut at a word boundary.

    Parameters
    ----------
    text : object
        The full name.
    limit : int, default 30
        Longest name kept (:data:`MAX_NAME_LENGTH`).

    Returns
    -------
    str
        At most ``limit`` characters.

    Examples
    --------
    >>> device_name("Fosse 9 - 9 bis Declercq-Crombez")
    'Fosse 9-9 bis Declercq-Crombez'
    >>> device_name("Cité minière du Pinson, de la Sentinelle et des Camus")
    'Cité minière du Pinson, de la'
    """
    name = " ".join(xml_text(text).split())
    if len(name) > limit:
        name = name.replace(" - ", "-")
    if len(name) > limit:
        cut = name[: limit + 1]
        space = cut.rfind(" ")
        name = (cut[:space] if space > limit // 2 else name[:limit]).rstrip(" -,;:·—(")
    return name


def _fmt_km(km: float, lang: str, *, whole: bool = False) -> str:
    text = f"{km:.0f}" if whole and km >= 10 else f"{km:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _word(table: dict[str, tuple[str, str]], key: object, lang: str) -> str:
    pair = table.get(str(key))
    if pair is None:
        return "" if _missing(key) else str(key)
    return pair[0] if lang == "fr" else pair[1]


def stop_kind(kind: object, lang: str = "fr") -> str:
    """Return what a feature of ``kind`` is, in words, as GPS files and KML say it.

    Parameters
    ----------
    kind : object
        A ``kind`` value ("slag_heap", "start"...), an ``event`` ("climb"), or
        "headframe" for a pithead with one.
    lang : {"fr", "en"}, default "fr"
        The language.

    Returns
    -------
    str
        The words ("terril"), the value itself when it is not a known kind, or "" for a
        missing value.

    Examples
    --------
    >>> stop_kind("slag_heap"), stop_kind("headframe", "en"), stop_kind(None)
    ('terril', 'pithead with a headframe', '')
    """
    return _word(_KINDS, kind, lang)


def _text(value: object) -> str:
    """A cell as stripped text, empty for missing values."""
    if _missing(value):
        return ""
    return xml_text(value).strip()


def _url(value: object) -> str | None:
    text = _text(value)
    if not text.lower().startswith(("http://", "https://")):
        return None
    # A URL with spaces or quotes is not an xsd:anyURI; percent-encode what it must.
    return urllib.parse.quote(text, safe=":/?#[]@!$&'()*+,;=%~")


def _site_details(site_ids: pd.Series[str]) -> pd.DataFrame:
    """Kind, commune, headframe and source record of the embedded sites among ``site_ids``."""
    from bassin_geo.data.layers import read_cached

    wanted = set(site_ids.dropna().astype(str))
    sites = read_cached("sites")
    found = sites.loc[sites["site_id"].isin(wanted), ["site_id", "kind", "commune"]]
    details = found.drop_duplicates("site_id").set_index("site_id")
    details["headframe"] = False
    details["record"] = None
    pits = read_cached("pitheads")
    pits = pits.loc[pits["site_id"].isin(wanted)].drop_duplicates("site_id").set_index("site_id")
    if len(pits):
        details.loc[pits.index, "headframe"] = pits["headframe"].fillna(False).astype(bool)
        # A pit's source record is the BRGM sheet of its first shaft.
        records = [
            next((s.get("brgm") for s in shafts if isinstance(s, dict) and s.get("brgm")), None)
            if isinstance(shafts, list)
            else None
            for shafts in pits["shafts"]
        ]
        details.loc[pits.index, "record"] = pd.Series(records, index=pits.index, dtype=object)
    out: pd.DataFrame = details
    return out


def _attribute(data: object, name: str) -> object:
    """An attribute of a result object (an Itinerary's ``stops``, ``mode``, ``solver``).

    A frame's attributes are its columns and methods (``DataFrame.mode``), never these.
    """
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return None
    return getattr(data, name, None)


def _stops_frame(data: object, gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, bool]:
    """The stops to name, and whether they are an itinerary's (km from its legs)."""
    points = gdf.geom_type.isin(["Point", "MultiPoint"])
    stops = _attribute(data, "stops")
    has_stops = isinstance(stops, gpd.GeoDataFrame) and len(stops) > 0
    if points.any():
        # An itinerary whose to_gdf() gives its stops too (kind "stop") is still one.
        kinds = gdf.loc[points, "kind"].astype(str) if "kind" in gdf else pd.Series([], dtype=str)
        return gdf.loc[points], has_stops or bool(len(kinds) > 0 and kinds.eq("stop").all())
    if has_stops:
        return as_frame(stops, where="stops"), True
    if {"from", "to"} <= set(gdf.columns) and len(gdf):
        # Legs without their stops: each leg's ends are its stops.
        firsts = shapely.get_point(gdf.geometry.to_numpy(), 0)
        lasts = shapely.get_point(gdf.geometry.to_numpy(), -1)
        frame = pd.DataFrame(
            {
                "site_id": [gdf["from"].iat[0], *gdf["to"]],
                "name": [
                    gdf.get("from_name", gdf["from"]).iat[0],
                    *gdf.get("to_name", gdf["to"]),
                ],
            }
        )
        return gpd.GeoDataFrame(frame, geometry=[firsts[0], *lasts], crs=gdf.crs), True
    return gdf.iloc[:0], False


def _km_of_stops(stops: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, itinerary: bool) -> list[float]:
    given = pd.to_numeric(stops["km"], errors="coerce") if "km" in stops else None
    if given is not None and given.notna().all():
        return list(given.to_numpy(dtype=float))
    if itinerary and "length_m" in legs and len(legs) >= len(stops) - 1:
        lengths = pd.to_numeric(legs["length_m"], errors="coerce").fillna(0.0).to_numpy()
        return list(np.concatenate([[0.0], np.cumsum(lengths)])[: len(stops)] / 1000.0)
    for column in ("km", "km_on_route"):
        if column in stops:
            return list(pd.to_numeric(stops[column], errors="coerce").to_numpy(dtype=float))
    return [float("nan")] * len(stops)


def _records(frame: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """The rows of ``frame`` as dicts by column name (any name: "from", "my column")."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _stops(
    data: object, gdf: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, lang: str
) -> tuple[list[Stop], bool]:
    from bassin_geo.styles import GPX_SYMBOLS

    frame, itinerary = _stops_frame(data, gdf)
    if not len(frame):
        return [], False
    if "site_id" in frame:
        details = _site_details(frame["site_id"])
        site: list[str | None] = [
            s if s in details.index else None for s in frame["site_id"].astype(str)
        ]
    else:
        details, site = pd.DataFrame(), [None] * len(frame)
    kms = _km_of_stops(frame, legs, itinerary)
    out: list[Stop] = []
    n = len(frame)
    for i, (record, sid, km) in enumerate(zip(_records(frame), site, kms, strict=True)):
        geom = record.get(frame.geometry.name)
        if not isinstance(geom, shapely.Geometry) or geom.is_empty:
            continue
        x, y = shapely.get_coordinates(geom)[0]
        known = details.loc[sid] if sid is not None else None
        kind = _text(known["kind"]) if known is not None else _text(record.get("kind"))
        if kind == "pithead" and known is not None and bool(known["headframe"]):
            kind = "headframe"
        event = _text(record.get("event"))
        key = event if event in _KINDS and kind in ("", "waypoint") else kind
        commune = _text(known["commune"]) if known is not None else _text(record.get("commune"))
        full = " ".join(_text(record.get("name")).split())
        if not full:
            full = _word(_KINDS, key, lang).capitalize() or (
                f"Arrêt {i + 1}" if lang == "fr" else f"Stop {i + 1}"
            )
        name = device_name(full)
        what = _word(_KINDS, key, lang)
        parts = [what, commune]
        if not np.isnan(km):
            parts.append(f"km {_fmt_km(float(km), lang)}")
        if itinerary:
            parts.append(f"arrêt {i + 1}/{n}" if lang == "fr" else f"stop {i + 1} of {n}")
        desc = ", ".join(p for p in parts if p)
        if full != name:
            desc = f"{full} — {desc}" if desc else full
        link = _url(known["record"]) if known is not None else None
        link_text = "Fiche BRGM (InfoTerre)" if lang == "fr" else "BRGM record (InfoTerre)"
        if link is None:
            link = next((u for c in _LINK_COLUMNS if (u := _url(record.get(c)))), None)
            link_text = "Source"
        symbol = GPX_SYMBOLS.get(key, GPX_SYMBOLS["waypoint"])
        out.append(
            Stop(name, float(x), float(y), desc, symbol, what, link, link_text, key, sid, commune)
        )
    return _unique_names(out), itinerary


def _unique_names(stops: list[Stop]) -> list[Stop]:
    """Stops whose names differ: devices merge waypoints that share a name."""
    counts = pd.Series([s.name for s in stops]).value_counts()
    rank: dict[str, int] = {}
    used: set[str] = set()
    out = []
    for stop in stops:
        name = stop.name
        if counts.get(name, 0) > 1:
            rank[name] = rank.get(name, 0) + 1
            with_commune = f"{name} ({stop.commune})"
            if stop.commune and stop.commune not in name and len(with_commune) <= MAX_NAME_LENGTH:
                name = with_commune
            else:
                suffix = f" {rank[stop.name]}"
                name = device_name(name, MAX_NAME_LENGTH - len(suffix)) + suffix
        while name in used:
            suffix = f" {len(used) + 1}"
            name = device_name(stop.name, MAX_NAME_LENGTH - len(suffix)) + suffix
        used.add(name)
        out.append(replace(stop, name=name))
    return out


def _length_km(geoms: gpd.GeoSeries) -> float:
    return float(sum(_GEOD.geometry_length(g) for g in geoms if g is not None)) / 1000.0


def _approximate_note(gdf: gpd.GeoDataFrame, lang: str) -> str:
    if "approximate" not in gdf or "method" not in gdf:
        return ""
    approx = gdf["approximate"].fillna(False).astype(bool)
    if not approx.any():
        return ""
    method = _text(gdf.loc[approx, "method"].iloc[0])
    # A reconstructed line must say so wherever it travels, GPS devices included.
    return f"tracé approximatif : {method}" if lang == "fr" else f"approximate: {method}"


def _tracks(
    gdf: gpd.GeoDataFrame, lang: str
) -> tuple[list[Track], gpd.GeoDataFrame, gpd.GeoDataFrame]:
    lines = gdf.loc[gdf.geom_type.isin(["LineString", "MultiLineString", "LinearRing"])]
    lines = lines.loc[~lines.geometry.is_empty]
    kind = lines["kind"] if "kind" in lines else pd.Series(None, index=lines.index, dtype=object)
    is_leg = kind.astype(str).eq("leg")
    if {"from", "to"} <= set(lines.columns):
        # The legs of an itinerary carry their ends' ids (and no kind of their own).
        ends = lines["from"].notna() & lines["to"].notna()
        is_leg |= ends & (kind.isna() | kind.astype(str).eq("leg"))
    legs, others = lines.loc[is_leg], lines.loc[~is_leg]
    tracks = []
    for i, record in enumerate(_records(others)):
        geom = record[others.geometry.name]
        name = _text(record.get("name"))
        kind = _text(record.get("kind"))
        if not name:
            label = _word(_KINDS, kind, lang) or ("tracé" if lang == "fr" else "line")
            name = f"{label.capitalize()} {i + 1}"
        km = _length_km(gpd.GeoSeries([geom]))
        parts = [f"{_fmt_km(km, lang)} km"]
        start, end = record.get("km_in"), record.get("km_out")
        if isinstance(start, float) and isinstance(end, float) and np.isfinite([start, end]).all():
            parts.append(f"km {_fmt_km(start, lang)}–{_fmt_km(end, lang)}")
        note = _approximate_note(others.iloc[[i]], lang)
        if note:
            parts.append(note)
        pieces = [shapely.get_coordinates(p) for p in shapely.get_parts(geom)]
        tracks.append(Track(name, "; ".join(parts), pieces))
    if len(legs):
        pieces = [shapely.get_coordinates(g) for g in legs.geometry]
        own = _text(legs["name"].iat[0]) if "name" in legs and len(legs) == 1 else ""
        # The ride of the legs keeps its place among the lines.
        where = int(np.flatnonzero(is_leg.to_numpy())[0])
        tracks.insert(where, Track(own, _approximate_note(legs, lang), pieces, legs=True))
    return tracks, legs, others


def _title(
    data: object, stops: list[Stop], kinds: list[str], legs: gpd.GeoDataFrame, lang: str
) -> str:
    if "length_m" in legs:
        km = float(pd.to_numeric(legs["length_m"], errors="coerce").sum()) / 1000.0
    else:
        km = _length_km(legs.geometry)
    if _attribute(data, "solver"):
        one = set(kinds)
        pair = _TOUR_OF.get(one.pop()) if len(one) == 1 else None
        head = pair[0 if lang == "fr" else 1] if pair else ("Tournée" if lang == "fr" else "Tour")
    else:
        head = "Itinéraire" if lang == "fr" else "Itinerary"
    n = len(stops)
    count = f"{n} arrêt{'s' if n > 1 else ''}" if lang == "fr" else f"{n} stop{'s' * (n > 1)}"
    return f"{head} — {count}, {_fmt_km(km, lang, whole=True)} km"


def _description(data: object, gdf: gpd.GeoDataFrame, lang: str) -> str:
    head = "Exporté par bassin_geo" if lang == "fr" else "Exported by bassin_geo"
    mode = _word(_MODES, _attribute(data, "mode"), lang)
    method = _word(_METHODS, _attribute(data, "method"), lang)
    how = ", ".join(p for p in (mode, method) if p)
    parts = [f"{head} ({how})" if how else head]
    note = _approximate_note(gdf, lang)
    if note:
        parts.append(note)
    sources = _text(gdf["sources"].iat[0]) if "sources" in gdf and len(gdf) else ""
    if sources:
        parts.append(("sources : " if lang == "fr" else "sources: ") + sources)
    return ". ".join(p.rstrip(".") for p in parts) + "."


def ride_of(data: object, *, name: str | None = None, lang: str = "fr") -> Ride:
    """Return what a GPX file says about ``data``: its tracks, its stops and its metadata.

    The legs of an itinerary or a tour are one ride, named for it ("Tournée des
    chevalements — 25 arrêts, 142 km"); every other line (a stage, a passage) is a ride of
    its own, named by its ``name``. The stops are the point features, or else an
    itinerary's ``stops``, or else the ends of its legs; each embedded site gets its kind,
    commune and source record from the embedded layers.

    Parameters
    ----------
    data : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        A route, itinerary, tour, stage, crossings or a user's frame of lines and points.
    name : str, optional
        The file's title, and the ride's name when there is one ride.
    lang : {"fr", "en"}, default "fr"
        Language of the names and descriptions the library writes.

    Returns
    -------
    Ride
        The tracks, stops and texts to write.

    Raises
    ------
    EmptyInputError
        ``data`` has no features.
    InvalidInputError
        ``data`` holds polygons, or ``lang`` is neither "fr" nor "en".

    Examples
    --------
    >>> import bassin_geo as bg
    >>> ride_of(bg.load_stage(2025, 1), lang="en").title
    'Tour de France 2025, stage 1: Lille > Lille'
    """
    lang = check_lang(lang)
    gdf = as_frame(data, where="route")
    if len(gdf) == 0 or gdf.geometry.isna().all():
        msg = "route: nothing to write to GPX (no features)"
        raise EmptyInputError(msg)
    if gdf.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        msg = (
            "route: GPX holds tracks and waypoints only, but the data has polygons; "
            "write polygons with to_geojson or to_geopackage"
        )
        raise InvalidInputError(msg)
    tracks, legs, _ = _tracks(gdf, lang)
    stops, itinerary = _stops(data, gdf, legs, lang)
    for i, track in enumerate(tracks):
        if track.legs and not track.name:
            title_of_legs = _title(data, stops, [s.code for s in stops], legs, lang)
            tracks[i] = replace(track, name=title_of_legs)
    if name is not None and len(tracks) == 1:
        tracks[0] = replace(tracks[0], name=xml_text(name))
    if name is not None:
        title = xml_text(name)
    elif len(tracks) == 1:
        title = tracks[0].name
    elif stops and not tracks:
        n = len(stops)
        title = f"{n} point{'s' * (n > 1)}" if lang == "fr" else f"{n} waypoint{'s' * (n > 1)}"
    else:
        lines = (
            f"{len(tracks)} tracé{'s' * (len(tracks) > 1)}"
            if lang == "fr"
            else (f"{len(tracks)} line{'s' * (len(tracks) > 1)}")
        )
        title = f"bassin_geo — {lines}, {len(stops)} points"
    # A device routes through an itinerary's stops, or through the points of a file of
    # points only; a stage's waypoints are off its line, so it is routed by its vertices.
    route_stops = list(stops) if itinerary or not tracks else []
    if itinerary and len(legs) >= len(stops) and stops:
        route_stops.append(stops[0])  # a loop ends where it began
    holder, year = _copyright(gdf, any(s.site_id for s in stops))
    return Ride(
        title=title,
        desc=_description(data, gdf, lang),
        tracks=tracks,
        stops=stops,
        route_stops=route_stops,
        copyright_holder=holder,
        licence_url=_LICENCE_URL if holder else None,
        year=year,
        link=_BASIN_URL[lang],
        link_text=_BASIN_TEXT[lang],
    )


def _copyright(gdf: gpd.GeoDataFrame, has_sites: bool) -> tuple[str | None, str | None]:
    """Who holds the licence of the data the ride is made of, and the data's year."""
    from bassin_geo.data.catalog import IGN_CREDIT, MBM_CREDIT, STAGES_CSV
    from bassin_geo.data.layers import load_provenance

    year = str(load_provenance().get("built", ""))[:4] or None
    if gdf.attrs.get("source_file") == STAGES_CSV:
        return IGN_CREDIT.split(" — ")[0], year  # the stage line joins IGN communes
    if has_sites:
        return MBM_CREDIT.split(" — ")[0], year
    return None, None

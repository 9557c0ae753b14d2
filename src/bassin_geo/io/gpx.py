"""GPX 1.1 for GPS devices and route apps: one named track per ride, every stop a waypoint."""

from __future__ import annotations

import datetime as dt
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bassin_geo._compat import keyword_only
from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike
from bassin_geo.io.options import check_flag
from bassin_geo.io.rides import Ride, Stop, ride_of, xml_text

__all__ = [
    "GPX_NAMESPACE",
    "to_gpx",
]

#: The XML namespace of GPX 1.1.
GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
_NS = f"{{{GPX_NAMESPACE}}}"


def _now() -> dt.datetime:
    # SOURCE_DATE_EPOCH (reproducible builds) fixes the file's time, so two exports of
    # the same ride are the same bytes.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc)


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _NS + tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _link(parent: ET.Element, href: str | None, text: str) -> None:
    if href:
        _sub(_sub(parent, "link", href=href), "text", text)


def _point(parent: ET.Element, tag: str, stop: Stop) -> None:
    # The order of the children is the schema's: name, cmt, desc, src, link, sym, type.
    element = _sub(parent, tag, lat=f"{stop.lat:.7f}", lon=f"{stop.lon:.7f}")
    _sub(element, "name", stop.name)
    if stop.desc:
        _sub(element, "desc", stop.desc)
    _link(element, stop.link, stop.link_text)
    _sub(element, "sym", stop.symbol)
    if stop.kind:
        _sub(element, "type", stop.kind)


def _vertices(parent: ET.Element, tag: str, xy: npt.NDArray[np.float64]) -> None:
    for x, y in xy:
        if np.isfinite(x) and np.isfinite(y):
            ET.SubElement(parent, _NS + tag, {"lat": f"{y:.7f}", "lon": f"{x:.7f}"})


def _joined(pieces: Iterable[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
    """The legs of a ride as one line: a leg's first point repeats the last one's end."""
    out: list[npt.NDArray[np.float64]] = []
    for xy in pieces:
        if out and len(xy) and len(out[-1]) and np.array_equal(out[-1][-1], xy[0]):
            xy = xy[1:]
        out.append(xy)
    return np.concatenate(out) if out else np.empty((0, 2))


def _bounds(ride: Ride) -> tuple[float, float, float, float] | None:
    arrays = [np.array([[s.lon, s.lat] for s in ride.stops]).reshape(-1, 2)]
    arrays += [xy for track in ride.tracks for xy in track.pieces]
    xy = np.concatenate(arrays)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return None
    return (
        float(xy[:, 0].min()),
        float(xy[:, 1].min()),
        float(xy[:, 0].max()),
        float(xy[:, 1].max()),
    )


def _metadata(root: ET.Element, ride: Ride) -> None:
    # The order of the children is the schema's: name, desc, author, copyright, link,
    # time, keywords, bounds.
    meta = _sub(root, "metadata")
    _sub(meta, "name", ride.title)
    if ride.desc:
        _sub(meta, "desc", ride.desc)
    _sub(_sub(meta, "author"), "name", "bassin_geo")
    if ride.copyright_holder:
        rights = _sub(meta, "copyright", author=ride.copyright_holder)
        if ride.year and ride.year.isdigit():
            _sub(rights, "year", ride.year)
        if ride.licence_url:
            _sub(rights, "license", ride.licence_url)
    _link(meta, ride.link, ride.link_text)
    _sub(meta, "time", _now().strftime("%Y-%m-%dT%H:%M:%SZ"))
    box = _bounds(ride)
    if box is not None:
        minlon, minlat, maxlon, maxlat = box
        _sub(
            meta,
            "bounds",
            minlat=f"{minlat:.7f}",
            minlon=f"{minlon:.7f}",
            maxlat=f"{maxlat:.7f}",
            maxlon=f"{maxlon:.7f}",
        )


@keyword_only(2, ("name", "overwrite"))
def to_gpx(
    route: FrameLike,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    lang: str = "fr",
    as_route: bool = False,
    split_legs: bool = False,
    overwrite: bool = False,
) -> Path:
    """Write a route, itinerary, tour or stage as GPX 1.1 that GPS devices and apps take.

    One ``<trk>`` per ride, named for it: the legs of an itinerary or a tour are one ride
    ("Tournée des chevalements — 25 arrêts, 142 km") in one ``<trkseg>``; every other line
    (a stage, a passage of crossings, a user's line) is a ride of its own, one segment per
    part. Every stop is a ``<wpt>`` with a short, unique ``<name>`` (the site's full name
    goes to ``<desc>`` when it is longer than 30 characters), a ``<desc>`` with its kind,
    commune and km along the ride, a ``<sym>``, a ``<type>`` and a ``<link>`` to its
    source record when there is one. ``<metadata>`` holds the title, a description, the
    author, the data's licence (``<copyright>``), a link, the time and the bounds.
    Coordinates are WGS84 with 7 decimals; every text is escaped and stripped of the
    characters XML forbids, so the file is always well formed.

    Parameters
    ----------
    route : GeoDataFrame, GeoSeries or object with ``to_gdf()``
        Lines and points (a route, itinerary, tour, stage or crossings); polygons are
        refused. An itinerary's stops are read from its ``stops`` when its ``to_gdf()``
        holds only the legs.
    path : path-like
        Target ``.gpx`` file.
    name : str, optional
        Title of the file (``<metadata><name>``), and name of the ride when there is one.
    lang : {"fr", "en"}, default "fr"
        Language of the names and descriptions the library writes.
    as_route : bool, default False
        Write each ride as a ``<rte>`` through its stops (or its vertices when it has
        none), for devices that follow routes, instead of a ``<trk>``.
    split_legs : bool, default False
        Write one ``<trkseg>`` per leg of an itinerary instead of one for the whole ride.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    EmptyInputError
        ``route`` has no features.
    InvalidInputError
        ``route`` holds polygons, ``lang`` is neither "fr" nor "en", or a flag is not a bool.

    Examples
    --------
    >>> import tempfile, pathlib, bassin_geo as bg
    >>> ride = bg.itinerary(["9-9bis", "11/19"])
    >>> out = to_gpx(ride, pathlib.Path(tempfile.mkdtemp()) / "a.gpx")
    >>> text = out.read_text(encoding="utf-8")
    >>> text.count("<trk>"), text.count("<wpt ")
    (1, 2)
    >>> "<name>Fosse 9-9 bis Declercq-Crombez</name>" in text
    True
    """
    overwrite = check_flag(overwrite, "overwrite")
    as_route = check_flag(as_route, "as_route")
    split_legs = check_flag(split_legs, "split_legs")
    ride = ride_of(route, name=name, lang=lang)
    ET.register_namespace("", GPX_NAMESPACE)
    root = ET.Element(
        _NS + "gpx", {"version": "1.1", "creator": "bassin_geo (bassin-geo Python package)"}
    )
    _metadata(root, ride)
    # GPX 1.1 requires every <wpt> before the first <rte>, and every <rte> before a <trk>.
    for stop in ride.stops:
        _point(root, "wpt", stop)
    if as_route and not ride.tracks and ride.route_stops:
        rte = _sub(root, "rte")
        _sub(rte, "name", ride.title)
        for stop in ride.route_stops:
            _point(rte, "rtept", stop)
    for track in ride.tracks:
        if as_route:
            rte = _sub(root, "rte")
            _sub(rte, "name", track.name)
            if track.desc:
                _sub(rte, "desc", track.desc)
            if track.legs and ride.route_stops:
                for stop in ride.route_stops:
                    _point(rte, "rtept", stop)
            else:
                _vertices(rte, "rtept", _joined(track.pieces))
            continue
        trk = _sub(root, "trk")
        _sub(trk, "name", track.name)
        if track.desc:
            _sub(trk, "desc", track.desc)
        pieces = [_joined(track.pieces)] if track.legs and not split_legs else track.pieces
        for xy in pieces:
            _vertices(_sub(trk, "trkseg"), "trkpt", xy)
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    with atomic_write(path, overwrite=overwrite) as tmp:
        tree.write(tmp, encoding="UTF-8", xml_declaration=True)
    return Path(path)

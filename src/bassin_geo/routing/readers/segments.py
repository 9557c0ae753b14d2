"""The common end of every reader: segments with endpoint keys become a Network."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from bassin_geo.crs import WGS84
from bassin_geo.errors import EmptyInputError
from bassin_geo.routing.network import Network, geodesic_lengths

__all__ = ["network_from_segments"]

IntArray = npt.NDArray[np.int64]


def network_from_segments(
    segments: gpd.GeoDataFrame,
    keys_u: IntArray,
    keys_v: IntArray,
    *,
    rules: dict[str, Any],
    mode: str,
    source: str,
    osm_ids: bool = False,
) -> Network:
    """Nodes from endpoint keys, geodesic lengths and times: the end of every reader.

    Parameters
    ----------
    segments : GeoDataFrame
        One row per edge, WGS84 lines oriented from ``u`` to ``v``, with ``speed_kmh``
        and ``oneway``; optional ``cost_factor``, ``highway`` and ``source``.
    keys_u, keys_v : ndarray of int
        A key per end of each segment: ends with one key are one node.
    rules : dict
        The mode's rules.
    mode : str
        The travel mode.
    source : str
        Where the segments come from.
    osm_ids : bool
        The keys are OpenStreetMap node ids (kept in ``nodes["osmid"]``).

    Returns
    -------
    Network
        Without the segments whose two ends are one node.

    Raises
    ------
    EmptyInputError
        No segment is left.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np, shapely
    >>> segs = gpd.GeoDataFrame({"speed_kmh": [4.8], "oneway": [False]},
    ...                         geometry=[shapely.LineString([(3.0, 50.4), (3.01, 50.4)])],
    ...                         crs=4326)
    >>> net = network_from_segments(segs, np.array([7]), np.array([9]), rules={},
    ...                             mode="walk", source="example")
    >>> len(net.nodes), round(float(net.edges["time_s"].iloc[0]))
    (2, 533)
    """
    keep = keys_u != keys_v
    segs, keys_u, keys_v = segments[keep], keys_u[keep], keys_v[keep]
    if len(segs) == 0:
        msg = (
            f"{source}: no way usable by mode {mode!r} was found; check the file covers "
            "the area and the mode's rules (bassin_geo.modes.mode_rules)"
        )
        raise EmptyInputError(msg)
    allkeys = np.concatenate([keys_u, keys_v])
    uniq, first, inv = np.unique(allkeys, return_index=True, return_inverse=True)
    m = len(segs)
    u, v = inv[:m], inv[m:]
    geoms = segs.geometry.to_numpy()
    ends = np.concatenate([shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)])
    node_geom = ends[first]
    nxy = shapely.get_coordinates(node_geom)
    nodes = gpd.GeoDataFrame(
        {
            "osmid": uniq.astype(np.int64) if osm_ids else np.full(len(uniq), -1, np.int64),
            "x": nxy[:, 0],
            "y": nxy[:, 1],
        },
        geometry=node_geom,
        crs=WGS84,
    )
    length = geodesic_lengths(geoms)
    speed = segs["speed_kmh"].to_numpy(float)
    edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length_m": length,
            "speed_kmh": speed,
            "time_s": length / (speed / 3.6),
            "oneway": segs["oneway"].to_numpy(bool),
            "cost_factor": segs["cost_factor"].to_numpy(float)
            if "cost_factor" in segs
            else np.ones(m),
            "highway": segs["highway"].astype(object).to_numpy()
            if "highway" in segs
            else np.full(m, None, dtype=object),
            "source": segs["source"].to_numpy() if "source" in segs else np.full(m, "layer"),
        },
        geometry=geoms,
        crs=WGS84,
    )
    return Network(nodes, edges, mode, rules, source)

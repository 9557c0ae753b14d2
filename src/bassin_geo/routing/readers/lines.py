"""Line layers (GeoPackage, GeoJSON, GeoDataFrames): vertices closer than a tolerance join."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from bassin_geo.crs import WGS84, metric_crs_for
from bassin_geo.errors import CRSMismatchError, EmptyInputError, InvalidInputError
from bassin_geo.places.checks import check_lonlat
from bassin_geo.routing.network import Network
from bassin_geo.routing.readers.segments import network_from_segments
from bassin_geo.routing.readers.tags import tag_values

__all__ = ["DEFAULT_TOLERANCE_M", "network_from_lines"]

#: Vertices of line layers closer than this (metres) are one node, as QGIS's topology tolerance.
DEFAULT_TOLERANCE_M = 0.5


def _node_lines(
    lines: npt.NDArray[np.object_], crs_m: CRS
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """Split lines at every intersection; return the pieces and their source line index."""
    to_m = Transformer.from_crs(WGS84, crs_m, always_xy=True)
    back = Transformer.from_crs(crs_m, WGS84, always_xy=True)
    lines_m = shapely.transform(lines, lambda c: np.column_stack(to_m.transform(c[:, 0], c[:, 1])))
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(lines_m)))
    # Each noded piece lies on its source line: find it from the piece's middle point.
    mid = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    tree = shapely.STRtree(lines_m)
    pi, li = tree.query(mid, predicate="dwithin", distance=1e-3)
    first = np.r_[True, pi[1:] != pi[:-1]]
    src = np.full(len(noded), -1)
    src[pi[first]] = li[first]
    pieces = shapely.transform(noded, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
    return pieces[src >= 0], src[src >= 0]


def network_from_lines(
    gdf: gpd.GeoDataFrame,
    rules: dict[str, Any],
    mode: str,
    name: str,
    *,
    split_at_intersections: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    speed_column: str | None = None,
    cost_column: str | None = None,
) -> Network:
    """A network from lines: every segment between two vertices is an edge.

    Parameters
    ----------
    gdf : GeoDataFrame
        Lines in any known CRS; an optional ``highway`` column gives the mode's speeds.
    rules : dict
        The mode's rules (:func:`bassin_geo.mode_rules`).
    mode : str
        The travel mode.
    name : str
        Names the layer in messages.
    split_at_intersections : bool
        Split lines where they cross (hand-drawn layers); otherwise they connect only
        where they share a vertex, as in OpenStreetMap.
    tolerance_m : float
        Vertices closer than this (metres) are one node.
    speed_column : str, optional
        A column of speeds in km/h.
    cost_column : str, optional
        A column of cost factors multiplying each edge's weight.

    Returns
    -------
    Network
        Two-way edges, not simplified.

    Raises
    ------
    CRSMismatchError
        The layer has no CRS.
    EmptyInputError
        No line.
    InvalidInputError
        A named column is missing.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.modes import mode_rules
    >>> lines = gpd.GeoDataFrame(geometry=[shapely.LineString([(3.0, 50.4), (3.01, 50.4)])],
    ...                          crs=4326)
    >>> len(network_from_lines(lines, mode_rules("walk"), "walk", "a line").nodes)
    2
    """
    if gdf.crs is None:
        msg = (
            f"{name} has no CRS, so its coordinates cannot be placed on Earth; set it with "
            "gdf.set_crs(...) (EPSG:4326 for longitude/latitude, EPSG:2154 for Lambert-93)"
        )
        raise CRSMismatchError(msg)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = gdf.to_crs(WGS84).explode(index_parts=False).reset_index(drop=True)
    gdf = gdf[gdf.geom_type == "LineString"].reset_index(drop=True)
    if len(gdf) == 0:
        msg = f"{name} holds no line to build a network from"
        raise EmptyInputError(msg)
    b = gdf.total_bounds
    check_lonlat(b[[0, 2]], b[[1, 3]], name)
    for col in (speed_column, cost_column):
        if col is not None and col not in gdf:
            columns = ", ".join(map(str, gdf.columns))
            msg = f"{name} has no column {col!r}; its columns are {columns}"
            raise InvalidInputError(msg)
    lines = gdf.geometry.to_numpy()
    crs_m = metric_crs_for(b[[0, 2]], b[[1, 3]])
    src = np.arange(len(lines))
    if split_at_intersections:
        lines, src = _node_lines(lines, crs_m)
    # Every segment between consecutive vertices is an edge; vertices closer than the
    # tolerance are one node (QGIS's network analysis does the same).
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    seg = np.flatnonzero(idx[1:] == idx[:-1])
    to_m = Transformer.from_crs(WGS84, crs_m, always_xy=True)
    mx, my = to_m.transform(coords[:, 0], coords[:, 1])
    mxy = np.column_stack([mx, my])
    uniq, inv = np.unique(np.round(mxy, 6), axis=0, return_inverse=True)
    inv = inv.ravel()
    pairs = cKDTree(uniq).query_pairs(tolerance_m, output_type="ndarray")
    adj = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(uniq), len(uniq))
    )
    _, cluster = csgraph.connected_components(adj, directed=False)
    node_key = cluster[inv]
    geoms = shapely.linestrings(np.stack([coords[seg], coords[seg + 1]], axis=1))
    attrs = gdf.iloc[src[idx[seg]]].reset_index(drop=True)
    segs = gpd.GeoDataFrame(
        {"highway": tag_values(attrs, "highway").to_numpy()}, geometry=geoms, crs=WGS84
    )
    default = float(rules["default_speed_kmh"])
    if speed_column is not None:
        speed = pd.to_numeric(attrs[speed_column], errors="coerce").to_numpy(float)
        segs["speed_kmh"] = np.where(np.isfinite(speed) & (speed > 0), speed, default)
    elif "highway" in attrs:
        segs["speed_kmh"] = (
            segs["highway"].map(rules["speed_kmh"]).astype(float).fillna(default).to_numpy()
        )
    else:
        segs["speed_kmh"] = default
    segs["oneway"] = False
    segs["cost_factor"] = (
        pd.to_numeric(attrs[cost_column], errors="coerce").fillna(1.0).to_numpy(float)
        if cost_column
        else 1.0
    )
    segs["source"] = "layer"
    return network_from_segments(
        segs, node_key[seg], node_key[seg + 1], rules=rules, mode=mode, source=name
    )

"""Isochrones: what can be reached from a place within a time budget along a network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from scipy.sparse import csgraph

from bassin_geo._compat import keyword_only
from bassin_geo.crs import WGS84
from bassin_geo.errors import InvalidInputError
from bassin_geo.modes import mode_rules
from bassin_geo.places.checks import check_distance
from bassin_geo.places.resolve import as_places
from bassin_geo.routing.network import Network
from bassin_geo.routing.options import DEFAULT_MAX_SNAP_M
from bassin_geo.routing.query import SnappedPoints, end_offsets

__all__ = ["Reachable", "reachable"]

_PARTS = ("all", "area", "sites", "edges")


@dataclass
class Reachable:
    """What :func:`reachable` returns: the area, the edges reached and the sites inside.

    Parameters
    ----------
    area : GeoDataFrame
        One row: ``minutes``, ``mode`` and the (Multi)Polygon reached, WGS84.
    edges : GeoDataFrame
        The reached parts of edges: ``time_s`` (seconds to their start) and LineStrings.
    sites : GeoDataFrame
        The candidate sites reachable in time, nearest first, with ``time_s`` and
        ``snap_m`` added to their columns.
    minutes : float
        The time budget.
    mode : str
        The network's travel mode.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.1, 50.4)])], crs=4326)
    >>> r = reachable((3.0, 50.4), 10, network=load_network(lines), sites=[(3.005, 50.4)])
    >>> r
    <Reachable 10 min by walk: 1 site(s), 1 edge piece(s)>
    """

    area: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    minutes: float
    mode: str

    def __repr__(self) -> str:
        return (
            f"<Reachable {self.minutes:g} min by {self.mode}: {len(self.sites)} site(s), "
            f"{len(self.edges)} edge piece(s)>"
        )

    def to_gdf(self, part: str = "all") -> gpd.GeoDataFrame:
        """The reachable area and sites as one GeoDataFrame (WGS84), for maps and writers.

        Parameters
        ----------
        part : {"all", "area", "sites", "edges"}
            ``"all"``: the area then the sites; or one of them; or the reached edges.

        Returns
        -------
        GeoDataFrame
            In EPSG:4326, with columns ``feature`` ("area", "site" or "edge"),
            ``site_id`` and ``name`` (None for the area and the edges), ``time_s``
            (seconds from the origin: the budget for the area, the travel time for a
            site, the time at the start of an edge piece), ``minutes`` (the budget),
            ``mode`` and ``geometry`` (the polygon, the sites' geometries, the edge
            pieces).

        Raises
        ------
        InvalidInputError
            Another ``part``.

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> from bassin_geo.routing import load_network
        >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.1, 50.4)])], crs=4326)
        >>> r = reachable((3.0, 50.4), 10, network=load_network(lines), sites=[(3.005, 50.4)])
        >>> r.to_gdf()[["feature", "site_id", "time_s"]].round()
          feature  site_id  time_s
        0    area     None   600.0
        1    site  place:0   267.0
        """
        if part not in _PARTS:
            msg = f"part must be one of {_PARTS}, got {part!r}"
            raise InvalidInputError(msg)
        frames = []
        if part in ("all", "area"):
            frames.append(
                pd.DataFrame(
                    {
                        "feature": "area",
                        "site_id": [None] * len(self.area),
                        "name": [None] * len(self.area),
                        "time_s": self.minutes * 60.0,
                        "geometry": self.area.geometry.to_numpy(),
                    }
                )
            )
        if part in ("all", "sites"):
            frames.append(
                pd.DataFrame(
                    {
                        "feature": "site",
                        "site_id": self.sites["site_id"].to_numpy(object),
                        "name": self.sites["name"].to_numpy(object)
                        if "name" in self.sites
                        else [None] * len(self.sites),
                        "time_s": self.sites["time_s"].to_numpy(float),
                        "geometry": self.sites.geometry.to_numpy(),
                    }
                )
            )
        if part == "edges":
            frames.append(
                pd.DataFrame(
                    {
                        "feature": "edge",
                        "site_id": [None] * len(self.edges),
                        "name": [None] * len(self.edges),
                        "time_s": self.edges["time_s"].to_numpy(float),
                        "geometry": self.edges.geometry.to_numpy(),
                    }
                )
            )
        frame = pd.concat(frames, ignore_index=True)
        frame["site_id"] = frame["site_id"].astype(object)
        frame["name"] = frame["name"].astype(object)
        frame.insert(4, "minutes", float(self.minutes))
        frame.insert(5, "mode", self.mode)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)


def _check_minutes(minutes: Any) -> float:
    number = isinstance(minutes, (int, float, np.integer, np.floating))
    # Its own check: check_distance would speak of metres, and take "30" or True.
    if not number or isinstance(minutes, (bool, np.bool_)) or not (0 <= minutes < np.inf):
        msg = f"minutes must be a finite number >= 0, got {minutes!r}"
        raise InvalidInputError(msg)
    return float(minutes)


def _candidates(sites: Any, network: Network) -> gpd.GeoDataFrame:
    """The sites to test: the given ones, or the package's sites around the network."""
    if sites is not None:
        return as_places(sites, where="sites")
    from bassin_geo.data.layers import load_sites

    cand = load_sites()
    b = network.nodes.total_bounds
    xy = shapely.get_coordinates(cand.geometry.to_numpy())
    inside = (xy[:, 0] >= b[0]) & (xy[:, 0] <= b[2]) & (xy[:, 1] >= b[1]) & (xy[:, 1] <= b[3])
    picked: gpd.GeoDataFrame = cand[inside].reset_index(drop=True)
    return picked


@keyword_only(2, ("mode", "network"))
def reachable(
    origin: Any,
    minutes: float,
    *,
    network: Network | None = None,
    mode: str | None = None,
    sites: Any = None,
    buffer_m: float = 50.0,
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
) -> Reachable:
    """The area reachable from ``origin`` within ``minutes`` along ``network``.

    Parameters
    ----------
    origin : site id, name or place
        Where the trip starts (the first place if several are given).
    minutes : float
        The time budget.
    network : Network
        The network to travel along (required: straight-line isochrones would claim
        routes that may not exist).
    mode : str, optional
        Must match the network's mode if given (speeds come with the network).
    sites : places, optional
        Candidate sites (default: the package's ``sites`` layer around the network).
    buffer_m : float
        Half-width of the isochrone polygon around the reached edges, in metres.
    max_snap_m : float or None
        The origin, and the candidate sites, must lie this close to the network.

    Returns
    -------
    Reachable
        ``area`` (one polygon, WGS84), ``edges`` (reached parts of edges, with
        ``time_s`` at their start), ``sites`` (those reachable in time, with ``time_s``);
        ``to_gdf()`` gives them as one GeoDataFrame.

    Raises
    ------
    InvalidInputError
        No network, another mode, a bad budget.
    NetworkError
        The origin lies farther than ``max_snap_m`` from the network.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> from bassin_geo.routing.network import geodesic_lengths
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.1, 50.4)])], crs=4326)
    >>> r = reachable((3.0, 50.4), 10, network=load_network(lines), sites=[(3.005, 50.4)])
    >>> len(r.sites), round(float(geodesic_lengths(r.edges.geometry).sum()))  # 10 min at 4.8 km/h
    (1, 800)
    """
    if network is None:
        msg = (
            "reachable needs a network: build one with load_network(...); straight-line "
            "isochrones would claim routes that may not exist"
        )
        raise InvalidInputError(msg)
    if not isinstance(network, Network):
        msg = f"network must be a Network from load_network(...), got {type(network).__name__}"
        raise InvalidInputError(msg)
    minutes = _check_minutes(minutes)
    if mode is not None and mode != network.mode:
        mode_rules(mode)  # unknown mode -> its own message
        msg = (
            f"the network was built for {network.mode!r}, not {mode!r}: build it with "
            f"load_network(..., mode={mode!r})"
        )
        raise InvalidInputError(msg)
    budget = minutes * 60.0
    o = as_places(origin, where="origin").iloc[:1]
    snapped = network.snap(o, max_snap_m=max_snap_m, where="origin")
    so = SnappedPoints.from_frame(snapped)
    mat = network.graph("time")
    edges = network.edges
    eu = edges["u"].to_numpy(np.int64)
    ev = edges["v"].to_numpy(np.int64)
    to_u, to_v, _, _ = end_offsets(network, so, "time", False)
    oe = int(so.edge[0])
    dist = csgraph.dijkstra(mat, directed=True, indices=[eu[oe], ev[oe]], limit=budget)
    t = np.minimum(to_u[0] + dist[0], to_v[0] + dist[1])
    w = network.edge_weights("time")
    oneway = edges["oneway"].to_numpy(bool)
    # Fraction of each edge covered from u (forwards) and from v (backwards, two-way only).
    reach_u = np.clip((budget - t[eu]) / np.maximum(w, 1e-9), 0, 1)
    reach_v = np.where(oneway, 0.0, np.clip((budget - t[ev]) / np.maximum(w, 1e-9), 0, 1))
    reach_u = np.where(np.isfinite(t[eu]), reach_u, 0.0)
    reach_v = np.where(np.isfinite(t[ev]), reach_v, 0.0)
    # The origin's own edge is cut from the stop outwards below, not from its ends.
    reach_u[oe] = reach_v[oe] = 0.0
    full = reach_u + reach_v >= 1.0
    lines = network.edges_metric
    pieces, starts = list(lines[full]), list(np.minimum(t[eu], t[ev])[full])
    for k in np.flatnonzero(~full & (reach_u > 0)):
        pieces.append(shapely.ops.substring(lines[k], 0.0, reach_u[k], normalized=True))
        starts.append(t[eu[k]])
    for k in np.flatnonzero(~full & (reach_v > 0)):
        pieces.append(shapely.ops.substring(lines[k], 1.0, 1.0 - reach_v[k], normalized=True))
        starts.append(t[ev[k]])
    # The origin's own edge, from the stop outwards.
    f = float(so.frac[0])
    step = budget / max(w[oe], 1e-9)
    pieces.append(
        shapely.ops.substring(
            lines[oe],
            max(0.0, f - (0 if oneway[oe] else step)),
            min(1.0, f + step),
            normalized=True,
        )
    )
    starts.append(0.0)
    pieces_m = np.asarray(pieces, dtype=object)
    area_m = shapely.union_all(shapely.buffer(pieces_m, check_distance(buffer_m, "buffer_m")))
    reached = gpd.GeoDataFrame(
        {"time_s": np.asarray(starts, float)}, geometry=network.to_wgs84(pieces_m), crs=WGS84
    )
    area = gpd.GeoDataFrame(
        {"minutes": [minutes], "mode": [network.mode]},
        geometry=network.to_wgs84([area_m]),
        crs=WGS84,
    )
    cand = _candidates(sites, network)
    if len(cand):
        sd = network.snap(cand, max_snap_m=None, where="sites")
        times = network.matrix(snapped, sd, weight="time")[0]
        snap_m = sd["snap_m"].to_numpy(float)
        cand = cand.assign(time_s=times, snap_m=snap_m)
        cand = cand[(times <= budget) & (snap_m <= (max_snap_m or np.inf))]
        cand = cand.sort_values("time_s").reset_index(drop=True)
    else:
        cand = cand.assign(time_s=pd.Series(dtype=float))
    return Reachable(area, reached, gpd.GeoDataFrame(cand, crs=WGS84), minutes, network.mode)

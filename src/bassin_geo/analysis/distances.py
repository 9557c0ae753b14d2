"""Distances and proximity between places: exact on the ellipsoid, vectorized, fast.

Every distance is in metres. ``method="geodesic"`` (the default) measures on the WGS84
ellipsoid; ``method="planar"`` straight lines in the metric CRS of the data (Lambert-93 in
France); :func:`distance_matrix` also measures along a road network (``method="network"``).
A polygon site (estate, slag heap) counts in full: the distance is to its nearest edge, 0
inside. How it is measured, and why the nearest targets are exact on the ellipsoid although
the indexes search in the plane: :mod:`bassin_geo.analysis.geodesic`.

Every function takes its places through :func:`bassin_geo.places.resolve.as_places`: site
ids and names, rows of :func:`bassin_geo.get_site`, shapely geometries in WGS84,
``(lon, lat)`` pairs, GeoDataFrames and GeoSeries in any CRS. The core functions take a
plain (Geo)DataFrame and return plain DataFrames with stable columns, so they run on the
partitions of a dask-geopandas frame unchanged (:mod:`bassin_geo.scale`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from bassin_geo._compat import keyword_only, renamed
from bassin_geo._types import LayerLike, PlacesLike
from bassin_geo.analysis.checks import (
    METHODS,
    check_k,
    check_method,
    check_same_crs,
    is_frame,
    places_with_labels,
    target_layer,
)
from bassin_geo.analysis.geodesic import (
    ProjectedGeometries,
    metric_frame,
    nearest_pairs,
    pair_distances,
    pair_matrix,
    planar_reach,
)
from bassin_geo.crs import WGS84
from bassin_geo.errors import InvalidInputError
from bassin_geo.places.checks import check_distance
from bassin_geo.places.resolve import as_places

__all__ = [
    "METHODS",
    "NEAREST_COLUMNS",
    "distance",
    "distance_matrix",
    "nearest",
    "within_distance",
]

#: Columns of the table returned by :func:`nearest`, in order.
NEAREST_COLUMNS = (
    "point_index",
    "point_id",
    "target_index",
    "target_id",
    "target_name",
    "distance_m",
    "rank",
)


@runtime_checkable
class _NetworkLike(Protocol):
    """What ``distance_matrix(method="network")`` needs of a network (a Network has it)."""

    def distance_matrix(
        self, origins: gpd.GeoDataFrame, destinations: gpd.GeoDataFrame | None = None
    ) -> pd.DataFrame: ...


def _one_place(place: PlacesLike, name: str) -> gpd.GeoDataFrame:
    places = as_places(place, resolve_polygons=True, where=name)
    if len(places) != 1:
        msg = (
            f"{name} holds {len(places)} places; distance() measures between two places: use "
            "distance_matrix() for several"
        )
        raise InvalidInputError(msg)
    return places


@keyword_only(2, ("method",))
def distance(a: PlacesLike, b: PlacesLike, *, method: str = "geodesic") -> float:
    """Distance in metres between two places.

    Parameters
    ----------
    a : str, pandas.Series, shapely geometry, (lon, lat) or one-row GeoDataFrame
        A site id or name, a row of :func:`bassin_geo.get_site`, a WGS84 geometry or a
        ``(longitude, latitude)`` pair. A polygon site (estate, slag heap) counts in full:
        the distance is to its nearest edge, 0 inside.
    b : same as ``a``
        The other place.
    method : {"geodesic", "planar"}
        On the WGS84 ellipsoid (``pyproj.Geod``), or straight in Lambert-93 (in France).
        Keyword-only (by position it still works, with a FutureWarning, until 0.3).

    Returns
    -------
    float
        Metres.

    Raises
    ------
    UnknownSiteError, CoordinateError, EmptyInputError, CRSMismatchError, InvalidInputError

    Examples
    --------
    >>> round(distance("Arenberg", "9-9bis"))
    32267
    >>> from bassin_geo import get_site
    >>> round(distance(get_site("Arenberg"), "11/19"))
    45685
    >>> distance((2.8, 50.4), (2.8, 50.4))
    0.0
    """
    check_method(method)
    check_same_crs(a, b, ("a", "b"))
    pa, pb = _one_place(a, "a"), _one_place(b, "b")
    frame = metric_frame(pa, pb)
    sa = ProjectedGeometries(pa.geometry.to_numpy(), frame)
    sb = ProjectedGeometries(pb.geometry.to_numpy(), frame)
    return float(pair_distances(sa, sb, np.array([0]), np.array([0]), method)[0])


def _labelled(values: object, origins: gpd.GeoDataFrame, dest: gpd.GeoDataFrame) -> pd.DataFrame:
    """A matrix with the origins' ids as index (``origin``), destinations' as columns."""
    out = np.asarray(values, dtype=float)
    if out.shape != (len(origins), len(dest)):
        msg = (
            f"the network's distance_matrix returned a {out.shape} table for "
            f"{len(origins)} origins and {len(dest)} destinations"
        )
        raise InvalidInputError(msg)
    table: pd.DataFrame = pd.DataFrame(
        out,
        index=pd.Index(origins["site_id"].to_numpy(), name="origin"),
        columns=pd.Index(dest["site_id"].to_numpy(), name="destination"),
    )
    return table


def _network_matrix(
    network: object, origins: PlacesLike, destinations: PlacesLike | None
) -> pd.DataFrame:
    if network is None:
        msg = (
            "method='network' measures along a road network: pass network=<Network> "
            "(see bassin_geo.load_network), or use method='geodesic'"
        )
        raise InvalidInputError(msg)
    if not isinstance(network, _NetworkLike):
        msg = (
            f"network= must be a Network (an object with a distance_matrix() method, see "
            f"bassin_geo.load_network), got {type(network).__name__}"
        )
        raise InvalidInputError(msg)
    check_same_crs(origins, destinations, ("origins", "destinations"))
    # Resolved once here, so that the labels are the ones every method gives.
    po = as_places(origins, where="origins")
    pd_ = po if destinations is None else as_places(destinations, where="destinations")
    result = network.distance_matrix(po, None if destinations is None else pd_)
    return _labelled(result, po, pd_)


def _same_geometries(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    """The same geometries in the same order: the matrix is then symmetric (half of it)."""
    # Linear in the size of the inputs, against a quadratic matrix: always worth checking.
    return len(a) == len(b) and bool(
        shapely.equals_identical(a.geometry.to_numpy(), b.geometry.to_numpy()).all()
    )


@keyword_only(2, ("method",))
def distance_matrix(
    origins: PlacesLike,
    destinations: PlacesLike | None = None,
    *,
    method: str = "geodesic",
    network: object = None,
) -> pd.DataFrame:
    """Distances in metres between every origin and every destination.

    Parameters
    ----------
    origins : GeoDataFrame, GeoSeries, or list of site ids, names, geometries, (lon, lat)
        Polygon sites count in full (distance to the nearest edge).
    destinations : same as ``origins``, optional
        Defaults to ``origins``. When the destinations are the origins (the same
        geometries in the same order), the matrix is symmetric with a zero diagonal, and
        only half of it is computed.
    method : {"geodesic", "planar", "network"}
        ``"network"`` measures along ``network`` (its ``distance_matrix`` method: shortest
        paths, ``inf`` where none exists). Keyword-only (by position it still works, with a
        FutureWarning, until 0.3).
    network : Network, optional
        A :class:`bassin_geo.Network`, or any object with a ``distance_matrix(origins,
        destinations)`` method giving metres (one row per origin, one column per
        destination; ``destinations=None`` for the origins against themselves). Required
        with ``method="network"``, refused otherwise.

    Returns
    -------
    DataFrame
        Rows labelled by the origins' ``site_id`` (index name ``origin``), columns by the
        destinations' (``destination``), whatever the method. Places that are not sites
        are ``place:<position>``.

    Raises
    ------
    InvalidInputError
        An unknown method, ``network=`` missing with ``method="network"`` (or given with
        another method), or an object without a ``distance_matrix`` method.

    Examples
    --------
    >>> m = distance_matrix(["Arenberg", "9-9bis", "11/19"])
    >>> m.round(-2).astype(int).to_numpy().tolist()
    [[0, 32300, 45700], [32300, 0, 14200], [45700, 14200, 0]]
    >>> m.index.name, m.columns.name
    ('origin', 'destination')
    """
    check_method(method, (*METHODS, "network"))
    if method == "network":
        return _network_matrix(network, origins, destinations)
    if network is not None:
        msg = f"network= is only used with method='network', not method={method!r}"
        raise InvalidInputError(msg)
    check_same_crs(origins, destinations, ("origins", "destinations"))
    po = as_places(origins, resolve_polygons=True, where="origins")
    if destinations is None or destinations is origins:
        pd_ = po
    else:
        pd_ = as_places(destinations, resolve_polygons=True, where="destinations")
    symmetric = pd_ is po or _same_geometries(po, pd_)
    frame = metric_frame(po, pd_)
    so = ProjectedGeometries(po.geometry.to_numpy(), frame)
    sd = None if symmetric else ProjectedGeometries(pd_.geometry.to_numpy(), frame)
    return _labelled(pair_matrix(so, sd, method), po, pd_)


def _categorical(values: pd.Series, positions: NDArray[np.intp]) -> pd.Categorical:
    """``values.take(positions)`` as a categorical: a few targets repeated over many rows.

    Two bytes per row instead of a string: for a million points and the 1,121 sites the
    two target columns take 4 MiB instead of 50, and are built ten times faster.
    """
    # Sorted categories: the same targets in another order (or a subset, on a dask
    # partition) give the same categories, in the same order.
    codes, uniques = pd.factorize(values, sort=True)
    small = codes.astype(np.int16 if len(uniques) < 2**15 else np.int32)
    return pd.Categorical.from_codes(small[positions], categories=uniques)


@keyword_only(2, ("k", "max_distance_m", "method"))
@renamed(max_distance="max_distance_m")
def nearest(
    points: PlacesLike,
    targets: LayerLike | PlacesLike | None = None,
    *,
    k: int = 1,
    max_distance_m: float | None = None,
    method: str = "geodesic",
) -> pd.DataFrame:
    """The k nearest targets of each point, with their distances in metres.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, or list of site ids, names, geometries, (lon, lat)
        The places to start from (a million points is fine; pass a GeoDataFrame, not a
        list, for that many). Lines and polygons are accepted too.
    targets : str, GeoDataFrame, GeoSeries or list of places, optional
        A layer name (``"pitheads"``, ``"slag_heaps"`` measured to their polygons...) or
        your own features. Default: every site of the ``sites`` layer (as points).
    k : int
        How many targets per point.
    max_distance_m : float, optional
        Leave out targets farther than this (metres); points with none are left out.
        Formerly ``max_distance`` (still accepted, with a FutureWarning, until 0.3).
    method : {"geodesic", "planar"}
        The distance reported, ranked and compared with ``max_distance_m``.

    Returns
    -------
    DataFrame
        Columns :data:`NEAREST_COLUMNS`: ``point_index`` (the row label of the input, or
        its position), ``point_id``, ``target_index`` (the row label in the targets),
        ``target_id``, ``target_name``, ``distance_m``, ``rank`` (1 = nearest). Sorted by
        point then rank. Equal distances rank by target position.

    Examples
    --------
    >>> near = nearest([(3.08, 50.37)], "pitheads", k=2)
    >>> near[["target_id", "rank"]].to_numpy().tolist()
    [['pit:waziers-gayant', 1], ['pit:sin-le-noble-puits-du-midi', 2]]
    """
    check_method(method)
    k = check_k(k)
    limit = np.inf if max_distance_m is None else check_distance(max_distance_m, "max_distance_m")
    if is_frame(targets):
        check_same_crs(points, targets, ("points", "targets"))
    pts, labels = places_with_labels(points, "points")
    features, tgt = target_layer(targets, "targets")
    frame = metric_frame(pts, tgt)
    a = ProjectedGeometries(pts.geometry.to_numpy(), frame)
    b = ProjectedGeometries(tgt.geometry.to_numpy(), frame)
    rows, targets_pos, dist, rank = nearest_pairs(a, b, k, limit, method)
    # Every point once, in order (k=1 without a limit): its columns go in as they are,
    # without gathering a copy of a million labels and ids.
    every = len(rows) == len(pts) and bool((rows == np.arange(len(rows))).all())
    point_ids = pts["site_id"].array
    # copy=False: the columns are fresh arrays; pandas need not copy them into one block.
    table: pd.DataFrame = pd.DataFrame(
        {
            "point_index": labels if every else labels.take(rows),
            "point_id": point_ids if every else point_ids.take(rows),
            "target_index": features.index.take(targets_pos),
            "target_id": _categorical(tgt["site_id"], targets_pos),
            "target_name": _categorical(tgt["name"], targets_pos),
            "distance_m": dist,
            "rank": rank.astype(np.int64, copy=False),
        },
        columns=list(NEAREST_COLUMNS),
        copy=False,
    )
    return table


@keyword_only(2, ("layer", "method"))
@renamed(geometry="place")
def within_distance(
    place: PlacesLike,
    distance_m: float,
    *,
    layer: LayerLike | PlacesLike = "sites",
    method: str = "geodesic",
) -> gpd.GeoDataFrame:
    """The features of a layer within ``distance_m`` metres of a place, a route, an area.

    Parameters
    ----------
    place : str, shapely geometry, (lon, lat), GeoDataFrame or list of these
        What to measure from; with several places a feature is kept when it is near any
        of them. Formerly ``geometry`` (still accepted, with a FutureWarning, until 0.3).
    distance_m : float
        Metres, >= 0 (0 keeps what touches or overlaps).
    layer : str, GeoDataFrame or list of places
        A layer name (default ``"sites"``) or your own features. Keyword-only (by position
        it still works, with a FutureWarning, until 0.3), like ``method``.
    method : {"geodesic", "planar"}
        The distance compared with ``distance_m``.

    Returns
    -------
    GeoDataFrame
        The matching features with every column of the layer, in WGS84, plus
        ``distance_m`` (to the nearest of the given places), nearest first.

    Examples
    --------
    >>> near = within_distance("Arenberg", 2_000, layer="pitheads")
    >>> near["site_id"].tolist()
    ['pit:wallers-arenberg']
    """
    check_method(method)
    limit = check_distance(distance_m, "distance_m")
    if is_frame(layer):
        check_same_crs(place, layer, ("place", "layer"))
    query = as_places(place, resolve_polygons=True, where="place")
    features, tgt = target_layer(layer, "layer")
    frame = metric_frame(query, tgt)
    a = ProjectedGeometries(query.geometry.to_numpy(), frame)
    b = ProjectedGeometries(tgt.geometry.to_numpy(), frame)
    radius = planar_reach(limit, frame, method)
    pairs = shapely.STRtree(b.metric).query(a.metric, predicate="dwithin", distance=radius)
    dist = pair_distances(a, b, pairs[0], pairs[1], method)
    best = np.full(len(b), np.inf)
    np.minimum.at(best, pairs[1], dist)
    hits = np.flatnonzero(best <= limit)
    hits = hits[np.argsort(best[hits], kind="stable")]
    out = features.iloc[hits].copy()
    if out.crs is None or not CRS.from_user_input(out.crs).equals(CRS.from_user_input(WGS84)):
        out = out.set_geometry(tgt.geometry.to_numpy()[hits], crs=WGS84)
    out["distance_m"] = best[hits]
    return out

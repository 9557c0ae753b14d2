"""Checks and input helpers shared by the analyses (in memory and on dask partitions).

Every analysis takes its places through :func:`bassin_geo.places.resolve.as_places`; the
helpers here add what the distance functions need on top of it: the caller's row labels,
the features of a target layer next to their resolved geometries, and the checks of the
options every distance function shares (``method``, ``k``, matching CRS).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from bassin_geo._types import LayerLike, PlacesLike
from bassin_geo.data.layers import load_layer
from bassin_geo.errors import CRSMismatchError, InvalidInputError
from bassin_geo.places.resolve import as_places

__all__ = [
    "METHODS",
    "check_k",
    "check_method",
    "check_same_crs",
    "is_frame",
    "places_with_labels",
    "target_layer",
]

#: Ways to measure a distance: on the ellipsoid or in the plane of the metric CRS.
METHODS = ("geodesic", "planar")


def check_method(method: str, allowed: tuple[str, ...] = METHODS) -> str:
    """Return ``method`` after checking it names a way to measure.

    Parameters
    ----------
    method : str
        The ``method=`` option the caller gave.
    allowed : tuple of str
        The methods the calling function knows.

    Returns
    -------
    str
        ``method`` unchanged.

    Raises
    ------
    InvalidInputError
        A method not in ``allowed``.

    Examples
    --------
    >>> check_method("planar")
    'planar'
    """
    if method not in allowed:
        msg = f"unknown distance method {method!r}: use one of {', '.join(map(repr, allowed))}"
        raise InvalidInputError(msg)
    return method


def check_k(k: object) -> int:
    """Return ``k`` (how many nearest targets) as an int after checking it is >= 1.

    Parameters
    ----------
    k : int
        The ``k=`` option the caller gave; a bool or a float is refused.

    Returns
    -------
    int

    Raises
    ------
    InvalidInputError
        Not a whole number >= 1.

    Examples
    --------
    >>> check_k(3)
    3
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        msg = f"k must be a whole number >= 1, got {k!r}"
        raise InvalidInputError(msg)
    return int(k)


def is_frame(obj: object) -> bool:
    """Whether ``obj`` is a GeoDataFrame or a GeoSeries (which carry a CRS and row labels).

    Parameters
    ----------
    obj : object
        Any input.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_frame(gpd.GeoSeries([]))
    True
    """
    return isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries))


def check_same_crs(a: object, b: object, names: tuple[str, str]) -> None:
    """Refuse two frames in different CRS: converting one silently would hide a mistake.

    Inputs that are not frames (ids, geometries, pairs) are in WGS84 by definition and
    pass.

    Parameters
    ----------
    a, b : object
        The two inputs of one call.
    names : tuple of str
        Their parameter names, for the message.

    Raises
    ------
    CRSMismatchError
        Two frames whose CRS differ, or one with a CRS and one without.

    Examples
    --------
    >>> check_same_crs(gpd.GeoSeries([], crs=4326), "Arenberg", ("a", "b"))
    """
    frames = (gpd.GeoDataFrame, gpd.GeoSeries)
    if not (isinstance(a, frames) and isinstance(b, frames)):
        return
    ca = CRS.from_user_input(a.crs) if a.crs is not None else None
    cb = CRS.from_user_input(b.crs) if b.crs is not None else None
    if (ca is None) != (cb is None) or (ca is not None and not ca.equals(cb)):
        msg = (
            f"{names[0]} is in {ca.to_string() if ca else 'no CRS'} but {names[1]} in "
            f"{cb.to_string() if cb else 'no CRS'}: bring them to one CRS first, e.g. "
            f"{names[1]}.to_crs({names[0]}.crs), or set_crs() on the one without"
        )
        raise CRSMismatchError(msg)


def places_with_labels(obj: PlacesLike, where: str) -> tuple[gpd.GeoDataFrame, pd.Index]:
    """Resolve places (polygon sites in full) and keep the caller's row labels.

    Parameters
    ----------
    obj : PlacesLike
        Anything :func:`bassin_geo.places.resolve.as_places` accepts.
    where : str
        The parameter name, for error messages.

    Returns
    -------
    tuple of (GeoDataFrame, Index)
        The places in WGS84, and the row labels of a frame input or the positions.

    Examples
    --------
    >>> places, labels = places_with_labels(["Arenberg", (3.0, 50.4)], "points")
    >>> list(labels)
    [0, 1]
    """
    places = as_places(obj, resolve_polygons=True, where=where)
    index = obj.index if isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)) else None
    return places, index if index is not None else pd.RangeIndex(len(places))


def target_layer(
    obj: LayerLike | PlacesLike | None, where: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Targets as (features to return, resolved places), row for row.

    Parameters
    ----------
    obj : str, LayerLike, PlacesLike or None
        A layer name (None: ``"sites"``), or the caller's own features.
    where : str
        The parameter name, for error messages.

    Returns
    -------
    tuple of (GeoDataFrame, GeoDataFrame)
        The features with all their columns (rows without geometry of a named layer left
        out: they are at no distance at all), and the same rows as places
        (``site_id``, ``name``, ``geometry`` in WGS84).

    Examples
    --------
    >>> features, places = target_layer("pitheads", "targets")
    >>> len(features) == len(places)
    True
    """
    if obj is None:
        obj = "sites"
    if isinstance(obj, str):
        features = load_layer(obj)
        features = features[features.geometry.notna() & ~features.geometry.is_empty]
        return features, as_places(features, where=f"layer {obj!r}")
    places = as_places(obj, resolve_polygons=True, where=where)
    if isinstance(obj, gpd.GeoDataFrame):
        return obj, places
    return places, places

"""The two coordinate reference systems of the project, and the helpers between them.

Results are returned in WGS84 longitude/latitude (:data:`WGS84`); metric work on the
basin happens in Lambert-93 (:data:`LAMBERT93`). Data far from France is measured in a
local UTM zone instead (:func:`metric_crs_for`), never in Lambert-93.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Geod, Transformer

if TYPE_CHECKING:
    import geopandas as gpd

    Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)

__all__ = [
    "WGS84",
    "LAMBERT93",
    "GEOD",
    "geod_fwd",
    "geod_inv",
    "metric_crs_for",
    "to_wgs84",
    "to_lambert93",
    "transform_xy",
]

FloatArray: TypeAlias = NDArray[np.float64]

#: Geographic WGS84, longitude first (RFC 7946 order).
WGS84 = "EPSG:4326"
#: RGF93 / Lambert-93, the metric CRS of French open data.
LAMBERT93 = "EPSG:2154"
#: The ellipsoid used for every geodesic length and distance.
GEOD = Geod(ellps="WGS84")

# Lambert-93 is defined for metropolitan France; outside these bounds (lon, lat) a
# local UTM zone is used for metric work.
_LAMBERT93_BOUNDS = (-9.86, 41.15, 10.38, 51.56)


def metric_crs_for(lon: ArrayLike, lat: ArrayLike) -> CRS:
    """Return a metric CRS suited to data around the given WGS84 coordinates.

    Lambert-93 in metropolitan France, otherwise the UTM zone of the centre.

    Parameters
    ----------
    lon : float or array-like
        Longitudes in degrees; their mean is the centre.
    lat : float or array-like
        Latitudes in degrees.

    Returns
    -------
    pyproj.CRS
        Lambert-93 (EPSG:2154), or a WGS84 / UTM zone (EPSG:326xx north, 327xx south).

    Examples
    --------
    >>> metric_crs_for(3.0, 50.4).to_epsg()
    2154
    >>> metric_crs_for(24.94, 60.17).to_epsg()  # Helsinki
    32635
    """
    lon_c = float(np.nanmean(np.asarray(lon, dtype=float)))
    lat_c = float(np.nanmean(np.asarray(lat, dtype=float)))
    xmin, ymin, xmax, ymax = _LAMBERT93_BOUNDS
    if xmin <= lon_c <= xmax and ymin <= lat_c <= ymax:
        return CRS.from_user_input(LAMBERT93)
    zone = int((lon_c + 180.0) // 6.0) % 60 + 1
    return CRS.from_epsg((32600 if lat_c >= 0 else 32700) + zone)


def to_wgs84(gdf: Frame) -> Frame:
    """Return ``gdf`` in WGS84 (the same object, not a copy, when it already is).

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS (or none, then it is converted by geopandas' rules).

    Returns
    -------
    GeoDataFrame or GeoSeries
        The same kind of object, in EPSG:4326.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> pits = gpd.GeoSeries([Point(704_000, 7_030_000)], crs=LAMBERT93)
    >>> to_wgs84(pits).crs.to_epsg()
    4326
    """
    if gdf.crs is not None and CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(WGS84)):
        return gdf
    return gdf.to_crs(WGS84)


def to_lambert93(gdf: Frame) -> Frame:
    """Return ``gdf`` in Lambert-93 for metric work.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS.

    Returns
    -------
    GeoDataFrame or GeoSeries
        The same kind of object, in EPSG:2154 (coordinates in metres).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> round(float(to_lambert93(gpd.GeoSeries([Point(3.0, 50.4)], crs=WGS84)).x.iloc[0]))
    700000
    """
    converted: Frame = gdf.to_crs(LAMBERT93)
    return converted


# --- pyproj calls on arrays ---------------------------------------------------------------
# pyproj before 3.7.2 tries a scalar fast path first in Geod.inv, Geod.fwd and
# Transformer.transform: a 1-element numpy array passes through float(), which numpy >= 1.25
# deprecates (a DeprecationWarning per call) and which returns floats instead of arrays.
# These helpers hand size-1 inputs over as Python floats and always return arrays of the
# inputs' shape, on every pyproj version.


def _as_arrays(*values: ArrayLike) -> tuple[FloatArray, ...]:
    arrays = tuple(np.asarray(v, dtype=np.float64) for v in values)
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return tuple(np.broadcast_to(a, shape) for a in arrays)


def _call(func: Callable[..., tuple[object, ...]], *values: ArrayLike) -> tuple[FloatArray, ...]:
    arrays = _as_arrays(*values)
    shape = arrays[0].shape
    if arrays[0].size == 1:
        out = func(*(float(a.reshape(-1)[0]) for a in arrays))
    else:
        # pyproj wants contiguous buffers it can read; broadcast views are not.
        out = func(*(np.ascontiguousarray(a).reshape(-1) for a in arrays))
    return tuple(np.asarray(o, dtype=np.float64).reshape(shape) for o in out)


def geod_inv(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:data:`GEOD` ``.inv`` on arrays: forward and back azimuths and distances (metres).

    The same numbers as ``GEOD.inv``, always as arrays of the inputs' (broadcast) shape, and
    without the DeprecationWarning that pyproj < 3.7.2 raises on 1-element numpy arrays.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array-like of float
        The two ends of each pair, in degrees.

    Returns
    -------
    tuple of three arrays of float
        Forward azimuths, back azimuths (degrees) and distances (metres).

    Examples
    --------
    >>> az, back, dist = geod_inv(np.array([3.0]), np.array([50.4]), 3.0, 50.5)
    >>> dist.shape, round(float(dist[0]))
    ((1,), 11124)
    """
    az, back, dist = _call(GEOD.inv, lon1, lat1, lon2, lat2)
    return az, back, dist


def geod_fwd(
    lon: ArrayLike, lat: ArrayLike, azimuth: ArrayLike, distance_m: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:data:`GEOD` ``.fwd`` on arrays: the points reached and the back azimuths.

    Like :func:`geod_inv`, always arrays, and safe on 1-element arrays with any pyproj.

    Parameters
    ----------
    lon, lat : float or array-like of float
        Start points, in degrees.
    azimuth : float or array-like of float
        Directions, in degrees clockwise from north.
    distance_m : float or array-like of float
        Distances to go, in metres.

    Returns
    -------
    tuple of three arrays of float
        Longitudes, latitudes (degrees) and back azimuths of the points reached.

    Examples
    --------
    >>> lon, lat, _ = geod_fwd(np.array([3.0]), np.array([50.4]), 0.0, 11_124.0)
    >>> round(float(lat[0]), 3)
    50.5
    """
    lon2, lat2, back = _call(GEOD.fwd, lon, lat, azimuth, distance_m)
    return lon2, lat2, back


def transform_xy(
    transformer: Transformer, x: ArrayLike, y: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """``transformer.transform(x, y)`` on arrays, always returning arrays.

    Safe on 1-element arrays with any pyproj (see :func:`geod_inv`); use it inside
    ``shapely.transform`` callbacks too, where a point gives 1-element arrays.

    Parameters
    ----------
    transformer : pyproj.Transformer
        Built with ``always_xy=True`` for longitude/latitude order.
    x, y : float or array-like of float
        Coordinates in the transformer's source CRS.

    Returns
    -------
    tuple of two arrays of float
        The coordinates in the target CRS, of the inputs' (broadcast) shape.

    Examples
    --------
    >>> to_l93 = Transformer.from_crs(WGS84, LAMBERT93, always_xy=True)
    >>> x, y = transform_xy(to_l93, np.array([3.0]), np.array([50.4]))
    >>> x.shape, round(float(x[0]))
    ((1,), 700000)
    """
    tx, ty = _call(transformer.transform, x, y)
    return tx, ty

"""The two coordinate reference systems of the project, and the helpers between them.

Results are returned in WGS84 longitude/latitude (:data:`WGS84`); metric work on the
basin happens in Lambert-93 (:data:`LAMBERT93`). Data far from France is measured in a
local UTM zone instead (:func:`metric_crs_for`), never in Lambert-93.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS, Geod

if TYPE_CHECKING:
    import geopandas as gpd

    Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)

__all__ = [
    "WGS84",
    "LAMBERT93",
    "GEOD",
    "metric_crs_for",
    "to_wgs84",
    "to_lambert93",
]

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

"""Checks shared by every reader and resolver: coordinates, distances, degree labels.

:func:`check_distance` lives in :mod:`bassin_geo._validate` (the bottom layer, so the
data loaders can use its sibling ``check_flag``); it is re-exported here for the
modules that import it from this one.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike

from bassin_geo._validate import check_distance
from bassin_geo.crs import WGS84
from bassin_geo.errors import CoordinateError

__all__ = [
    "BASIN_BOUNDS",
    "check_distance",
    "check_lonlat",
    "looks_like_degrees",
    "mislabelled_degrees",
]

# Bounding box of the basin (lon, lat) with a margin: used to recognise swapped inputs.
BASIN_BOUNDS = (1.9, 50.0, 3.9, 50.9)


def check_lonlat(x: ArrayLike, y: ArrayLike, where: str = "input") -> None:
    """Raise :class:`CoordinateError` unless ``x``/``y`` are finite longitudes/latitudes.

    Also catches the two usual mistakes: projected coordinates (metres) passed as degrees,
    and latitude given before longitude for points in the basin.

    Parameters
    ----------
    x, y : array-like
        Longitudes and latitudes.
    where : str
        Names the input in the message ("the file roads.gpkg", "stops").

    Examples
    --------
    >>> check_lonlat([3.0], [50.4])
    >>> check_lonlat([50.4], [3.0])
    Traceback (most recent call last):
    ...
    bassin_geo.errors.CoordinateError: ...
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.size == 0:
        return
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CoordinateError(
            f"{where}: {int(bad.sum())} coordinate(s) are NaN or infinite (first at position "
            f"{i}: x={x[i]}, y={y[i]}); drop or fix those rows"
        )
    out = (np.abs(x) > 180) | (np.abs(y) > 90)
    if out.any():
        i = int(np.flatnonzero(out)[0])
        raise CoordinateError(
            f"{where}: coordinates cannot be degrees (x={x[i]:g}, y={y[i]:g}); they look "
            "projected (metres). Give the data its CRS (for Lambert-93: "
            "gdf.set_crs('EPSG:2154')) so it can be converted to WGS84"
        )
    xmin, ymin, xmax, ymax = BASIN_BOUNDS
    swapped = (y >= xmin) & (y <= xmax) & (x >= ymin) & (x <= ymax)
    if swapped.mean() > 0.5:
        raise CoordinateError(
            f"{where}: the points land in the mining basin only once latitude and longitude "
            f"are swapped (first: x={x[0]:g}, y={y[0]:g}); did you swap lat/lon? Coordinates "
            "go in (longitude, latitude) order"
        )


def looks_like_degrees(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> bool:
    """True when every coordinate lies within longitude/latitude ranges.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data in any CRS.

    Returns
    -------
    bool
        Whether its bounds fit in [-180, 180] x [-90, 90].

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> looks_like_degrees(gpd.GeoSeries([Point(3.0, 50.4)]))
    True
    >>> looks_like_degrees(gpd.GeoSeries([Point(704_000, 7_030_000)]))
    False
    """
    xmin, ymin, xmax, ymax = gdf.total_bounds
    return bool(-180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90)


def mislabelled_degrees(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> bool:
    """A projected label on longitude/latitude numbers.

    True when every coordinate could be degrees and, read in the projected CRS, the data
    lands wholly outside that CRS's area of use (3, 50 in Lambert-93 is off Africa).

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS.

    Returns
    -------
    bool
        Whether the CRS label is wrong (the numbers are longitudes and latitudes).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> mislabelled_degrees(gpd.GeoSeries([Point(3.0, 50.4)], crs="EPSG:2154"))
    True
    >>> mislabelled_degrees(gpd.GeoSeries([Point(704_000, 7_030_000)], crs="EPSG:2154"))
    False
    """
    if not gdf.crs.is_projected or not looks_like_degrees(gdf) or gdf.crs.area_of_use is None:
        return False
    west, south, east, north = gdf.crs.area_of_use.bounds
    xmin, ymin, xmax, ymax = gdf.geometry.to_crs(WGS84).total_bounds
    margin = 1.0  # degrees: data just beyond a UTM zone's edge is normal
    return bool(
        xmax < west - margin
        or xmin > east + margin
        or ymax < south - margin
        or ymin > north + margin
    )

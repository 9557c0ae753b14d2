"""Named types for what users pass: places, layers, paths, coordinate reference systems.

They are aliases for annotations only: this module imports nothing heavy at run time
(geopandas, shapely and pyproj appear under ``TYPE_CHECKING``), so every layer of the
package can use them. Write ``from bassin_geo._types import PlacesLike`` and annotate
``places: PlacesLike``.

Examples
--------
>>> from bassin_geo import _types
>>> sorted(_types.__all__)
['CRSLike', 'LayerLike', 'PathLike', 'PlaceLike', 'PlacesLike']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from pyproj import CRS
    from shapely.geometry.base import BaseGeometry

__all__ = ["CRSLike", "LayerLike", "PathLike", "PlaceLike", "PlacesLike"]

#: A file path: text or any :class:`os.PathLike` (``pathlib.Path``).
PathLike: TypeAlias = Union[str, "os.PathLike[str]"]

#: One place: a site id or name (what :func:`bassin_geo.get_site` accepts), a
#: ``(lon, lat)`` pair, a shapely geometry in WGS84, or the row :func:`get_site` returns.
PlaceLike: TypeAlias = Union[str, tuple[float, float], "BaseGeometry", "pd.Series[Any]"]

#: One place or several: a :data:`PlaceLike`, a sequence of them, a GeoDataFrame or a
#: GeoSeries (any CRS), or a DataFrame with a ``site_id`` column (search results).
PlacesLike: TypeAlias = Union[
    PlaceLike, Sequence[PlaceLike], "gpd.GeoDataFrame", "gpd.GeoSeries", "pd.DataFrame"
]

#: A layer: the name of an embedded layer (:func:`bassin_geo.list_layers`), or features
#: the caller already has as a GeoDataFrame or GeoSeries.
LayerLike: TypeAlias = Union[str, "gpd.GeoDataFrame", "gpd.GeoSeries"]

#: Anything :meth:`pyproj.CRS.from_user_input` accepts: ``"EPSG:2154"``, ``2154``, a CRS.
CRSLike: TypeAlias = Union[str, int, "CRS", dict[str, Any]]

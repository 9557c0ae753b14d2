"""Writers that GIS software, GPS devices and spreadsheets open as they are.

Every writer here accepts a GeoDataFrame (in any CRS; without a CRS it must hold WGS84
degrees) or any object with a ``to_gdf()`` method returning one — routes, itineraries,
stages, crossings, reachable areas and networks expose it, with features in WGS84 and
columns such as ``name``, ``kind``, ``km``. Every writer is atomic: it writes into a
temporary folder beside the target and renames the finished file into place, so a failure
never leaves a half-written file; and it refuses to replace an existing file unless
``overwrite=True``. Flags must be real booleans (``overwrite="no"`` is refused, see
:func:`check_flag`), and coordinates keep 6 decimals by default (about 10 cm).

Columns holding lists or dicts (the ``shafts`` of pitheads) are written as JSON (nested
JSON in GeoJSON, JSON text elsewhere), dates as ISO 8601 strings and NaN as null.
"""

from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import FrameLike, SupportsGdf, as_frame
from bassin_geo.io.geojson import feature_collection, to_geojson
from bassin_geo.io.geopackage import to_geopackage
from bassin_geo.io.gpx import to_gpx
from bassin_geo.io.kml import to_kml
from bassin_geo.io.options import DEFAULT_PRECISION, check_flag, check_precision
from bassin_geo.io.tables import to_csv

__all__ = [
    "DEFAULT_PRECISION",
    "FrameLike",
    "SupportsGdf",
    "as_frame",
    "atomic_write",
    "check_flag",
    "check_precision",
    "feature_collection",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "to_gpx",
    "to_kml",
]

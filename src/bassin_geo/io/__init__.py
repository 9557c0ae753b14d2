"""Writers that GIS software, GPS devices and spreadsheets open as they are.

Every writer here accepts a GeoDataFrame (in any CRS; without a CRS it must hold WGS84
degrees) or any object with a ``to_gdf()`` method returning one — routes, itineraries
and stages expose it, with LineString / Point features in WGS84 and columns such as
``name``, ``kind``, ``km``. Every writer is atomic: it writes into a temporary folder
beside the target and renames the finished file into place, so a failure never leaves a
half-written file; and it refuses to replace an existing file unless ``overwrite=True``.

Columns holding lists or dicts (the ``shafts`` of pitheads) are written as JSON (nested
JSON in GeoJSON, JSON text elsewhere), dates as ISO 8601 strings and NaN as null.
"""

from bassin_geo.io.atomic import atomic_write
from bassin_geo.io.frames import as_frame
from bassin_geo.io.geojson import feature_collection, to_geojson
from bassin_geo.io.geopackage import to_geopackage
from bassin_geo.io.gpx import to_gpx
from bassin_geo.io.tables import to_csv

__all__ = [
    "as_frame",
    "atomic_write",
    "feature_collection",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "to_gpx",
]

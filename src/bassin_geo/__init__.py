"""bassin_geo: the Nord-Pas de Calais Mining Basin (UNESCO World Heritage) as GeoDataFrames.

Load the basin's real layers, measure distances, route between pitheads, follow the Tour de
France through the basin and export maps, GeoJSON and GeoPackage.

Examples
--------
>>> import bassin_geo as bg
>>> pits = bg.load_pitheads(headframe=True)
>>> bg.get_site("11/19")["commune"]
'Loos-en-Gohelle'

The dask-geopandas versions of the analyses live in :mod:`bassin_geo.scale`
(``pip install "bassin-geo[scale]"``), imported on demand so the core stays light.
"""

from bassin_geo import crs, errors
from bassin_geo.crs import GEOD, LAMBERT93, WGS84
from bassin_geo.distance import distance, distance_matrix, locate, nearest, within_distance
from bassin_geo.errors import *  # noqa: F403
from bassin_geo.errors import __all__ as _errors_all
from bassin_geo.export import (
    export_all,
    feature_collection,
    to_csv,
    to_geojson,
    to_geopackage,
    to_gpx,
)
from bassin_geo.io import list_file_layers, read_layer
from bassin_geo.layers import (
    data_dir,
    get_site,
    list_layers,
    load_communes,
    load_layer,
    load_perimeter,
    load_pitheads,
    load_provenance,
    load_sites,
)
from bassin_geo.maps import km_markers, make_map, save_map
from bassin_geo.places import as_places

__version__ = "0.1.0"

__all__ = [
    # coordinate reference systems
    "GEOD",
    "LAMBERT93",
    "WGS84",
    "crs",
    "errors",
    # embedded layers
    "data_dir",
    "get_site",
    "list_layers",
    "load_communes",
    "load_layer",
    "load_perimeter",
    "load_pitheads",
    "load_provenance",
    "load_sites",
    # the user's files and places
    "as_places",
    "list_file_layers",
    "read_layer",
    # distances
    "distance",
    "distance_matrix",
    "locate",
    "nearest",
    "within_distance",
    # maps and exports
    "export_all",
    "feature_collection",
    "km_markers",
    "make_map",
    "save_map",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "to_gpx",
    *_errors_all,
]

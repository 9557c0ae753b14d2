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
from bassin_geo.distances import distance, distance_matrix, locate, nearest, within_distance
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
from bassin_geo.itineraries import Itinerary, itinerary, tour
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
from bassin_geo.modes import MODES, mode_rules
from bassin_geo.network import (
    Network,
    Reachable,
    load_network,
    network_distance_matrix,
    reachable,
)
from bassin_geo.places import as_places
from bassin_geo.routes import Route, read_route
from bassin_geo.stages import (
    Crossings,
    communes_crossed,
    crossings,
    list_stages,
    load_stage,
    sites_along,
)

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
    # networks, itineraries and tours
    "MODES",
    "Itinerary",
    "Network",
    "Reachable",
    "itinerary",
    "load_network",
    "mode_rules",
    "network_distance_matrix",
    "reachable",
    "tour",
    # routes and Tour de France stages
    "Crossings",
    "Route",
    "communes_crossed",
    "crossings",
    "list_stages",
    "load_stage",
    "read_route",
    "sites_along",
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

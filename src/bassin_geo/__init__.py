"""bassin_geo: the Nord-Pas de Calais Mining Basin (UNESCO World Heritage) as GeoDataFrames.

Load the basin's real layers, measure distances, route between pitheads, follow the Tour de
France through the basin and export maps, GeoJSON and GeoPackage.

Examples
--------
>>> import bassin_geo as bg
>>> pits = bg.load_pitheads(headframe=True)
>>> bg.get_site("11/19")["commune"]
'Loos-en-Gohelle'

The public names load on first use (PEP 562), so ``import bassin_geo`` costs little more
than geopandas and a script that only reads layers never loads folium or scipy. The
dask-geopandas versions of the analyses live in :mod:`bassin_geo.scale`
(``pip install "bassin-geo[scale]"``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bassin_geo import crs, errors
from bassin_geo.errors import *  # noqa: F403
from bassin_geo.errors import __all__ as _errors_all

if TYPE_CHECKING:
    from bassin_geo.analysis.distances import (
        distance,
        distance_matrix,
        nearest,
        within_distance,
    )
    from bassin_geo.analysis.locate import locate
    from bassin_geo.analysis.routes import Route, read_route
    from bassin_geo.analysis.stage_data import list_stages, load_stage
    from bassin_geo.analysis.stages import Crossings, communes_crossed, crossings, sites_along
    from bassin_geo.crs import GEOD, LAMBERT93, WGS84
    from bassin_geo.data.layers import (
        data_dir,
        list_layers,
        load_communes,
        load_layer,
        load_perimeter,
        load_pitheads,
        load_provenance,
        load_sites,
    )
    from bassin_geo.io import (
        feature_collection,
        to_csv,
        to_excel,
        to_geojson,
        to_geopackage,
        to_gpx,
        to_kml,
    )
    from bassin_geo.kit import export_all
    from bassin_geo.modes import MODES, mode_rules
    from bassin_geo.places.files import list_file_layers, read_layer
    from bassin_geo.places.gazetteer import get_site, search
    from bassin_geo.places.resolve import as_places
    from bassin_geo.routing.build import load_network
    from bassin_geo.routing.itinerary import Itinerary, itinerary, tour
    from bassin_geo.routing.matrix import network_distance_matrix
    from bassin_geo.routing.network import Network
    from bassin_geo.routing.reachable import Reachable, reachable
    from bassin_geo.viz.maps import make_map, save_map
    from bassin_geo.viz.markers import km_markers
    from bassin_geo.viz.strip import save_strip, stage_strip

__version__ = "0.1.0"

# Where each public name lives: the module is imported the first time the name is used.
_LAZY: dict[str, str] = {
    # coordinate reference systems
    "GEOD": "bassin_geo.crs",
    "LAMBERT93": "bassin_geo.crs",
    "WGS84": "bassin_geo.crs",
    # embedded layers
    "data_dir": "bassin_geo.data.layers",
    "list_layers": "bassin_geo.data.layers",
    "load_communes": "bassin_geo.data.layers",
    "load_layer": "bassin_geo.data.layers",
    "load_perimeter": "bassin_geo.data.layers",
    "load_pitheads": "bassin_geo.data.layers",
    "load_provenance": "bassin_geo.data.layers",
    "load_sites": "bassin_geo.data.layers",
    # the gazetteer
    "get_site": "bassin_geo.places.gazetteer",
    "search": "bassin_geo.places.gazetteer",
    # the user's files and places
    "list_file_layers": "bassin_geo.places.files",
    "read_layer": "bassin_geo.places.files",
    "as_places": "bassin_geo.places.resolve",
    # distances
    "distance": "bassin_geo.analysis.distances",
    "distance_matrix": "bassin_geo.analysis.distances",
    "locate": "bassin_geo.analysis.locate",
    "nearest": "bassin_geo.analysis.distances",
    "within_distance": "bassin_geo.analysis.distances",
    # routes and Tour de France stages
    "Route": "bassin_geo.analysis.routes",
    "read_route": "bassin_geo.analysis.routes",
    "Crossings": "bassin_geo.analysis.stages",
    "communes_crossed": "bassin_geo.analysis.stages",
    "crossings": "bassin_geo.analysis.stages",
    "list_stages": "bassin_geo.analysis.stage_data",
    "load_stage": "bassin_geo.analysis.stage_data",
    "sites_along": "bassin_geo.analysis.stages",
    # travel modes
    "MODES": "bassin_geo.modes",
    "mode_rules": "bassin_geo.modes",
    # networks, itineraries and tours
    "Network": "bassin_geo.routing.network",
    "Reachable": "bassin_geo.routing.reachable",
    "load_network": "bassin_geo.routing.build",
    "network_distance_matrix": "bassin_geo.routing.matrix",
    "reachable": "bassin_geo.routing.reachable",
    "Itinerary": "bassin_geo.routing.itinerary",
    "itinerary": "bassin_geo.routing.itinerary",
    "tour": "bassin_geo.routing.itinerary",
    # writers
    "feature_collection": "bassin_geo.io",
    "to_csv": "bassin_geo.io",
    "to_excel": "bassin_geo.io",
    "to_geojson": "bassin_geo.io",
    "to_geopackage": "bassin_geo.io",
    "to_gpx": "bassin_geo.io",
    "to_kml": "bassin_geo.io",
    # maps
    "km_markers": "bassin_geo.viz.markers",
    "make_map": "bassin_geo.viz.maps",
    "save_map": "bassin_geo.viz.maps",
    "save_strip": "bassin_geo.viz.strip",
    "stage_strip": "bassin_geo.viz.strip",
    # conveniences
    "export_all": "bassin_geo.kit",
}

__all__ = [
    "crs",
    "errors",
    # coordinate reference systems
    "GEOD",
    "LAMBERT93",
    "WGS84",
    # embedded layers
    "data_dir",
    "list_layers",
    "load_communes",
    "load_layer",
    "load_perimeter",
    "load_pitheads",
    "load_provenance",
    "load_sites",
    # the gazetteer
    "get_site",
    "search",
    # the user's files and places
    "list_file_layers",
    "read_layer",
    "as_places",
    # distances
    "distance",
    "distance_matrix",
    "locate",
    "nearest",
    "within_distance",
    # routes and Tour de France stages
    "Route",
    "read_route",
    "Crossings",
    "communes_crossed",
    "crossings",
    "list_stages",
    "load_stage",
    "sites_along",
    # travel modes
    "MODES",
    "mode_rules",
    # networks, itineraries and tours
    "Network",
    "Reachable",
    "load_network",
    "network_distance_matrix",
    "reachable",
    "Itinerary",
    "itinerary",
    "tour",
    # writers
    "feature_collection",
    "to_csv",
    "to_excel",
    "to_geojson",
    "to_geopackage",
    "to_gpx",
    "to_kml",
    # maps
    "km_markers",
    "make_map",
    "save_map",
    "save_strip",
    "stage_strip",
    # conveniences
    "export_all",
    *_errors_all,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'bassin_geo' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

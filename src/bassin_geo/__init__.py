"""bassin_geo: the Nord-Pas de Calais Mining Basin (UNESCO World Heritage) as GeoDataFrames.

Load the basin's real layers, measure distances, route between pitheads, follow the Tour de
France through the basin and export maps, GeoJSON and GeoPackage.

Examples
--------
>>> import bassin_geo as bg
>>> pits = bg.load_pitheads(headframe=True)
>>> bg.get_site("11/19")["commune"]
'Loos-en-Gohelle'
"""

from bassin_geo import crs, errors
from bassin_geo.crs import LAMBERT93, WGS84
from bassin_geo.errors import *  # noqa: F403
from bassin_geo.errors import __all__ as _errors_all
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

__version__ = "0.1.0"

__all__ = [
    "LAMBERT93",
    "WGS84",
    "crs",
    "errors",
    "data_dir",
    "get_site",
    "list_layers",
    "load_communes",
    "load_layer",
    "load_perimeter",
    "load_pitheads",
    "load_provenance",
    "load_sites",
    *_errors_all,
]

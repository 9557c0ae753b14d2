"""The embedded layers: the catalog of what ships, the loaders and their provenance.

:mod:`~bassin_geo.data.catalog` names each layer and its sources (read by the data build
in ``tools/``); :mod:`~bassin_geo.data.layers` finds the files (:func:`data_dir`) and
loads them as WGS84 GeoDataFrames.
"""

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

__all__ = [
    "data_dir",
    "list_layers",
    "load_communes",
    "load_layer",
    "load_perimeter",
    "load_pitheads",
    "load_provenance",
    "load_sites",
]

"""Pictures of the basin: interactive Folium maps and the HTML files that hold them.

Examples
--------
>>> from bassin_geo.viz import make_map
>>> type(make_map("lakes", context=False, tiles=None)).__name__
'Map'
"""

from bassin_geo.viz.maps import DEFAULT_LAYERS, make_map, save_map
from bassin_geo.viz.markers import km_markers
from bassin_geo.viz.tiles import extract_mbtiles

__all__ = ["DEFAULT_LAYERS", "extract_mbtiles", "km_markers", "make_map", "save_map"]

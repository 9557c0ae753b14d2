"""Pictures of the basin: interactive Folium maps, the HTML files that hold them, stage strips.

Examples
--------
>>> from bassin_geo.viz import make_map
>>> type(make_map("lakes", context=False, tiles=None)).__name__
'Map'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bassin_geo.viz.maps import DEFAULT_LAYERS, make_map, save_map
from bassin_geo.viz.markers import km_markers
from bassin_geo.viz.tiles import extract_mbtiles

if TYPE_CHECKING:
    from bassin_geo.viz.strip import save_strip, stage_strip

__all__ = [
    "DEFAULT_LAYERS",
    "extract_mbtiles",
    "km_markers",
    "make_map",
    "save_map",
    "save_strip",
    "stage_strip",
]


def __getattr__(name: str) -> object:
    # The strip needs matplotlib: it loads when first asked for, not with the maps.
    if name in ("save_strip", "stage_strip"):
        from bassin_geo.viz import strip

        return getattr(strip, name)
    msg = f"module 'bassin_geo.viz' has no attribute {name!r}"
    raise AttributeError(msg)

"""One reader per network source: OpenStreetMap (PBF, XML), GraphML, line layers.

Each reader turns its source into a :class:`~bassin_geo.routing.network.Network` through
:func:`~bassin_geo.routing.readers.segments.network_from_segments`; the mode's
rules are applied to OpenStreetMap tags by :mod:`bassin_geo.routing.readers.tags`.
"""

from __future__ import annotations

__all__: list[str] = []

"""Routing: networks from OpenStreetMap or line layers, itineraries, tours, isochrones.

The modules, each with one job:

- :mod:`~bassin_geo.routing.network`: the :class:`Network` object (graph, weights, queries,
  cache file); :mod:`~bassin_geo.routing.query` is the engine of its queries (snap, costs,
  paths).
- :mod:`~bassin_geo.routing.readers`: one reader per source (OpenStreetMap PBF and XML,
  GraphML, line layers); :mod:`~bassin_geo.routing.simplify` merges chains of edges;
  :mod:`~bassin_geo.routing.railways` lays the old mining railways over a network.
- :mod:`~bassin_geo.routing.build`: :func:`load_network`, its options and its cache;
  :mod:`~bassin_geo.routing.fetch` downloads the basin's OpenStreetMap extract into the
  user's cache folder when no source is given.
- :mod:`~bassin_geo.routing.matrix`, :mod:`~bassin_geo.routing.reachable`,
  :mod:`~bassin_geo.routing.itinerary` (with the solvers of :mod:`~bassin_geo.routing.tsp`):
  what users ask of a network.

Examples
--------
>>> from bassin_geo.routing import itinerary
>>> itinerary(["9-9bis", "11/19"]).method
'straight'
"""

from __future__ import annotations

from bassin_geo.routing.build import load_network
from bassin_geo.routing.itinerary import Itinerary, itinerary, tour
from bassin_geo.routing.matrix import network_distance_matrix
from bassin_geo.routing.network import Network
from bassin_geo.routing.reachable import Reachable, reachable

__all__ = [
    "Itinerary",
    "Network",
    "Reachable",
    "itinerary",
    "load_network",
    "network_distance_matrix",
    "reachable",
    "tour",
]

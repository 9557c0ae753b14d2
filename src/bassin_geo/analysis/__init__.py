"""The analyses: distances and proximity, where points stand in the basin, routes and stages.

- :mod:`~bassin_geo.analysis.distances`: :func:`distance`, :func:`distance_matrix`,
  :func:`nearest`, :func:`within_distance`, on the engine of
  :mod:`~bassin_geo.analysis.geodesic`;
- :mod:`~bassin_geo.analysis.locate`: :func:`locate`;
- :mod:`~bassin_geo.analysis.routes` and :mod:`~bassin_geo.analysis.stages`: :class:`Route`,
  :func:`read_route`, :func:`load_stage`, :func:`crossings`, :func:`communes_crossed`,
  :func:`sites_along`.

Examples
--------
>>> from bassin_geo import analysis
>>> round(analysis.distance("Arenberg", "9-9bis"))
32267
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bassin_geo.analysis.distances import (
        NEAREST_COLUMNS,
        distance,
        distance_matrix,
        nearest,
        within_distance,
    )
    from bassin_geo.analysis.routes import Route, as_route, read_route
    from bassin_geo.analysis.stages import (
        Crossings,
        communes_crossed,
        crossings,
        list_stages,
        load_stage,
        sites_along,
    )

# The function, bound now: importing the submodule of the same name would otherwise set the
# package attribute ``locate`` to the module.
from bassin_geo.analysis.locate import LOCATE_COLUMNS, locate

# Loaded on first use, like the package's own names: reading a route need not load scipy.
_LAZY: dict[str, str] = {
    "NEAREST_COLUMNS": "bassin_geo.analysis.distances",
    "distance": "bassin_geo.analysis.distances",
    "distance_matrix": "bassin_geo.analysis.distances",
    "nearest": "bassin_geo.analysis.distances",
    "within_distance": "bassin_geo.analysis.distances",
    "Route": "bassin_geo.analysis.routes",
    "as_route": "bassin_geo.analysis.routes",
    "read_route": "bassin_geo.analysis.routes",
    "Crossings": "bassin_geo.analysis.stages",
    "communes_crossed": "bassin_geo.analysis.stages",
    "crossings": "bassin_geo.analysis.stages",
    "list_stages": "bassin_geo.analysis.stages",
    "load_stage": "bassin_geo.analysis.stages",
    "sites_along": "bassin_geo.analysis.stages",
}

__all__ = [
    "LOCATE_COLUMNS",
    "NEAREST_COLUMNS",
    "Crossings",
    "Route",
    "as_route",
    "communes_crossed",
    "crossings",
    "distance",
    "distance_matrix",
    "list_stages",
    "load_stage",
    "locate",
    "nearest",
    "read_route",
    "sites_along",
    "within_distance",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'bassin_geo.analysis' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""Network distance matrices between places, labelled by their site ids."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pandas as pd

from bassin_geo._compat import REMOVAL
from bassin_geo.errors import InvalidInputError
from bassin_geo.routing.network import Network
from bassin_geo.routing.options import DEFAULT_MAX_SNAP_M

__all__ = ["network_distance_matrix"]

P = ParamSpec("P")
R = TypeVar("R")


def _network_first(func: Callable[P, R]) -> Callable[P, R]:
    """Accept the 0.1 form ``f(network, origins, destinations)``, with a FutureWarning."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], Network):
            if "network" in kwargs:
                msg = f"{func.__name__}() got the network twice (first and network=)"
                raise TypeError(msg)
            if len(args) > 3:
                msg = f"{func.__name__}() takes 2 positional arguments but {len(args)} were given"
                raise TypeError(msg)
            warnings.warn(
                f"{func.__name__}(network, origins, ...) is deprecated and stops working in "
                f"bassin_geo {REMOVAL}; write {func.__name__}(origins, ..., network=network)",
                FutureWarning,
                stacklevel=2,
            )
            kwargs["network"] = args[0]
            args = args[1:]
        return func(*args, **kwargs)

    return wrapper


@_network_first
def network_distance_matrix(
    origins: Any,
    destinations: Any = None,
    *,
    network: Network,
    weight: str = "length",
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Shortest network distances (metres, or seconds with ``weight="time"``) between places.

    Each place is snapped to the nearest point of the nearest edge; one multi-source
    Dijkstra (scipy.sparse.csgraph) runs per batch of origins. The same as
    :meth:`Network.distance_matrix <bassin_geo.routing.network.Network.distance_matrix>`.

    Parameters
    ----------
    origins : site ids, names or places
        Anything :func:`bassin_geo.as_places` accepts.
    destinations : site ids, names or places, optional
        Default: the origins.
    network : Network
        The network to measure along (:func:`bassin_geo.load_network`).
    weight : {"length", "time"}
        Metres or seconds.
    max_snap_m : float or None
        A place farther than this from every edge raises :class:`NetworkError`.

    Returns
    -------
    DataFrame
        Rows labelled by the origins' ``site_id``, columns by the destinations'; ``np.inf``
        where no path exists.

    Raises
    ------
    InvalidInputError
        ``network`` is not a Network.
    NetworkError
        A place beyond ``max_snap_m``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from bassin_geo.routing import load_network
    >>> lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
    >>> m = network_distance_matrix([(3.0, 50.4), (3.01, 50.4)], network=load_network(lines))
    >>> round(float(m.loc["place:0", "place:1"]))
    711
    """
    if not isinstance(network, Network):
        msg = f"network must be a Network from load_network(...), got {type(network).__name__}"
        raise InvalidInputError(msg)
    return network.distance_matrix(origins, destinations, weight=weight, max_snap_m=max_snap_m)

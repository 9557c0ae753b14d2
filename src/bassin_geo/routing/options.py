"""Checks of the options every routing function shares: flags, weights, far stops.

One place for them, so that ``weight="lenght"`` or ``return_to_start="no"`` get the same
message from :func:`~bassin_geo.routing.itinerary.tour`, :meth:`Network.matrix
<bassin_geo.routing.network.Network.matrix>` and :func:`~bassin_geo.routing.build.load_network`.
"""

from __future__ import annotations

from typing import Any

from bassin_geo._validate import check_bool as check_flag
from bassin_geo.errors import InvalidInputError

__all__ = ["DEFAULT_MAX_SNAP_M", "WEIGHTS", "check_flag", "check_on_far", "check_weight"]

#: Stops farther than this (metres) from every edge raise (or warn, with ``on_far="warn"``).
DEFAULT_MAX_SNAP_M = 500.0
#: What a shortest path minimises: metres or seconds.
WEIGHTS = ("length", "time")


def check_weight(weight: Any) -> str:
    """Return ``weight`` if it is one of :data:`WEIGHTS`, else raise.

    Parameters
    ----------
    weight : Any
        What the caller passed.

    Returns
    -------
    str
        ``"length"`` or ``"time"``.

    Raises
    ------
    InvalidInputError
        Another value.

    Examples
    --------
    >>> check_weight("time")
    'time'
    """
    if isinstance(weight, str) and weight in WEIGHTS:
        return weight
    msg = f"weight must be one of {WEIGHTS}, got {weight!r}"
    raise InvalidInputError(msg)


def check_on_far(on_far: Any) -> str:
    """Return ``on_far`` if it is ``"raise"`` or ``"warn"``, else raise.

    Parameters
    ----------
    on_far : Any
        What to do with a stop farther than ``max_snap_m`` from the network.

    Returns
    -------
    str
        ``"raise"`` or ``"warn"``.

    Raises
    ------
    InvalidInputError
        Another value.

    Examples
    --------
    >>> check_on_far("warn")
    'warn'
    """
    if isinstance(on_far, str) and on_far in ("raise", "warn"):
        return on_far
    msg = f"on_far must be 'raise' or 'warn', got {on_far!r}"
    raise InvalidInputError(msg)

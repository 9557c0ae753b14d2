"""Checks of the options shared by the writers and the maps: flags and coordinate precision.

A flag given as text (``overwrite="no"``, ``offline="False"``) is truthy in Python and would
silently do the opposite of what was meant, so the writers accept only real booleans.

Examples
--------
>>> check_flag(True, "overwrite")
True
>>> check_precision(6)
6
"""

from __future__ import annotations

from typing import Final

import numpy as np

from bassin_geo._validate import check_bool as check_flag
from bassin_geo.errors import InvalidInputError

__all__ = ["DEFAULT_PRECISION", "check_flag", "check_precision"]

#: Decimals kept in GeoJSON and map coordinates: 6 is about 10 cm, which RFC 7946 notes
#: is enough for most uses.
DEFAULT_PRECISION: Final = 6


def check_precision(value: object, name: str = "precision") -> int:
    """Return ``value`` as a number of decimals from 0 to 15, else raise.

    Parameters
    ----------
    value : object
        The value given for the option.
    name : str, default "precision"
        The option's name, for the error message.

    Returns
    -------
    int
        The number of decimals.

    Raises
    ------
    InvalidInputError
        ``value`` is not an integer from 0 to 15 (booleans are refused too).

    Examples
    --------
    >>> check_precision(np.int64(3))
    3
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if 0 <= int(value) <= 15:
            return int(value)
    msg = f"{name} must be an integer from 0 to 15, got {value!r:.40}"
    raise InvalidInputError(msg)

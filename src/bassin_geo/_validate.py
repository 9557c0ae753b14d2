"""Generic checks of option values, shared by every layer of the package.

A flag must be a boolean and a distance a finite number of metres: Python would accept
``bool("no")`` or ``float("5000")`` silently and filter or measure the wrong way. These
checks turn such values into an :class:`~bassin_geo.errors.InvalidInputError` that names
the option.

Examples
--------
>>> check_flag(None, "unesco") is None, check_flag(True, "unesco")
(True, True)
>>> check_distance(250, "buffer_m")
250.0
"""

from __future__ import annotations

import math

import numpy as np

from bassin_geo.errors import InvalidInputError

__all__ = ["check_bool", "check_distance", "check_flag"]


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` as a bool if it is one, else raise :class:`InvalidInputError`.

    NumPy booleans are accepted; text, numbers and ``None`` are refused: ``bool("no")``
    is True, so ``overwrite="no"`` would replace a file. The writers and the routing
    take their flags through this one check (as ``check_flag`` of
    :mod:`bassin_geo.io.options` and :mod:`bassin_geo.routing.options`).

    Parameters
    ----------
    value : object
        The value given for the flag.
    name : str
        The option's name, for the error message.

    Returns
    -------
    bool
        ``value`` as a Python bool.

    Raises
    ------
    InvalidInputError
        ``value`` is not a boolean.

    Examples
    --------
    >>> check_bool(False, "offline")
    False
    >>> check_bool("False", "offline")
    Traceback (most recent call last):
    ...
    bassin_geo.errors.InvalidInputError: offline must be True or False, got 'False' (str)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    msg = f"{name} must be True or False, got {value!r:.40} ({type(value).__name__})"
    raise InvalidInputError(msg)


def check_flag(value: object, name: str) -> bool | None:
    """Return a filter flag as ``True``, ``False`` or ``None``, refusing anything else.

    Parameters
    ----------
    value : bool, numpy.bool_ or None
        The value the caller passed.
    name : str
        The option's name, for the message.

    Returns
    -------
    bool or None
        ``None`` (no filter) or the flag as a Python ``bool``.

    Raises
    ------
    InvalidInputError
        For a string, a number or anything that is not a boolean: ``"yes"`` or ``"no"``
        would otherwise both count as True.

    Examples
    --------
    >>> check_flag(False, "headframe")
    False
    >>> check_flag("yes", "headframe")
    Traceback (most recent call last):
    ...
    bassin_geo.errors.InvalidInputError: headframe must be True, False or None, got 'yes'
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    msg = f"{name} must be True, False or None, got {value!r}"
    raise InvalidInputError(msg)


def check_distance(value: object, name: str = "distance_m") -> float:
    """Return a distance in metres as a float, after checking it is finite and >= 0.

    Parameters
    ----------
    value : float or int
        The value the caller passed (NumPy numbers included).
    name : str
        The option's name, for the message.

    Returns
    -------
    float
        The distance.

    Raises
    ------
    InvalidInputError
        For text, a flag, NaN, an infinite or a negative number.

    Examples
    --------
    >>> check_distance(1000)
    1000.0
    >>> check_distance("1000")
    Traceback (most recent call last):
    ...
    bassin_geo.errors.InvalidInputError: distance_m must be a number of metres, got '1000'
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        # float("5000") and float(True) work, but a distance given as text or a flag is
        # a mistake to report, not to guess at.
        msg = f"{name} must be a number of metres, got {value!r}"
        raise InvalidInputError(msg)
    try:
        distance = float(value)  # type: ignore[arg-type]  # any number type; others refused
    except (TypeError, ValueError):
        msg = f"{name} must be a number of metres, got {value!r}"
        raise InvalidInputError(msg) from None
    if not math.isfinite(distance) or distance < 0:
        msg = f"{name} must be a finite number of metres >= 0, got {value!r}"
        raise InvalidInputError(msg)
    return distance

"""How command-line text becomes places: a site id or name, or ``"lon,lat"``."""

from __future__ import annotations

from collections.abc import Iterable

from bassin_geo._types import PlaceLike

__all__ = ["parse_place", "parse_places"]


def parse_place(text: str) -> PlaceLike:
    """One place typed on the command line.

    Parameters
    ----------
    text : str
        ``"lon,lat"`` (two numbers) or a site id or name.

    Returns
    -------
    tuple of float or str
        ``(lon, lat)`` for two numbers, otherwise the text itself, for
        :func:`bassin_geo.as_places` to resolve.

    Raises
    ------
    CoordinateError
        Two numbers that cannot be degrees (projected metres, say), in command-line words.

    Examples
    --------
    >>> parse_place("3.0,50.4"), parse_place("11/19")
    ((3.0, 50.4), '11/19')
    >>> parse_place("700000,7000000")
    Traceback (most recent call last):
    ...
    bassin_geo.errors.CoordinateError: 700000,7000000 is not longitude,latitude in degrees ...
    """
    parts = text.split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            return text  # a name with one comma: a name
        if not (abs(lon) <= 180 and abs(lat) <= 90):
            from bassin_geo.errors import CoordinateError

            msg = (
                f"{text} is not longitude,latitude in degrees (WGS84): give a place as "
                "lon,lat such as 3.0,50.4, or a site name or id"
            )
            raise CoordinateError(msg)
        return (lon, lat)
    return text


def parse_places(texts: Iterable[str]) -> list[PlaceLike]:
    """Several places typed on the command line, in order (see :func:`parse_place`).

    Parameters
    ----------
    texts : iterable of str
        The command's arguments.

    Returns
    -------
    list
        One place per argument.

    Examples
    --------
    >>> parse_places(["Arenberg", "2.8,50.4"])
    ['Arenberg', (2.8, 50.4)]
    """
    return [parse_place(text) for text in texts]

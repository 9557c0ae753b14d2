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

    Examples
    --------
    >>> parse_place("3.0,50.4"), parse_place("11/19")
    ((3.0, 50.4), '11/19')
    """
    parts = text.split(",")
    if len(parts) == 2:
        try:
            return (float(parts[0]), float(parts[1]))
        except ValueError:
            pass  # a name with one comma: a name
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

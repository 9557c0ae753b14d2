"""The exception hierarchy of bassin_geo.

Every error the library raises on purpose derives from :class:`BassinGeoError`, so a
caller can catch one class. Messages say what was wrong, where (file, layer, id) and what
to do about it.
"""

from __future__ import annotations

__all__ = [
    "BassinGeoError",
    "BassinGeoWarning",
    "DataFileError",
    "EmptyInputError",
    "ExportError",
    "CRSMismatchError",
    "CoordinateError",
    "InvalidInputError",
    "NetworkError",
    "NoRouteError",
    "OverwriteError",
    "RouteError",
    "RouteWarning",
    "UnknownLayerError",
    "UnknownSiteError",
]


class BassinGeoError(Exception):
    """Base class of every error raised by bassin_geo.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> try:
    ...     bg.load_layer("pithead")
    ... except BassinGeoError as exc:
    ...     print(type(exc).__name__)
    UnknownLayerError
    """


class InvalidInputError(BassinGeoError, ValueError):
    """An argument has a wrong type or value (negative distance, unknown mode...).

    Examples
    --------
    >>> issubclass(InvalidInputError, BassinGeoError) and issubclass(InvalidInputError, ValueError)
    True
    """


class EmptyInputError(InvalidInputError):
    """An input that must hold features or coordinates holds none.

    Examples
    --------
    >>> issubclass(EmptyInputError, InvalidInputError)
    True
    """


class CoordinateError(InvalidInputError):
    """Coordinates are not finite, cannot be degrees, or look like swapped lat/lon.

    Examples
    --------
    >>> issubclass(CoordinateError, InvalidInputError)
    True
    """


class CRSMismatchError(InvalidInputError):
    """Inputs come in different or missing coordinate reference systems.

    Examples
    --------
    >>> issubclass(CRSMismatchError, InvalidInputError)
    True
    """


class UnknownLayerError(BassinGeoError, KeyError):
    """A layer name that the package does not ship.

    Examples
    --------
    >>> issubclass(UnknownLayerError, BassinGeoError) and issubclass(UnknownLayerError, KeyError)
    True
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownSiteError(BassinGeoError, KeyError):
    """No site matches a query; ``suggestions`` holds the closest names.

    Parameters
    ----------
    message : str
        What was asked and the closest names.
    suggestions : list of str, optional
        The closest site names, best first.

    Examples
    --------
    >>> import bassin_geo as bg
    >>> try:
    ...     bg.get_site("Arenbreg")
    ... except UnknownSiteError as exc:
    ...     print(exc.suggestions[0])
    Arenberg
    """

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions or [])

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DataFileError(BassinGeoError, OSError):
    """A file is missing, empty, unreadable, truncated or lacks what its format needs.

    Examples
    --------
    >>> issubclass(DataFileError, BassinGeoError) and issubclass(DataFileError, OSError)
    True
    """


class ExportError(BassinGeoError, OSError):
    """Writing an export failed; no partial file was left behind.

    Examples
    --------
    >>> issubclass(ExportError, BassinGeoError) and issubclass(ExportError, OSError)
    True
    """


class OverwriteError(ExportError, FileExistsError):
    """The target file exists and overwriting was not asked for (pass ``overwrite=True``).

    Examples
    --------
    >>> issubclass(OverwriteError, ExportError) and issubclass(OverwriteError, FileExistsError)
    True
    """


class NetworkError(BassinGeoError):
    """A routable network could not be built or used.

    Examples
    --------
    >>> issubclass(NetworkError, BassinGeoError)
    True
    """


class NoRouteError(NetworkError):
    """Two stops are not connected in the network.

    Examples
    --------
    >>> issubclass(NoRouteError, NetworkError)
    True
    """


class RouteError(BassinGeoError):
    """A route (GPX track, line layer) is unusable: no points, one point...

    Examples
    --------
    >>> issubclass(RouteError, BassinGeoError)
    True
    """


class BassinGeoWarning(UserWarning):
    """Something was wrong with the input but could be repaired; the message says what.

    Examples
    --------
    >>> issubclass(BassinGeoWarning, UserWarning)
    True
    """


class RouteWarning(BassinGeoWarning):
    """A route is usable but suspicious (its timestamps go backwards).

    Examples
    --------
    >>> issubclass(RouteWarning, BassinGeoWarning)
    True
    """

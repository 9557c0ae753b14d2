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
    "UnknownLayerError",
    "UnknownSiteError",
]


class BassinGeoError(Exception):
    """Base class of every error raised by bassin_geo."""


class InvalidInputError(BassinGeoError, ValueError):
    """An argument has a wrong type or value (negative distance, unknown mode...)."""


class EmptyInputError(InvalidInputError):
    """An input that must hold features or coordinates holds none."""


class CoordinateError(InvalidInputError):
    """Coordinates are not finite, cannot be degrees, or look like swapped lat/lon."""


class CRSMismatchError(InvalidInputError):
    """Inputs come in different or missing coordinate reference systems."""


class UnknownLayerError(BassinGeoError, KeyError):
    """A layer name that the package does not ship."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownSiteError(BassinGeoError, KeyError):
    """No site matches a query; ``suggestions`` holds the closest names."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = list(suggestions or [])

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DataFileError(BassinGeoError, OSError):
    """A file is missing, empty, unreadable, truncated or lacks what its format needs."""


class ExportError(BassinGeoError, OSError):
    """Writing an export failed; no partial file was left behind."""


class OverwriteError(ExportError, FileExistsError):
    """The target file exists and overwriting was not asked for (pass ``overwrite=True``)."""


class NetworkError(BassinGeoError):
    """A routable network could not be built or used."""


class NoRouteError(NetworkError):
    """Two stops are not connected in the network."""


class RouteError(BassinGeoError):
    """A route (GPX track, line layer) is unusable: no points, one point..."""


class BassinGeoWarning(UserWarning):
    """Something was wrong with the input but could be repaired; the message says what."""

"""Places: the one resolver, the gazetteer and the user's own files.

:mod:`~bassin_geo.places.resolve` (:func:`as_places`) turns what users call a place into
WGS84 geometries; :mod:`~bassin_geo.places.gazetteer` (:func:`get_site`) finds a site by
id or name; :mod:`~bassin_geo.places.files` (:func:`read_layer`) reads and checks a file;
:mod:`~bassin_geo.places.checks` holds the coordinate checks they share.
"""

from bassin_geo.places.files import list_file_layers, read_layer
from bassin_geo.places.gazetteer import get_site
from bassin_geo.places.resolve import as_places

__all__ = ["as_places", "get_site", "list_file_layers", "read_layer"]

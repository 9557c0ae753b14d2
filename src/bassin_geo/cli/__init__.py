"""The ``bassin-geo`` command: parse, call the public API, print. Nothing else lives here.

One module per command group (:mod:`~bassin_geo.cli.layers`,
:mod:`~bassin_geo.cli.distances`, :mod:`~bassin_geo.cli.routing`,
:mod:`~bassin_geo.cli.stages`, :mod:`~bassin_geo.cli.export`), the printing in
:mod:`~bassin_geo.cli.output`, the group and its error handling in
:mod:`~bassin_geo.cli.main`. The commands import the library lazily, so
``bassin-geo --help`` loads neither folium nor scipy.
"""

from __future__ import annotations

from bassin_geo.cli.main import main

__all__ = ["main"]

"""Atomic writing: a finished file appears at its target, or nothing does.

The machinery lives in :mod:`bassin_geo._atomic`, below every layer, so that the network
cache (:mod:`bassin_geo.routing`) publishes its files the same way as the exporters; this
module keeps :func:`atomic_write` where the exporters and users import it from.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> with atomic_write(target) as tmp:
...     _ = tmp.write_text("hello")
>>> target.read_text()
'hello'
"""

from __future__ import annotations

from bassin_geo._atomic import atomic_folder, atomic_write, remove_stale_temps

__all__ = [
    "atomic_folder",
    "atomic_write",
    "remove_stale_temps",
]

"""Local background tiles: an MBTiles file unpacked into a folder the map page can read.

A page opened from a file cannot read an SQLite database, but it can show tiles from a
folder beside it. :func:`extract_mbtiles` writes ``{z}/{x}/{y}.png`` (or ``.jpg``,
``.webp``) files and returns the URL template to give to
:func:`~bassin_geo.make_map`'s ``tiles=``.

Examples
--------
>>> import sqlite3, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> db = sqlite3.connect(folder / "t.mbtiles")
>>> _ = db.execute("CREATE TABLE tiles (zoom_level INT, tile_column INT, tile_row INT, "
...                "tile_data BLOB)")
>>> _ = db.execute("INSERT INTO tiles VALUES (1, 0, 1, ?)", (b"\\x89PNG\\r\\n\\x1a\\n",))
>>> db.commit(); db.close()
>>> extract_mbtiles(folder / "t.mbtiles", folder / "tiles")
'tiles/{z}/{x}/{y}.png'
>>> sorted(p.relative_to(folder).as_posix() for p in (folder / "tiles").rglob("*.png"))
['tiles/1/0/0.png']
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from bassin_geo.errors import InvalidInputError, OverwriteError

__all__ = ["extract_mbtiles"]

_FORMATS = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg", b"RIFF": "webp"}


def _extension(data: bytes) -> str:
    for magic, extension in _FORMATS.items():
        if data.startswith(magic):
            return extension
    msg = "the MBTiles file holds tiles that are neither PNG, JPEG nor WebP (vector tiles?)"
    raise InvalidInputError(msg)


def extract_mbtiles(
    mbtiles: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    *,
    overwrite: bool = False,
) -> str:
    """Write the tiles of an MBTiles file into ``folder`` as ``{z}/{x}/{y}`` image files.

    Parameters
    ----------
    mbtiles : path-like
        An MBTiles file of raster tiles (PNG, JPEG or WebP).
    folder : path-like
        Where to write them; best beside the map's HTML file, so that the page finds
        them by a relative URL.
    overwrite : bool, default False
        Write into a folder that exists already.

    Returns
    -------
    str
        The URL template of the tiles, relative to ``folder``'s parent
        (``"<folder name>/{z}/{x}/{y}.png"``): give it to ``make_map(tiles=...,
        attr=...)`` and save the map in that parent folder.

    Raises
    ------
    InvalidInputError
        The file is not an MBTiles file of raster tiles, or holds no tile.
    OverwriteError
        ``folder`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> extract_mbtiles("missing.mbtiles", "tiles")
    Traceback (most recent call last):
    ...
    bassin_geo.errors.InvalidInputError: missing.mbtiles: no such MBTiles file
    """
    source, target = Path(mbtiles), Path(folder)
    if not source.is_file():
        msg = f"{source}: no such MBTiles file"
        raise InvalidInputError(msg)
    if target.exists() and not overwrite:
        msg = f"{target} already exists; pass overwrite=True to write into it"
        raise OverwriteError(msg)
    try:
        with sqlite3.connect(f"file:{source.resolve().as_posix()}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        msg = f"{source}: not an MBTiles file ({exc})"
        raise InvalidInputError(msg) from exc
    if not rows:
        msg = f"{source}: the MBTiles file holds no tile"
        raise InvalidInputError(msg)
    extension = _extension(bytes(rows[0][3]))
    for zoom, column, row, data in rows:
        # MBTiles count rows from the south (TMS); web maps from the north.
        y = (1 << int(zoom)) - 1 - int(row)
        tile = target / str(zoom) / str(column) / f"{y}.{extension}"
        tile.parent.mkdir(parents=True, exist_ok=True)
        tile.write_bytes(bytes(data))
    return f"{target.name}/{{z}}/{{x}}/{{y}}.{extension}"

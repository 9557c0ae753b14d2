"""Atomic writing: a finished file appears at its target, or nothing does."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bassin_geo._compat import keyword_only
from bassin_geo.errors import (
    BassinGeoError,
    ExportError,
    OverwriteError,
)
from bassin_geo.io.options import check_flag

__all__ = [
    "atomic_write",
]


@keyword_only(1, ("overwrite",))
@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Give a temporary path to write ``path``'s content to, then move it into place.

    The temporary file sits in a hidden folder beside the target (same file system, so
    the final rename is atomic) and keeps the target's name, so format drivers that look
    at the extension (GDAL) see the right one. If the block raises, the temporary folder
    is removed and the target is left as it was.

    Parameters
    ----------
    path : path-like
        The file to create. Missing parent folders are created.
    overwrite : bool, default False
        Replace an existing file. Without it an existing file raises
        :class:`OverwriteError` before anything is written.

    Yields
    ------
    Path
        The temporary file to write; it becomes ``path`` when the block ends.

    Raises
    ------
    OverwriteError
        The target exists and ``overwrite`` is false.
    ExportError
        Writing failed (the original error is chained); no file was left behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    target = Path(path)
    overwrite = check_flag(overwrite, "overwrite")
    _check_target(target, overwrite)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        msg = f"cannot write {target}: {exc}; choose a writable folder"
        raise ExportError(msg) from exc
    try:
        tmp = workdir / target.name
        yield tmp
        if not tmp.exists():
            msg = f"nothing was written for {target}"
            raise ExportError(msg)
        _check_target(target, overwrite)  # it may have appeared while we were writing
        # One flush of the finished file, so the rename never exposes unwritten data.
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BassinGeoError:
        raise
    except Exception as exc:
        msg = f"writing {target} failed ({type(exc).__name__}: {exc}); no file was left behind"
        raise ExportError(msg) from exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _check_target(target: Path, overwrite: bool) -> None:
    # A folder first: "pass overwrite=True" would be wrong advice, it cannot replace one.
    if target.is_dir():
        msg = f"{target} is a folder; give a file path inside it"
        raise ExportError(msg)
    if target.exists() and not overwrite:
        msg = f"{target} already exists; pass overwrite=True to replace it, or choose another path"
        raise OverwriteError(msg)

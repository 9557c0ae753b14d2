"""Publishing files and folders without a window: a finished output appears, or nothing does.

Every writer of the package goes through here, from the exporters (``bassin_geo.io``) to
the network cache (``bassin_geo.routing``), so this module sits below both layers.

- The content is written into a *work folder* beside the target, named
  ``.<target name>.bassin-geo-<pid>-<random>.part`` (same file system, so publishing is a
  rename or a link, never a copy). It holds the payload under the target's own name (GDAL
  picks its driver from the extension), SQLite's ``-journal``/``-wal`` files next to it,
  and a ``.lock`` file that the writing process holds locked until it ends.
- Without ``overwrite`` a file is published with :func:`os.link`, which fails if the target
  exists: of two processes racing for one target, exactly one wins and the other gets
  :class:`~bassin_geo.errors.OverwriteError`. With ``overwrite`` it is :func:`os.replace`.
- A folder (a Parquet dataset) is replaced by renaming the old one aside, the new one in,
  then deleting the old one; a merged folder (a field kit) publishes file by file and
  rolls every step back if one fails.
- Before writing, the work folders left beside the same target by processes that died
  (``kill -9``, a power cut) are removed: those whose ``.lock`` no process holds and
  whose process is gone, or (its pid reused by another program) untouched for a day.
- A full disk is reported as such, with the promise that nothing was written.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> with atomic_write(target) as tmp:
...     _ = tmp.write_text("hello")
>>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
('hello', ['note.txt'])
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

import numpy as np

from bassin_geo._compat import keyword_only
from bassin_geo.errors import BassinGeoError, ExportError, InvalidInputError, OverwriteError

__all__ = [
    "STALE_AFTER_S",
    "TEMP_MARK",
    "atomic_folder",
    "atomic_write",
    "is_disk_full",
    "remove_stale_temps",
]

#: The part of every work folder's name that says bassin_geo made it.
TEMP_MARK: Final = ".bassin-geo-"
#: A work folder whose owner cannot be checked (no lock support) counts as abandoned once
#: it has not changed for this long (seconds).
STALE_AFTER_S: Final = 24 * 3600.0

# The target's name is shortened in the work folder's name so that the latter stays
# under the usual 255-byte limit; the payload inside keeps the full name.
_NAME_KEPT: Final = 120
_LOCK: Final = ".lock"
_DISK_FULL_ERRNOS: Final = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_NEARLY_FULL: Final = 1 << 20  # bytes free under which a failed write is put on the disk
_DISK_FULL_TEXTS: Final = ("no space left on device", "disk is full", "disk quota exceeded")
_NO_HARD_LINKS: Final = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV, errno.ENOSYS}
)


def _check_bool(value: object, name: str) -> bool:
    # The same rule as bassin_geo._validate.check_bool, a sibling layer _atomic cannot import.
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    msg = f"{name} must be True or False, got {value!r:.40} ({type(value).__name__})"
    raise InvalidInputError(msg)


def is_disk_full(exc: BaseException) -> bool:
    """Tell whether ``exc`` (or an error it was raised from) means the disk is full.

    GDAL and SQLite report a full disk in their own exception types, so their message is
    checked as well as the ``errno`` of an :class:`OSError`.

    Parameters
    ----------
    exc : BaseException
        The error raised while writing.

    Returns
    -------
    bool
        True for ``ENOSPC``/``EDQUOT`` or a message saying so, anywhere in the chain.

    Examples
    --------
    >>> import errno
    >>> is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> is_disk_full(ValueError("bad value"))
    False
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_FULL_ERRNOS:
            return True
        if any(text in str(current).lower() for text in _DISK_FULL_TEXTS):
            return True
        current = current.__cause__ or current.__context__
    return False


def _work_prefix(target: Path) -> str:
    return f".{target.name[:_NAME_KEPT]}{TEMP_MARK}"


# part: a new output being written; old: a replaced folder moved aside; bak: the
# replaced files of a merged folder.
_WORK_NAME = re.compile(r"(?P<pid>\d+)-[0-9a-f]+\.(?P<kind>part|old|bak)")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would kill it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    except OSError:
        return True
    return True


def _hold(handle: IO[bytes]) -> bool | None:
    """Lock ``handle``'s file for this process: False if another holds it, None if unknown."""
    if sys.platform == "win32":  # pragma: no cover - no flock there; age decides
        return None
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None
    return True


def _lock_held(lock: Path) -> bool | None:
    """True if a live process holds ``lock``, False if none does, None if unknown."""
    if not lock.is_file():
        return None
    try:
        with open(lock, "rb") as handle:  # closing it releases a lock taken here
            got = _hold(handle)
    except OSError:
        return None
    return None if got is None else not got


def _last_change(folder: Path) -> float:
    times = [folder.lstat().st_mtime]
    with contextlib.suppress(OSError):
        times.extend(child.lstat().st_mtime for child in folder.iterdir())
    return max(times)


def _abandoned(work: Path, pid: int) -> bool:
    # A held lock is proof of life, whatever the pid. A free one is not proof of death:
    # the writer may be between creating its lock file and locking it.
    if _lock_held(work / _LOCK):
        return False
    if not _pid_alive(pid):
        return True
    # The pid may have been reused by another program: very old work is abandoned.
    try:
        return time.time() - _last_change(work) > STALE_AFTER_S
    except OSError:
        return False


def remove_stale_temps(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the work folders that dead writers left beside ``target``.

    Only folders named for this target by this module are looked at, and only those no
    live process holds are removed. A folder holding the previous version of a replaced
    folder (``...old``) is put back at ``target`` if the target is missing (the writer
    died between the two renames), and removed otherwise; the replaced files of a merged
    folder (``...bak``) are put back where nothing has replaced them.

    Parameters
    ----------
    target : path-like
        The file or folder about to be written.

    Returns
    -------
    list of Path
        The work folders removed or restored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> remove_stale_temps(pathlib.Path(tempfile.mkdtemp()) / "out.csv")
    []
    """
    target = Path(target)
    prefix = _work_prefix(target)
    removed: list[Path] = []
    try:
        entries = [e for e in target.parent.iterdir() if e.name.startswith(prefix)]
        if _home(target) == target:
            entries += [e for e in target.iterdir() if e.name.startswith(prefix)]
    except OSError:
        return removed
    for work in entries:
        match = _WORK_NAME.fullmatch(work.name[len(prefix) :])
        if match is None or not work.is_dir() or work.is_symlink():
            continue
        if not _abandoned(work, int(match["pid"])):
            continue
        _restore(work / target.name, target, match["kind"])
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    return removed


def _restore(saved: Path, target: Path, kind: str) -> None:
    """Put back what a dead writer had moved aside and not yet replaced."""
    with contextlib.suppress(OSError):
        if kind == "old" and saved.exists() and not os.path.lexists(target):
            os.rename(saved, target)  # died between "old aside" and "new in"
        elif kind == "bak" and saved.is_dir():
            for rel in _files_under(saved):  # died while publishing file by file
                if not os.path.lexists(target / rel):
                    (target / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(saved / rel, target / rel)


def _home(target: Path) -> Path:
    """Where the work folders of ``target`` go: beside it, on the same file system.

    A folder that is a mount point of its own (a USB stick) keeps them inside, where a
    rename can still reach it.
    """
    try:
        if target.is_dir() and target.stat().st_dev != target.parent.stat().st_dev:
            return target
    except OSError:
        pass
    return target.parent


@contextlib.contextmanager
def _work_folder(target: Path, kind: str = "part") -> Iterator[Path]:
    """A locked, uniquely named work folder beside ``target``, removed at the end."""
    name = f"{_work_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}.{kind}"
    work = _home(target) / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(target)
        work.mkdir()
        lock: IO[bytes] = open(work / _LOCK, "wb")  # noqa: SIM115 - held until the end
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise _export_error(target, exc, prepare=True) from exc
    try:
        _hold(lock)
        yield work
    finally:
        lock.close()
        shutil.rmtree(work, ignore_errors=True)


def _no_space_left(folder: Path) -> bool:
    # GDAL sometimes says only "Failed to commit transaction": the free space tells.
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


def _export_error(target: Path, exc: BaseException, *, prepare: bool = False) -> ExportError:
    if is_disk_full(exc) or _no_space_left(target.parent):
        msg = (
            f"the disk is full: {target} could not be written and nothing was written "
            "(the previous version, if any, is intact); free some space or choose another folder"
        )
        return ExportError(msg)
    if prepare:
        msg = f"cannot write {target}: {exc}; choose a writable folder"
    else:
        msg = f"writing {target} failed ({type(exc).__name__}: {exc}); no file was left behind"
    return ExportError(msg)


@contextlib.contextmanager
def _failures_as_export_error(target: Path) -> Iterator[None]:
    # One translation for the file and the folder writers: a refused overwrite and the
    # library's own errors pass as they are, unless the disk is full; anything else
    # becomes an ExportError that names the target.
    try:
        yield
    except BassinGeoError as exc:
        if isinstance(exc, OverwriteError) or not (
            is_disk_full(exc) or _no_space_left(target.parent)
        ):
            raise
        raise _export_error(target, exc) from exc
    except Exception as exc:
        raise _export_error(target, exc) from exc


def _check_target(target: Path, overwrite: bool) -> None:
    # A folder first: "pass overwrite=True" would be wrong advice, it cannot replace one.
    if target.is_dir():
        msg = f"{target} is a folder; give a file path inside it"
        raise ExportError(msg)
    if os.path.lexists(target) and not overwrite:
        raise _exists_error(target)


def _exists_error(target: Path) -> OverwriteError:
    msg = f"{target} already exists; pass overwrite=True to replace it, or choose another path"
    return OverwriteError(msg)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    # Makes the new name itself durable; not possible (nor needed) everywhere.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _publish_new(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` only if nothing has it: OverwriteError otherwise."""
    try:
        os.link(tmp, target)
    except FileExistsError as exc:
        raise _exists_error(target) from exc
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # No hard links on this file system: claim the name exclusively, then fill it.
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError as exc2:
            raise _exists_error(target) from exc2
        os.close(fd)
        os.replace(tmp, target)


@keyword_only(1, ("overwrite",))
@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Give a temporary path to write ``path``'s content to, then publish it.

    The temporary file sits in a uniquely named work folder beside the target (same file
    system, so publishing is atomic) and keeps the target's name, so format drivers that
    look at the extension (GDAL) see the right one. If the block raises, or the process
    is killed, no file appears at the target; the work folder is removed at once, or by
    the next write to the same target after a kill.

    Parameters
    ----------
    path : path-like
        The file to create. Missing parent folders are created.
    overwrite : bool, default False
        Replace an existing file. Without it an existing file raises
        :class:`OverwriteError` before anything is written, and a file that appears while
        writing (another process) raises it at the end: of two writers, one wins.

    Yields
    ------
    Path
        The temporary file to write; it becomes ``path`` when the block ends.

    Raises
    ------
    OverwriteError
        The target exists and ``overwrite`` is false.
    ExportError
        Writing failed (the original error is chained), for instance the disk is full;
        no file was left behind.

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
    overwrite = _check_bool(overwrite, "overwrite")
    _check_target(target, overwrite)
    with _work_folder(target) as work:
        tmp = work / target.name
        with _failures_as_export_error(target):
            yield tmp
            if not tmp.is_file():
                msg = f"nothing was written for {target}"
                raise ExportError(msg)
            # One flush of the finished file, so the new name never shows unwritten data.
            _fsync(tmp)
            if overwrite:
                if target.is_dir():
                    _check_target(target, overwrite)
                os.replace(tmp, target)
            else:
                _publish_new(tmp, target)
            _fsync_folder(target.parent)


def _files_under(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if not p.is_dir())


def _swap_folder(new: Path, target: Path, overwrite: bool) -> None:
    """Put the folder ``new`` at ``target``, the previous one removed only once it is in."""
    if not overwrite or not os.path.lexists(target):
        try:
            os.mkdir(target)  # the exclusive claim: of two writers, one creates it
        except FileExistsError as exc:
            if not overwrite:
                raise _exists_error(target) from exc
            _swap_folder(new, target, overwrite)  # appeared meanwhile: replace it
            return
        if sys.platform == "win32":  # pragma: no cover - rename cannot replace a folder there
            os.rmdir(target)
        try:
            os.rename(new, target)  # replaces the empty folder just claimed
        except OSError as exc:  # another writer merged files into the claimed folder
            if exc.errno in {errno.ENOTEMPTY, errno.EEXIST}:
                raise _exists_error(target) from exc
            raise
        return
    with _work_folder(target, "old") as aside:
        old = aside / target.name
        os.rename(target, old)
        try:
            os.rename(new, target)
        except BaseException:
            os.rename(old, target)
            raise


def _merge_folder(new: Path, target: Path, overwrite: bool) -> None:
    """Publish every file of ``new`` into ``target``; on any failure undo every step."""
    files = _files_under(new)
    if not overwrite:
        existing = [str(target / rel) for rel in files if os.path.lexists(target / rel)]
        if existing:
            msg = (
                f"{len(existing)} file(s) already exist in {target} (first: {existing[0]}); "
                "pass overwrite=True to replace them"
            )
            raise OverwriteError(msg)
    made: list[Path] = []
    published: list[Path] = []
    with _work_folder(target, "bak") as aside:
        moved: list[tuple[Path, Path]] = []
        try:
            for rel in files:
                dst = target / rel
                for parent in reversed(dst.parents):
                    if not parent.exists():
                        parent.mkdir()
                        made.append(parent)
                if overwrite:
                    if os.path.lexists(dst):
                        saved = aside / target.name / rel
                        saved.parent.mkdir(parents=True, exist_ok=True)
                        os.rename(dst, saved)
                        moved.append((saved, dst))
                    os.rename(new / rel, dst)
                else:
                    _publish_new(new / rel, dst)
                published.append(dst)
        except BaseException:
            for dst in reversed(published):
                with contextlib.suppress(OSError):
                    dst.unlink()
            for saved, dst in reversed(moved):
                with contextlib.suppress(OSError):
                    os.rename(saved, dst)
            for parent in reversed(made):
                with contextlib.suppress(OSError):
                    parent.rmdir()
            raise


@contextlib.contextmanager
def atomic_folder(
    path: str | os.PathLike[str], *, overwrite: bool = False, merge: bool = False
) -> Iterator[Path]:
    """Give a staging folder to fill, then publish it at ``path`` all at once.

    The staging folder sits beside ``path``. If the block raises (a failing partition, a
    full disk) nothing of it reaches ``path`` and the previous content is untouched.

    Parameters
    ----------
    path : path-like
        The folder to create or replace.
    overwrite : bool, default False
        Replace an existing folder (``merge=False``) or existing files (``merge=True``).
    merge : bool, default False
        Publish the staged files into ``path`` one by one, keeping the other files already
        there (a field kit in a user's folder); every step is undone if one fails. Without
        it the staged folder replaces ``path`` as a whole (a dataset): the old one is moved
        aside, the new one renamed in, then the old one deleted.

    Yields
    ------
    Path
        The (empty) staging folder to fill.

    Raises
    ------
    OverwriteError
        ``path`` (or, with ``merge``, one of the staged files) exists and ``overwrite`` is
        false.
    ExportError
        Writing or publishing failed (the original error is chained); ``path`` is as before.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "dataset"
    >>> with atomic_folder(out) as staging:
    ...     _ = (staging / "part.0.txt").write_text("rows")
    >>> [p.name for p in out.iterdir()]
    ['part.0.txt']
    """
    # Absolute, so that "." or ".." get a work folder beside them, not inside them.
    target = Path(os.path.abspath(path))
    overwrite = _check_bool(overwrite, "overwrite")
    merge = _check_bool(merge, "merge")
    if os.path.lexists(target) and not target.is_dir():
        msg = f"{target} is a file; give a folder path"
        raise ExportError(msg)
    if not merge and target.exists() and not overwrite:
        raise _exists_error(target)
    with _work_folder(target) as work:
        staging = work / target.name
        staging.mkdir()
        with _failures_as_export_error(target):
            yield staging
            if merge and os.path.lexists(target):
                _merge_folder(staging, target, overwrite)
            elif merge:
                try:  # a new folder: published whole, unless one appears meanwhile
                    _swap_folder(staging, target, overwrite=False)
                except OverwriteError:
                    _merge_folder(staging, target, overwrite)
            else:
                _swap_folder(staging, target, overwrite)
            _fsync_folder(target.parent)

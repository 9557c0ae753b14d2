"""Rebuild data/boundaries/ from the published source files.

Usage::

    python tools/build_boundaries.py [SOURCE_DIR] [TARGET_DIR]

SOURCE_DIR holds ``official/*.geojson`` (Mission Bassin Minier / data.gouv.fr),
``communes_59_62.geojson`` (IGN ADMIN EXPRESS) and ``tdf2025_stages.csv``; it defaults to
the ``BASSIN_GEO_SOURCES`` environment variable, else ``../shared/data`` next to the
repository. TARGET_DIR defaults to the repository's ``data/boundaries``.

Every input is checked first against ``tools/sources.toml`` (its URL, retrieval date,
licence and SHA-256): on a missing or different file the build stops, writes nothing and
exits with status 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from build_data import build_boundaries
from build_sources import SourceCheckError

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    default = os.environ.get("BASSIN_GEO_SOURCES", ROOT.parent / "shared" / "data")
    source = Path(argv[1]) if len(argv) > 1 else Path(default)
    target = Path(argv[2]) if len(argv) > 2 else ROOT / "data" / "boundaries"
    if not (source / "official").is_dir():
        print(f"error: {source} has no official/ folder of source layers", file=sys.stderr)
        return 2
    try:
        provenance = build_boundaries(source, target)
    except SourceCheckError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for layer in provenance["layers"]:
        print(f"{layer['name']:<28} {layer['features']:>6} features")
    print(f"commune disagreements listed: {len(provenance['commune_disagreements'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

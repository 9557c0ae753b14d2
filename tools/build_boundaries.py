"""Rebuild data/boundaries/ from the published source files.

Usage::

    python tools/build_boundaries.py [SOURCE_DIR] [TARGET_DIR]

SOURCE_DIR holds ``official/*.geojson`` (Mission Bassin Minier / data.gouv.fr) and
``communes_59_62.geojson`` (IGN ADMIN EXPRESS); it defaults to ``../shared/data`` next to
the repository. TARGET_DIR defaults to the repository's ``data/boundaries``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from build_data import build_boundaries

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    target = Path(argv[2]) if len(argv) > 2 else ROOT / "data" / "boundaries"
    if not (source / "official").is_dir():
        print(f"error: {source} has no official/ folder of source layers", file=sys.stderr)
        return 2
    provenance = build_boundaries(source, target)
    for layer in provenance["layers"]:
        print(f"{layer['name']:<28} {layer['features']:>6} features")
    print(f"commune disagreements listed: {len(provenance['commune_disagreements'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

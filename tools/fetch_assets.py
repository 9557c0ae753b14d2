"""Fetch the JavaScript and CSS the maps inline, from the npm registry, and check them.

The maps of bassin_geo carry their own copy of Leaflet and of the Leaflet plugins they
use (``src/bassin_geo/viz/assets/``), so that every page opens with no network. This
maintainer tool brings those copies in:

    python tools/fetch_assets.py           # download, verify, write the files and manifest
    python tools/fetch_assets.py --check   # verify the committed files against the manifest

Each package is pinned below by version and by the npm registry's own ``integrity``
(sha512 of the tarball): a tarball that does not match is refused. Only the files the
maps need are kept, with the package's licence beside them, and the tarball's ``dist/``
folder is dropped from their paths (``dist/`` is a build folder to git and to the wheel
builder, which would leave them out); ``manifest.json`` records
each package's version, tarball, integrity and licence, and the sha256 of every file
kept. ``--check`` needs no network: it is what the tests run.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "src" / "bassin_geo" / "viz" / "assets"
MANIFEST = ASSETS / "manifest.json"
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Package:
    """One npm package: its pinned version and integrity, and the files kept from it."""

    name: str
    version: str
    integrity: str
    licence: str
    files: tuple[str, ...]

    @property
    def tarball(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name}-{self.version}.tgz"


PACKAGES = (
    Package(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        "BSD-2-Clause",
        (
            "LICENSE",
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ),
    ),
    Package(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        "MIT",
        (
            "MIT-LICENCE.txt",
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ),
    ),
)


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def fetch(package: Package) -> dict[str, bytes]:
    """Download ``package``'s tarball, check its integrity, and return the kept files."""
    with urllib.request.urlopen(package.tarball, timeout=60) as response:  # noqa: S310
        tarball = response.read()
    algorithm, _, expected = package.integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if digest != expected:
        msg = f"{package.tarball}: integrity {algorithm}-{digest} is not the pinned one"
        raise SystemExit(msg)
    kept: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for path in package.files:
            member = archive.extractfile(f"package/{path}")
            if member is None:
                msg = f"{package.tarball} holds no file {path}"
                raise SystemExit(msg)
            kept[local_path(path)] = member.read()
    return kept


def local_path(path: str) -> str:
    """Where a file of the tarball is kept: its path without the leading ``dist/``."""
    return path.removeprefix("dist/")


def write() -> None:
    """Fetch every package and write its files and the manifest."""
    manifest: dict[str, object] = {}
    for package in PACKAGES:
        files = fetch(package)
        folder = ASSETS / package.name
        for path, data in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        manifest[package.name] = {
            "version": package.version,
            "tarball": package.tarball,
            "integrity": package.integrity,
            "licence": package.licence,
            "licence_file": local_path(package.files[0]),
            "files": {path: sha256(data) for path, data in files.items()},
        }
        print(f"{package.name} {package.version}: {len(files)} files")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def check() -> list[str]:
    """Return what differs between the committed files and the manifest (empty: all good)."""
    problems = []
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for package in PACKAGES:
        entry = manifest.get(package.name)
        if entry is None or entry["version"] != package.version:
            problems.append(f"{package.name}: not in the manifest at {package.version}")
            continue
        if entry["integrity"] != package.integrity:
            problems.append(f"{package.name}: the manifest records another tarball")
        for path, digest in entry["files"].items():
            target = ASSETS / package.name / path
            if not target.is_file():
                problems.append(f"{package.name}/{path}: missing")
            elif sha256(target.read_bytes()) != digest:
                problems.append(f"{package.name}/{path}: sha256 differs from the manifest")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Run the tool; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, fetch nothing")
    args = parser.parse_args(argv)
    if not args.check:
        write()
    problems = check()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

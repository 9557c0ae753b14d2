"""The shipped data is what the build script makes from the sources."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from build_data import build_boundaries

import bassin_geo as bg

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not (SOURCES / "official").is_dir(), reason="source files not beside the repo")
def test_rebuild_matches_shipped_layers(tmp_path):
    provenance = build_boundaries(SOURCES, tmp_path)
    assert provenance["commune_disagreements"] == bg.load_provenance()["commune_disagreements"]
    for name in bg.list_layers()["name"]:
        rebuilt = gpd.read_file(tmp_path / "bassin_minier.gpkg", layer=name)
        shipped = gpd.read_file(bg.data_dir() / "bassin_minier.gpkg", layer=name)
        assert list(rebuilt.columns) == list(shipped.columns), name
        assert rebuilt["site_id"].tolist() == shipped["site_id"].tolist(), name
        assert rebuilt.geometry.geom_equals_exact(shipped.geometry, 1e-9).all(), name


def test_embedded_data_reads_with_fiona_too():
    path = bg.data_dir() / "bassin_minier.gpkg"
    for name in ("pitheads", "property", "railways"):
        a = gpd.read_file(path, layer=name, engine="fiona")
        b = gpd.read_file(path, layer=name, engine="pyogrio")
        assert a["site_id"].tolist() == b["site_id"].tolist()
        assert a.geometry.geom_equals_exact(b.geometry, 0).all()

"""GeoPackages as QGIS 3.22 opens them: checked by Debian's ogrinfo (GDAL 3.6) and sqlite3.

QGIS 3.22 (Debian 12) reads GeoPackages through GDAL 3.6, whose ``ogrinfo`` reports on
stderr what QGIS logs: a GeoPackage version it only partly supports, a timestamp that is
not in the standard's form. The venv's own GDAL may be newer and silent about both, so
these tests run the system's ``ogrinfo`` and skip without it. The file's tables are read
with Python's sqlite3, not with the writer's GDAL. PyQGIS runs where ``qgis`` imports.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import InvalidInputError
from bassin_geo.io import to_geopackage
from bassin_geo.styles import STYLES

ALL = list(bg.list_layers()["name"])
needs_ogrinfo = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo missing")


def _ogrinfo(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ogrinfo", "-ro", *args, str(path)], capture_output=True, text=True, check=True
    )


def _rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def basin(tmp_path_factory):
    return to_geopackage(ALL, tmp_path_factory.mktemp("gpkg") / "bassin.gpkg")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    stage = bg.load_stage(2025, 1)
    layers = {
        "étape 1": stage,
        "passages": bg.crossings(stage, "perimeter"),
        "itinéraire": bg.itinerary(["9-9bis", "11/19", "Arenberg"]),
        "mes cités": bg.load_layer("mining_estates").head(20),
    }
    return to_geopackage(layers, tmp_path_factory.mktemp("gpkg") / "results.gpkg")


@needs_ogrinfo
@pytest.mark.parametrize("which", ["basin", "results"])
def test_gdal_3_6_opens_every_layer_without_a_warning(request, which):
    path = request.getfixturevalue(which)
    summary = _ogrinfo(path, "-al", "-so")
    assert summary.stderr == ""
    # Reading every feature too: the timestamps of layer_styles are checked on read.
    full = _ogrinfo(path, "-al", "-q")
    assert full.stderr == ""
    listed = re.findall(r"^\d+: (.+?) \(", _ogrinfo(path).stdout, re.M)
    assert "layer_styles" in listed


def test_geopackage_version_and_timestamps_follow_the_standard(basin):
    (application_id,) = _rows(basin, "PRAGMA application_id")[0]
    (user_version,) = _rows(basin, "PRAGMA user_version")[0]
    assert application_id == 0x47504B47  # "GPKG"
    assert user_version in (10200, 10300)  # what GDAL 3.6 fully supports
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    for (value,) in _rows(basin, "SELECT update_time FROM layer_styles"):
        assert stamp.fullmatch(value), value
    for (value,) in _rows(basin, "SELECT last_change FROM gpkg_contents"):
        assert stamp.fullmatch(value), value


def test_layers_are_listed_points_lines_polygons(basin):
    order = [r[0] for r in _rows(basin, "SELECT table_name FROM gpkg_contents ORDER BY rowid")]
    types = dict(_rows(basin, "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
    family = {"POINT": 0, "MULTIPOINT": 0, "LINESTRING": 1, "MULTILINESTRING": 1}
    ranks = [family.get(types[t], 2) for t in order if t in types]
    assert ranks == sorted(ranks)
    assert order[-1] == "layer_styles"


def test_extents_are_the_data_own(basin):
    rows = _rows(basin, "SELECT table_name, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents")
    for table, *box, srs in rows:
        if table == "layer_styles":
            continue
        assert srs == 2154
        expected = bg.load_layer(table).to_crs(2154).total_bounds
        assert box == pytest.approx(list(expected), abs=0.01), table


def test_titles_and_descriptions_in_french_by_default(basin, tmp_path):
    titles = dict(_rows(basin, "SELECT table_name, identifier FROM gpkg_contents"))
    assert titles["slag_heaps"] == "Terrils"
    assert titles["shafts"] == "Puits de mine"
    assert titles["mining_estates"] == "Cités minières"
    descriptions = dict(_rows(basin, "SELECT table_name, description FROM gpkg_contents"))
    assert "Licence Ouverte" in descriptions["pitheads"]
    english = to_geopackage(["slag_heaps"], tmp_path / "en.gpkg", lang="en")
    assert (
        dict(_rows(english, "SELECT table_name, identifier FROM gpkg_contents"))["slag_heaps"]
        == "Slag heaps"
    )
    (doc,) = _rows(english, "SELECT styleQML FROM layer_styles")[0]
    assert 'label="Slag heaps (listed)"' in doc
    (doc,) = _rows(basin, "SELECT styleQML FROM layer_styles WHERE f_table_name='slag_heaps'")[0]
    assert 'label="Terrils (bien inscrit)"' in doc
    with pytest.raises(InvalidInputError, match="lang"):
        to_geopackage(["lakes"], tmp_path / "de.gpkg", lang="de")


def test_metadata_records_name_sources_and_licence(basin):
    rows = _rows(
        basin,
        "SELECT r.table_name, m.metadata FROM gpkg_metadata m "
        "JOIN gpkg_metadata_reference r ON r.md_file_id = m.id",
    )
    records = dict(rows)
    assert set(ALL) <= set(records)
    for table in ALL:
        root = ET.fromstring(records[table])
        items = {i.get("key"): i.text for i in root.iter("MDI")}
        assert items["LICENCE"].startswith("Licence Ouverte"), table
        assert items["SOURCES"], table
    (whole,) = _rows(
        basin,
        "SELECT m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r "
        "ON r.md_file_id = m.id WHERE r.reference_scope = 'geopackage'",
    )[0]
    items = {i.get("key"): i.text for i in ET.fromstring(whole).iter("MDI")}
    assert items["CREATOR"] == "bassin_geo" and "IGN" in items["CREDITS"]
    extensions = {r[0] for r in _rows(basin, "SELECT extension_name FROM gpkg_extensions")}
    assert "gpkg_metadata" in extensions


def test_a_users_subset_gets_the_style_of_its_layer(results):
    styles = dict(_rows(results, "SELECT f_table_name, styleQML FROM layer_styles"))
    fill = STYLES["mining_estates"].fill_color.lstrip("#")
    rgb = ",".join(str(int(fill[i : i + 2], 16)) for i in (0, 2, 4))
    root = ET.fromstring(styles["mes cités"].split("\n", 1)[1])
    colors = [o.get("value") for o in root.iter("Option") if o.get("name") == "color"]
    assert colors and colors[0].startswith(rgb + ",")
    titles = dict(_rows(results, "SELECT table_name, description FROM gpkg_contents"))
    assert "Cités minières" in titles["mes cités"]
    # The stage keeps the route styles: start, finish, waypoints by kind.
    assert 'label="Départ"' in styles["étape 1"]


def test_a_subset_without_the_category_column_gets_a_plain_style(tmp_path):
    pits = bg.load_pitheads()[["site_id", "name", "kind", "geometry"]].head(5)
    out = to_geopackage({"quelques fosses": pits}, tmp_path / "p.gpkg")
    (doc,) = _rows(out, "SELECT styleQML FROM layer_styles")[0]
    assert 'type="singleSymbol"' in doc and '"headframe"' not in doc


def test_a_frame_of_the_users_own_is_written_and_titled_by_its_name(tmp_path):
    mine = gpd.GeoDataFrame({"nom": ["chez moi"]}, geometry=[shapely.Point(3.0, 50.4)], crs=4326)
    out = to_geopackage({"Mes lieux": mine}, tmp_path / "m.gpkg")
    assert _rows(
        out, "SELECT identifier, description FROM gpkg_contents WHERE table_name='Mes lieux'"
    ) == [("Mes lieux", "")]


def test_pyqgis_opens_each_layer_with_its_default_style(basin):
    qgis_core = pytest.importorskip("qgis.core")
    app = qgis_core.QgsApplication([], False)
    app.initQgis()
    try:
        for table in ALL:
            layer = qgis_core.QgsVectorLayer(f"{basin}|layername={table}", table, "ogr")
            assert layer.isValid(), table
            message, loaded = layer.loadDefaultStyle()
            assert loaded, (table, message)
    finally:
        app.exitQgis()

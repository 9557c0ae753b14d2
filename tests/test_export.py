"""Exports read back by GDAL (pyogrio), checked against RFC 7946 and against the sources."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import (
    CoordinateError,
    EmptyInputError,
    ExportError,
    InvalidInputError,
    OverwriteError,
)
from bassin_geo.io import to_csv, to_geojson, to_geopackage, to_gpx
from bassin_geo.kit import export_all
from bassin_geo.styles import STYLES

ALL = list(bg.list_layers()["name"])
TOL = 1e-7  # degrees
# GeoJSON keeps 6 decimals by default: each coordinate moves by 5e-7 degrees at most.
TOL_6 = 1e-6


# ---------------------------------------------------------------------------- helpers
def _signed_area(ring: list) -> float:
    """Shoelace area of a ring: > 0 when counter-clockwise (lon/lat axes)."""
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def _polygons(geometry: dict) -> list:
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _positions(coords) -> np.ndarray:
    flat = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            flat.append(c[:2])
        else:
            for part in c:
                walk(part)

    walk(coords)
    return np.asarray(flat, dtype=float)


def _cleaned(value):
    """Independent NaN -> None for nested lists/dicts, as JSON has no NaN."""
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _same_geometries(a, b, tol=TOL) -> bool:
    a = np.asarray(a)
    b = np.asarray(b)
    both_missing = shapely.is_missing(a) & shapely.is_missing(b)
    ok = np.zeros(len(a), dtype=bool)
    present = ~shapely.is_missing(a) & ~shapely.is_missing(b)
    ok[present] = shapely.hausdorff_distance(a[present], b[present]) <= tol
    return bool((ok | both_missing).all())


# ---------------------------------------------------------------------------- GeoJSON
@pytest.fixture(scope="module")
def geojson_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("geojson")
    for name in ALL:
        to_geojson(bg.load_layer(name), out / f"{name}.geojson")
    return out


@pytest.mark.parametrize("name", ALL)
def test_geojson_is_rfc7946(geojson_dir, name):
    doc = json.loads((geojson_dir / f"{name}.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    assert len(doc["features"]) == len(bg.load_layer(name))
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        if feature["geometry"] is None:
            continue
        xy = _positions(feature["geometry"]["coordinates"])
        # Longitude first, and in the basin's part of the world: lon 1.5..4.5, lat 49.5..51.5.
        assert ((xy[:, 0] > 1.5) & (xy[:, 0] < 4.5)).all()
        assert ((xy[:, 1] > 49.5) & (xy[:, 1] < 51.5)).all()
        # Six decimals at most (the default precision).
        assert np.abs(xy * 1e6 - np.round(xy * 1e6)).max() < 1e-3
        for polygon in _polygons(feature["geometry"]):
            assert _signed_area(polygon[0]) > 0, "exterior ring must be counter-clockwise"
            for hole in polygon[1:]:
                assert _signed_area(hole) < 0, "holes must be clockwise"


@pytest.mark.parametrize("name", ALL)
def test_geojson_read_back_by_gdal(geojson_dir, name):
    source = bg.load_layer(name)
    back = pyogrio.read_dataframe(geojson_dir / f"{name}.geojson")
    assert len(back) == len(source)
    assert back.crs.to_epsg() == 4326
    assert _same_geometries(back.geometry.values, source.geometry.values, tol=TOL_6)
    for column in source.columns:
        if column == "geometry" or source[column].dtype == object:
            continue
        expected = source[column]
        got = back[column]
        if pd.api.types.is_float_dtype(expected):
            np.testing.assert_allclose(got.astype(float), expected.astype(float), rtol=1e-12)
        else:
            assert [None if pd.isna(v) else v for v in got] == [
                None if pd.isna(v) else v for v in expected
            ], column


def test_geojson_nested_lists_nan_and_dates(tmp_path):
    pits = bg.load_pitheads()
    out = to_geojson(pits, tmp_path / "pits.geojson")
    doc = json.loads(out.read_text(encoding="utf-8"))
    by_id = {f["properties"]["site_id"]: f["properties"] for f in doc["features"]}
    for _, row in pits.iterrows():
        props = by_id[row["site_id"]]
        assert props["shafts"] == _cleaned(row["shafts"])
        if pd.isna(row["pit_name"]):
            assert props["pit_name"] is None
    frame = gpd.GeoDataFrame(
        {
            "day": [dt.date(2012, 6, 30), None],
            "when": pd.to_datetime(["2012-06-30 14:05:00", None]),
            "value": [float("nan"), 2.5],
            "inf": [float("inf"), 1.0],
        },
        geometry=[shapely.Point(3.0, 50.4), shapely.Point(3.1, 50.5)],
        crs=4326,
    )
    props = [
        f["properties"]
        for f in json.loads(to_geojson(frame, tmp_path / "d.geojson").read_text())["features"]
    ]
    assert props[0] == {
        "day": "2012-06-30",
        "when": "2012-06-30T14:05:00",
        "value": None,
        "inf": None,
    }
    assert props[1] == {"day": None, "when": None, "value": 2.5, "inf": 1.0}


def test_geojson_reprojects_rounds_and_rewinds(tmp_path):
    lakes = bg.load_layer("lakes")
    out = to_geojson(lakes.to_crs(2154), tmp_path / "lakes.geojson", precision=7)
    back = pyogrio.read_dataframe(out)
    assert _same_geometries(back.geometry.values, lakes.geometry.values)
    # A clockwise square comes out counter-clockwise, with 3 decimals.
    square = shapely.Polygon(
        [(3.0, 50.0), (3.0, 50.0012345), (3.0012345, 50.0012345), (3.0012345, 50.0)]
    )
    assert _signed_area(list(square.exterior.coords)) < 0
    doc = json.loads(
        to_geojson(
            gpd.GeoDataFrame(geometry=[square], crs=4326), tmp_path / "sq.geojson", precision=3
        ).read_text()
    )
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    assert _signed_area(ring) > 0
    assert {round(x, 3) for x, _ in ring} == {x for x, _ in ring} == {3.0, 3.001}


def test_geojson_without_crs_must_be_degrees(tmp_path):
    metres = gpd.GeoDataFrame(geometry=[shapely.Point(700000, 7000000)])
    with pytest.raises(CoordinateError, match="projected"):
        to_geojson(metres, tmp_path / "m.geojson")
    assert not (tmp_path / "m.geojson").exists()
    with pytest.raises(InvalidInputError, match="precision"):
        to_geojson(bg.load_layer("lakes"), tmp_path / "p.geojson", precision=20)
    with pytest.raises(InvalidInputError, match="to_gdf"):
        to_geojson([1, 2], tmp_path / "x.geojson")


# ---------------------------------------------------------------------------- atomic writes
def test_refuses_to_overwrite_then_replaces(tmp_path):
    target = tmp_path / "lakes.geojson"
    target.write_text("keep me")
    with pytest.raises(OverwriteError, match="overwrite=True"):
        to_geojson(bg.load_layer("lakes"), target)
    assert target.read_text() == "keep me"
    to_geojson(bg.load_layer("lakes"), target, overwrite=True)
    assert len(json.loads(target.read_text())["features"]) == 12


def test_failure_leaves_no_file(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = pyogrio.write_dataframe

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the first layer is on disk, the second fails
            raise RuntimeError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    target = tmp_path / "b.gpkg"
    with pytest.raises(ExportError, match="no file was left behind"):
        to_geopackage(["lakes", "perimeter"], target)
    assert calls["n"] == 2
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file


def test_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "b.gpkg"
    target.write_bytes(b"old")

    def failing(*args, **kwargs):
        raise RuntimeError("simulated")

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    with pytest.raises(ExportError):
        to_geopackage(["lakes"], target, overwrite=True)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["b.gpkg"]


# ---------------------------------------------------------------------------- GeoPackage
@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    return to_geopackage(ALL, tmp_path_factory.mktemp("gpkg") / "bassin.gpkg")


def test_geopackage_holds_every_layer_in_lambert93(gpkg):
    layers = dict(pyogrio.list_layers(gpkg))
    assert set(layers) == set(ALL) | {"layer_styles"}
    for name in ALL:
        source = bg.load_layer(name)
        back = pyogrio.read_dataframe(gpkg, layer=name)
        assert len(back) == len(source), name
        assert back.crs.to_epsg() == 2154, name
        back_wgs84 = back.to_crs(4326)
        assert _same_geometries(back_wgs84.geometry.values, source.geometry.values), name
        for column in source.columns:
            if column == "geometry":
                continue
            if column == "shafts":
                assert [json.loads(v) for v in back[column]] == [
                    _cleaned(v) for v in source[column]
                ]
                continue
            if pd.api.types.is_float_dtype(source[column]):
                np.testing.assert_allclose(back[column], source[column], rtol=1e-12)
            else:
                assert [None if pd.isna(v) else v for v in back[column]] == [
                    None if pd.isna(v) else v for v in source[column]
                ], (name, column)


def test_geopackage_styles_in_layer_styles(gpkg):
    with sqlite3.connect(gpkg) as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleName, styleQML, useAsDefault "
            "FROM layer_styles"
        ).fetchall()
        geometry_columns = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
        registered = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
    assert "layer_styles" in registered
    assert sorted(r[0] for r in rows) == sorted(ALL)
    for table, geometry_column, style_name, doc, default in rows:
        assert default == 1
        assert geometry_column == geometry_columns[table]
        assert style_name == table
        root = ET.fromstring(doc.split("\n", 1)[1])
        assert root.tag == "qgis"
        assert root.find("renderer-v2") is not None
    docs = {r[0]: r[3] for r in rows}
    heaps = ET.fromstring(docs["slag_heaps"].split("\n", 1)[1])
    filters = [r.get("filter") for r in heaps.iter("rule")]
    assert filters == ['"listed"', 'NOT "listed"', "ELSE"]
    # The fill colour of listed heaps is the one drawn on the map.
    color = STYLES["slag_heaps"].categories[True].fill_color.lstrip("#")
    rgb = ",".join(str(int(color[i : i + 2], 16)) for i in (0, 2, 4))
    fills = [o.get("value") for o in heaps.iter("Option") if o.get("name") == "color"]
    assert fills[0].startswith(rgb + ",")


def test_geopackage_of_frames_and_options(tmp_path):
    lakes = bg.load_layer("lakes")
    out = to_geopackage({"my lakes": lakes}, tmp_path / "a.gpkg", crs=None, styles=False)
    assert list(pyogrio.list_layers(out)[:, 0]) == ["my lakes"]
    assert pyogrio.read_dataframe(out).crs.to_epsg() == 4326
    single = to_geopackage(lakes, tmp_path / "lakes_only.gpkg")
    assert "lakes_only" in set(pyogrio.list_layers(single)[:, 0])
    with pytest.raises(InvalidInputError, match="reserved"):
        to_geopackage({"layer_styles": lakes}, tmp_path / "b.gpkg")
    with pytest.raises(EmptyInputError):
        to_geopackage({}, tmp_path / "c.gpkg")
    with pytest.raises(bg.UnknownLayerError):
        to_geopackage(["lake"], tmp_path / "d.gpkg")


# ---------------------------------------------------------------------------- GPX
class _Route:
    """Stands for a route, itinerary or stage: anything with to_gdf()."""

    def __init__(self, gdf):
        self._gdf = gdf

    def to_gdf(self):
        return self._gdf


def test_gpx_read_back_by_gdal(tmp_path):
    line = shapely.LineString([(2.8, 50.43), (2.95, 50.40), (3.08, 50.37), (3.43, 50.35)])
    multi = shapely.MultiLineString([[(3.0, 50.5), (3.1, 50.5)], [(3.2, 50.5), (3.3, 50.51)]])
    gdf = gpd.GeoDataFrame(
        {
            "kind": ["route", "leg", "start", "stop"],
            "name": ["Stage 4", "Leg 2", "Loos-en-Gohelle", "Lewarde"],
            "km": [None, None, 0.0, 40.2],
        },
        geometry=[line, multi, shapely.Point(2.8, 50.43), shapely.Point(3.17, 50.33)],
        crs=4326,
    )
    out = to_gpx(_Route(gdf), tmp_path / "stage.gpx", name="Stage 4")
    tracks = pyogrio.read_dataframe(out, layer="tracks")
    assert list(tracks["name"]) == ["Stage 4", "Leg 2"]
    assert _same_geometries(tracks.geometry.values, [shapely.MultiLineString([line]), multi])
    waypoints = pyogrio.read_dataframe(out, layer="waypoints")
    assert list(waypoints["name"]) == ["Loos-en-Gohelle", "Lewarde"]
    assert list(waypoints["desc"]) == ["départ, km 0,0", "arrêt, km 40,2"]
    english = to_gpx(_Route(gdf), tmp_path / "stage_en.gpx", name="Stage 4", lang="en")
    waypoints = pyogrio.read_dataframe(english, layer="waypoints")
    assert list(waypoints["desc"]) == ["start, km 0.0", "stop, km 40.2"]
    assert _same_geometries(waypoints.geometry.values, gdf.geometry.values[2:])
    points = pyogrio.read_dataframe(out, layer="track_points")
    assert len(points) == len(line.coords) + sum(len(p.coords) for p in multi.geoms)


def test_gpx_refuses_polygons_and_empty(tmp_path):
    with pytest.raises(InvalidInputError, match="polygons"):
        to_gpx(bg.load_layer("lakes"), tmp_path / "l.gpx")
    with pytest.raises(EmptyInputError):
        to_gpx(gpd.GeoDataFrame(geometry=[], crs=4326), tmp_path / "e.gpx")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- CSV
def test_csv_tables_and_points(tmp_path):
    table = pd.DataFrame(
        {
            "from": ["Arenberg", "Lewarde"],
            "to": ["Lewarde", "Oignies"],
            "distance_m": [27_123.456, float("nan")],
            "when": [dt.date(2026, 7, 7), None],
            "crossed": [["Douai", "Lewarde"], []],
        }
    )
    back = pd.read_csv(to_csv(table, tmp_path / "d.csv"), keep_default_na=False)
    assert list(back["distance_m"].astype(str)) == ["27123.456", ""]
    assert list(back["when"]) == ["2026-07-07", ""]
    assert [json.loads(v) for v in back["crossed"]] == [["Douai", "Lewarde"], []]
    heaps = bg.load_sites(kind="slag_heap").to_crs(2154)
    back = pd.read_csv(to_csv(heaps, tmp_path / "h.csv"))
    expected = heaps.to_crs(4326)
    np.testing.assert_allclose(back["lon"], expected.geometry.x, atol=TOL)
    np.testing.assert_allclose(back["lat"], expected.geometry.y, atol=TOL)
    lakes = bg.load_layer("lakes")
    back = pd.read_csv(to_csv(lakes, tmp_path / "l.csv"))
    assert _same_geometries(shapely.from_wkt(back["wkt"].to_numpy()), lakes.geometry.values)


# ---------------------------------------------------------------------------- export_all
@pytest.mark.slow
def test_export_all(tmp_path):
    out = tmp_path / "out"
    written = export_all(out, progress=False)
    for name in ALL:
        assert len(pyogrio.read_dataframe(out / "geojson" / f"{name}.geojson")) == len(
            bg.load_layer(name)
        )
    assert set(pyogrio.list_layers(out / "bassin_minier.gpkg")[:, 0]) == set(ALL) | {"layer_styles"}
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "<script src=" not in page and 'rel="stylesheet"' not in page
    assert written["map"] == out / "map.html"
    with pytest.raises(OverwriteError, match="already exist"):
        export_all(out, progress=False)
    export_all(out, overwrite=True, progress=False)


def test_gpx_of_an_approximate_stage_says_so(tmp_path):
    import xml.etree.ElementTree as ET

    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    out = bg.to_gpx(bg.load_stage(2025, 1), tmp_path / "stage1.gpx", lang="en")
    track = ET.parse(out).getroot().find("g:trk", ns)
    assert "approximate: approximation" in track.find("g:desc", ns).text
    out = bg.to_gpx(bg.load_stage(2025, 1), tmp_path / "stage1_fr.gpx")
    track = ET.parse(out).getroot().find("g:trk", ns)
    assert "tracé approximatif : approximation" in track.find("g:desc", ns).text


def test_geojson_refuses_another_format_name(tmp_path):
    with pytest.raises(bg.ExportError, match="to_geopackage"):
        bg.to_geojson(bg.load_layer("lakes"), tmp_path / "lakes.gpkg")
    assert not (tmp_path / "lakes.gpkg").exists()


# ---------------------------------------------------------------------------- result objects
@pytest.fixture(scope="module")
def results():
    stage = bg.load_stage(2025, 1)
    return {
        "route": stage,
        "crossings": bg.crossings(stage, "perimeter"),
        "itinerary": bg.itinerary(["9-9bis", "11/19", "Arenberg"]),  # straight, no network
    }


def test_every_writer_takes_route_crossings_and_itinerary(tmp_path, results):
    for name, result in results.items():
        expected = result.to_gdf()
        doc = json.loads(to_geojson(result, tmp_path / f"{name}.geojson").read_text())
        assert len(doc["features"]) == len(expected)
        back = pd.read_csv(to_csv(result, tmp_path / f"{name}.csv"))
        assert len(back) == len(expected)
        gpx = ET.parse(to_gpx(result, tmp_path / f"{name}.gpx")).getroot()
        ns = {"g": "http://www.topografix.com/GPX/1/1"}
        assert gpx.findall("g:trk", ns) or gpx.findall("g:wpt", ns)
    out = to_geopackage(results, tmp_path / "results.gpkg")
    assert set(pyogrio.list_layers(out)[:, 0]) == set(results) | {"layer_styles"}
    single = to_geopackage(results["itinerary"], tmp_path / "it.gpkg")
    assert len(pyogrio.read_dataframe(single, layer="it")) == 2


# ---------------------------------------------------------------------------- precision
def test_precision_defaults_to_six_decimals(tmp_path):
    point = gpd.GeoDataFrame(geometry=[shapely.Point(3.123456789, 50.987654321)], crs=4326)
    doc = json.loads(bg.feature_collection(point))
    assert doc["features"][0]["geometry"]["coordinates"] == [3.123457, 50.987654]
    written = json.loads(to_geojson(point, tmp_path / "p.geojson").read_text())
    assert written == doc
    for bad in (True, 6.0, -1, "6"):
        with pytest.raises(InvalidInputError, match="precision"):
            bg.feature_collection(point, precision=bad)


# ---------------------------------------------------------------------------- shims
def _point():
    return gpd.GeoDataFrame(
        {"name": ["p"]}, geometry=[shapely.Point(3.123456789, 50.98765)], crs=4326
    )


def test_feature_collection_positional_precision_warns():
    with pytest.warns(FutureWarning, match="precision=3"):
        old = bg.feature_collection(_point(), 3)
    assert old == bg.feature_collection(_point(), precision=3)


def test_to_geojson_positional_options_warn(tmp_path):
    with pytest.warns(FutureWarning, match="precision"):
        old = to_geojson(_point(), tmp_path / "old.geojson", 7, False)
    new = to_geojson(_point(), tmp_path / "new.geojson", precision=7, overwrite=False)
    assert old.read_text() == new.read_text()


def test_to_geopackage_positional_options_warn(tmp_path):
    with pytest.warns(FutureWarning, match="crs=None"):
        old = to_geopackage({"p": _point()}, tmp_path / "old.gpkg", None, False)
    new = to_geopackage({"p": _point()}, tmp_path / "new.gpkg", crs=None, styles=False)
    assert list(pyogrio.list_layers(old)[:, 0]) == list(pyogrio.list_layers(new)[:, 0]) == ["p"]
    assert pyogrio.read_dataframe(old).geom_equals(pyogrio.read_dataframe(new)).all()


def test_to_gpx_positional_name_warns(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the same <time> in both files
    with pytest.warns(FutureWarning, match="name='Walk'"):
        old = to_gpx(_point(), tmp_path / "old.gpx", "Walk")
    new = to_gpx(_point(), tmp_path / "new.gpx", name="Walk")
    assert old.read_bytes() == new.read_bytes()


def test_to_csv_positional_overwrite_warns(tmp_path):
    to_csv(pd.DataFrame({"a": [0]}), tmp_path / "old.csv")
    with pytest.warns(FutureWarning, match="overwrite=True"):
        old = to_csv(pd.DataFrame({"a": [1]}), tmp_path / "old.csv", True)
    new = to_csv(pd.DataFrame({"a": [1]}), tmp_path / "new.csv", overwrite=True)
    assert old.read_text() == new.read_text() == "a\n1\n"


def test_export_all_positional_options_warn(tmp_path):
    # A file already there: both forms refuse before writing anything, the old one warns.
    (tmp_path / "map.html").write_text("mine")
    with pytest.warns(FutureWarning, match="overwrite=False"):
        with pytest.raises(OverwriteError, match="already exist") as old:
            export_all(tmp_path, False, False)
    with pytest.raises(OverwriteError, match="already exist") as new:
        export_all(tmp_path, overwrite=False, progress=False)
    assert str(old.value) == str(new.value)
    assert (tmp_path / "map.html").read_text() == "mine"


def test_as_frame_positional_where_warns():
    from bassin_geo.io import as_frame

    with pytest.warns(FutureWarning, match="where='pits'"):
        with pytest.raises(InvalidInputError, match="^pits:"):
            as_frame([1], "pits")


# ---------------------------------------------------------------------------- flags
@pytest.mark.parametrize(
    "call",
    [
        lambda p: to_geojson(_point(), p / "x.geojson", overwrite="no"),
        lambda p: to_geopackage({"p": _point()}, p / "x.gpkg", overwrite=0),
        lambda p: to_geopackage({"p": _point()}, p / "x.gpkg", styles="yes"),
        lambda p: to_gpx(_point(), p / "x.gpx", overwrite="False"),
        lambda p: to_csv(_point(), p / "x.csv", overwrite=None),
        lambda p: export_all(p, overwrite="no", progress=False),
        lambda p: export_all(p, progress="no"),
    ],
)
def test_flags_must_be_real_bools(tmp_path, call):
    with pytest.raises(InvalidInputError, match="must be True or False"):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_check_flag_takes_numpy_bools():
    from bassin_geo.io import check_flag

    assert check_flag(np.bool_(True), "overwrite") is True
    with pytest.raises(InvalidInputError, match="overwrite must be True or False"):
        check_flag("no", "overwrite")

"""read_layer: one test per failure a user meets, and both GDAL engines."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import pytest
import shapely
from shapely import Point, Polygon

import bassin_geo as bg
from bassin_geo.places.files import read_layer

PITS = [(3.4251, 50.3847), (3.1853, 50.3467), (2.7938, 50.4578)]


def _points(coords, crs="EPSG:4326"):
    return gpd.GeoDataFrame(
        {"n": range(len(coords))}, geometry=[Point(xy) for xy in coords], crs=crs
    )


@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
@pytest.mark.parametrize(
    "ext,driver",
    [
        (".geojson", "GeoJSON"),
        (".gpkg", "GPKG"),
        (".shp", "ESRI Shapefile"),
        (".fgb", "FlatGeobuf"),
    ],
)
def test_reads_formats_with_both_engines(tmp_path, engine, ext, driver):
    path = tmp_path / f"pits{ext}"
    _points(PITS).to_crs(2154).to_file(path, driver=driver)
    gdf = read_layer(path, engine=engine).sort_values("n")  # FlatGeobuf reorders by its index
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == 3
    assert gdf.geometry.x.tolist() == pytest.approx([p[0] for p in PITS], abs=1e-7)


def test_missing_file(tmp_path):
    with pytest.raises(bg.DataFileError, match="no such file"):
        read_layer(tmp_path / "nope.gpkg")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text("")
    with pytest.raises(bg.DataFileError, match="empty"):
        read_layer(path)


def test_truncated_file(tmp_path):
    path = tmp_path / "cut.geojson"
    _points(PITS).to_file(path, driver="GeoJSON")
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(bg.DataFileError, match="cut.geojson"):
        read_layer(path)


def test_layer_without_feature(tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(bg.EmptyInputError):
        read_layer(path)


def test_shapefile_without_prj_needs_crs(tmp_path):
    path = tmp_path / "noprj.shp"
    _points(PITS).to_crs(2154).to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(bg.DataFileError, match="CRS"):
        read_layer(path)
    gdf = read_layer(path, crs="EPSG:2154")
    assert gdf.geometry.y.tolist() == pytest.approx([p[1] for p in PITS], abs=1e-7)


def test_metres_labelled_as_degrees(tmp_path):
    # A GeoJSON has no CRS member: GDAL labels it WGS84 whatever it holds.
    path = tmp_path / "lambert.geojson"
    metric = _points(PITS).to_crs(2154)
    path.write_text(metric.to_json(to_wgs84=False).replace('"crs"', '"_crs"'))
    with pytest.raises(bg.CoordinateError, match="cannot be degrees"):
        read_layer(path)
    assert len(read_layer(path, crs="EPSG:2154")) == 3


def test_swapped_lat_lon(tmp_path):
    path = tmp_path / "swapped.geojson"
    _points([(lat, lon) for lon, lat in PITS]).to_file(path, driver="GeoJSON")
    with pytest.raises(bg.CoordinateError, match="swap lat/lon"):
        read_layer(path)


def test_far_from_basin_is_allowed(tmp_path):
    path = tmp_path / "helsinki.geojson"
    _points([(24.94, 60.17)]).to_file(path, driver="GeoJSON")
    assert read_layer(path).geometry.x.iloc[0] == pytest.approx(24.94)


def test_invalid_geometry_repaired_with_warning(tmp_path):
    bowtie = Polygon([(3.0, 50.0), (3.1, 50.1), (3.1, 50.0), (3.0, 50.1), (3.0, 50.0)])
    path = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame(geometry=[bowtie], crs=4326).to_file(path)
    with pytest.warns(bg.BassinGeoWarning, match="Self-intersection"):
        gdf = read_layer(path)
    assert gdf.geometry.is_valid.all()
    # The bow-tie becomes its two triangles: 0.1 x 0.05 / 2 each, in square degrees.
    assert shapely.area(gdf.geometry.iloc[0]) == pytest.approx(0.005, rel=1e-9)


def test_multi_layer_needs_a_name(tmp_path):
    path = tmp_path / "two.gpkg"
    _points(PITS).to_file(path, layer="a")
    _points(PITS[:1]).to_file(path, layer="b")
    with pytest.raises(bg.InvalidInputError, match="a, b"):
        read_layer(path)
    assert len(read_layer(path, layer="b")) == 1
    with pytest.raises(bg.DataFileError, match="no layer 'c'"):
        read_layer(path, layer="c")


def test_gpx_tracks_first(tmp_path):
    path = tmp_path / "ride.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="50.38" lon="3.42"><name>A</name>'
        '</wpt><trk><name>t</name><trkseg><trkpt lat="50.38" lon="3.42"/>'
        '<trkpt lat="50.35" lon="3.19"/></trkseg></trk></gpx>'
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", bg.BassinGeoWarning)
        gdf = read_layer(path)
    assert gdf.geom_type.iloc[0] == "MultiLineString"


def test_unknown_engine(tmp_path):
    with pytest.raises(bg.InvalidInputError, match="engine"):
        read_layer(tmp_path / "x.gpkg", engine="gdal")


def test_read_layer_options_by_position_still_work_with_a_warning(tmp_path):
    path = tmp_path / "pits.gpkg"
    _points(PITS).to_crs(2154).to_file(path, driver="GPKG")
    new = read_layer(path, None, engine="fiona", crs="EPSG:2154")
    with pytest.warns(FutureWarning, match="engine='fiona', crs='EPSG:2154'"):
        old = read_layer(path, None, "fiona", "EPSG:2154")
    assert old.geometry.equals(new.geometry)

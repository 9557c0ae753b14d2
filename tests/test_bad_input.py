"""Regression tests from a first-user review: bad input gets a bassin_geo error, never a
silent wrong answer or a dependency's traceback."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import InvalidInputError


# ------------------------------------------------------------------ layer filter flags
@pytest.mark.parametrize("value", ["no", "yes", 0, 1, "False"])
def test_filter_flags_refuse_non_booleans(value):
    # bool("no") is True: these used to return the headframe pits for headframe="no".
    with pytest.raises(InvalidInputError, match="headframe must be True, False or None"):
        bg.load_pitheads(headframe=value)
    with pytest.raises(InvalidInputError, match="unesco"):
        bg.load_sites(unesco=value)
    with pytest.raises(InvalidInputError, match="all_nord_pas_de_calais"):
        bg.load_communes(all_nord_pas_de_calais=value)


def test_filter_flags_split_the_layer():
    raw = gpd.read_file(bg.data_dir() / "bassin_minier.gpkg", layer="pitheads")
    with_hf, without = bg.load_pitheads(headframe=True), bg.load_pitheads(headframe=np.False_)
    assert len(with_hf) == int(raw["headframe"].sum())
    assert len(without) == int((~raw["headframe"].astype(bool)).sum())
    assert len(with_hf) + len(without) == len(raw)


# ------------------------------------------------------------------ exports
def test_empty_result_writes_an_empty_feature_collection(tmp_path):
    import json

    import pyogrio

    # Nothing within 10 m of a point in Paris: a normal, empty answer that a user exports.
    empty = bg.within_distance((2.35, 48.85), 10, layer="pitheads")
    assert len(empty) == 0
    out = bg.to_geojson(empty, tmp_path / "none.geojson")
    assert json.loads(out.read_text()) == {"type": "FeatureCollection", "features": []}
    assert pyogrio.read_info(out)["features"] == 0


def test_writing_onto_a_folder_says_it_is_a_folder(tmp_path):
    from bassin_geo.errors import ExportError, OverwriteError

    pits = bg.load_pitheads().head(2)
    for overwrite in (False, True):
        with pytest.raises(ExportError, match="is a folder; give a file path") as info:
            bg.to_geojson(pits, tmp_path, overwrite=overwrite)
        # Not an OverwriteError: its advice (overwrite=True) cannot replace a folder.
        assert not isinstance(info.value, OverwriteError)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ routes and stages
@pytest.mark.parametrize("value", [None, 5, [(3.0, 50.4), (3.1, 50.45)]])
def test_read_route_refuses_what_is_not_a_path(value):
    with pytest.raises(InvalidInputError, match="read_route reads a file"):
        bg.read_route(value)


def test_read_route_points_to_the_functions_that_take_lines():
    from shapely.geometry import LineString

    line = LineString([(2.8, 50.4), (3.2, 50.4)])
    with pytest.raises(InvalidInputError, match="goes straight to crossings"):
        bg.read_route(line)
    # ...and crossings does take it: the whole line (28.4 km, Geod) lies in the basin.
    from pyproj import Geod

    expected = Geod(ellps="WGS84").inv(2.8, 50.4, 3.2, 50.4)[2] / 1000
    summary = bg.crossings(line).summary()
    assert summary["route_km"] == pytest.approx(expected, abs=1e-3)
    assert summary["km_inside"] == pytest.approx(expected, abs=1e-3)


def test_a_frame_of_points_is_not_a_route_in_one_line():
    from shapely.geometry import Point

    pts = gpd.GeoDataFrame(geometry=[Point(3.0, 50.4), Point(3.1, 50.4)], crs=4326)
    with pytest.raises(InvalidInputError) as info:
        bg.crossings(pts)
    message = str(info.value)
    assert "\n" not in message and "GeoDataFrame of Point geometries" in message


@pytest.mark.parametrize("number", [1.5, True, None, "one", 1.0 + 1e-9])
def test_load_stage_refuses_numbers_that_are_not_whole(number):
    # 1.5 and True used to load stage 1 under the name "stage 1.5" / "stage True".
    with pytest.raises(InvalidInputError, match="must be a whole number"):
        bg.load_stage(2025, number)


def test_load_stage_accepts_numpy_and_text_numbers():
    import pandas as pd

    table = pd.read_csv(bg.data_dir() / "tdf2025_stages.csv")
    communes = int(table.loc[table["stage"] == 2, "commune"].nunique())
    for number in (np.int64(2), "2", 2.0):
        stage = bg.load_stage(np.int32(2025), number)
        assert stage.name.startswith("Tour de France 2025, stage 2:")
        assert stage.properties["stage"] == 2
        assert 2 <= len(stage.coords) <= communes


# ------------------------------------------------------------------ command line
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["distance", "Arenberg"], "Missing argument 'B'"),
        (["nearest", "3.0,50.4", "-k", "abc"], "'abc' is not a valid integer"),
        (["bogus"], "No such command 'bogus'"),
        (["route", "--network", "no_such_file.osm.pbf", "Arenberg", "11/19"], "does not exist"),
    ],
)
def test_cli_usage_mistakes_are_one_line_and_exit_1(args, needle, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    # The package under test, wherever it is imported from (a relative PYTHONPATH=src
    # would not hold in tmp_path).
    env = {**os.environ, "PYTHONPATH": str(Path(bg.__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "bassin_geo.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]
    assert "--help" in lines[0]  # where to look next


def test_cli_help_and_version_still_exit_0():
    from click.testing import CliRunner

    from bassin_geo.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["--help"]).exit_code == 0
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and bg.__version__ in version.output
    assert runner.invoke(main, ["distance", "--help"]).exit_code == 0


# ------------------------------------------------------------------ network
@pytest.fixture(scope="module")
def line_net():
    from shapely.geometry import LineString

    lines = gpd.GeoSeries([LineString([(3.0, 50.4), (3.1, 50.4)])], crs=4326)
    return bg.load_network(lines)


def test_network_cache_folder_is_created_or_refused_with_an_export_error(tmp_path):
    from shapely.geometry import LineString

    from bassin_geo.errors import ExportError

    lines = gpd.GeoSeries([LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)
    target = tmp_path / "new_folder" / "net.npz"
    bg.load_network(lines, cache=target)  # was FileNotFoundError on the .part file
    assert len(bg.load_network(target).edges) == 1
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write the network cache"):
        bg.load_network(lines, cache=blocker / "net.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "new_folder"]


@pytest.mark.parametrize("network", ["net.osm.pbf", 3])
def test_reachable_refuses_what_is_not_a_network(network):
    with pytest.raises(InvalidInputError, match="network must be a Network"):
        bg.reachable((3.0, 50.4), 10, network=network)


@pytest.mark.parametrize("minutes", [-1, float("nan"), float("inf"), "30", True])
def test_reachable_minutes_are_checked_as_minutes(line_net, minutes):
    with pytest.raises(InvalidInputError, match="minutes must be a finite number >= 0") as info:
        bg.reachable((3.0, 50.4), minutes, network=line_net)
    assert "metres" not in str(info.value)


def test_reachable_budget_in_minutes(line_net):
    from pyproj import Geod

    # Walking speed from the mode rules; 10 minutes along a straight east-west road.
    speed = bg.mode_rules("walk")["default_speed_kmh"]
    r = bg.reachable((3.0, 50.4), np.int64(10), network=line_net, sites=[(3.005, 50.4)])
    reached = float(sum(Geod(ellps="WGS84").geometry_length(g) for g in r.edges.geometry))
    assert reached == pytest.approx(speed * 1000 / 60 * 10, rel=1e-3)


# ------------------------------------------------------------------ maps and files
@pytest.mark.parametrize("tiles", ["tiles/{z}/{x}/{y}.png", 5])
def test_make_map_bad_tiles_is_our_error(tiles):
    with pytest.raises(InvalidInputError, match="with attr="):
        bg.make_map("lakes", context=False, tiles=tiles)


def test_make_map_local_tiles_with_credit(tmp_path):
    m = bg.make_map("lakes", context=False, tiles="tiles/{z}/{x}/{y}.png", attr="my tiles")
    html = bg.save_map(m, tmp_path / "m.html").read_text()
    assert "tiles/{z}/{x}/{y}.png" in html and "my tiles" in html


def test_read_layer_unknown_crs_is_our_error(tmp_path):
    from shapely.geometry import Point

    path = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame(geometry=[Point(700000, 7030000)], crs=2154).to_file(path)
    with pytest.raises(InvalidInputError, match="not a CRS pyproj knows"):
        bg.read_layer(path, crs="EPSG:99999")
    # A CRS given as an object or text still works, and converts to WGS84 (pyproj direct).
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(700000, 7030000)
    for crs in ("EPSG:2154", 2154):
        got = bg.read_layer(path, crs=crs).geometry.iloc[0]
        assert (got.x, got.y) == pytest.approx((lon, lat), abs=1e-9)


def test_read_layer_degrees_labelled_lambert93(tmp_path):
    from pyproj import Geod
    from shapely.geometry import Point

    from bassin_geo.errors import CoordinateError

    # A classic GIS slip: longitude/latitude numbers saved with the Lambert-93 label.
    path = tmp_path / "mislabelled.gpkg"
    gpd.GeoDataFrame(geometry=[Point(3.0, 50.4), Point(3.1, 50.45)], crs=2154).to_file(path)
    with pytest.raises(CoordinateError, match="look like longitude/latitude degrees"):
        bg.read_layer(path)
    # crs= fixes the label; the distance then is the one Geod gives between the numbers.
    got = bg.read_layer(path, crs="EPSG:4326")
    expected = Geod(ellps="WGS84").inv(3.0, 50.4, 3.1, 50.45)[2]
    assert bg.distance(got.geometry.iloc[0], got.geometry.iloc[1]) == pytest.approx(
        expected, abs=1e-3
    )


def test_read_layer_real_lambert93_and_utm_data_still_read(tmp_path):
    from pyproj import Transformer
    from shapely.geometry import Point

    # Lambert-93 in the basin, and UTM 31N just beyond its zone's edge (lon 6.5).
    cases = [(2154, 700000, 7030000), (32631, 889000, 5540000)]
    for epsg, x, y in cases:
        path = tmp_path / f"p{epsg}.gpkg"
        gpd.GeoDataFrame(geometry=[Point(x, y)], crs=epsg).to_file(path)
        got = bg.read_layer(path).geometry.iloc[0]
        lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(x, y)
        assert (got.x, got.y) == pytest.approx((lon, lat), abs=1e-9)


def test_cli_tour_start_accepts_lon_lat(tmp_path):
    import json

    from click.testing import CliRunner
    from pyproj import Geod

    from bassin_geo.cli import main

    start = (3.1725, 50.3319)
    args = ["tour", "Arenberg", "11/19", "9-9bis", "--start", "3.1725,50.3319"]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    legs = json.loads(result.stdout)
    assert legs[0]["from"] == "place:0"
    # Brute force over the 3! orders after the fixed start, with Geod directly.
    from itertools import permutations

    geod = Geod(ellps="WGS84")
    pts = {s: bg.get_site(s).geometry for s in ("Arenberg", "11/19", "9-9bis")}
    pts = {bg.get_site(s)["site_id"]: (g.x, g.y) for s, g in pts.items()}

    def length(order):
        xy = [start] + [pts[k] for k in order]
        return sum(geod.inv(*a, *b)[2] for a, b in zip(xy, xy[1:], strict=False))

    best = min(permutations(pts), key=length)
    assert [leg["to"] for leg in legs] == list(best)
    # The CLI prints whole metres (issue 13): each leg is within half a metre.
    assert sum(leg["length_m"] for leg in legs) == pytest.approx(length(best), abs=0.5 * len(legs))


def test_changing_a_loaded_pit_does_not_change_later_loads():
    import json

    raw = gpd.read_file(bg.data_dir() / "bassin_minier.gpkg", layer="pitheads")
    first = bg.load_pitheads()
    first.at[0, "shafts"].append({"name": "invented"})
    first.at[1, "shafts"][0]["name"] = "renamed"
    again = bg.load_pitheads()
    assert again.at[0, "shafts"] == json.loads(raw.at[0, "shafts"])
    assert again.at[1, "shafts"] == json.loads(raw.at[1, "shafts"])


def test_distance_given_as_text_or_flag_is_refused():
    for bad in ("5000", True):
        with pytest.raises(bg.InvalidInputError, match="number of metres"):
            bg.within_distance("Arenberg", bad, layer="pitheads")


def test_frame_of_degrees_labelled_lambert93_is_refused():
    # (3, 50.4) read as Lambert-93 metres would be off Africa: the label is wrong.
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.0], [50.4]), crs=2154)
    with pytest.raises(bg.CoordinateError, match="look like longitude/latitude"):
        bg.nearest(frame)
    fixed = frame.set_crs(4326, allow_override=True)
    assert len(bg.nearest(fixed)) == 1


def test_row_without_geometry_is_named():
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(3.0, 50.4), None], crs=4326)
    with pytest.raises(bg.EmptyInputError, match="row 1 has no geometry"):
        bg.locate(frame)

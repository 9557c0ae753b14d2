"""GPX files as GPS devices and route apps read them: checked by xmllint, gpsbabel and GDAL.

Every file is validated against the GPX 1.1 schema (tests/data/gpx-1.1.xsd, see its .md
note) by xmllint, and read back by gpsbabel and by Debian's ogrinfo, none of which shares
code with the writer. A tool that is not installed skips its checks.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import bassin_geo as bg
from bassin_geo.errors import InvalidInputError
from bassin_geo.io import to_gpx
from bassin_geo.io.rides import MAX_NAME_LENGTH

XSD = Path(__file__).resolve().parent / "data" / "gpx-1.1.xsd"
NS = {"g": "http://www.topografix.com/GPX/1/1"}

needs_xmllint = pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint missing")
needs_gpsbabel = pytest.mark.skipif(shutil.which("gpsbabel") is None, reason="gpsbabel missing")
needs_ogrinfo = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo missing")


# ---------------------------------------------------------------------------- readers
def _schema_errors(path: Path) -> str:
    """xmllint's complaints about ``path``, empty when it is valid GPX 1.1."""
    run = subprocess.run(
        ["xmllint", "--noout", "--schema", str(XSD), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if run.returncode == 0 else run.stderr


def _babel(path: Path, what: str) -> list[dict[str, str]]:
    """Rows gpsbabel reads: ``what`` is "-w" (waypoints), "-t" (tracks) or "-r" (routes)."""
    run = subprocess.run(
        ["gpsbabel", what, "-i", "gpx", "-f", str(path), "-o", "unicsv", "-F", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(csv.DictReader(io.StringIO(run.stdout)))


def _babel_count(path: Path, tag: str, what: str = "-t") -> int:
    """How many ``<tag>`` gpsbabel writes when it copies ``path`` to GPX (tracks, routes)."""
    run = subprocess.run(
        ["gpsbabel", what, "-i", "gpx", "-f", str(path), "-o", "gpx", "-F", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.count(f"<{tag}>")


def _ogr_counts(path: Path) -> dict[str, int]:
    run = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=True
    )
    counts = re.findall(r"Layer name: (\w+).*?Feature Count: (\d+)", run.stdout, re.S)
    return {layer: int(n) for layer, n in counts}


def _root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


# ---------------------------------------------------------------------------- rides
@pytest.fixture(scope="module")
def rides():
    headframes = bg.load_pitheads(headframe=True)
    return {
        "itinerary": bg.itinerary(["9-9bis", "11/19", "Arenberg"]),
        "tour": bg.tour(list(headframes["site_id"]), time_limit_s=1.0),
        "loop": bg.tour(["9-9bis", "11/19", "Arenberg", "Delloye"], return_to_start=True),
        "stage": bg.load_stage(2025, 1),
        "crossings": bg.crossings(bg.load_stage(2025, 1), "perimeter"),
        "file": bg.read_route(Path(__file__).resolve().parent / "data" / "track_two_segments.gpx"),
    }


OPTIONS = {
    "default": {},
    "english": {"lang": "en"},
    "route": {"as_route": True},
    "legs": {"split_legs": True},
}


@needs_xmllint
@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("ride", ["itinerary", "tour", "loop", "stage", "crossings", "file"])
def test_every_gpx_is_valid_gpx_1_1(tmp_path, rides, ride, option):
    out = to_gpx(rides[ride], tmp_path / f"{ride}.gpx", **OPTIONS[option])
    assert _schema_errors(out) == ""


def test_the_tour_is_one_named_track_and_its_pits_are_waypoints(tmp_path, rides):
    tour = rides["tour"]
    root = _root(to_gpx(tour, tmp_path / "tour.gpx"))
    tracks = root.findall("g:trk", NS)
    assert len(tracks) == 1
    km = round(tour.length_m / 1000)
    title = f"Tournée des chevalements — 25 arrêts, {km} km"
    assert tracks[0].findtext("g:name", namespaces=NS) == title
    assert root.findtext("g:metadata/g:name", namespaces=NS) == title
    assert len(tracks[0].findall("g:trkseg", NS)) == 1
    waypoints = root.findall("g:wpt", NS)
    assert len(waypoints) == 25
    names = [w.findtext("g:name", namespaces=NS) for w in waypoints]
    assert len(set(names)) == 25 and all(0 < len(n) <= MAX_NAME_LENGTH for n in names)
    # In visiting order, each named for its pit, with kind, commune and km in the description.
    stops = tour.stops
    for waypoint, (_, stop) in zip(waypoints, stops.iterrows(), strict=True):
        lat, lon = float(waypoint.get("lat")), float(waypoint.get("lon"))
        assert shapely.Point(lon, lat).distance(stop.geometry) < 1e-6
        desc = waypoint.findtext("g:desc", namespaces=NS)
        assert "fosse avec chevalement" in desc
        assert re.search(r"km \d+,\d", desc)
        name = waypoint.findtext("g:name", namespaces=NS)
        if name != stop["name"]:
            # Shortened (the whole name heads the description) or told apart by its commune.
            assert desc.startswith(stop["name"] + " — ") or name.startswith(stop["name"] + " (")
        assert waypoint.findtext("g:sym", namespaces=NS) == "Mine"
    assert waypoints[0].findtext("g:desc", namespaces=NS).endswith("km 0,0, arrêt 1/25")
    links = [w.find("g:link", NS) for w in waypoints]
    assert all(link is not None and link.get("href").startswith("http") for link in links)


def test_the_tour_in_english(tmp_path, rides):
    root = _root(to_gpx(rides["tour"], tmp_path / "tour.gpx", lang="en"))
    km = round(rides["tour"].length_m / 1000)
    name = root.findtext("g:trk/g:name", namespaces=NS)
    assert name == f"Headframe tour — 25 stops, {km} km"
    desc = root.findtext("g:wpt/g:desc", namespaces=NS)
    assert "pithead with a headframe" in desc and desc.endswith("km 0.0, stop 1 of 25")


@needs_gpsbabel
def test_gpsbabel_reads_one_track_and_every_stop_by_name(tmp_path, rides):
    tour = rides["tour"]
    out = to_gpx(tour, tmp_path / "tour.gpx")
    waypoints = _babel(out, "-w")
    written = [w.findtext("g:name", namespaces=NS) for w in _root(out).findall("g:wpt", NS)]
    assert [w["Name"] for w in waypoints] == written
    assert all(w["Symbol"] == "Mine" for w in waypoints)
    assert all(w["URL"].startswith("http") for w in waypoints)
    assert _babel_count(out, "trk") == 1
    # One segment: the legs joined, each joint once.
    points = _babel(out, "-t")
    legs = tour.to_gdf().geometry
    assert len(points) == sum(len(g.coords) for g in legs) - (len(legs) - 1)


@needs_gpsbabel
def test_a_three_stop_itinerary_is_one_track_and_three_waypoints(tmp_path, rides):
    out = to_gpx(rides["itinerary"], tmp_path / "it.gpx")
    assert [w["Name"] for w in _babel(out, "-w")] == [
        "Fosse 9-9 bis Declercq-Crombez",
        "Fosse 11 - 19 Pierre Destombes",
        "Fosse Arenberg",
    ]
    assert _babel_count(out, "trk") == 1
    split = to_gpx(rides["itinerary"], tmp_path / "legs.gpx", split_legs=True)
    assert len(_root(split).findall("g:trk/g:trkseg", NS)) == 2
    assert _babel_count(split, "trk") == 1


@needs_gpsbabel
def test_as_route_writes_a_route_through_the_stops(tmp_path, rides):
    out = to_gpx(rides["loop"], tmp_path / "loop.gpx", as_route=True)
    root = _root(out)
    assert root.find("g:trk", NS) is None and len(root.findall("g:rte", NS)) == 1
    points = _babel(out, "-r")
    stops = [w.findtext("g:name", namespaces=NS) for w in root.findall("g:wpt", NS)]
    assert len(stops) == 4
    assert [p["Name"] for p in points] == [*stops, stops[0]]  # a loop ends where it began
    assert _babel_count(out, "rte", "-r") == 1


@needs_ogrinfo
def test_debian_gdal_reads_tracks_and_waypoints(tmp_path, rides):
    out = to_gpx(rides["tour"], tmp_path / "tour.gpx")
    counts = _ogr_counts(out)
    assert counts["waypoints"] == 25 and counts["tracks"] == 1
    stage = _ogr_counts(to_gpx(rides["stage"], tmp_path / "stage.gpx"))
    located = rides["stage"].to_gdf()
    located = located.loc[located.geom_type.eq("Point") & ~located.geometry.is_empty]
    assert stage["tracks"] == 1 and stage["waypoints"] == len(located)


def test_metadata_has_licence_link_time_and_bounds(tmp_path, rides):
    root = _root(to_gpx(rides["itinerary"], tmp_path / "it.gpx"))
    meta = root.find("g:metadata", NS)
    assert meta.findtext("g:author/g:name", namespaces=NS) == "bassin_geo"
    rights = meta.find("g:copyright", NS)
    assert rights.get("author").startswith("Mission Bassin Minier")
    assert "licence-ouverte" in rights.findtext("g:license", namespaces=NS)
    assert meta.find("g:link", NS).get("href").startswith("https://")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta.findtext("g:time", namespaces=NS))
    box = meta.find("g:bounds", NS)
    lats = [float(p.get("lat")) for p in root.iter(f"{{{NS['g']}}}trkpt")]
    lons = [float(p.get("lon")) for p in root.iter(f"{{{NS['g']}}}trkpt")]
    assert float(box.get("minlat")) <= min(lats) and float(box.get("maxlat")) >= max(lats)
    assert float(box.get("minlon")) <= min(lons) and float(box.get("maxlon")) >= max(lons)


def test_a_stage_keeps_its_name_its_waypoints_and_says_it_is_approximate(tmp_path, rides):
    root = _root(to_gpx(rides["stage"], tmp_path / "stage.gpx"))
    assert root.findtext("g:trk/g:name", namespaces=NS) == rides["stage"].name
    names = [w.findtext("g:name", namespaces=NS) for w in root.findall("g:wpt", NS)]
    assert "Mont Cassel" in names
    syms = {
        w.findtext("g:name", namespaces=NS): w.findtext("g:sym", namespaces=NS)
        for w in root.findall("g:wpt", NS)
    }
    assert syms["Mont Cassel"] == "Summit"
    assert "approximatif" in root.findtext("g:trk/g:desc", namespaces=NS)
    # The line joins IGN communes: the licence is theirs.
    assert root.find("g:metadata/g:copyright", NS).get("author") == "IGN"


def test_a_route_read_from_a_file_keeps_its_name(tmp_path, rides):
    root = _root(to_gpx(rides["file"], tmp_path / "file.gpx"))
    assert root.findtext("g:trk/g:name", namespaces=NS) == "Two segments"
    # A user's file carries no licence the library could state.
    assert root.find("g:metadata/g:copyright", NS) is None


@needs_xmllint
def test_names_from_callers_and_files_never_break_the_xml(tmp_path):
    nasty = 'Fosse <9> & "9bis" ]]> \x00\x07\x1b l\'été \ufffe'
    gdf = gpd.GeoDataFrame(
        {"name": [nasty, nasty, "Fosse 1", "Fosse 1"], "commune": [None, None, "Annezin", "Lens"]},
        geometry=[
            shapely.LineString([(3.0, 50.4), (3.1, 50.45)]),
            shapely.Point(3.0, 50.4),
            shapely.Point(3.05, 50.42),
            shapely.Point(3.1, 50.45),
        ],
        crs=4326,
    )
    out = to_gpx(gdf, tmp_path / "nasty.gpx", name="Ma <balade> & \x01 vous")
    assert _schema_errors(out) == ""
    root = _root(out)
    assert root.findtext("g:metadata/g:name", namespaces=NS) == "Ma <balade> &  vous"
    names = [w.findtext("g:name", namespaces=NS) for w in root.findall("g:wpt", NS)]
    assert names[0] == 'Fosse <9> & "9bis" ]]> l\'été'
    # Two pits called "Fosse 1" are told apart by their commune: devices merge same names.
    assert names[1:] == ["Fosse 1 (Annezin)", "Fosse 1 (Lens)"]


def test_long_names_are_short_on_the_device_and_whole_in_desc(tmp_path):
    long = "Cité minière du Pinson, de la Sentinelle et des Camus à Raismes"
    gdf = gpd.GeoDataFrame({"name": [long]}, geometry=[shapely.Point(3.4, 50.4)], crs=4326)
    wpt = _root(to_gpx(gdf, tmp_path / "long.gpx")).find("g:wpt", NS)
    name = wpt.findtext("g:name", namespaces=NS)
    assert len(name) <= MAX_NAME_LENGTH and long.startswith(name)
    assert wpt.findtext("g:desc", namespaces=NS).startswith(long)


def test_bad_options_are_refused(tmp_path, rides):
    with pytest.raises(InvalidInputError, match="lang"):
        to_gpx(rides["itinerary"], tmp_path / "x.gpx", lang="de")
    with pytest.raises(InvalidInputError, match="as_route must be True or False"):
        to_gpx(rides["itinerary"], tmp_path / "x.gpx", as_route="yes")
    with pytest.raises(InvalidInputError, match="split_legs must be True or False"):
        to_gpx(rides["itinerary"], tmp_path / "x.gpx", split_legs=1)
    assert list(tmp_path.iterdir()) == []


def test_the_library_reads_its_own_tour_back(tmp_path, rides):
    back = bg.read_route(to_gpx(rides["tour"], tmp_path / "tour.gpx"))
    assert len(back.waypoints) == 25
    assert back.length_km == pytest.approx(rides["tour"].length_m / 1000, rel=1e-3)


class _Result:
    """Stands for a result object: anything with to_gdf()."""

    def __init__(self, gdf):
        self._gdf = gdf

    def to_gdf(self):
        return self._gdf


def test_legs_alone_still_name_their_stops(tmp_path, rides):
    legs = rides["itinerary"].to_gdf()  # no stops attribute: the legs' ends are the stops
    root = _root(to_gpx(_Result(legs), tmp_path / "legs.gpx"))
    names = [w.findtext("g:name", namespaces=NS) for w in root.findall("g:wpt", NS)]
    assert names == [
        "Fosse 9-9 bis Declercq-Crombez",
        "Fosse 11 - 19 Pierre Destombes",
        "Fosse Arenberg",
    ]
    assert root.findtext("g:trk/g:name", namespaces=NS) == "Itinéraire — 3 arrêts, 60 km"


def test_an_itinerary_whose_to_gdf_gives_its_stops_too(tmp_path, rides):
    """What Itinerary.to_gdf() may return once it holds the stops (kind "stop", km)."""
    it = rides["itinerary"]
    stops = it.stops.assign(kind="stop", km=[0.0, 14.2, 59.9])
    both = gpd.GeoDataFrame(pd.concat([it.to_gdf(), stops], ignore_index=True), crs=4326)
    out = to_gpx(_Result(both), tmp_path / "both.gpx", as_route=True)
    if shutil.which("xmllint"):
        assert _schema_errors(out) == ""
    root = _root(out)
    waypoints = root.findall("g:wpt", NS)
    assert len(waypoints) == 3
    assert waypoints[1].findtext("g:desc", namespaces=NS).endswith("km 14,2, arrêt 2/3")
    assert len(root.findall("g:rte/g:rtept", NS)) == 3


def test_places_without_a_name_and_frames_of_points(tmp_path):
    it = bg.itinerary([(2.8, 50.4), (2.9, 50.45), "Lewarde"])
    root = _root(to_gpx(it, tmp_path / "anon.gpx"))
    names = [w.findtext("g:name", namespaces=NS) for w in root.findall("g:wpt", NS)]
    assert names == ["Arrêt 1", "Arrêt 2", "Fosse Delloye"]
    points = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[shapely.Point(3.0, 50.0), shapely.Point(3.1, 50.1)],
        crs=4326,
    )
    out = to_gpx(points, tmp_path / "pts.gpx", as_route=True)
    root = _root(out)
    # A frame's methods (DataFrame.mode) are not a ride's mode.
    assert root.findtext("g:metadata/g:desc", namespaces=NS) == "Exporté par bassin_geo."
    route = [p.findtext("g:name", namespaces=NS) for p in root.findall("g:rte/g:rtept", NS)]
    assert route == ["a", "b"]
    if shutil.which("xmllint"):
        assert _schema_errors(out) == ""


def test_columns_of_any_name(tmp_path):
    gdf = gpd.GeoDataFrame(
        {
            "name": ["Chemin", "Lewarde"],
            "from": ["x", None],
            "my url": [None, None],
            "source_url": [None, "https://example.org/a b"],
        },
        geometry=[shapely.LineString([(3.0, 50.4), (3.1, 50.45)]), shapely.Point(3.17, 50.33)],
        crs=4326,
    )
    root = _root(to_gpx(gdf, tmp_path / "cols.gpx"))
    assert root.findtext("g:trk/g:name", namespaces=NS) == "Chemin"
    # A link is a URI: its space is percent-encoded.
    assert root.find("g:wpt/g:link", NS).get("href") == "https://example.org/a%20b"

"""The stage strip: what the picture shows is checked against the analyses, not against itself.

Band edges are read back from the figure's rectangles and compared with crossings(); names
are measured with the renderer; the SVG is parsed for its text.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import bassin_geo as bg
from bassin_geo.cli import main
from bassin_geo.viz.strip import resolve_detail, save_strip, stage_strip
from bassin_geo.viz.strip_data import gpx_elevations
from bassin_geo.viz.strip_labels import number

DATA = Path(__file__).resolve().parent / "data"
RIDE = DATA / "eurovelo5_lens.gpx"  # ODbL, © OpenStreetMap contributors (see its SOURCES)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def strips():
    """One strip per shipped stage and one of the real ride, drawn once for the module."""
    cache = {}

    def get(key, **options):
        name = (key, tuple(sorted(options.items())))
        if name not in cache:
            route = bg.load_stage(2025, key) if isinstance(key, int) else key
            cache[name] = stage_strip(route, **options)
        return cache[name]

    return get


def _axes(fig, label):
    return next(ax for ax in fig.axes if ax.get_label() == label)


def _texts(fig, prefix):
    found = [t for t in fig.findobj(Text) if str(t.get_gid() or "").startswith(prefix)]
    return sorted(found, key=lambda t: float(t.get_position()[0]))


def _boxes(fig, texts):
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts]


def _gpx_with_heights(path: Path) -> Path:
    lon = np.linspace(2.70, 2.95, 120)
    lat = np.linspace(50.45, 50.40, 120)
    ele = 40 + 25 * np.sin(np.linspace(0, 4, 120))
    points = "".join(
        f'<trkpt lat="{y:.6f}" lon="{x:.6f}"><ele>{z:.1f}</ele></trkpt>'
        for x, y, z in zip(lon, lat, ele, strict=True)
    )
    path.write_text(
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Ride</name><trkseg>{points}</trkseg></trk></gpx>"
    )
    return path


# ------------------------------------------------------------------------------ bands
@pytest.mark.parametrize("stage", [1, 2, 3])
def test_band_edges_are_the_crossings_km(strips, stage):
    fig = strips(stage)
    bands = _axes(fig, "bands")
    route = bg.load_stage(2025, stage)
    for area in ("perimeter", "buffer_zone", "property"):
        drawn = sorted(
            (p.get_x(), p.get_x() + p.get_width())
            for p in bands.patches
            if isinstance(p, Rectangle) and p.get_label() == area
        )
        passages = bg.crossings(route, area).passages
        expected = sorted(zip(passages["km_in"], passages["km_out"], strict=True))
        assert len(drawn) == len(expected)
        np.testing.assert_allclose(
            np.array(drawn).reshape(-1, 2), np.array(expected).reshape(-1, 2)
        )


def test_entry_and_exit_labels_are_crossing_km(strips):
    fig = strips(3, lang="en")
    labels = [t.get_text() for t in _texts(fig, "km-perimeter")]
    events = bg.crossings(bg.load_stage(2025, 3), "perimeter").events
    written = {f"{km:.1f}" for km in events["km"]}
    assert labels and set(labels) <= written


# ------------------------------------------------------------------------------ names
@pytest.mark.parametrize("key", [1, 2, 3, RIDE])
@pytest.mark.parametrize("detail", ["full", "summary"])
def test_names_never_overlap(strips, key, detail):
    fig = strips(key, detail=detail)
    for prefix in ("commune-name", "site-name", "event-", "km-"):
        texts = _texts(fig, prefix)
        for a, b in itertools.combinations(_boxes(fig, texts), 2):
            assert not a.overlaps(b), prefix


@pytest.mark.parametrize("key", [3, RIDE])
def test_km_labels_keep_off_the_bands(strips, key):
    fig = strips(key, detail="full")
    renderer = fig.canvas.get_renderer()
    bands = [
        p.get_window_extent(renderer)
        for p in _axes(fig, "bands").patches
        if p.get_label() in ("perimeter", "buffer_zone", "property")
    ]
    labels = _boxes(fig, _texts(fig, "km-"))
    assert labels
    assert not any(label.overlaps(band) for label in labels for band in bands)


def test_every_commune_of_the_region_with_the_basin_tinted(strips):
    fig = strips(1)
    cells = [p for p in _axes(fig, "communes").patches if p.get_label() == "commune"]
    crossed = bg.communes_crossed(bg.load_stage(2025, 1), all_nord_pas_de_calais=True)
    assert len(cells) == len(crossed) and not crossed["in_basin"].all()
    colours = {bool(b): c.get_facecolor() for b, c in zip(crossed["in_basin"], cells, strict=True)}
    assert colours[True] != colours[False]


def test_summary_names_fewer_than_full(strips):
    full = len(_texts(strips(1, detail="full"), "commune-name"))
    summary = len(_texts(strips(1, detail="summary"), "commune-name"))
    assert 0 < summary < full


def test_auto_detail_follows_length():
    assert resolve_detail("auto", 40.0, 15) == "full"
    assert resolve_detail("auto", 200.0, 80) == "summary"
    assert resolve_detail("full", 200.0, 80) == "full"
    with pytest.raises(bg.InvalidInputError, match="detail"):
        resolve_detail("everything", 1.0, 1)


def _svg_groups(path: Path, prefix: str) -> list[str]:
    root = ET.parse(path).getroot()
    return [
        "".join(g.itertext()).strip()
        for g in root.iter(f"{SVG}g")
        if g.get("id", "").startswith(prefix)
    ]


@pytest.mark.parametrize("key", [1, 2, 3, RIDE])
def test_svg_holds_communes_in_km_order_and_sites_passed(strips, key, tmp_path):
    fig = strips(key)
    out = save_strip(fig, tmp_path / "strip.svg")
    route = bg.load_stage(2025, key) if isinstance(key, int) else bg.read_route(key)
    crossed = bg.communes_crossed(route, all_nord_pas_de_calais=True)["commune"].tolist()
    names = _svg_groups(out, "commune-name")
    assert names[0] == crossed[0] and names[-1] == crossed[-1]
    # The names written are the communes crossed, in route order (a subsequence).
    rest = iter(crossed)
    assert all(any(name == c for c in rest) for name in names)
    passed = bg.sites_along(route, distance_m=1000, layer="pitheads")["name"].tolist()
    sites = _svg_groups(out, "site-name")
    assert bool(sites) == bool(passed)
    rest = iter(passed)
    assert all(any(name.rstrip("\u2026") in p for p in rest) for name in sites)
    # Text stays text: the names are <text> elements, not glyph paths.
    texts = {"".join(t.itertext()) for t in ET.parse(out).getroot().iter(f"{SVG}text")}
    assert set(names) <= texts


# ------------------------------------------------------------------------------ events
def test_stage_events_and_approximate_in_french_by_default(strips):
    fig = strips(1)
    labels = [t.get_text() for t in _texts(fig, "event-")]
    assert labels[0] == "Départ : Lille"
    assert "Sprint intermédiaire : Morbecque (km 87,5)" in labels
    assert "Mont Cassel (km 106,0)" in labels
    words = {t.get_text() for t in fig.texts}
    assert "approximatif" in words
    assert any("Tracé approximatif" in w for w in words)
    assert _axes(fig, "communes").texts[0].get_text() == "Communes"


def test_english_with_lang_en(strips):
    fig = strips(1, lang="en")
    labels = [t.get_text() for t in _texts(fig, "event-")]
    assert labels[0] == "Start: Lille"
    assert "Intermediate sprint: Morbecque (km 87.5)" in labels
    assert "approximate" in {t.get_text() for t in fig.texts}
    assert not any("approximatif" in t.get_text() for t in fig.findobj(Text))


def test_climbs_without_a_place_sit_between_their_neighbours(strips):
    # Mont Noir (official km 139.7) has no commune: placed between Mont Cassel and the finish.
    events = {t.get_text(): t.get_position()[0] for t in _texts(strips(1, lang="en"), "event-")}
    assert events["Mont Cassel (km 106.0)"] < events["Mont Noir (km 139.7)"]
    assert events["Mont Noir (km 139.7)"] < bg.load_stage(2025, 1).length_km


def test_climb_category_when_the_data_has_one():
    waypoints = gpd.GeoDataFrame(
        {"name": ["Mont X"], "event": ["climb"], "category": ["3"]},
        geometry=[shapely.Point(2.85, 50.43)],
        crs=4326,
    )
    route = bg.Route.from_coords([(2.75, 50.43), (2.95, 50.43)], waypoints=waypoints)
    fig = stage_strip(route)
    labels = [t.get_text() for t in _texts(fig, "event-")]
    assert labels[1] == "Mont X (cat. 3)"
    # The category is written inside the climb's triangle too.
    assert "3" in [t.get_text() for t in _axes(fig, "events").texts]


def test_a_route_outside_the_region_still_draws():
    fig = stage_strip(bg.Route.from_coords([(2.30, 48.85), (2.40, 48.86)], name="Paris"))
    assert not _texts(fig, "commune-name") and not _texts(fig, "km-")
    assert [t.get_text() for t in _texts(fig, "event-")] == ["Départ", "Arrivée"]


def test_a_real_ride_is_not_approximate_and_has_start_and_finish(strips):
    fig = strips(RIDE)
    assert not any("approximati" in t.get_text() for t in fig.findobj(Text))
    labels = [t.get_text() for t in _texts(fig, "event-")]
    crossed = bg.communes_crossed(bg.read_route(RIDE), all_nord_pas_de_calais=True)["commune"]
    assert labels[0] == f"Départ : {crossed.iloc[0]}"
    assert labels[-1] == f"Arrivée : {crossed.iloc[-1]}"
    notes = next(t.get_text() for t in fig.texts if t.get_gid() == "notes")
    assert "14 segments" in notes


def test_itinerary_stops_are_events():
    it = bg.itinerary(["9-9bis", "11/19"])
    fig = stage_strip(it, lang="en")
    labels = [t.get_text() for t in _texts(fig, "event-")]
    first, last = it.stops["name"].iloc[0], it.stops["name"].iloc[-1]
    assert labels == [f"Start: {first}", f"Finish: {last}"]
    bands = _axes(fig, "bands")
    assert bands.get_xlim()[1] == pytest.approx(it.length_m / 1000, rel=1e-3)


# ------------------------------------------------------------------------------ profile
def test_elevation_profile_from_gpx_heights(tmp_path):
    gpx = _gpx_with_heights(tmp_path / "ride.gpx")
    fig = stage_strip(gpx)
    profile = _axes(fig, "profile")
    heights = gpx_elevations(gpx)
    np.testing.assert_allclose(profile.lines[0].get_ydata(), heights)
    np.testing.assert_allclose(profile.lines[0].get_xdata(), bg.read_route(gpx).km)
    assert "profile" not in [ax.get_label() for ax in stage_strip(bg.read_route(gpx)).axes]


def test_heights_must_match_the_route(tmp_path):
    with pytest.raises(bg.InvalidInputError, match="one height per vertex"):
        stage_strip(bg.load_stage(2025, 2), elevation_m=[1.0, 2.0])


def test_bad_options_are_refused():
    with pytest.raises(bg.InvalidInputError, match="lang"):
        stage_strip(bg.load_stage(2025, 2), lang="de")
    with pytest.raises(bg.InvalidInputError, match="detail"):
        stage_strip(bg.load_stage(2025, 2), detail="most")


# ------------------------------------------------------------------------------ files
def test_png_is_written_and_readable(strips, tmp_path):
    fig = strips(2)
    out = save_strip(fig, tmp_path / "stage2.png", dpi=80)
    image = mpimg.imread(out)
    width, height = fig.get_size_inches() * 80
    assert image.shape[:2] == (round(height), round(width))
    assert image[..., :3].std() > 0.05  # not a blank page


def test_pdf_and_svg_keep_text(strips, tmp_path):
    fig = strips(2)
    pdf = save_strip(fig, tmp_path / "stage2.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert b"/FontFile2" in pdf.read_bytes()  # a TrueType font: the text can be selected
    # Plain savefig too keeps text as text.
    fig.savefig(tmp_path / "plain.svg")
    assert "Lauwin-Planque" in (tmp_path / "plain.svg").read_text()


def test_save_strip_refuses_overwrite_and_unknown_formats(strips, tmp_path):
    fig = strips(2)
    target = tmp_path / "s.svg"
    target.write_text("keep me")
    with pytest.raises(bg.OverwriteError):
        save_strip(fig, target)
    assert target.read_text() == "keep me"
    save_strip(fig, target, overwrite=True)
    assert target.read_text().startswith("<?xml")
    with pytest.raises(bg.InvalidInputError, match=".png"):
        save_strip(fig, tmp_path / "s.jpg")


def test_cli_strip(tmp_path):
    runner = CliRunner()
    out = tmp_path / "etape2.svg"
    done = runner.invoke(main, ["strip", "stage:2", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text().count("<text") > 20
    out.write_text("keep me")
    refused = runner.invoke(main, ["strip", "stage:2", str(out)])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert out.read_text() == "keep me"
    forced = runner.invoke(main, ["strip", "stage:2", str(out), "--force", "--lang", "en"])
    assert forced.exit_code == 0 and "Start: Lauwin-Planque" in out.read_text()
    wrong = runner.invoke(main, ["strip", "stage:2", str(tmp_path / "x.txt")])
    assert wrong.exit_code == 1 and ".svg" in wrong.output


def test_cli_strip_of_a_gpx_draws_its_profile(tmp_path):
    gpx = _gpx_with_heights(tmp_path / "ride.gpx")
    out = tmp_path / "ride.svg"
    done = CliRunner().invoke(main, ["strip", str(gpx), str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert "Elevation (m)" in out.read_text()


def test_numbers_as_each_language_writes_them():
    assert number(184.9, "fr", decimals=1) == "184,9"
    assert number(1000, "fr") == "1\u202f000"
    assert number(1000, "en") == "1,000"

"""Maps: built from the data, saved offline, and opened in a real headless Chromium.

The browser tests need Debian's ``chromium`` (installed by ``.ci/run``) and playwright.
Without them they are skipped locally, and fail when the ``CI`` environment variable is
set, so CI cannot pass without really opening the maps.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from folium.elements import JSCSSMixin
from pyproj import Geod

import bassin_geo as bg
from bassin_geo.errors import EmptyInputError, ExportError, InvalidInputError, OverwriteError
from bassin_geo.viz import km_markers, make_map, save_map

GEOD = Geod(ellps="WGS84")
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Layers drawn (visible) by the default map, as polygons or lines; railways start hidden.
SHOWN_SHAPES = [
    "communes",
    "perimeter",
    "buffer_zone",
    "property",
    "mining_estates",
    "slag_heaps",
    "lakes",
    "buildings",
]


class Stage:
    """Stands for a stage or itinerary from the other modules: it has to_gdf()."""

    name = "Stage test"

    def __init__(self, gdf):
        self._gdf = gdf

    def to_gdf(self):
        return self._gdf


def _stage() -> Stage:
    pits = [bg.get_site(q).geometry for q in ["11/19", "9-9bis", "fosse Delloye", "Arenberg"]]
    line = shapely.LineString([(2.75, 50.47)] + [(p.x, p.y) for p in pits] + [(3.6, 50.3)])
    gdf = gpd.GeoDataFrame(
        {
            "kind": ["route", "enter", "exit", "stop"],
            "name": ["Stage test", "Enters", "Leaves", "Lewarde"],
            "km": [None, 3.0, 120.0, 45.0],
        },
        geometry=[line, shapely.Point(2.77, 50.46), shapely.Point(3.55, 50.31), pits[2]],
        crs=4326,
    )
    return Stage(gdf)


# ---------------------------------------------------------------------------- no browser
def test_km_markers_lie_on_the_line_at_geodesic_distances():
    xy = [(2.80, 50.43), (2.95, 50.40), (2.96, 50.47), (3.08, 50.37), (3.43, 50.35)]
    line = gpd.GeoDataFrame(geometry=[shapely.LineString(xy)], crs=4326)
    marks = km_markers(line, 2.5)
    lons, lats = np.array(xy).T
    seg = GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])[2]
    assert len(marks) == int(seg.sum() // 2500)
    cumulative = np.concatenate([[0.0], np.cumsum(seg)])
    for km, point in zip(marks["km"], marks.geometry, strict=True):
        i = int(np.searchsorted(cumulative, km * 1000) - 1)
        to_mark = GEOD.inv(lons[i], lats[i], point.x, point.y)[2]
        from_mark = GEOD.inv(point.x, point.y, lons[i + 1], lats[i + 1])[2]
        assert cumulative[i] + to_mark == pytest.approx(km * 1000, abs=1e-3)
        assert to_mark + from_mark == pytest.approx(seg[i], abs=1e-3)  # on the geodesic
    with pytest.raises(InvalidInputError):
        km_markers(line, 0)


def test_default_map_layers_and_offline_page(tmp_path):
    m = make_map()
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.map.Layer)]
    for label in ("Basin contour", "Listed property (UNESCO)", "Buffer zone", "Pitheads"):
        assert label in names
    out = save_map(m, tmp_path / "map.html", offline=True)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "tile.openstreetmap" not in page  # web tiles left out offline
    assert "L.Control.FullScreen" in page or "Control.FullScreen" in page  # inlined plugin
    online = save_map(m, tmp_path / "online.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="https://[^"]+leaflet[^"]*\.js"', online)
    assert "tile.openstreetmap" in online
    with pytest.raises(OverwriteError):
        save_map(m, tmp_path / "map.html", offline=True)


def test_local_tiles_are_kept_offline(tmp_path):
    m = make_map("lakes", context=False, tiles="tiles/{z}/{x}/{y}.png", attr="my tiles")
    page = save_map(m, tmp_path / "m.html", offline=True).read_text(encoding="utf-8")
    assert "tiles/{z}/{x}/{y}.png" in page


def test_asset_without_offline_copy_is_refused(tmp_path):
    class Plugin(JSCSSMixin):
        default_js = [("nowhere", "https://example.invalid/plugin.js")]

    m = make_map("lakes", context=False, tiles=None)
    Plugin().add_to(m)
    with pytest.raises(ExportError, match="example.invalid/plugin.js"):
        save_map(m, tmp_path / "m.html", offline=True)
    assert not (tmp_path / "m.html").exists()


def test_pit_popups_link_every_brgm_sheet(tmp_path):
    shafts = bg.load_layer("shafts")
    pits = bg.load_pitheads()
    expected = int(shafts["brgm"].notna()[shafts["pithead_id"].isin(pits["site_id"])].sum())
    page = save_map(make_map("pitheads", context=False, tiles=None), tmp_path / "p.html")
    assert page.read_text(encoding="utf-8").count("ficheinfoterre.brgm.fr") == expected


def test_user_layer_fit_escape_and_errors():
    heaps = bg.load_sites(kind="slag_heap")
    named = heaps.assign(name="<b>" + heaps["name"].astype(str) + "</b>").to_crs(2154)
    m = make_map(("My heaps", named), context=False, tiles=None)
    fit = next(c for c in m._children.values() if type(c).__name__ == "FitBounds")
    xmin, ymin, xmax, ymax = heaps.total_bounds
    np.testing.assert_allclose(np.ravel(fit.bounds), [ymin, xmin, ymax, xmax], atol=1e-9)
    script = m.get_root().render()
    assert "&lt;b&gt;" in script and "<b>" + str(heaps["name"].iloc[0]) not in script
    with pytest.raises(EmptyInputError):
        make_map(context=False)
    with pytest.raises(InvalidInputError):
        save_map("not a map", "x.html")


# ---------------------------------------------------------------------------- browser
def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI: chromium and playwright are required for the map tests")
        pytest.skip("chromium or playwright not installed")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield b
        b.close()


_COUNT = """() => {
    const key = Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map);
    const map = window[key];
    const c = {marker: 0, circle: 0, path: 0, clustered: 0};
    map.eachLayer(l => {
        if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) {
            c.clustered += l.getLayers().length;
        } else if (l instanceof L.Marker) { c.marker++; }
        else if (l instanceof L.CircleMarker) { c.circle++; }
        else if (l instanceof L.Path) { c.path++; }
    });
    return c;
}"""


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def block(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("() => window.L !== undefined")
    return page, errors, outside


@pytest.mark.browser
def test_default_map_offline_in_chromium(browser, tmp_path):
    out = save_map(make_map(), tmp_path / "map.html", offline=True)
    page, errors, outside = _open(browser, out)
    counts = page.evaluate(_COUNT)
    pits = bg.load_pitheads()
    assert counts["marker"] == int(pits["headframe"].sum())
    assert counts["circle"] == int((~pits["headframe"]).sum())
    assert counts["path"] == sum(len(bg.load_layer(n)) for n in SHOWN_SHAPES)
    # Tick the railways in the layer control: every railway with a geometry appears.
    page.locator(".leaflet-control-layers").get_by_text("Mining railways (cavaliers)").click()
    railways = bg.load_layer("railways")
    after = page.evaluate(_COUNT)
    assert after["path"] - counts["path"] == int(railways.geometry.notna().sum())
    # A pit's popup, opened as a visitor would, says where it is and links its shafts.
    page.evaluate(
        """() => {
        const key = Object.keys(window).find(k => k.startsWith('map_'));
        window[key].eachLayer(l => {
            const p = l.feature ? l.feature.properties : {};
            if (l instanceof L.Marker && (p._tip || '').startsWith('Fosse 11 - 19')) l.openPopup();
        });
    }"""
    )
    popup = page.locator(".leaflet-popup-content")
    assert "Loos-en-Gohelle" in popup.inner_text()
    assert popup.locator("a").count() == 2  # shafts 11 and 19, each with its BRGM sheet
    assert page.locator(".bg-legend").count() == 1
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert errors == []
    assert outside == []
    page.close()


@pytest.mark.browser
def test_stage_map_in_chromium(browser, tmp_path):
    stage = _stage()
    out = save_map(make_map(stage, step_km=10), tmp_path / "stage.html", offline=True)
    page, errors, outside = _open(browser, out)
    counts = page.evaluate(_COUNT)
    lon, lat = np.array(stage.to_gdf().geometry.iloc[0].coords).T
    length = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2].sum()
    pits = bg.load_pitheads()
    # headframes + start + finish + enter + exit + one marker per full 10 km
    assert counts["marker"] == int(pits["headframe"].sum()) + 4 + int(length // 10_000)
    assert counts["circle"] == int((~pits["headframe"]).sum()) + 1  # + the stop
    assert counts["path"] == sum(len(bg.load_layer(n)) for n in SHOWN_SHAPES) + 1
    assert page.locator(".bg-km").count() == int(length // 10_000)
    assert errors == [] and outside == []
    page.close()


@pytest.mark.browser
def test_thousands_of_points_clustered_offline(browser, tmp_path):
    rng = np.random.default_rng(6)
    n = 3000
    points = gpd.GeoDataFrame(
        {"name": [f"p{i}" for i in range(n)]},
        geometry=shapely.points(rng.uniform(2.5, 3.6, n), rng.uniform(50.3, 50.6, n)),
        crs=4326,
    )
    m = make_map(("Random points", points), context=False, tiles=None, cluster=True)
    out = save_map(m, tmp_path / "points.html", offline=True)
    page, errors, outside = _open(browser, out)
    # The markers are loaded in chunks after the page's script has run: wait until the
    # cluster group holds them all and draws its clusters (or time out), not a fixed time.
    page.wait_for_function(
        "n => { const c = (" + _COUNT + ")(); return c.clustered >= n && c.marker > 0; }",
        arg=n,
        timeout=60_000,
    )
    assert page.evaluate(_COUNT)["clustered"] == n
    assert errors == [] and outside == []
    page.close()


def test_route_with_sparse_km_column_gets_start_finish_and_markers():
    route = gpd.GeoDataFrame(
        {"kind": ["route", "stop"], "km": [None, "n/a"], "name": ["Loop", "Lewarde"]},
        geometry=[shapely.LineString([(3.0, 50.40), (3.0, 50.50)]), shapely.Point(3.17, 50.33)],
        crs=4326,
    )
    page = make_map(Stage(route), context=False, tiles=None, step_km=5).get_root().render()
    length = GEOD.inv(3.0, 50.40, 3.0, 50.50)[2]
    labels = re.findall(r'"_html":"<span>([^<]+)<\\/span>"', page)
    assert labels == ["5", "10"] and int(length // 5000) == 2
    assert page.count('"_tip":"Start"') == 1 and page.count('"_tip":"Finish"') == 1


def test_approximate_stage_is_labelled_and_passages_are_not_filled():
    stage = bg.load_stage(2025, 1)
    html = bg.make_map(stage, bg.crossings(stage, "perimeter")).get_root().render()
    assert "stage 1: Lille \\u003e Lille (approximate)" in html  # the layer control entry
    assert "Crossings of perimeter" in html
    passage = bg.styles.ROUTE_STYLES["passage"].leaflet()
    assert passage["fill"] is False


# ---------------------------------------------------------------------------- result objects
def _layer_names(m) -> list[str]:
    return [c.layer_name for c in m._children.values() if isinstance(c, folium.map.Layer)]


def test_route_crossings_and_itinerary_are_drawn():
    stage = bg.load_stage(2025, 1)
    passages = bg.crossings(stage, "perimeter")
    it = bg.itinerary(["9-9bis", "11/19", "Arenberg"])  # straight legs: no network needed
    m = make_map(stage, passages, it, context=False, tiles=None)
    names = _layer_names(m)
    assert "Crossings of perimeter" in names
    assert any(n.startswith(stage.name) for n in names)
    assert "Itinerary 3" in names  # an unnamed result says what it is
    fit = next(c for c in m._children.values() if type(c).__name__ == "FitBounds")
    xmin, ymin, xmax, ymax = stage.to_gdf().total_bounds
    (south, west), (north, east) = fit.bounds
    assert south <= ymin and west <= xmin and north >= ymax and east >= xmax
    route_line = stage.to_gdf().query("kind == 'route'").geometry.iloc[0]
    assert len(km_markers(stage, 10)) == int(GEOD.geometry_length(route_line) // 10_000)


def test_unknown_layer_object_is_refused():
    with pytest.raises(InvalidInputError, match="to_gdf"):
        make_map(object(), context=False)


# ---------------------------------------------------------------------------- options
def _km_labels(m) -> list[str]:
    return re.findall(r'"_html":"<span>([^<]+)<\\/span>"', m.get_root().render())


def test_km_step_still_works_with_a_warning():
    stage = _stage()
    with pytest.warns(FutureWarning, match="km_step= is renamed step_km="):
        old = make_map(stage, context=False, tiles=None, km_step=10)
    new = make_map(stage, context=False, tiles=None, step_km=10)
    assert _km_labels(old) == _km_labels(new) and len(_km_labels(new)) > 0
    with pytest.raises(TypeError, match="both"):
        make_map(stage, km_step=10, step_km=10)


def test_save_map_positional_offline_still_works_with_a_warning(tmp_path):
    m = make_map("lakes", context=False, tiles=None)
    with pytest.warns(FutureWarning, match="offline=True"):
        old = save_map(m, tmp_path / "old.html", True)
    new = save_map(m, tmp_path / "new.html", offline=True)
    assert old.read_text(encoding="utf-8") == new.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "call",
    [
        lambda m, p: save_map(m, p, offline="False"),
        lambda m, p: save_map(m, p, overwrite="no"),
        lambda m, p: make_map("lakes", context="no"),
        lambda m, p: make_map("lakes", cluster=1),
        lambda m, p: make_map("lakes", precision=6.0),
        lambda m, p: make_map(_stage(), step_km=True),
    ],
)
def test_flags_must_be_real_bools(tmp_path, call):
    m = make_map("lakes", context=False, tiles=None)
    with pytest.raises(InvalidInputError):
        call(m, tmp_path / "m.html")
    assert not (tmp_path / "m.html").exists()


def test_viz_reexports_and_package_names():
    import bassin_geo.viz as viz

    assert viz.make_map is bg.make_map and viz.save_map is bg.save_map
    assert viz.km_markers is bg.km_markers

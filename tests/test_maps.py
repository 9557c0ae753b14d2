"""Maps: built from the data, saved offline, and opened in a real headless Chromium.

The browser tests need Debian's ``chromium`` (installed by ``.ci/run``) and playwright.
Without them they are skipped locally, and fail when the ``CI`` environment variable is
set, so CI cannot pass without really opening the maps.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
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
from bassin_geo.viz.controls import MapSetup
from bassin_geo.viz.labels import label

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
ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']
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


def _setup(m) -> dict:
    return next(c for c in m._children.values() if isinstance(c, MapSetup)).config


def test_default_map_layers_and_self_contained_page(tmp_path):
    m = make_map()
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.map.Layer)]
    for name in ("Contour du bassin minier", "Bien inscrit (UNESCO)", "Zone tampon", "Terrils"):
        assert name in names
    online = save_map(m, tmp_path / "online.html").read_text(encoding="utf-8")
    out = save_map(m, tmp_path / "map.html", offline=True)
    page = out.read_text(encoding="utf-8")
    for html in (online, page, m._repr_html_()):  # saved, or shown in a notebook
        assert not re.search(r"<script[^>]+src=", html)
        assert not re.search(r"<link[^>]+stylesheet", html)
    assert "leaflet 1.9.4, BSD-2-Clause" in page  # the vendored copy, with its licence
    assert "tile.openstreetmap.fr/osmfr" in online and "OpenStreetMap France" in online
    assert "tile.openstreetmap" not in page  # web tiles left out offline
    assert _setup(m)["title"] == "Bassin minier du Nord-Pas de Calais"
    assert _setup(m)["labels"][0][0] == "Valenciennes"  # the largest commune first
    with pytest.raises(OverwriteError):
        save_map(m, tmp_path / "map.html", offline=True)


def test_vendored_assets_match_their_manifest_and_keep_their_licences():
    check = [sys.executable, str(ROOT / "tools" / "fetch_assets.py"), "--check"]
    assert subprocess.run(check, capture_output=True, text=True).returncode == 0
    from bassin_geo.viz.vendored import manifest

    assets = ROOT / "src" / "bassin_geo" / "viz" / "assets"
    for package, entry in manifest().items():
        assert (assets / package / entry["licence_file"]).is_file()
        assert entry["tarball"].startswith("https://registry.npmjs.org/")


def test_english_on_request_french_by_default():
    fr = make_map("pitheads", context=False, tiles=None)
    en = make_map("pitheads", context=False, tiles=None, lang="en")
    assert _layer_names(fr) == ["Puits de mine"] and _layer_names(en) == ["Pitheads"]
    assert _setup(fr)["texts"]["legend"] == "Légende" and _setup(en)["texts"]["legend"] == "Legend"
    assert "Compagnie" in fr.get_root().render() and "Company" in en.get_root().render()
    assert label("Approximate") == "Approximatif"
    with pytest.raises(InvalidInputError):
        make_map("lakes", lang="de")


def test_credits_name_only_the_layers_drawn():
    own = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(3.0, 50.4)], crs=4326)
    assert _setup(make_map(("Mine", own), context=False, tiles=None))["credits"] == []
    credits = _setup(make_map("pitheads", context=False, tiles=None))["credits"]
    assert len(credits) == 1 and "Mission Bassin Minier" in credits[0]
    assert "IGN" not in credits[0] and "BRGM" not in credits[0]


def test_popups_use_the_new_columns():
    heaps = make_map("slag_heaps", context=False, tiles=None).get_root().render()
    assert "Numéro de terril" in heaps and "T115" in heaps
    pits = bg.load_pitheads()
    page = make_map("pitheads", context=False, tiles=None).get_root().render()
    assert page.count("hors du contour du bassin") == int((~pits["in_contour"]).sum())
    assert "Chevalement inscrit" in page


def test_loop_start_and_finish_sit_side_by_side():
    loop = shapely.LineString([(3.0, 50.40), (3.05, 50.45), (3.1, 50.40), (3.0, 50.40)])
    route = gpd.GeoDataFrame({"kind": ["route"]}, geometry=[loop], crs=4326)
    page = make_map(Stage(route), context=False, tiles=None).get_root().render()
    assert '"_dx":-10' in page and '"_dx":10' in page
    assert '"_tip":"Départ"' in page and '"_tip":"Arrivée"' in page


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
    online = save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert "example.invalid/plugin.js" in online  # kept as a link when online


def test_a_plain_folium_map_gets_the_vendored_leaflet(tmp_path):
    m = folium.Map(tiles=None)
    m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    page = save_map(m, tmp_path / "m.html", offline=True).read_text(encoding="utf-8")
    assert "<script src=" not in page and "leaflet 1.9.4," in page


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
    xmin, ymin, xmax, ymax = heaps.total_bounds
    np.testing.assert_allclose(np.ravel(_setup(m)["bounds"]), [ymin, xmin, ymax, xmax], atol=1e-9)
    script = m.get_root().render()
    # popups escape every value; tooltips hold the text, which the page sets as text
    first = str(heaps["name"].iloc[0])
    assert f"<h4>&lt;b&gt;{first}&lt;\\/b&gt;<\\/h4>" in script
    assert f'"_tip":"<b>{first}<\\/b>"' in script
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


def _open(browser, path: Path, *, size=(1280, 720), allow=("file:", "data:")):
    """Open a page with the network cut (but for ``allow``); record errors and dialogs."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors, outside, dialogs = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def block(route):
        if route.request.url.startswith(allow):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_function("() => window.L !== undefined && window.BassinGeo !== undefined")
    page.errors, page.outside, page.dialogs = errors, outside, dialogs
    return page, errors, outside


_MAP = "Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)"


def _search(page, text: str, expect: str) -> bool:
    """Type in the map's search box, pick the first result: does a popup say ``expect``?"""
    page.evaluate("() => { window[" + _MAP + "].closePopup(); }")
    page.locator(".bg-search input").fill(text)
    page.locator(".bg-search li").first.click(timeout=30_000)
    page.wait_for_function(
        "t => [...document.querySelectorAll('.leaflet-popup-content')]"
        ".some(p => p.textContent.includes(t))",
        arg=expect,
        timeout=30_000,  # the map flies there first; a loaded machine is slow
    )
    return True


@pytest.mark.browser
def test_default_map_offline_in_chromium(browser, tmp_path):
    out = save_map(make_map(), tmp_path / "map.html", offline=True)
    page, errors, outside = _open(browser, out)
    counts = page.evaluate(_COUNT)
    pits = bg.load_pitheads()
    assert counts["marker"] == int(pits["headframe"].sum())
    assert counts["circle"] == int((~pits["headframe"]).sum())
    assert counts["path"] == sum(len(bg.load_layer(n)) for n in SHOWN_SHAPES)
    # Commune names are drawn with no tiles: the main towns at the first view.
    shown = page.locator(".bg-label").evaluate_all(
        "els => els.filter(e => e.style.display !== 'none').map(e => e.textContent)"
    )
    assert {"Lens", "Douai", "Valenciennes", "Béthune"} <= set(shown)
    # Tick the railways in the layer control: every railway with a geometry appears.
    page.locator(".leaflet-control-layers").hover()
    page.locator(".leaflet-control-layers").get_by_text(
        "Cavaliers (voies ferrées minières)"
    ).click()
    railways = bg.load_layer("railways")
    after = page.evaluate(_COUNT)
    assert after["path"] - counts["path"] == int(railways.geometry.notna().sum())
    # A pit's popup, opened as a visitor would, says where it is and links its shafts.
    page.evaluate(
        """() => {
        window["""
        + _MAP
        + """].eachLayer(l => {
            const p = l.feature ? l.feature.properties : {};
            if (l instanceof L.Marker && (p._tip || '').startsWith('Fosse 11 - 19')) l.openPopup();
        });
    }"""
    )
    popup = page.locator(".leaflet-popup-content")
    assert "Loos-en-Gohelle" in popup.inner_text() and "Commune" in popup.inner_text()
    assert popup.locator("a").count() == 2  # shafts 11 and 19, each with its BRGM sheet
    # The search box finds a slag heap by its number, and a commune without its accents.
    assert _search(page, "t115", "T115")
    assert _search(page, "henin beaumont", "Hénin-Beaumont")
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".bg-fullscreen").count() == 1 and page.locator(".bg-reset").count() == 1
    assert page.locator(".bg-title").inner_text() == "Bassin minier du Nord-Pas de Calais"
    assert errors == []
    assert outside == []
    page.close()


_HIDDEN = (
    """() => {
    // Does the legend cover any part of the data's extent?
    const map = window["""
    + _MAP
    + """];
    const legend = document.querySelector('.bg-legend').getBoundingClientRect();
    const box = map.getContainer().getBoundingClientRect();
    let bounds = null;
    map.eachLayer(l => { if (l.getBounds && l.feature === undefined && l.getLayers) {
        const b = l.getBounds(); if (b.isValid()) bounds = bounds ? bounds.extend(b) : b; } });
    const nw = map.latLngToContainerPoint(bounds.getNorthWest());
    const se = map.latLngToContainerPoint(bounds.getSouthEast());
    const x0 = legend.left - box.left, y0 = legend.top - box.top;
    const x1 = legend.right - box.left, y1 = legend.bottom - box.top;
    return x0 < se.x && x1 > nw.x && y0 < se.y && y1 > nw.y;
}"""
)


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_legend_never_hides_the_basin_and_toggles(browser, tmp_path, size):
    out = save_map(make_map(), tmp_path / "map.html", offline=True)
    page, errors, _ = _open(browser, out, size=size)
    assert page.evaluate(_HIDDEN) is False
    legend = page.locator(".bg-legend")
    folded = "bg-folded" in (legend.get_attribute("class") or "")
    page.locator(".bg-legend-head").click()
    assert ("bg-folded" in (legend.get_attribute("class") or "")) is not folded
    page.screenshot(path=str(tmp_path / f"map_{size[0]}.png"))
    assert errors == []
    page.close()


@pytest.mark.browser
def test_online_map_with_the_network_cut_still_draws(browser, tmp_path):
    out = save_map(make_map(), tmp_path / "map.html")  # web tiles, which cannot load
    page, errors, outside = _open(browser, out)
    counts = page.evaluate(_COUNT)
    assert counts["path"] == sum(len(bg.load_layer(n)) for n in SHOWN_SHAPES)
    assert page.locator(".bg-label:visible").count() > 5
    page.locator(".bg-note").wait_for(timeout=10_000)  # says the background is missing
    assert outside and all("tile.openstreetmap.fr" in u for u in outside)
    # The only errors are the tiles that could not load.
    assert all("Failed to load resource" in e for e in errors)
    page.close()


class _Tiles(http.server.BaseHTTPRequestHandler):
    requested: list[str] = []
    png = (ROOT / "src/bassin_geo/viz/assets/leaflet/images/layers.png").read_bytes()

    def do_GET(self):  # noqa: N802 - the name http.server calls
        _Tiles.requested.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(self.png)

    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_local_tile_server_is_asked_for_tiles(browser, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
        m = make_map("perimeter", tiles=url, attr="Mes tuiles", context=False)
        out = save_map(m, tmp_path / "tiles.html")
        page, errors, outside = _open(browser, out, allow=("file:", "data:", url[:22]))
        page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length")
        assert _Tiles.requested and outside == [] and errors == []
        assert "Mes tuiles" in page.locator(".leaflet-control-attribution").inner_text()
        page.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_hostile_names_render_as_text(browser, tmp_path):
    points = gpd.GeoDataFrame(
        {"name": HOSTILE, "source": HOSTILE, "brgm": ["javascript:alert(3)", HOSTILE[1]]},
        geometry=[shapely.Point(3.0, 50.4), shapely.Point(3.1, 50.45)],
        crs=4326,
    )
    gpx = tmp_path / "hostile.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1">'
        '<wpt lat="50.42" lon="3.05"><name>&lt;img src=x onerror=alert(4)&gt;</name></wpt>'
        "<trk><name>&lt;script&gt;alert(5)&lt;/script&gt;</name><trkseg>"
        '<trkpt lat="50.40" lon="3.00"/><trkpt lat="50.45" lon="3.10"/>'
        "</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    track = bg.read_layer(gpx)
    m = make_map(
        (HOSTILE[1], points),
        (HOSTILE[0], track),
        context=False,
        tiles="https://tiles.invalid/{z}/{x}/{y}.png",
        attr=HOSTILE[1],
        title=HOSTILE[1],
    )
    out = save_map(m, tmp_path / "hostile.html")
    page, errors, _ = _open(browser, out)
    page.evaluate(
        "() => window[" + _MAP + "].eachLayer(l => { if (l.feature) { l.openTooltip && "
        "l.getTooltip() && l.openTooltip(); l.getPopup() && l.openPopup(); } })"
    )
    page.locator(".leaflet-control-layers").hover()
    page.locator(".bg-search input").fill("img")
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") > 0
    assert HOSTILE[1] in page.locator(".bg-title").inner_text()
    assert HOSTILE[1] in page.locator(".leaflet-control-layers").text_content()
    assert page.locator(".bg-search li").count() >= 1
    assert page.locator(".leaflet-popup-content a[href^='javascript']").count() == 0
    page.close()


@pytest.mark.browser
def test_english_map_in_chromium(browser, tmp_path):
    out = save_map(make_map(lang="en"), tmp_path / "en.html", offline=True)
    page, errors, _ = _open(browser, out)
    assert page.locator(".bg-title").inner_text() == "Mining Basin of Nord-Pas de Calais"
    assert page.locator(".bg-search input").get_attribute("placeholder") == (
        "Search a site or a commune"
    )
    assert "Pitheads" in page.locator(".leaflet-control-layers").text_content()
    assert errors == []
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
    # headframes + start + finish + enter + exit + the stop (drawn above the sites)
    # + one marker per full 10 km
    assert counts["marker"] == int(pits["headframe"].sum()) + 5 + int(length // 10_000)
    assert counts["circle"] == int((~pits["headframe"]).sum())
    assert counts["path"] == sum(len(bg.load_layer(n)) for n in SHOWN_SHAPES) + 1
    assert page.locator(".bg-km").count() == int(length // 10_000)
    # The stop's marker sits above the site markers.
    z = page.evaluate(
        "() => { let s = 0, o = 0; window[" + _MAP + "].eachLayer(l => {"
        " if (!(l instanceof L.Marker) || !l._icon) return;"
        " const z = +l._icon.style.zIndex; if (l.feature.properties._tip === 'Lewarde')"
        " s = z; else if (!l.feature.properties._tip.startsWith('km')) o = Math.max(o, z"
        " * (l.options.zIndexOffset < 2000)); }); return [s, o]; }"
    )
    assert z[0] > z[1]
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
    m = make_map(Stage(route), context=False, tiles=None, step_km=5, lang="en")
    page = m.get_root().render()
    length = GEOD.inv(3.0, 50.40, 3.0, 50.50)[2]
    labels = re.findall(r'"_html":"\\u003cspan>([^<]+)<\\/span>"', page)
    assert labels == ["5", "10"] and int(length // 5000) == 2
    assert page.count('"_tip":"Start"') == 1 and page.count('"_tip":"Finish"') == 1


def test_approximate_stage_is_labelled_and_passages_are_not_filled():
    stage = bg.load_stage(2025, 1)
    html = bg.make_map(stage, bg.crossings(stage, "perimeter")).get_root().render()
    assert "stage 1: Lille \\u003e Lille (approximatif)" in html  # the layer control entry
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
    assert "Itinéraire 3" in names  # an unnamed result says what it is
    xmin, ymin, xmax, ymax = stage.to_gdf().total_bounds
    (south, west), (north, east) = _setup(m)["bounds"]
    assert south <= ymin and west <= xmin and north >= ymax and east >= xmax
    route_line = stage.to_gdf().query("kind == 'route'").geometry.iloc[0]
    assert len(km_markers(stage, 10)) == int(GEOD.geometry_length(route_line) // 10_000)


def test_unknown_layer_object_is_refused():
    with pytest.raises(InvalidInputError, match="to_gdf"):
        make_map(object(), context=False)


# ---------------------------------------------------------------------------- options
def _km_labels(m) -> list[str]:
    return re.findall(r'"_html":"\\u003cspan>([^<]+)<\\/span>"', m.get_root().render())


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


def test_itinerary_stops_are_numbered():
    it = bg.itinerary(["9-9bis", "11/19", "Arenberg", "Delloye"])  # straight legs
    page = make_map(it, context=False, tiles=None).get_root().render()
    numbers = re.findall(r'bg-num\\" style=\\"[^"]+\\">(\d+)<\\/div>', page)
    assert numbers == ["2", "3"]  # between the start and finish flags
    assert '"_tip":"Fosse 9 - 9 bis Declercq-Crombez"' in page  # the start, by name


def test_reachable_area_and_sites_are_drawn():
    from bassin_geo.routing import load_network

    lines = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.1, 50.4)])], crs=4326)
    r = bg.reachable((3.0, 50.4), 10, network=load_network(lines), sites=[(3.005, 50.4)])
    m = make_map(r, context=False, tiles=None)
    assert _layer_names(m) == ["Zone accessible 1"]
    page = m.get_root().render()
    assert "Temps de parcours" in page and "10 min" in page


@pytest.mark.browser
def test_notebook_output_draws_with_no_network(browser):
    m = make_map("pitheads", "perimeter", context=False)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    outside = []

    def block(route):
        outside.append(route.request.url)
        route.abort()

    page.route("**/*", block)
    page.set_content(m._repr_html_())  # what a notebook stores and a viewer shows
    frame = page.frames[-1]
    frame.wait_for_function("() => window.BassinGeo !== undefined")
    counts = frame.evaluate(_COUNT)
    assert counts["marker"] + counts["circle"] == len(bg.load_pitheads())
    assert all("tile.openstreetmap.fr" in u for u in outside)  # only the tiles
    page.close()


@pytest.mark.browser
def test_mbtiles_unpacked_beside_the_page_draw_offline(browser, tmp_path):
    import sqlite3

    from bassin_geo.viz import extract_mbtiles

    png = (ROOT / "src/bassin_geo/viz/assets/leaflet/images/layers.png").read_bytes()
    with sqlite3.connect(tmp_path / "basin.mbtiles") as db:
        db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
        # Two tiles at zoom 10 around Lens; MBTiles count rows from the south.
        rows = [(10, x, 1024 - 1 - 343, png) for x in (520, 521)]
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    template = extract_mbtiles(tmp_path / "basin.mbtiles", tmp_path / "tiles")
    assert template == "tiles/{z}/{x}/{y}.png"
    assert (tmp_path / "tiles/10/520/343.png").is_file()
    with pytest.raises(OverwriteError):
        extract_mbtiles(tmp_path / "basin.mbtiles", tmp_path / "tiles")
    m = make_map("perimeter", context=False, tiles=template, attr="Mes tuiles")
    out = save_map(m, tmp_path / "map.html", offline=True)
    page, errors, outside = _open(browser, out)
    page.evaluate("() => { window[" + _MAP + "].setView([50.45, 2.9], 10); }")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-loaded').length > 0")
    assert outside == []  # the page asked for nothing but its own folder
    page.close()

"""Map size and load time in headless Chromium; GeoJSON and GeoPackage write times.

Run: ``python benchmarks/maps_exports.py`` (needs Debian's chromium and playwright for the
map part; the export part runs without them).

Compared in the same run against the obvious alternatives:

* map: the default ``make_map()`` saved offline, against a plain folium map of the same
  layers built the usual way (one ``folium.GeoJson`` per layer with a ``GeoJsonPopup`` of
  every column, one ``folium.Marker`` per pithead), whose CDN assets are served locally
  to the browser so that both load without a network;
* GeoJSON: ``to_geojson`` against ``GeoDataFrame.to_file(driver="GeoJSON", RFC7946="YES")``
  through pyogrio (GDAL's own RFC 7946 writer);
* GeoPackage: ``to_geopackage`` against ``pyogrio.write_dataframe`` per layer with the same
  settings on both sides (frames already in Lambert-93, SQLite fsync off while writing a
  temporary file, one fsync and one rename at the end, no styles); with styles and with
  GDAL's defaults (an fsync per layer) printed beside, not used for the ratio.

``--exports-only`` skips the map part.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import bassin_geo as bg  # noqa: E402
from bassin_geo.io import to_geojson, to_geopackage  # noqa: E402
from bassin_geo.viz import DEFAULT_LAYERS, make_map, save_map  # noqa: E402
from bassin_geo.viz.vendored import vendored_text  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPEAT = 3


def best(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def scalar_frame(gdf):
    """Lists and dicts as JSON text: what GDAL needs to write the layer at all."""
    out = gdf.copy()
    for c in out.columns:
        if c != "geometry" and out[c].dtype == object:
            out[c] = out[c].map(lambda v: json.dumps(v) if isinstance(v, (list, dict)) else v)
    return out


def plain_folium_map() -> folium.Map:
    m = folium.Map(location=[50.45, 3.0], zoom_start=9, tiles=None, prefer_canvas=True)
    for name in DEFAULT_LAYERS:
        gdf = scalar_frame(bg.load_layer(name))
        if name == "pitheads":
            group = folium.FeatureGroup(name=name).add_to(m)
            for row in gdf.itertuples():
                folium.Marker(
                    [row.geometry.y, row.geometry.x],
                    tooltip=row.name,
                    popup=f"{row.name}<br>{row.commune}",
                ).add_to(group)
            continue
        fields = [c for c in gdf.columns if c != "geometry"]
        folium.GeoJson(
            gdf,
            name=name,
            popup=folium.GeoJsonPopup(fields=fields),
            tooltip=folium.GeoJsonTooltip(fields=fields[:1]),
        ).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def load_time(path: Path, chromium: str, serve_cdn: bool) -> float:
    from playwright.sync_api import sync_playwright

    # The plain folium page asks CDNs for Leaflet: answer with the same Leaflet files the
    # package vendors, so both pages load the same code with no network. Bootstrap and
    # jQuery, which folium's template also links, are refused (our page needs neither).
    vendored = {
        "leaflet.js": ("leaflet", "leaflet.js"),
        "leaflet.css": ("leaflet", "leaflet.css"),
        "leaflet.markercluster.js": ("leaflet.markercluster", "leaflet.markercluster.js"),
    }

    def handle(route):
        url = route.request.url
        name = url.rsplit("/", 1)[-1]
        if url.startswith("file:"):
            route.continue_()
        elif serve_cdn and name in vendored:
            kind = "text/css" if url.endswith(".css") else "application/javascript"
            route.fulfill(status=200, body=vendored_text(*vendored[name]), content_type=kind)
        else:
            route.abort()

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for _ in range(REPEAT):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route("**/*", handle)
            t = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load")
            # Drawn: Leaflet has created the map and its layers.
            page.wait_for_function(
                "() => Object.keys(window).some(k => k.startsWith('map_') "
                "&& window[k] instanceof L.Map && window[k]._loaded)"
            )
            times.append(time.perf_counter() - t)
            page.close()
        browser.close()
    return min(times)


def main() -> None:
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    work = Path(tempfile.mkdtemp(prefix="bassin-geo-bench-"))
    names = list(bg.list_layers()["name"])
    frames = {n: bg.load_layer(n) for n in names}
    plain = {n: scalar_frame(g) for n, g in frames.items()}

    # ---- GeoJSON
    def ours_geojson():
        for n, g in frames.items():
            to_geojson(g, work / "ours" / f"{n}.geojson", overwrite=True)

    def gdal_geojson():
        for n, g in plain.items():
            g.to_file(
                work / "gdal" / f"{n}.geojson", driver="GeoJSON", engine="pyogrio", RFC7946="YES"
            )

    (work / "gdal").mkdir()
    t_ours, t_gdal = best(ours_geojson), best(gdal_geojson)
    print(
        f"GeoJSON, {len(names)} layers: to_geojson {t_ours:.2f} s, "
        f"GDAL RFC7946 writer {t_gdal:.2f} s, ratio {t_gdal / t_ours:.2f}x "
        f"({'ours faster' if t_ours < t_gdal else 'GDAL faster'})"
    )

    # ---- GeoPackage
    # Like with like: to_geopackage writes every layer with SQLite's fsync off into a
    # temporary file, then flushes it once and renames it. The baseline does the same
    # (OGR_SQLITE_SYNCHRONOUS=OFF, one fsync, one rename), from frames already in
    # Lambert-93 and without styles on both sides; GDAL's defaults (an fsync per layer) are
    # printed apart, not used for the ratio.
    import pyogrio

    projected = {n: g.to_crs(2154) for n, g in plain.items()}
    lambert = {n: g.to_crs(2154) for n, g in frames.items()}

    def ours_gpkg(styles: bool) -> None:
        # The frames are in Lambert-93 already, as the baseline's are: the default crs
        # keeps them as given (crs=None would write them in WGS84).
        to_geopackage(lambert, work / "ours.gpkg", styles=styles, overwrite=True)

    def gdal_gpkg(synced: bool) -> None:
        tmp, target = work / "plain.tmp.gpkg", work / "plain.gpkg"
        tmp.unlink(missing_ok=True)
        key = "OGR_SQLITE_SYNCHRONOUS"
        before = pyogrio.get_gdal_config_option(key)
        if not synced:
            pyogrio.set_gdal_config_options({key: "OFF"})
        try:
            for n, g in projected.items():
                pyogrio.write_dataframe(g, tmp, layer=n, driver="GPKG")
        finally:
            pyogrio.set_gdal_config_options({key: before})
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)

    runs = {
        "to_geopackage(styles=False)": lambda: ours_gpkg(False),
        "pyogrio, same settings": lambda: gdal_gpkg(False),
        "to_geopackage (with QGIS styles)": lambda: ours_gpkg(True),
        "pyogrio, GDAL defaults (fsync per layer)": lambda: gdal_gpkg(True),
    }
    times: dict[str, list[float]] = {k: [] for k in runs}
    loads = []
    for _ in range(REPEAT):  # interleaved rounds, medians
        loads.append(os.getloadavg()[0])
        for k, fn in runs.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["pyogrio, same settings"]
    print(
        f"GeoPackage, {len(names)} layers in Lambert-93, medians of {REPEAT} interleaved "
        f"rounds (load {', '.join(f'{v:.2f}' for v in loads)}):"
    )
    for k, v in med.items():
        print(f"   {k:42s} {v:6.3f} s  x{v / base:.2f} of pyogrio with the same settings")

    if "--exports-only" in sys.argv:
        shutil.rmtree(work, ignore_errors=True)
        return

    # ---- Map
    t_build = best(lambda: save_map(make_map(), work / "map.html", offline=True, overwrite=True))
    t_plain = best(lambda: plain_folium_map().save(str(work / "plain.html")))
    ours_size = (work / "map.html").stat().st_size
    plain_size = (work / "plain.html").stat().st_size
    print(
        f"Map build+save: make_map+save_map(offline) {t_build:.2f} s, plain folium "
        f"{t_plain:.2f} s, ratio {t_plain / t_build:.2f}x"
    )
    print(
        f"Map HTML: ours (offline, assets inlined) {ours_size / 1e6:.2f} MB, plain folium "
        f"(assets on CDNs, not counted) {plain_size / 1e6:.2f} MB, ratio "
        f"{plain_size / ours_size:.2f}x"
    )
    chromium = shutil.which("chromium")
    try:
        import playwright  # noqa: F401
    except ImportError:
        chromium = None
    if chromium is None:
        print("Map load time: skipped (chromium or playwright missing)")
    else:
        t_ours = load_time(work / "map.html", chromium, serve_cdn=False)
        t_plain = load_time(work / "plain.html", chromium, serve_cdn=True)
        print(
            f"Map load in headless Chromium (to drawn): ours {t_ours:.2f} s, plain folium "
            f"{t_plain:.2f} s (CDN assets served locally), ratio {t_plain / t_ours:.2f}x"
        )
    shutil.rmtree(work, ignore_errors=True)
    pd.set_option("display.width", 100)


if __name__ == "__main__":
    main()

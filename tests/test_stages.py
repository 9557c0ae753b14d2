"""Routes, the 2025 stages, crossings, communes crossed and sites along a route.

Expected values come from pyproj.Geod called here, from shapely computations done here
(intersection of the line with the polygons) or from brute force over every site.
"""

from __future__ import annotations

import csv
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st_h
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Polygon, box

import bassin_geo as bg
from bassin_geo.analysis import stages as st

GEOD = Geod(ellps="WGS84")

# A square with corners at dyadic values, so that the corner is exact in binary.
X0, Y0, X1, Y1 = 2.0, 50.0, 2.125, 50.125
SQUARE = box(X0, Y0, X1, Y1)


def geo_m(a, b) -> float:
    """Geodesic metres between two (lon, lat) points, straight from pyproj."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def shapely_inside_km(line, polygon) -> list[float]:
    """Geodesic km of each part of the line inside the polygon (shapely overlay), sorted."""
    parts = shapely.get_parts(shapely.line_merge(shapely.intersection(line, polygon)))
    parts = [p for p in parts if p.geom_type == "LineString" and p.length > 0]
    return sorted(GEOD.geometry_length(p) / 1000.0 for p in parts)


def geodesic_km(geoms) -> float:
    """Total geodesic km of the lines among ``geoms``, vertex pair by vertex pair."""
    parts = shapely.get_parts(shapely.get_parts(geoms))  # collections, then multi-parts
    lines = parts[shapely.get_type_id(parts) == 1]
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    same = idx[1:] == idx[:-1]
    _, _, d = GEOD.inv(xy[:-1, 0][same], xy[:-1, 1][same], xy[1:, 0][same], xy[1:, 1][same])
    return float(d.sum()) / 1000


def per_segment_km(pts, polygon) -> float:
    """Geodesic km of a track inside a polygon, intersecting each segment on its own."""
    a, b = pts[:-1], pts[1:]
    x0, y0, x1, y1 = polygon.bounds
    near = (
        (np.maximum(a[:, 0], b[:, 0]) >= x0)
        & (np.minimum(a[:, 0], b[:, 0]) <= x1)
        & (np.maximum(a[:, 1], b[:, 1]) >= y0)
        & (np.minimum(a[:, 1], b[:, 1]) <= y1)
    )
    segments = shapely.linestrings(np.stack([a[near], b[near]], axis=1))
    return geodesic_km(shapely.intersection(segments, polygon))


# ------------------------------------------------------------------------------ synthetic


def test_straight_line_across_a_square():
    a, b = (1.9375, 50.0625), (2.1875, 50.0625)
    c = st.crossings(LineString([a, b]), SQUARE)
    assert c.events["kind"].tolist() == ["enter", "exit"]
    assert c.events["km"].iloc[0] == pytest.approx(geo_m(a, (X0, 50.0625)) / 1000, abs=1e-6)
    assert c.events["km"].iloc[1] == pytest.approx(geo_m(a, (X1, 50.0625)) / 1000, abs=1e-6)
    assert c.km_inside == pytest.approx(geo_m((X0, 50.0625), (X1, 50.0625)) / 1000, abs=1e-5)
    assert c.n_passages == 1 and not c.starts_inside and not c.ends_inside
    pts = shapely.get_coordinates(c.events.geometry.to_numpy())
    np.testing.assert_allclose(pts, [[X0, 50.0625], [X1, 50.0625]], atol=1e-12)
    assert c.share == pytest.approx(c.km_inside / (geo_m(a, b) / 1000), rel=1e-6)


def test_grazing_a_corner_is_no_crossing():
    # Through the corner (X1, Y1) exactly, from outside to outside.
    line = LineString([(2.0625, 50.1875), (2.1875, 50.0625)])
    c = st.crossings(line, SQUARE)
    assert len(c.events) == 0
    assert c.km_inside == 0 and c.n_passages == 0


def test_segment_clipping_a_corner_between_two_vertices():
    # Both vertices outside; the segment cuts the corner: enter and exit in one segment.
    a, b = (2.1, 50.14), (2.14, 50.1)
    c = st.crossings(LineString([a, b]), SQUARE)
    assert c.events["kind"].tolist() == ["enter", "exit"]
    expected = shapely.get_coordinates(shapely.intersection(LineString([a, b]), SQUARE.boundary))
    expected = expected[np.argsort(expected[:, 0])]
    got = shapely.get_coordinates(c.events.geometry.to_numpy())
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert c.events["km"].iloc[0] == pytest.approx(geo_m(a, expected[0]) / 1000, abs=1e-6)
    assert c.km_inside == pytest.approx(geo_m(expected[0], expected[1]) / 1000, abs=1e-6)


def test_loop_that_enters_twice():
    # Crosses the square west to east, loops round outside, crosses it again east to west.
    coords = [(1.95, 50.03), (2.2, 50.03), (2.2, 50.09), (1.95, 50.09), (1.95, 50.031)]
    line = LineString(coords)
    c = st.crossings(line, SQUARE)
    assert c.events["kind"].tolist() == ["enter", "exit", "enter", "exit"]
    assert c.events["km"].is_monotonic_increasing
    assert sorted(c.passages["length_km"]) == pytest.approx(
        shapely_inside_km(line, SQUARE), abs=1e-5
    )
    assert c.n_passages == 2
    # The second entry is on the east side, after the whole first passage and the detour.
    detour = geo_m((1.95, 50.03), (2.2, 50.03)) + geo_m((2.2, 50.03), (2.2, 50.09))
    assert c.events["km"].iloc[2] == pytest.approx(
        (detour + geo_m((2.2, 50.09), (X1, 50.09))) / 1000, abs=1e-5
    )


def test_route_starting_inside_and_ending_inside():
    out = st.crossings(LineString([(2.05, 50.05), (2.2, 50.05)]), SQUARE)
    assert out.starts_inside and out.events["kind"].tolist() == ["exit"]
    back = st.crossings(LineString([(2.2, 50.05), (2.05, 50.05)]), SQUARE)
    assert back.ends_inside and back.events["kind"].tolist() == ["enter"]
    inside = st.crossings(LineString([(2.05, 50.05), (2.07, 50.06)]), SQUARE)
    assert len(inside.events) == 0 and inside.share == pytest.approx(1.0)


def test_route_starting_on_the_boundary_enters_at_km_0():
    c = st.crossings(LineString([(X0, 50.05), (2.05, 50.05)]), SQUARE)
    assert c.events["kind"].tolist() == ["enter"]
    assert c.events["km"].iloc[0] == 0.0
    assert not c.starts_inside


def test_running_along_the_border():
    # Along the southern edge from outside to outside: no entry, km on the border.
    c = st.crossings(LineString([(1.9375, Y0), (2.1875, Y0)]), SQUARE)
    assert len(c.events) == 0 and c.km_inside == 0
    assert c.km_on_border == pytest.approx(geo_m((X0, Y0), (X1, Y0)) / 1000, abs=1e-5)
    # From inside down to the edge, along it, back inside: it leaves the interior.
    line = LineString([(2.03125, 50.0625), (2.03125, Y0), (2.09375, Y0), (2.09375, 50.0625)])
    c = st.crossings(line, SQUARE)
    assert c.events["kind"].tolist() == ["exit", "enter"]
    assert c.km_on_border == pytest.approx(geo_m((2.03125, Y0), (2.09375, Y0)) / 1000, abs=1e-6)
    assert c.starts_inside and c.ends_inside and c.n_passages == 2


def test_touching_the_boundary_from_inside_keeps_one_passage():
    line = LineString([(2.05, 50.05), (X1, 50.0625), (2.05, 50.075)])
    c = st.crossings(line, SQUARE)
    assert len(c.events) == 0 and c.n_passages == 1
    assert c.km_inside == pytest.approx(GEOD.geometry_length(line) / 1000, rel=1e-9)


def test_vertex_on_the_boundary_and_duplicate_points():
    clean = [(1.9375, 50.0625), (X0, 50.0625), (2.0625, 50.0625), (2.1875, 50.0625)]
    dup = [clean[0], clean[1], clean[1], clean[1], clean[2], clean[2], clean[3]]
    a = st.crossings(LineString(clean), SQUARE)
    b = st.crossings(LineString(dup), SQUARE)
    assert a.events["kind"].tolist() == b.events["kind"].tolist() == ["enter", "exit"]
    np.testing.assert_allclose(a.events["km"], b.events["km"], atol=1e-12)
    assert a.events["km"].iloc[0] == pytest.approx(geo_m(clean[0], clean[1]) / 1000, abs=1e-9)


def test_features_of_a_layer_are_merged():
    # Two adjacent halves: passing from one to the other is no crossing.
    halves = gpd.GeoDataFrame(
        {"site_id": ["west", "east"]},
        geometry=[box(X0, Y0, 2.0625, Y1), box(2.0625, Y0, X1, Y1)],
        crs="EPSG:4326",
    )
    c = st.crossings(LineString([(1.9375, 50.0625), (2.1875, 50.0625)]), halves)
    assert c.events["kind"].tolist() == ["enter", "exit"]
    assert c.events["area_id"].tolist() == ["west", "east"]


def test_area_in_lambert93_is_converted():
    square93 = gpd.GeoDataFrame(geometry=[SQUARE], crs="EPSG:4326").to_crs(2154)
    line = LineString([(1.9375, 50.0625), (2.1875, 50.0625)])
    a, b = st.crossings(line, SQUARE), st.crossings(line, square93)
    np.testing.assert_allclose(a.events["km"], b.events["km"], atol=1e-3)


def test_area_must_be_polygons():
    with pytest.raises(bg.InvalidInputError, match="polygons"):
        st.crossings(LineString([(2.0, 50.0), (2.1, 50.1)]), "pitheads")
    with pytest.raises(bg.InvalidInputError, match="not a layer name"):
        st.crossings(LineString([(2.0, 50.0), (2.1, 50.1)]), "perimetre")


# ----------------------------------------------------------------------------- real data


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("area", ["perimeter", "buffer_zone", "property"])
def test_stage_crossings_match_shapely(number, area):
    route = st.load_stage(2025, number)
    polygon = shapely.union_all(bg.load_layer(area).geometry.to_numpy())
    c = st.crossings(route, area, min_passage_m=0)  # the exact geometry, grazes kept
    assert sorted(c.passages["length_km"]) == pytest.approx(
        shapely_inside_km(route.line, polygon), abs=1e-3
    )
    touch = shapely.get_coordinates(shapely.intersection(route.line, polygon.boundary))
    got = shapely.get_coordinates(c.events.geometry.to_numpy())
    # Each event point is a point where shapely sees the line meet the boundary.
    if len(got):
        gaps = np.min(np.hypot(*(got[:, None, :] - touch[None, :, :]).transpose(2, 0, 1)), 1)
        assert gaps.max() < 1e-9
    kinds = c.events["kind"].tolist()
    assert all(k1 != k2 for k1, k2 in zip(kinds, kinds[1:], strict=False))


def test_stage_1_enters_the_basin_near_seclin_and_leaves_after_bethune():
    c = st.crossings(st.load_stage(2025, 1), "perimeter")
    s = c.summary()
    assert s["entries"] == s["exits"] == s["passages"]
    assert not c.starts_inside and not c.ends_inside  # Lille is outside the basin
    last_exit = c.events[c.events["kind"] == "exit"].iloc[-1]
    assert last_exit["commune"] in {"Béthune", "Essars", "Locon", "Lestrem"}


def test_hundred_thousand_point_gpx(tmp_path):
    route = st.load_stage(2025, 3)
    xy = route.coords
    t = np.linspace(0, len(xy) - 1, 100_000)
    s = np.minimum(t.astype(int), len(xy) - 2)
    pts = xy[s] + (t - s)[:, None] * (xy[s + 1] - xy[s])
    pts += np.random.default_rng(1).normal(0, 2e-5, pts.shape)  # GPS-like noise
    body = "\n".join(f'<trkpt lat="{y:.7f}" lon="{x:.7f}"/>' for x, y in pts)
    path = tmp_path / "ride.gpx"
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>ride</name><trkseg>'
        + body
        + "</trkseg></trk></gpx>"
    )
    ride = st.read_route(path)
    assert len(ride.distance_m) == 100_000
    line = LineString(np.round(pts, 7))
    assert ride.length_km == pytest.approx(GEOD.geometry_length(line) / 1000, rel=1e-9)
    perimeter = bg.load_perimeter().geometry.iloc[0]
    c = st.crossings(ride, "perimeter", min_passage_m=0)  # GPS noise: every graze counted
    # The noisy track crosses itself many times, and shapely's overlay of the whole line
    # snaps at those nodes (it loses about 1.5 m here): the reference is segment by segment.
    pts = np.round(pts, 7)
    a, b = pts[:-1], pts[1:]
    segments = shapely.linestrings(np.stack([a, b], axis=1))
    boundary = perimeter.boundary
    shapely.prepare(boundary)
    hit = shapely.intersects(boundary, segments)
    inside = ~hit & shapely.contains_xy(perimeter, *a.T) & shapely.contains_xy(perimeter, *b.T)
    _, _, whole = GEOD.inv(a[inside, 0], a[inside, 1], b[inside, 0], b[inside, 1])
    expected = whole.sum() / 1000 + geodesic_km(shapely.intersection(segments[hit], perimeter))
    assert c.km_inside == pytest.approx(expected, abs=1e-5)
    touch = shapely.get_coordinates(shapely.intersection(segments[hit], boundary))
    assert len(c.events) == len(touch)
    communes = st.communes_crossed(ride, all_nord_pas_de_calais=False)
    geoms = bg.load_communes().set_index("insee").geometry
    totals = communes.groupby("insee")["length_km"].sum()
    for insee in totals.index[::4]:  # a quarter of them keeps the test quick
        assert totals[insee] == pytest.approx(per_segment_km(pts, geoms[insee]), abs=1e-5)


# ----------------------------------------------------------------------------- communes


@pytest.mark.parametrize("number", [1, 3])
def test_communes_crossed_against_shapely(number):
    route = st.load_stage(2025, number)
    cc = st.communes_crossed(route, all_nord_pas_de_calais=True)
    communes = bg.load_communes(all_nord_pas_de_calais=True)
    hit = communes[communes.intersects(route.line)]
    expected = {}
    for insee, geom in zip(hit["insee"], hit.geometry, strict=True):
        km = sum(shapely_inside_km(route.line, geom))
        if km > 0:
            expected[insee] = km
    got = cc.groupby("insee")["length_km"].sum()
    assert set(got.index) == set(expected)
    for insee, km in expected.items():
        assert got[insee] == pytest.approx(km, abs=1e-3)
    # The communes tile the land: each passage ends where the next begins.
    np.testing.assert_allclose(cc["km_out"].iloc[:-1], cc["km_in"].iloc[1:], atol=1e-9)
    assert cc["km_out"].iloc[-1] == pytest.approx(route.length_km)
    start = shapely.Point(route.coords[0])
    assert communes.loc[communes.contains(start), "insee"].item() == cc["insee"].iloc[0]


def test_loop_stage_starts_and_ends_in_lille():
    cc = st.communes_crossed(st.load_stage(2025, 1), all_nord_pas_de_calais=True)
    assert cc["commune"].iloc[0] == cc["commune"].iloc[-1] == "Lille"
    assert (cc["commune"] == "Lille").sum() >= 2
    listed = ["Carvin", "Lens", "Liévin", "Nœux-les-Mines", "Béthune"]
    first_km = [cc.loc[cc["commune"] == c, "km_in"].min() for c in listed]
    assert first_km == sorted(first_km)
    basin = set(bg.load_communes()["insee"])
    assert cc["in_basin"].tolist() == [i in basin for i in cc["insee"]]


# ----------------------------------------------------------------------------- sites


def test_sites_along_against_brute_force():
    route = st.load_stage(2025, 3)
    sites = bg.load_layer("sites")
    to93 = Transformer.from_crs(4326, 2154, always_xy=True)
    line93 = shapely.transform(route.line, lambda c: np.column_stack(to93.transform(*c.T)))
    sites93 = sites.to_crs(2154)
    planar = shapely.distance(sites93.geometry.to_numpy(), line93)
    near = st.sites_along(route, 1000)
    # site_id is not unique in the sites layer (estates): key on id and name.
    key = sites["site_id"] + "|" + sites["name"].fillna("")
    assert key.is_unique
    got = near["site_id"] + "|" + near["name"].fillna("")
    # Geodesic and Lambert-93 distances differ by the projection scale (< 0.1 % here).
    sure, maybe = set(key[planar <= 995]), set(key[planar <= 1005])
    assert sure <= set(got) <= maybe
    by_key = dict(zip(key, planar, strict=True))
    for k, d in zip(got, near["distance_m"], strict=True):
        assert d == pytest.approx(by_key[k], rel=2e-3, abs=0.5)
    # km: where the closest point lies along the line, measured in Lambert-93 here.
    along = line93.project(sites93.set_index(key).geometry[got].to_numpy())
    ratio = route.length_km * 1000 / line93.length
    np.testing.assert_allclose(near["km"], along * ratio / 1000, atol=0.05)
    assert near["km"].is_monotonic_increasing


def test_sites_along_a_loop_passing_twice():
    # Out and back along one street: the site is reported once, at its first passage.
    a, b = (2.8, 50.42), (2.85, 50.42)
    route = st.Route.from_coords([a, b, a])
    site = gpd.GeoDataFrame({"site_id": ["x"]}, geometry=[shapely.Point(2.82, 50.421)], crs=4326)
    near = st.sites_along(route, 500, layer=site)
    assert len(near) == 1
    assert near["km"].iloc[0] == pytest.approx(geo_m(a, (2.82, 50.42)) / 1000, abs=0.005)
    assert near["distance_m"].iloc[0] == pytest.approx(
        geo_m((2.82, 50.42), (2.82, 50.421)), abs=0.5
    )


def test_sites_along_polygons_and_bad_distance():
    heaps = st.sites_along(st.load_stage(2025, 1), 500, layer="slag_heaps")
    line = st.load_stage(2025, 1).line
    crossed = bg.load_layer("slag_heaps")
    crossed = set(crossed.loc[crossed.intersects(line), "site_id"])
    assert crossed <= set(heaps.loc[heaps["distance_m"] == 0, "site_id"])
    with pytest.raises(bg.InvalidInputError):
        st.sites_along(line, -5)


# ----------------------------------------------------------------------------- stages


def _source_rows(stage: int) -> list[dict]:
    with open(bg.data_dir() / "tdf2025_stages.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if int(r["stage"]) == stage]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_stage_polyline_goes_through_the_communes_in_order(number):
    route = st.load_stage(2025, number)
    communes = bg.load_communes(all_nord_pas_de_calais=True)
    names = [r["commune"] for r in _source_rows(number) if r["commune"]]
    names = [{"Lomme": "Lille"}.get(n, n) for n in names]
    names = [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]
    xy = route.coords
    assert len(xy) == len(names)
    for (x, y), name in zip(xy, names, strict=True):
        holder = communes.loc[communes.contains(shapely.Point(x, y)), "commune"]
        assert holder.tolist() == [name]
    assert route.length_km == pytest.approx(GEOD.line_length(xy[:, 0], xy[:, 1]) / 1000)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_stage_is_labelled_approximate_and_keeps_official_km(number):
    route = st.load_stage(2025, number)
    rows = _source_rows(number)
    official = float(next(r["km"] for r in rows if r["event"] == "finish"))
    assert route.approximate and "approximation" in route.properties["method"]
    assert route.properties["official_length_km"] == official
    assert route.length_km < official
    assert set(route.properties["sources"]) == {r["source_url"] for r in rows}
    wp = route.waypoints
    for r in rows:
        if r["event"].startswith(("climb", "sprint")) or (r["km"] and not r["event"]):
            match = wp[(wp["seq"] == int(r["seq"]))]
            assert match["km"].item() == float(r["km"])
            assert match.geometry.isna().item() == (not r["commune"])
    gdf = route.to_gdf()
    kinds = ["route"] + [e if e in ("start", "finish") else "waypoint" for e in wp["event"]]
    assert gdf["kind"].tolist() == kinds
    assert gdf["approximate"].all() and gdf["method"].str.contains("approximation").all()
    assert gdf.crs.to_epsg() == 4326


def test_climbs_without_commune_have_no_position():
    wp = st.load_stage(2025, 1).waypoints
    lorette = wp[wp["name"] == "Côte de Notre-Dame-de-Lorette"]
    assert lorette["km"].item() == 41.2 and lorette.geometry.isna().item()
    assert np.isnan(lorette["km_on_route"].item())


def test_unknown_stage():
    with pytest.raises(bg.InvalidInputError, match="1, 2, 3"):
        st.load_stage(2025, 4)
    with pytest.raises(bg.InvalidInputError):
        st.load_stage(2024, 1)
    stages = st.list_stages()
    assert stages["official_length_km"].tolist() == [184.9, 209.1, 178.3]
    assert (stages["length_km"] < stages["official_length_km"]).all()


# ----------------------------------------------------------------------------- reading


def test_read_gpx_track_and_waypoint(test_data):
    r = st.read_route(test_data / "track_synthetic.gpx")
    assert r.name == "Synthetic ride Lens" and not r.approximate
    np.testing.assert_allclose(r.coords, [[2.8, 50.42], [2.82, 50.43], [2.85, 50.43]])
    expected = np.cumsum(
        [0, geo_m((2.8, 50.42), (2.82, 50.43)), geo_m((2.82, 50.43), (2.85, 50.43))]
    )
    np.testing.assert_allclose(r.distance_m, expected, rtol=1e-12)
    wp = r.waypoints
    assert wp["name"].tolist() == ["Fosse 9 (near)"]
    along = (expected[1] + geo_m((2.82, 50.43), (2.831, 50.43))) / 1000
    assert wp["km_on_route"].item() == pytest.approx(along, abs=0.002)


def test_read_gpx_two_segments_are_joined(test_data):
    r = st.read_route(test_data / "track_two_segments.gpx")
    assert len(r.coords) == 5 and r.properties["segments"] == 2
    gap = geo_m((2.81, 50.42), (2.81, 50.425))
    assert r.properties["gap_km"] == pytest.approx(gap / 1000, abs=1e-3)
    assert r.length_km == pytest.approx(GEOD.geometry_length(r.line) / 1000)


def test_read_gpx_route_points(test_data):
    r = st.read_route(test_data / "route_only.gpx")
    assert r.name == "Planned route"
    assert r.length_km == pytest.approx(geo_m((2.8, 50.42), (2.85, 50.43)) / 1000)


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("waypoints_only.gpx", bg.RouteError, "no track points"),
        ("one_point.gpx", bg.RouteError, "single point"),
        ("truncated.gpx", bg.DataFileError, "truncated.gpx"),
        ("missing.gpx", bg.DataFileError, "no such file"),
    ],
)
def test_read_gpx_errors(test_data, name, error, words):
    with pytest.raises(error, match=words):
        st.read_route(test_data / name)


def test_backwards_timestamps_warn(test_data):
    with pytest.warns(st.RouteWarning, match="backwards"):
        r = st.read_route(test_data / "backwards_time.gpx")
    assert len(r.coords) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st.read_route(test_data / "track_synthetic.gpx")


def test_read_geojson_in_lambert93_and_kml(tmp_path):
    line = LineString([(2.8, 50.42), (2.82, 50.43), (2.85, 50.43)])
    gdf = gpd.GeoDataFrame({"name": ["ride"]}, geometry=[line], crs=4326)
    gdf.to_crs(2154).to_file(tmp_path / "ride.geojson", driver="GeoJSON")
    gdf.to_file(tmp_path / "ride.kml", driver="KML")
    for name in ("ride.geojson", "ride.kml"):
        r = st.read_route(tmp_path / name)
        np.testing.assert_allclose(r.coords, shapely.get_coordinates(line), atol=1e-7)
        assert r.length_km == pytest.approx(GEOD.geometry_length(line) / 1000, rel=1e-6)
    points = gpd.GeoDataFrame(geometry=[shapely.Point(2.8, 50.42)], crs=4326)
    points.to_file(tmp_path / "points.geojson", driver="GeoJSON")
    with pytest.raises(bg.RouteError, match="no line"):
        st.read_route(tmp_path / "points.geojson")


def test_route_from_one_repeated_point_is_an_error():
    with pytest.raises(bg.RouteError, match="two distinct"):
        st.Route.from_coords([(2.8, 50.42), (2.8, 50.42)])
    with pytest.raises(bg.CoordinateError):
        st.Route.from_coords([(50.42, 2.8), (50.43, 2.82)])


def test_exported_stage_reads_back_as_approximate(tmp_path):
    stage = st.load_stage(2025, 2)
    stage.to_gdf().to_file(tmp_path / "stage2.geojson", driver="GeoJSON")
    back = st.read_route(tmp_path / "stage2.geojson")
    assert back.approximate and "approximation" in back.properties["method"]
    np.testing.assert_allclose(back.coords, stage.coords, atol=1e-9)
    sprint = back.waypoints[back.waypoints["event"] == "sprint"]
    assert sprint["km"].item() == 154.6  # the official km, from the source table


# ----------------------------------------------------------------------------- properties

# Vertices on a grid of 1/32 degree that holds the square's edges and the triangle's
# vertices: random routes hit corners, run along edges and cross at vertices.
TRIANGLE = Polygon([(2.0, 50.0), (2.1875, 50.0625), (2.0625, 50.1875)])
coordinate = st_h.integers(0, 10)
grid_routes = st_h.lists(st_h.tuples(coordinate, coordinate), min_size=2, max_size=8).filter(
    lambda pts: len(set(pts)) > 1
)


def per_segment_reference(xy: np.ndarray, polygon) -> tuple[float, float]:
    """km in the interior and km along the boundary, one segment at a time."""
    segments = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    closed = geodesic_km(shapely.intersection(segments, polygon))
    along = shapely.intersection(segments, polygon.boundary)
    return closed - geodesic_km(along), geodesic_km(along)


@settings(max_examples=150, deadline=None)
@given(route=grid_routes, which=st_h.sampled_from(["square", "triangle"]))
def test_random_grid_routes(route, which):
    polygon = SQUARE if which == "square" else TRIANGLE
    xy = 1.9375 + np.array(route, dtype=float) / 32
    xy[:, 1] += 48.0625  # latitudes 50.0 at k = 0, 50.125 at k = 4
    c = st.crossings(LineString(xy), polygon, min_passage_m=0)
    inside, border = per_segment_reference(xy, polygon)
    # The reference measures each piece as its own geodesic; bassin_geo measures km from
    # the segment's first vertex, so that pieces add up to the segment. A straight
    # segment in degrees is no geodesic: the two differ by about a millionth of the
    # route (1 cm on these 20 km segments).
    tol = 2e-6 * c.route_km + 1e-9
    assert c.km_inside == pytest.approx(inside, abs=tol)
    assert c.km_on_border == pytest.approx(border, abs=tol)
    kinds = c.events["kind"].tolist()
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))  # alternate
    assert kinds.count("enter") - kinds.count("exit") == int(c.ends_inside) - int(c.starts_inside)
    assert c.n_passages == kinds.count("enter") + int(c.starts_inside)
    assert c.events["km"].is_monotonic_increasing
    # Every event lies on the boundary.
    if len(kinds):
        assert shapely.distance(c.events.geometry.to_numpy(), polygon.boundary).max() < 1e-12


def test_crossing_one_commune_agrees_with_communes_crossed():
    stage = st.load_stage(2025, 1)
    communes = bg.load_communes(all_nord_pas_de_calais=True)
    lens = communes[communes["commune"] == "Lens"]
    c = st.crossings(stage, lens, min_passage_m=0)  # communes_crossed keeps every piece
    rows = st.communes_crossed(stage, all_nord_pas_de_calais=True)  # the same Lens polygon
    rows = rows[rows["commune"] == "Lens"]
    assert len(rows) == c.n_passages >= 1
    np.testing.assert_allclose(c.passages["km_in"], rows["km_in"], atol=1e-9)
    np.testing.assert_allclose(c.passages["km_out"], rows["km_out"], atol=1e-9)
    assert set(c.events["commune"]) == {"Lens"}


def test_read_gpx_with_two_tracks(tmp_path):
    path = tmp_path / "two.gpx"
    path.write_text(
        '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        '<trk><name>Morning</name><trkseg><trkpt lat="50.42" lon="2.80"/>'
        '<trkpt lat="50.42" lon="2.81"/></trkseg></trk>'
        '<trk><name>Afternoon</name><trkseg><trkpt lat="50.43" lon="2.81"/>'
        '<trkpt lat="50.43" lon="2.82"/></trkseg></trk></gpx>'
    )
    r = st.read_route(path)
    assert r.name == "Morning" and r.properties["segments"] == 2
    np.testing.assert_allclose(r.coords[:, 1], [50.42, 50.42, 50.43, 50.43])


def test_read_route_metres_without_crs(tmp_path):
    # A GeoJSON written in Lambert-93 without a crs member: GDAL labels it WGS84.
    line = LineString([(2.8, 50.42), (2.82, 50.43), (2.85, 50.43)])
    xy93 = np.column_stack(
        Transformer.from_crs(4326, 2154, always_xy=True).transform(*shapely.get_coordinates(line).T)
    )
    path = tmp_path / "metres.geojson"
    coords = ",".join(f"[{x:.3f},{y:.3f}]" for x, y in xy93)
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        f'"geometry":{{"type":"LineString","coordinates":[{coords}]}}}}]}}'
    )
    with pytest.raises(bg.CoordinateError, match="metres"):
        st.read_route(path)
    r = st.read_route(path, crs="EPSG:2154")
    np.testing.assert_allclose(r.coords, shapely.get_coordinates(line), atol=1e-7)
    assert issubclass(st.RouteWarning, bg.BassinGeoWarning)


# ----------------------------------------------------------------------------- old call forms


def test_communes_crossed_default_is_the_basin_and_the_flag_is_a_bool():
    stage = st.load_stage(2025, 1)
    basin = st.communes_crossed(stage)
    assert basin["in_basin"].all()
    assert set(basin["insee"]) <= set(bg.load_communes()["insee"])
    with pytest.raises(bg.InvalidInputError, match="all_nord_pas_de_calais"):
        st.communes_crossed(stage, all_nord_pas_de_calais="yes")
    with pytest.warns(FutureWarning, match="by position"):
        old = st.communes_crossed(stage, True)
    pd.testing.assert_frame_equal(old, st.communes_crossed(stage, all_nord_pas_de_calais=True))


def test_old_positional_options_warn_and_agree(tmp_path):
    stage = st.load_stage(2025, 1)
    with pytest.warns(FutureWarning, match="by position"):
        old = st.sites_along(stage, 1000, "pitheads")
    pd.testing.assert_frame_equal(old, st.sites_along(stage, 1000, layer="pitheads"))
    path = tmp_path / "stage.geojson"
    stage.to_gdf().to_file(path)
    with pytest.warns(FutureWarning, match="by position"):
        old = st.read_route(path, None, "named")
    assert old.name == st.read_route(path, name="named").name == "named"


def test_route_geometry_index_is_public_and_shared():
    route = st.load_stage(2025, 2)
    assert route.geometry_index() is route.geometry_index()
    assert len(route.geometry_index().xy) <= len(route.coords)


def test_sites_along_takes_places_like_the_other_analyses():
    stage = st.load_stage(2025, 1)
    pits = bg.load_pitheads()
    as_frame = st.sites_along(stage, 1000, layer=pits.to_crs(2154))
    by_name = st.sites_along(stage, 1000, layer="pitheads")
    assert as_frame["site_id"].tolist() == by_name["site_id"].tolist()
    assert as_frame.crs.to_epsg() == 4326


def test_route_from_coords_options_are_keyword_only():
    xy = [(2.8, 50.4), (2.9, 50.4)]
    with pytest.warns(FutureWarning, match="by position"):
        old = st.Route.from_coords(xy, "east")
    new = st.Route.from_coords(xy, name="east")
    assert old.name == new.name == "east" and old.length_km == new.length_km


# ------------------------------------------------------------------ grazes (issue 17)


def test_a_graze_inside_is_no_passage():
    # A long passage across the square, then a poke 5e-5 degrees (3.6 m) into its east side.
    poke = (X1 - 5e-5, 50.1)
    line = LineString([(1.9375, 50.0625), (2.1875, 50.0625), (2.1875, 50.1), poke, (2.1875, 50.11)])
    exact = st.crossings(line, SQUARE, min_passage_m=0)
    reference = sorted(shapely_inside_km(line, SQUARE))
    # km from the segment's first vertex against each piece's own geodesic (see the grid
    # test): a millionth of the route apart on the 9 km passage, exact on the graze.
    assert sorted(exact.passages["length_km"]) == pytest.approx(reference, abs=1e-5)
    graze_km = float(exact.passages["length_km"].min())
    assert graze_km == pytest.approx(reference[0], abs=1e-9)
    assert 0.001 < graze_km < 0.010  # a few metres: under the 10 m default
    assert exact.n_passages == 2 and exact.events["kind"].tolist() == ["enter", "exit"] * 2
    c = st.crossings(line, SQUARE)
    assert c.min_passage_m == st.MIN_PASSAGE_M == 10.0
    assert c.n_passages == 1 and c.events["kind"].tolist() == ["enter", "exit"]
    assert c.km_inside == pytest.approx(exact.km_inside - graze_km, abs=1e-12)
    assert c.km_in_grazes == pytest.approx(graze_km, abs=1e-9)
    assert c.summary()["passages"] == c.summary()["entries"] == 1
    # A tolerance below the graze keeps it.
    assert st.crossings(line, SQUARE, min_passage_m=graze_km * 1000 - 0.1).n_passages == 2


def test_a_short_gap_outside_joins_two_passages():
    # From inside, a poke 5e-5 degrees (3.6 m) out of the east side, and back inside.
    out = (X1 + 5e-5, 50.0625)
    line = LineString([(2.05, 50.0625), out, (2.05, 50.07)])
    exact = st.crossings(line, SQUARE, min_passage_m=0)
    assert exact.n_passages == 2 and exact.events["kind"].tolist() == ["exit", "enter"]
    outside = shapely.difference(line, SQUARE)
    gap_km = GEOD.geometry_length(outside) / 1000
    assert 0.001 < gap_km < 0.010
    c = st.crossings(line, SQUARE)
    assert c.n_passages == 1 and len(c.events) == 0
    assert c.starts_inside and c.ends_inside
    # The gap counts inside: the route never left.
    assert c.km_inside == pytest.approx(c.route_km, abs=1e-9)
    assert c.km_inside - exact.km_inside == pytest.approx(gap_km, abs=1e-6)
    assert c.km_in_grazes == 0
    row = c.passages.iloc[0]
    assert row["km_in"] == 0 and row["km_out"] == pytest.approx(c.route_km, abs=1e-12)


def test_a_short_run_along_the_border_joins_two_passages():
    # From inside to the east edge, 5e-5 degrees (5.6 m) along it, and back inside.
    along = ((X1, 50.0625), (X1, 50.06255))
    line = LineString([(2.05, 50.0625), *along, (2.05, 50.07)])
    exact = st.crossings(line, SQUARE, min_passage_m=0)
    border_km = geo_m(*along) / 1000
    assert exact.n_passages == 2 and exact.km_on_border == pytest.approx(border_km, abs=1e-9)
    c = st.crossings(line, SQUARE)
    assert c.n_passages == 1 and len(c.events) == 0
    # Counted once: inside, with the gap it closes, no longer on the border.
    assert c.km_on_border == 0
    assert c.km_inside == pytest.approx(c.route_km, abs=1e-9)


def test_a_graze_holding_the_start_is_dropped():
    # Starts 3.6 m inside the east side and leaves at once: no passage, so not "inside".
    line = LineString([(X1 - 5e-5, 50.0625), (2.1875, 50.0625)])
    assert st.crossings(line, SQUARE, min_passage_m=0).starts_inside
    c = st.crossings(line, SQUARE)
    assert c.n_passages == 0 and len(c.events) == 0 and not c.starts_inside
    assert c.km_in_grazes == pytest.approx(geo_m(line.coords[0], (X1, 50.0625)) / 1000, abs=1e-9)


def test_min_passage_m_is_a_checked_keyword():
    line = LineString([(1.9375, 50.0625), (2.1875, 50.0625)])
    with pytest.raises(bg.InvalidInputError, match="min_passage_m"):
        st.crossings(line, SQUARE, min_passage_m=-1)
    with pytest.raises(TypeError):
        st.crossings(line, SQUARE, 10)  # type: ignore[misc]


def test_stage_1_graze_at_seclin_is_gone():
    stage = st.load_stage(2025, 1)
    before = st.crossings(stage, min_passage_m=0)
    after = st.crossings(stage)
    assert before.n_passages == 3 and after.n_passages == 2
    graze = before.passages.iloc[0]
    assert graze["km_in"] == pytest.approx(11.6557, abs=1e-4)
    assert graze["length_km"] * 1000 == pytest.approx(0.38, abs=0.01)
    assert before.events["commune"].iloc[0] == "Seclin"
    assert after.km_in_grazes == pytest.approx(graze["length_km"], abs=1e-12)
    assert after.km_inside + after.km_in_grazes == pytest.approx(before.km_inside, abs=1e-12)
    assert after.events["km"].iloc[0] == pytest.approx(before.events["km"].iloc[2], abs=1e-12)


# ---------------------------------------------------------- two basins named (issue 17)


@pytest.mark.parametrize("number", [1, 3])
def test_communes_crossed_names_territory_and_contour(number):
    stage = st.load_stage(2025, number)
    rows = st.communes_crossed(stage, all_nord_pas_de_calais=True)
    territory = set(bg.load_layer("communes")["insee"])
    assert rows["in_territory"].tolist() == [i in territory for i in rows["insee"]]
    assert rows["in_basin"].tolist() == rows["in_territory"].tolist()  # deprecated alias
    assert (rows["km_in_contour"] <= rows["length_km"] + 1e-12).all()
    exact = st.crossings(stage, "perimeter", min_passage_m=0)
    assert rows["km_in_contour"].sum() == pytest.approx(exact.km_inside, abs=1e-9)
    # The two basins differ: more km in the territory than inside the contour.
    assert rows.loc[rows["in_territory"], "length_km"].sum() > exact.km_inside


# --------------------------------------------------------------- CLI tour (issue 17)


def test_tour_listed_headframes_and_headframes():
    from click.testing import CliRunner

    from bassin_geo.cli import main

    runner = CliRunner()
    pits = bg.load_pitheads()
    for flag, column in (
        ("--listed-headframes", "listed_headframe"),
        ("--headframes", "headframe"),
    ):
        result = runner.invoke(main, ["tour", flag, "--format", "json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        import json

        legs = json.loads(result.output)
        visited = {leg["from"] for leg in legs} | {leg["to"] for leg in legs}
        assert visited == set(pits.loc[pits[column].astype(bool), "site_id"])
    assert int(pits["listed_headframe"].sum()) == 8 and int(pits["headframe"].sum()) == 25
    help_text = " ".join(runner.invoke(main, ["tour", "--help"]).output.split())
    assert "listed headframe or pit building stands (25" in help_text
    both = runner.invoke(main, ["tour", "9-9bis", "--headframes"])
    assert both.exit_code == 1 and "one of them" in both.output


def test_cli_crossings_min_passage():
    from click.testing import CliRunner

    from bassin_geo.cli import main
    from bassin_geo.cli import stages as cli_stages

    option = next(o for o in cli_stages.crossings.params if o.name == "min_passage_m")
    assert option.default == st.MIN_PASSAGE_M  # one default for one thing
    runner = CliRunner()
    default = runner.invoke(main, ["crossings", "stage:1"], catch_exceptions=False)
    exact = runner.invoke(main, ["crossings", "stage:1", "--min-passage", "0"])
    assert default.exit_code == exact.exit_code == 0, default.output + exact.output
    assert "passages: 2," in default.output and "min_passage_m: 10.0" in default.output
    assert "passages: 3," in exact.output
    negative = runner.invoke(main, ["crossings", "stage:1", "--min-passage", "-1"])
    assert negative.exit_code != 0 and "--min-passage" in negative.output

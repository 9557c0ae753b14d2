"""bassin_geo.scale: dask results equal the in-memory ones, and both equal brute force."""

from __future__ import annotations

import importlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

pytest.importorskip("dask_geopandas")

from bassin_geo import scale  # noqa: E402
from bassin_geo.data.layers import load_layer  # noqa: E402
from bassin_geo.errors import (  # noqa: E402
    CoordinateError,
    CRSMismatchError,
    DataFileError,
    InvalidInputError,
    OverwriteError,
)

# The package re-exports the function `distance`, which hides the module of that name.
distance = importlib.import_module("bassin_geo.analysis")

GEOD = Geod(ellps="WGS84")  # the test's own ellipsoid, not the library's
# A box around the basin that also takes in Belgium and points outside every commune.
BOX = (1.9, 50.0, 3.9, 50.9)


def random_points(n: int, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(BOX[0], BOX[2], n)
    y = rng.uniform(BOX[1], BOX[3], n)
    return gpd.GeoDataFrame(
        {"code": rng.integers(0, 1_000_000, n)}, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326"
    )


def assert_same(dask_result, in_memory, keys=None):
    """Equal values and dtypes, whatever order the partitions came back in."""
    a, b = dask_result, in_memory
    if keys is None:
        a, b = a.sort_index(), b.sort_index()
    else:
        a = a.sort_values(keys).reset_index(drop=True)
        b = b.sort_values(keys).reset_index(drop=True)
    if isinstance(b, gpd.GeoDataFrame):
        assert a.crs == b.crs
        a, b = pd.DataFrame(a), pd.DataFrame(b)
        a["geometry"] = shapely.to_wkb(a["geometry"].to_numpy())
        b["geometry"] = shapely.to_wkb(b["geometry"].to_numpy())
    assert len(b) > 0
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.fixture(scope="module")
def points() -> gpd.GeoDataFrame:
    return random_points(30_000, seed=8)


@pytest.fixture(scope="module", params=["plain", "hilbert"])
def partitioned(request, points):
    if request.param == "plain":
        out = scale.read_points(points, npartitions=6)
        assert out.spatial_partitions is None
    else:
        out = scale.spatial_partition(points, npartitions=6)
        assert out.spatial_partitions is not None
    return out


# --- dask equals in memory ------------------------------------------------------------


def test_locate_equals_in_memory(points, partitioned):
    lazy = scale.locate(partitioned)
    assert lazy.npartitions == 6
    result = scale.compute(lazy, progress=False)
    assert_same(result, distance.locate(points))


def test_nearest_sites_equals_in_memory(points, partitioned):
    result = scale.compute(scale.nearest(partitioned, k=3), progress=False)
    assert_same(result, distance.nearest(points, k=3), ["point_index", "rank"])


def test_nearest_polygons_equals_in_memory(points, partitioned):
    result = scale.compute(scale.nearest(partitioned, "slag_heaps", k=2), progress=False)
    expected = distance.nearest(points, "slag_heaps", k=2)
    assert_same(result, expected, ["point_index", "rank"])


def test_nearest_with_limit_equals_in_memory(points, partitioned):
    lazy = scale.nearest(partitioned, "pitheads", k=2, max_distance_m=2_500)
    result = scale.compute(lazy, progress=False)
    expected = distance.nearest(points, "pitheads", k=2, max_distance_m=2_500)
    assert_same(result, expected, ["point_index", "rank"])
    assert result["distance_m"].max() <= 2_500


def test_nearest_unnamed_targets_keep_their_whole_frame_ids(points, partitioned):
    pits = load_layer("pitheads")
    targets = pits.loc[pits["headframe"], ["geometry"]]  # no site_id: named by position
    result = scale.compute(scale.nearest(partitioned, targets, k=2), progress=False)
    expected = distance.nearest(points, targets, k=2)
    assert_same(result, expected, ["point_index", "rank"])
    assert set(result["target_id"]) <= {f"place:{i}" for i in range(len(targets))}


def test_within_distance_equals_in_memory_and_brute_force(points, partitioned):
    listed = load_layer("pitheads")
    listed = listed[listed["unesco"]]
    result = scale.compute(scale.within_distance(listed, 1_500, layer=partitioned), progress=False)
    assert_same(
        result, distance.within_distance(listed, 1_500, layer=points), ["code", "distance_m"]
    )
    # Brute force: every point against every listed pit with pyproj.Geod.
    px, py = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    qx, qy = listed.geometry.x.to_numpy(), listed.geometry.y.to_numpy()
    i, j = np.meshgrid(np.arange(len(points)), np.arange(len(listed)), indexing="ij")
    d = GEOD.inv(px[i.ravel()], py[i.ravel()], qx[j.ravel()], qy[j.ravel()])[2]
    best = d.reshape(len(points), len(listed)).min(axis=1)
    clear = np.abs(best - 1_500) > 1e-3
    assert set(result.index) & set(np.flatnonzero(clear)) == set(
        np.flatnonzero(clear & (best <= 1_500))
    )
    assert result["distance_m"].to_numpy() == pytest.approx(best[result.index], abs=1e-3)


def test_empty_partitions_are_skipped(points):
    import dask_geopandas

    by_x = points.iloc[np.argsort(points.geometry.x.to_numpy())]
    ddf = scale.read_points(dask_geopandas.from_geopandas(by_x, npartitions=6, sort=False))
    west = ddf[ddf.geometry.x < 2.1]  # the later partitions hold nothing after this
    result = scale.compute(scale.nearest(west, k=1), progress=False)
    assert scale.compute(west.map_partitions(len), progress=False).tolist()[-1] == 0
    expected = distance.nearest(points[points.geometry.x < 2.1], k=1)
    # Unnamed rows are named after their label; in memory after their position, which is
    # the label only for a RangeIndex (not for this filtered frame).
    assert (result["point_id"] == "place:" + result["point_index"].astype(str)).all()
    cols = ["point_index", "target_id", "distance_m", "rank"]
    assert_same(result[cols], expected[cols], ["point_index"])


# --- and the values are right ------------------------------------------------------------


def test_nearest_distances_are_geodesic_and_minimal(points):
    sample = points.iloc[:400]
    sites = load_layer("sites")
    result = scale.compute(scale.nearest(scale.read_points(sample, npartitions=3)), progress=False)
    sx, sy = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    px, py = sample.geometry.x.to_numpy(), sample.geometry.y.to_numpy()
    i, j = np.meshgrid(np.arange(len(sample)), np.arange(len(sites)), indexing="ij")
    d = GEOD.inv(px[i.ravel()], py[i.ravel()], sx[j.ravel()], sy[j.ravel()])[2]
    d = d.reshape(len(sample), len(sites))
    result = result.set_index("point_index").loc[sample.index]
    assert result["distance_m"].to_numpy() == pytest.approx(d.min(axis=1), abs=1e-3)
    # Ties go to the first site in the layer.
    assert result["target_id"].tolist() == sites["site_id"].to_numpy()[d.argmin(axis=1)].tolist()


def test_locate_communes_against_sjoin(points):
    sample = points.iloc[:2_000]
    result = scale.compute(scale.locate(scale.read_points(sample, npartitions=4)), progress=False)
    communes = load_layer("communes_nord_pas_de_calais")[["commune", "geometry"]]
    joined = gpd.sjoin(sample, communes, predicate="within", how="left")
    # A point in two (overlapping, simplified) communes may get either: leave those out.
    keep = ~sample.index.isin(joined.index[joined.index.duplicated()])
    joined = joined[~joined.index.duplicated()].loc[sample.index]
    got = result.loc[sample.index, "commune"].to_numpy(dtype=object)[keep]
    want = joined["commune"].to_numpy(dtype=object)[keep]
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want]
    assert pd.notna(want).sum() > 1_000 and pd.isna(want).sum() > 100
    perimeter = load_layer("perimeter").geometry.iloc[0]
    inside = shapely.contains_xy(perimeter, sample.geometry.x, sample.geometry.y)
    assert (result["in_basin"].to_numpy()[keep] == inside[keep]).all()


def test_pruned_targets_hold_every_true_neighbour(points):
    ddf = scale.spatial_partition(points, npartitions=5)
    sites = load_layer("sites")
    kept = scale._targets_per_partition(ddf.spatial_partitions, sites, 2, None)
    assert sum(len(t) for t in kept) < 0.6 * 5 * len(sites)  # it does prune
    kept = [sites.iloc[positions] for positions in kept]
    xy = sites.to_crs(2154).get_coordinates().to_numpy()
    for part, subset in zip(ddf.partitions, kept, strict=True):
        part = part.compute().to_crs(2154).get_coordinates().to_numpy()
        # Brute force in Lambert-93: all point-site distances, the 2 smallest per point.
        d = np.hypot(part[:, None, 0] - xy[None, :, 0], part[:, None, 1] - xy[None, :, 1])
        wanted = np.unique(np.argsort(d, axis=1)[:, :2])
        assert set(sites.index[wanted]) <= set(subset.index)
        assert subset.index.is_monotonic_increasing  # target order kept for ties


def test_within_distance_skips_only_partitions_out_of_reach(points):
    ddf = scale.spatial_partition(points, npartitions=8)
    query = gpd.GeoSeries([shapely.Point(3.08, 50.37)], crs="EPSG:4326")
    reach = scale._partitions_in_reach(ddf.spatial_partitions, query, 3_000)
    assert 0 < reach.sum() < 8
    for part, flagged in zip(ddf.partitions, reach, strict=True):
        part = part.compute()
        d = GEOD.inv(
            part.geometry.x, part.geometry.y, np.full(len(part), 3.08), np.full(len(part), 50.37)
        )[2]
        assert flagged or (d > 3_000).all()


def test_spatial_partitions_cover_their_points(points):
    ddf = scale.spatial_partition(points, npartitions=4)
    assert ddf.npartitions == 4
    for region, part in zip(ddf.spatial_partitions, ddf.partitions, strict=True):
        part = part.compute()
        assert shapely.covers(region, part.geometry.to_numpy()).all()
        # The former row labels travel along.
        assert (points.loc[part[scale.SOURCE_INDEX], "code"].to_numpy() == part["code"]).all()


# --- files, CRS, progress, cluster ---------------------------------------------------------


def test_geoparquet_round_trip_keeps_spatial_partitions(points, tmp_path):
    shuffled = scale.spatial_partition(points, npartitions=3)
    path = scale.to_parquet(shuffled, tmp_path / "pts.parquet", progress=False)
    back = scale.read_points(path)
    assert back.npartitions == 3 and back.spatial_partitions is not None
    result = scale.compute(scale.nearest(back, "pitheads"), progress=False)
    assert_same(result, distance.nearest(points, "pitheads"), ["point_index"])
    with pytest.raises(OverwriteError, match="overwrite=True"):
        scale.to_parquet(shuffled, path, progress=False)
    table = scale.to_parquet(scale.locate(back), tmp_path / "located", progress=False)
    assert len(pd.read_parquet(table)) == len(points)


def test_geopackage_read_in_chunks_in_lambert93(points, tmp_path):
    lambert = points.iloc[:5_000].to_crs(2154)
    lambert.to_file(tmp_path / "pts.gpkg", engine="pyogrio")
    ddf = scale.read_points(tmp_path / "pts.gpkg", chunksize=1_500)
    assert ddf.npartitions == 4
    assert ddf.crs.to_epsg() == 4326
    result = scale.compute(scale.locate(ddf), progress=False)
    # In memory from the same file: the conversion to WGS84 happens in as_places there.
    assert_same(result, distance.locate(gpd.read_file(tmp_path / "pts.gpkg")))


def test_progress_bar_is_shown(points, capsys):
    scale.compute(scale.locate(scale.read_points(points.iloc[:100], npartitions=2)))
    assert "100% Completed" in capsys.readouterr().out


def test_bad_inputs_get_the_library_errors(points, tmp_path):
    ddf = scale.read_points(points.iloc[:100], npartitions=2)
    with pytest.raises(DataFileError, match="no such file"):
        scale.read_points(tmp_path / "missing.parquet")
    with pytest.raises(InvalidInputError, match="hilbert"):
        scale.spatial_partition(ddf, by="zorder")
    with pytest.raises(InvalidInputError, match="k must be"):
        scale.nearest(ddf, k=0)
    with pytest.raises(InvalidInputError, match="distance_m"):
        scale.within_distance((3.0, 50.4), -5, layer=ddf)
    with pytest.raises(InvalidInputError, match="GeoDataFrame"):
        scale.nearest(ddf, targets=[(3.0, 50.4)])
    with pytest.raises(CRSMismatchError):
        scale.nearest(points.iloc[:100], targets=load_layer("pitheads").to_crs(2154))
    metres = gpd.GeoDataFrame(geometry=gpd.points_from_xy([700_000.0], [7_000_000.0]))
    with pytest.raises(CoordinateError, match="projected"):
        scale.compute(scale.locate(scale.read_points(metres, npartitions=1)), progress=False)


@pytest.mark.slow
def test_local_cluster_of_two_workers_equals_in_memory(tmp_path):
    distributed = pytest.importorskip("distributed")
    points = random_points(300_000, seed=88)
    # The workers read the partitions from GeoParquet themselves, as on a real cluster.
    path = scale.to_parquet(
        scale.read_points(points, npartitions=4), tmp_path / "pts.parquet", progress=False
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ddf = scale.read_points(path)
        assert ddf.npartitions == 4 and ddf.spatial_partitions is not None
        located, near = scale.compute(
            (scale.locate(ddf), scale.nearest(ddf, k=2)), client=client, progress=False
        )
        assert len(client.scheduler_info()["workers"]) == 2
    assert_same(located, distance.locate(points))
    assert_same(near, distance.nearest(points, k=2), ["point_index", "rank"])


def test_old_call_forms_warn_and_agree(points):
    ddf = scale.read_points(points.iloc[:200], npartitions=2)
    new = scale.compute(scale.nearest(ddf, "pitheads", k=2, max_distance_m=3_000), progress=False)
    with pytest.warns(FutureWarning, match="max_distance_m"):
        old = scale.nearest(ddf, "pitheads", k=2, max_distance=3_000)
    pd.testing.assert_frame_equal(scale.compute(old, progress=False), new)
    with pytest.warns(FutureWarning, match="by position"):
        old = scale.nearest(ddf, "pitheads", 2, 3_000)
    pd.testing.assert_frame_equal(scale.compute(old, progress=False), new)
    with pytest.warns(FutureWarning, match="by position"):
        old = scale.within_distance((3.08, 50.37), 5_000, ddf)
    new = scale.within_distance((3.08, 50.37), 5_000, layer=ddf)
    pd.testing.assert_frame_equal(
        scale.compute(old, progress=False), scale.compute(new, progress=False)
    )
    with pytest.warns(FutureWarning, match="by position"):
        old = scale.locate(ddf, "planar")
    pd.testing.assert_frame_equal(
        scale.compute(old, progress=False),
        scale.compute(scale.locate(ddf, method="planar"), progress=False),
    )


def test_within_distance_default_layer_is_the_sites():
    got = scale.compute(scale.within_distance("Arenberg", 2_000), progress=False)
    expected = distance.within_distance("Arenberg", 2_000)
    assert sorted(got["site_id"]) == sorted(expected["site_id"])


def test_flags_are_bools(points):
    ddf = scale.read_points(points.iloc[:10], npartitions=1)
    with pytest.raises(InvalidInputError, match="progress"):
        scale.compute(ddf, progress="no")
    with pytest.raises(InvalidInputError, match="overwrite"):
        scale.to_parquet(ddf, "unused", overwrite=1, progress=False)

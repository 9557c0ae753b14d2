"""The distance analyses on millions of features, lazily, with dask-geopandas.

:func:`locate`, :func:`nearest` and :func:`within_distance` take a
``dask_geopandas.GeoDataFrame`` (or a path to a large GeoParquet / GeoPackage file, read in
partitions) and return a lazy dask result with the columns and values of the in-memory
functions of :mod:`bassin_geo.analysis` (same names, same arguments, same defaults), which
they call on each partition. Nothing runs until :func:`compute` or :func:`to_parquet`; both
run on the local scheduler or on the ``dask.distributed.Client`` the user passes (any Dask
cluster), with a progress display.

Every analysis is row-local (the answer for one feature does not depend on the others), so
running the in-memory function partition by partition gives exactly the in-memory answer.
Two things make it cheap:

- the small reference data (user targets, the query geometry) enter the task graph once,
  as one shared key that each worker fetches once, not once per task; the embedded layers
  (contour, components, buffer zone, communes, sites) are read once per worker process
  from the package's own cached loader;
- when the points carry spatial partitions (:func:`spatial_partition`, or a GeoParquet
  dataset written from one), each partition meets only the reference features that can
  matter to it, and :func:`within_distance` skips the partitions out of reach.

Needs the ``scale`` extra: ``pip install "bassin-geo[scale]"``.

Examples
--------
>>> from bassin_geo import scale
>>> pts = scale.read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy(
...     [3.07, 2.78], [50.37, 50.43]), crs="EPSG:4326"), npartitions=2)
>>> scale.nearest(pts, k=1).npartitions
2
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from scipy.spatial import cKDTree

from bassin_geo import analysis
from bassin_geo._compat import keyword_only, renamed
from bassin_geo._types import PlacesLike
from bassin_geo._validate import check_flag
from bassin_geo.analysis.checks import (
    check_k,
    check_method,
    check_same_crs,
    target_layer,
)
from bassin_geo.analysis.geodesic import MetricFrame, metric_frame, planar_reach
from bassin_geo.crs import WGS84
from bassin_geo.data.layers import list_layers, load_layer
from bassin_geo.errors import DataFileError, InvalidInputError, OverwriteError
from bassin_geo.io.atomic import atomic_folder
from bassin_geo.io.options import check_flag as check_bool
from bassin_geo.places.checks import check_distance
from bassin_geo.places.resolve import as_places

try:
    import dask
    import dask.dataframe as dd
    import dask_geopandas as dgpd
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "bassin_geo.scale needs dask-geopandas, dask and pyarrow: pip install 'bassin-geo[scale]'"
    ) from err

__all__ = [
    "DEFAULT_CHUNKSIZE",
    "SOURCE_INDEX",
    "compute",
    "locate",
    "nearest",
    "read_points",
    "spatial_partition",
    "to_parquet",
    "within_distance",
]

#: Rows per partition when reading a file or splitting a GeoDataFrame.
DEFAULT_CHUNKSIZE = 500_000
#: Column holding the original row labels after :func:`spatial_partition`.
SOURCE_INDEX = "source_index"

_PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}
_SORTS = ("hilbert", "geohash", "morton")

# Pruning decides in a planar metric CRS what the in-memory functions decide on the reported
# distance: the radii are widened by bassin_geo.analysis.geodesic.planar_reach (the one
# planar/geodesic margin), plus this allowance (metres) for the partition hulls, whose
# projected edges (straight between vertices 0.01 degree apart) stray from the true image
# of the hull by about 3 cm at most: 1 m covers that with room.
_HULL_TOLERANCE_M = 1.0
# The grid laid over a partition to find its candidate targets: at most this many corners,
# no closer than this (metres).
_MAX_SAMPLES = 4_000
_MIN_SPACING_M = 200.0
# Partition hulls are straight in degrees; their edges are cut into pieces this short (deg)
# before projection, so the projected hull still holds the partition's points.
_HULL_SEGMENT_DEG = 0.01


# --------------------------------------------------------------------------- inputs


#: What the scale functions read: a path, a GeoDataFrame or a dask_geopandas.GeoDataFrame.
Source: TypeAlias = "str | os.PathLike[str] | gpd.GeoDataFrame | dgpd.GeoDataFrame"
#: Arrays of shapely geometries, of row positions.
GeomArray: TypeAlias = NDArray[np.object_]
IntArray: TypeAlias = NDArray[np.int32]
#: What _map gives each partition: None (skip), True (the whole reference), or positions.
PartitionSubset: TypeAlias = "IntArray | bool | None"
#: The in-memory call run on each partition, with its reference data.
PartitionCall: TypeAlias = Callable[[gpd.GeoDataFrame, Any], pd.DataFrame]


def read_points(
    source: Source,
    *,
    chunksize: int | None = DEFAULT_CHUNKSIZE,
    npartitions: int | None = None,
    layer: str | int | None = None,
    columns: list[str] | None = None,
) -> dgpd.GeoDataFrame:
    """Open features as a lazy, partitioned ``dask_geopandas.GeoDataFrame`` in WGS84.

    Parameters
    ----------
    source : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        A GeoParquet file or folder of files (``.parquet``; spatial partitions stored by
        :func:`to_parquet` are kept), any file GDAL reads (GeoPackage, FlatGeobuf...),
        read ``chunksize`` rows per partition, or data already in memory or in dask.
    chunksize : int, optional
        Rows per partition for files read through GDAL and for in-memory GeoDataFrames.
        GeoParquet keeps its own partitions.
    npartitions : int, optional
        Number of partitions instead (wins over ``chunksize`` when given).
    layer : str or int, optional
        Layer of a multi-layer file (GeoPackage).
    columns : list of str, optional
        Columns to read (the geometry is always read).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy, in WGS84 (converted from the file's CRS if needed).

    Raises
    ------
    DataFileError, InvalidInputError

    Examples
    --------
    >>> gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.0, 2.9], [50.4, 50.5]),
    ...                        crs="EPSG:4326")
    >>> read_points(gdf, npartitions=2).npartitions
    2
    """
    if isinstance(source, dgpd.GeoDataFrame):
        ddf = source
    elif isinstance(source, gpd.GeoDataFrame):
        if npartitions is None and chunksize is None:
            raise InvalidInputError("read_points: give chunksize or npartitions")
        ddf = dgpd.from_geopandas(
            source, npartitions=npartitions, chunksize=None if npartitions else chunksize
        )
    elif isinstance(source, (str, os.PathLike)):
        ddf = _read_path(Path(source), chunksize, npartitions, layer, columns)
    else:
        raise InvalidInputError(
            f"read_points: {type(source).__name__} is not a path, a GeoDataFrame or a "
            "dask_geopandas.GeoDataFrame"
        )
    return _as_wgs84(ddf)


def _read_path(
    path: Path,
    chunksize: int | None,
    npartitions: int | None,
    layer: str | int | None,
    columns: list[str] | None,
) -> dgpd.GeoDataFrame:
    if not path.exists():
        raise DataFileError(f"{path}: no such file or folder; check the path")
    if path.is_dir() or path.suffix.lower() in _PARQUET_SUFFIXES:
        try:
            return dgpd.read_parquet(str(path), columns=columns)
        except Exception as err:  # pyarrow raises many types for a bad file
            raise DataFileError(
                f"{path}: not a readable GeoParquet file or dataset ({err}); write it with "
                "bassin_geo.scale.to_parquet or GeoDataFrame.to_parquet"
            ) from err
    if npartitions is None and chunksize is None:
        raise InvalidInputError(f"{path}: give chunksize or npartitions to read it in parts")
    try:
        return dgpd.read_file(
            str(path),
            npartitions=npartitions,
            chunksize=None if npartitions else chunksize,
            layer=layer,
            columns=columns,
        )
    except Exception as err:
        raise DataFileError(
            f"{path}: GDAL could not read it{f' (layer {layer!r})' if layer else ''}: {err}"
        ) from err


def _keep_index(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return part.assign(**{SOURCE_INDEX: part.index})


def _prepare(part: gpd.GeoDataFrame, ids: bool) -> gpd.GeoDataFrame:
    """A partition as the in-memory functions would see the same rows of the whole frame.

    Restores the row labels a spatial shuffle moved to :data:`SOURCE_INDEX` (the results
    report them as ``point_index`` or keep them as index) and, for ``ids``, names rows
    without a ``site_id`` after their label: the in-memory functions name them after their
    position, which is the same for a default RangeIndex.
    """
    if SOURCE_INDEX in part.columns:
        part = part.set_index(SOURCE_INDEX).rename_axis(None)
    if ids and "site_id" not in part.columns:
        part = part.assign(site_id="place:" + part.index.astype(str))
    # The frames reach the in-memory function in WGS84 like any user input.
    return gpd.GeoDataFrame(part, geometry=part.geometry.name, crs=part.crs or WGS84)


def _as_wgs84(ddf: dgpd.GeoDataFrame) -> dgpd.GeoDataFrame:
    if ddf.crs is None or CRS.from_user_input(ddf.crs).equals(CRS.from_user_input(WGS84)):
        # No CRS: the in-memory functions check, per partition, that these are degrees.
        return ddf
    regions = ddf.spatial_partitions
    out = ddf.to_crs(WGS84)
    out.spatial_partitions = None if regions is None else regions.to_crs(WGS84)
    return out


def _open(points: Source) -> tuple[dgpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The points in WGS84, and an empty frame in their original CRS (for CRS checks)."""
    ddf = points if isinstance(points, dgpd.GeoDataFrame) else read_points(points)
    if isinstance(points, gpd.GeoDataFrame):
        original = points.iloc[:0]
    elif isinstance(points, dgpd.GeoDataFrame):
        original = points._meta
    else:  # a file: its CRS is the file's, which the user did not choose
        original = ddf._meta
    return _as_wgs84(ddf), original


def spatial_partition(
    points: Source, *, by: str = "hilbert", npartitions: int | None = None
) -> dgpd.GeoDataFrame:
    """Sort features along a space-filling curve so that each partition covers one area.

    Wraps ``dask_geopandas.GeoDataFrame.spatial_shuffle`` and computes the partitions'
    extents, which :func:`locate`, :func:`nearest` and :func:`within_distance` use to give
    each partition only the reference features near it. The shuffle reads the data once;
    do it once and keep the result with :func:`to_parquet` (which stores the extents).

    Parameters
    ----------
    points : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        As :func:`read_points` accepts.
    by : {"hilbert", "geohash", "morton"}
        The curve.
    npartitions : int, optional
        Number of output partitions (default: as many as the input).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Indexed by the curve position; the former row labels move to the column
        :data:`SOURCE_INDEX`, which the analyses give back as ``point_index`` or index.

    Examples
    --------
    >>> gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.0, 2.9, 2.5], [50.4, 50.5, 50.6]),
    ...                        crs="EPSG:4326")
    >>> len(spatial_partition(gdf, npartitions=2).spatial_partitions)
    2
    """
    if by not in _SORTS:
        raise InvalidInputError(f"spatial_partition: by={by!r} is not one of {', '.join(_SORTS)}")
    ddf, _ = _open(points)
    if SOURCE_INDEX not in ddf.columns:
        ddf = ddf.map_partitions(_keep_index, meta=_keep_index(ddf._meta))
    return ddf.spatial_shuffle(by=by, npartitions=npartitions)


# --------------------------------------------------------------------------- running


def _sample_like(ddf: dgpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Two made-up rows with the columns and index type of ``ddf``, at points in the basin.

    The first lies in a listed component and the second in a commune, so that text columns
    hold text and the output schema gets the dtypes real data gives.
    """
    sample = gpd.GeoDataFrame(ddf._meta_nonempty.iloc[:2].copy())
    inside = load_layer("property").geometry.iloc[0].representative_point()
    return sample.set_geometry(
        gpd.GeoSeries([inside, shapely.Point(3.08, 50.37)][: len(sample)], index=sample.index),
        crs=WGS84,
    )


def _like_meta(out: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Give text and categorical columns the dtype of the schema.

    pandas infers ``str`` for a column of text and None but ``object`` for one holding
    only None (a partition where no point falls in a listed component): one dtype for all
    partitions, the one the whole frame gets in memory. Categorical columns (the targets
    of ``nearest``) get the categories of the whole reference, not of the partition's part.
    """
    cast = {
        c: meta[c].dtype
        for c in out.columns.intersection(meta.columns)
        if (out[c].dtype == object and isinstance(meta[c].dtype, pd.StringDtype))
        or (isinstance(meta[c].dtype, pd.CategoricalDtype) and out[c].dtype != meta[c].dtype)
    }
    return out.astype(cast) if cast else out


def _run_partition(
    part: gpd.GeoDataFrame,
    call: PartitionCall,
    ids: bool,
    shared: dict[str, Any],
    meta: pd.DataFrame,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    if len(part) == 0:
        return meta
    reference = shared["reference"]
    per_partition = shared["per_partition"]
    if per_partition is not None and partition_info is not None:
        subset = per_partition[partition_info["number"]]
        if subset is None:  # nothing within reach of this partition
            return meta
        if subset is not True:  # the positions of the reference rows that matter here
            reference = reference.iloc[subset]
    return _like_meta(call(_prepare(part, ids), reference), meta)


def _map(
    ddf: dgpd.GeoDataFrame,
    call: PartitionCall,
    ids: bool,
    reference: Any = None,
    per_partition: Sequence[PartitionSubset] | None = None,
) -> dd.DataFrame:
    """Map ``call(partition, reference)`` lazily over the partitions.

    ``per_partition`` (one item per partition) narrows the reference: None skips the
    partition, True gives it the whole reference, an array of positions gives it those rows.
    Positions rather than frames keep the shared key small with thousands of partitions.
    """
    # The in-memory functions refuse empty inputs, so the output schema comes from running
    # them on two made-up rows rather than on dask's empty meta.
    meta = call(_prepare(_sample_like(ddf), ids), reference).iloc[:0]
    # One shared key for all tasks: dask ships it to each worker once, not once per task.
    shared = dask.delayed(  # type: ignore[attr-defined]  # dask's __init__ re-exports it
        {"reference": reference, "per_partition": per_partition}, pure=True, traverse=False
    )
    out: dd.DataFrame = ddf.map_partitions(_run_partition, call, ids, shared, meta, meta=meta)
    return out


# --------------------------------------------------------------------------- pruning


def _metric_hulls(
    regions: gpd.GeoSeries, reference: gpd.GeoSeries
) -> tuple[MetricFrame, GeomArray]:
    """The metric frame of the partitions and the reference, and the partitions' hulls in it.

    Hull edges are densified first so that the projected hulls still hold their points.
    """
    regions = regions.to_crs(WGS84)
    frame = metric_frame(regions, reference.to_crs(WGS84))
    dense = shapely.segmentize(regions.to_numpy(), _HULL_SEGMENT_DEG)
    hulls: GeomArray = gpd.GeoSeries(dense, crs=WGS84).to_crs(frame.crs).to_numpy()
    return frame, hulls


def _margin(radius: NDArray[np.float64], frame: MetricFrame) -> NDArray[np.float64]:
    """A planar radius found in the frame, widened to hold every rival on the reported distance.

    The widening for a planar bound (``planar=True``) is the wider of the two, so it holds
    for ``method="planar"`` and for geodesic limits too; the hull tolerance comes on top.
    """
    return planar_reach(radius, frame, planar=True) + _HULL_TOLERANCE_M


def _grid_over(hull: Any, max_samples: int) -> tuple[np.ndarray, float]:
    """Grid corners covering ``hull``: every point of the hull is within spacing/sqrt(2) of one."""
    xmin, ymin, xmax, ymax = shapely.bounds(hull)
    spacing = max(_MIN_SPACING_M, np.sqrt(max((xmax - xmin) * (ymax - ymin), 1.0) / max_samples))
    gx, gy = np.meshgrid(
        np.arange(xmin, xmax + spacing, spacing), np.arange(ymin, ymax + spacing, spacing)
    )
    corners = shapely.points(gx.ravel(), gy.ravel())
    return corners[shapely.dwithin(corners, hull, spacing / np.sqrt(2) + 1e-6)], spacing


def _targets_per_partition(
    regions: gpd.GeoSeries, targets: gpd.GeoDataFrame, k: int, max_distance_m: float | None
) -> list[PartitionSubset]:
    """For each partition, the targets that can be among the k nearest of any of its points.

    Each point p of a partition is within h/sqrt(2) of a corner s of a grid of spacing h
    laid over the partition's hull, so its k-th nearest target is at most d_k(s) + h/sqrt(2)
    away, and a target within that of p is within d_k(s) + sqrt(2) h of s. The targets
    found within that radius of some corner are kept (with the planar/geodesic margin);
    the others cannot be among the k nearest. The subset keeps the targets' order and row
    labels, so ties (ranked by target position) and ``target_index`` come out as in memory.
    """
    frame, hulls = _metric_hulls(regions, targets.geometry)
    geoms = targets.geometry.to_crs(frame.crs).to_numpy()
    # A point on each target bounds its distance from above (it is the target itself for
    # points), so the k-th nearest anchor bounds the k-th nearest target.
    anchors = shapely.get_coordinates(shapely.point_on_surface(geoms))
    anchor_tree = cKDTree(anchors)
    tree = shapely.STRtree(geoms)
    kk = min(k, len(geoms))
    out: list[PartitionSubset] = []
    for hull in hulls:  # one step per partition, vectorized over its grid and the targets
        if hull is None or shapely.is_empty(hull):
            out.append(None)
            continue
        corners, spacing = _grid_over(hull, _MAX_SAMPLES)
        dk = anchor_tree.query(shapely.get_coordinates(corners), k=kk)[0].reshape(len(corners), kk)
        radius = dk[:, -1] + np.sqrt(2) * spacing
        if max_distance_m is not None:
            radius = np.minimum(radius, max_distance_m + spacing / np.sqrt(2))
        hit = tree.query(corners, predicate="dwithin", distance=_margin(radius, frame))[1]
        keep = np.unique(hit)
        out.append(keep.astype(np.int32) if len(keep) else None)
    return out


def _partitions_in_reach(
    regions: gpd.GeoSeries, query: gpd.GeoSeries, distance_m: float
) -> NDArray[np.bool_]:
    """Which partitions hold a feature that can be within ``distance_m`` of the query."""
    frame, hulls = _metric_hulls(regions, query)
    tree = shapely.STRtree(query.to_crs(frame.crs).to_numpy())
    radius = _margin(np.array([distance_m]), frame)[0]
    hit = tree.query(hulls, predicate="dwithin", distance=radius)[0]
    reach = np.zeros(len(hulls), dtype=bool)
    reach[hit] = True
    return reach


# --------------------------------------------------------------------------- analyses


@keyword_only(1, ("method",))
def locate(points: Source, *, method: str = "geodesic") -> dd.DataFrame:
    """Lazy :func:`bassin_geo.locate` over partitioned points.

    The contour, components, buffer zone and communes are read and indexed once per worker
    process (the in-memory module caches them), then each point meets only the polygons its
    index query returns.

    Parameters
    ----------
    points : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        As :func:`read_points` accepts.
    method : {"geodesic", "planar"}
        How ``contour_distance_m`` is measured. Keyword-only (by position it still works,
        with a FutureWarning, until 0.3).

    Returns
    -------
    dask DataFrame
        Columns :data:`bassin_geo.analysis.locate.LOCATE_COLUMNS`, indexed like the input.

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.08], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> compute(locate(pts), progress=False)["commune"].tolist()
    ['Douai']
    """
    check_method(method)
    ddf, _ = _open(points)

    def call(part: gpd.GeoDataFrame, reference: Any) -> pd.DataFrame:
        return analysis.locate(part, method=method)

    return _map(ddf, call, ids=True)


@keyword_only(2, ("k", "max_distance_m", "method"))
@renamed(max_distance="max_distance_m")
def nearest(
    points: Source,
    targets: str | gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    *,
    k: int = 1,
    max_distance_m: float | None = None,
    method: str = "geodesic",
) -> dd.DataFrame:
    """Lazy :func:`bassin_geo.nearest`: the k nearest targets of every point.

    Parameters
    ----------
    points : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        As :func:`read_points` accepts; millions of rows.
    targets : str or GeoDataFrame, optional
        A layer name or a GeoDataFrame of a few thousand features; default every site.
        They enter the task graph once; with spatial partitions, each partition gets only
        the targets that can be among its k nearest.
    k : int
        How many targets per point.
    max_distance_m : float, optional
        Leave out targets farther than this (metres). Formerly ``max_distance`` (still
        accepted, with a FutureWarning, until 0.3).
    method : {"geodesic", "planar"}
        The distance reported, ranked and compared with ``max_distance_m``.

    Returns
    -------
    dask DataFrame
        Columns :data:`bassin_geo.analysis.distances.NEAREST_COLUMNS`.

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.08], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> compute(nearest(pts, "pitheads", k=2), progress=False)["target_id"].tolist()
    ['pit:waziers-gayant', 'pit:sin-le-noble-puits-du-midi']
    """
    check_method(method)
    k = check_k(k)
    limit = None if max_distance_m is None else check_distance(max_distance_m, "max_distance_m")
    ddf, original = _open(points)
    reference = _targets(targets, original)

    def call(part: gpd.GeoDataFrame, ref: Any) -> pd.DataFrame:
        return analysis.nearest(part, ref, k=k, max_distance_m=limit, method=method)

    per_partition = None
    if ddf.spatial_partitions is not None:
        per_partition = _targets_per_partition(ddf.spatial_partitions, reference, k, limit)
    return _map(ddf, call, True, reference, per_partition)


def _targets(
    targets: str | gpd.GeoDataFrame | gpd.GeoSeries | None, points: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The targets as one in-memory GeoDataFrame in WGS84, row labels kept."""
    if targets is None or isinstance(targets, str):
        # As the in-memory function reads a layer name (rows without geometry dropped).
        return target_layer(targets, "targets")[0]
    if isinstance(targets, gpd.GeoSeries):
        targets = targets.to_frame("geometry")
    if not isinstance(targets, gpd.GeoDataFrame):
        msg = (
            f"targets must be a layer name or a GeoDataFrame, got {type(targets).__name__}; "
            "targets are shared whole with every partition, so keep them in memory"
        )
        raise InvalidInputError(msg)
    check_same_crs(points, targets, ("points", "targets"))
    if "site_id" not in targets.columns:
        # In memory, unnamed targets are named after their position in the whole frame;
        # name them before a partition gets a subset.
        targets = targets.assign(site_id=[f"place:{i}" for i in range(len(targets))])
    return _as_wgs84_frame(targets)


def _as_wgs84_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None or CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(WGS84)):
        return gdf
    return gdf.to_crs(WGS84)


def _big_layer(layer: Source) -> tuple[dgpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The layer to filter, partitioned: a file, a frame, or the name of an embedded layer."""
    if isinstance(layer, str) and layer in set(list_layers()["name"]) and not Path(layer).exists():
        layer = load_layer(layer)  # "sites", "pitheads": the in-memory default, partitioned
    return _open(layer)


@keyword_only(2, ("layer", "method"))
@renamed(geometry="place")
def within_distance(
    place: PlacesLike,
    distance_m: float,
    *,
    layer: Source = "sites",
    method: str = "geodesic",
) -> dd.DataFrame:
    """Lazy :func:`bassin_geo.within_distance` over a large partitioned layer.

    Parameters
    ----------
    place : str, shapely geometry, (lon, lat), GeoDataFrame or list of these
        What to measure from (a point, a route line, listed pits...), as in memory; it
        enters the task graph once. Formerly ``geometry`` (still accepted, with a
        FutureWarning, until 0.3).
    distance_m : float
        Metres, >= 0.
    layer : str, path, GeoDataFrame or dask_geopandas.GeoDataFrame
        The large set of features to filter, as :func:`read_points` accepts, or the name
        of an embedded layer (default ``"sites"``, as in memory). With spatial partitions,
        the partitions out of reach return nothing without running. Keyword-only (by
        position it still works, with a FutureWarning, until 0.3), like ``method``.
    method : {"geodesic", "planar"}
        The distance compared with ``distance_m``.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        The features within ``distance_m`` with all their columns, their row labels as
        index and ``distance_m``; nearest first within each partition.

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07, 2.0],
    ...                   [50.37, 50.8]), crs="EPSG:4326"), npartitions=2)
    >>> len(compute(within_distance((3.07, 50.37), 1000, layer=pts), progress=False))
    1
    """
    check_method(method)
    distance_m = check_distance(distance_m, "distance_m")
    ddf, original = _big_layer(layer)
    check_same_crs(place, original, ("place", "layer"))
    if isinstance(place, (gpd.GeoDataFrame, gpd.GeoSeries)):
        place = _as_wgs84_frame(place)
    query = as_places(place, resolve_polygons=True, where="place").geometry

    def call(part: gpd.GeoDataFrame, ref: Any) -> pd.DataFrame:
        found: pd.DataFrame = analysis.within_distance(ref, distance_m, layer=part, method=method)
        return found

    per_partition = None
    if ddf.spatial_partitions is not None:
        reach = _partitions_in_reach(ddf.spatial_partitions, query, distance_m)
        # Partitions in reach get the query as given (so the same answer as in memory).
        per_partition = [True if r else None for r in reach]
    return _map(ddf, call, False, place, per_partition)


# --------------------------------------------------------------------------- outputs


def _client(client: Any) -> Any:
    if client is not None:
        return client
    try:
        from distributed import default_client

        return default_client()  # type: ignore[no-untyped-call]  # distributed has no hints
    except (ImportError, ValueError):
        return None


def compute(results: Any, *, client: Any = None, progress: bool = True) -> Any:
    """Run lazy results and return them in memory, with a progress display.

    Parameters
    ----------
    results : dask collection, or a tuple or list of them
        What :func:`locate`, :func:`nearest` or :func:`within_distance` returned. Several
        at once share their common work (reading the same partitions once).
    client : dask.distributed.Client, optional
        Run on this cluster (``Client("tcp://scheduler:8786")``); default the active
        client if any, else the local scheduler.
    progress : bool
        Show a progress bar (dask's ProgressBar locally, distributed's progress on a
        cluster).

    Returns
    -------
    DataFrame or GeoDataFrame, or a tuple of them for several results

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> len(compute(pts, progress=False))
    1
    """
    progress = bool(check_flag(progress, "progress"))  # None: no progress display
    several = isinstance(results, (tuple, list))
    todo = list(results) if several else [results]
    client = _client(client)
    if client is not None:
        futures = client.compute(todo)
        if progress:
            from distributed import progress as show

            show(futures)  # type: ignore[no-untyped-call]  # distributed has no hints
        done = client.gather(futures)
    elif progress:
        from dask.diagnostics.progress import ProgressBar

        with ProgressBar():  # type: ignore[no-untyped-call]  # dask has no hints here
            done = dask.compute(*todo)  # type: ignore[attr-defined,no-untyped-call]  # idem
    else:
        done = dask.compute(*todo)  # type: ignore[attr-defined,no-untyped-call]  # idem
    return tuple(done) if several else done[0]


def to_parquet(
    result: Any,
    path: str | os.PathLike[str],
    *,
    client: Any = None,
    progress: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write a lazy result as a folder of GeoParquet (or Parquet) files, one per partition.

    Geometries are written as GeoParquet with each file's bounding box, so
    :func:`read_points` gets the spatial partitions back. Tables without geometry
    (``nearest`` results) are written as plain Parquet.

    Parameters
    ----------
    result : dask (Geo)DataFrame
        What :func:`locate`, :func:`nearest` or :func:`within_distance` returned, or
        points from :func:`read_points`.
    path : path
        The output folder.
    client : dask.distributed.Client, optional
        As for :func:`compute`.
    progress : bool
        As for :func:`compute`.
    overwrite : bool
        Replace an existing folder. The new dataset is written into a staging folder
        beside it and swapped in only once complete, so a failure (a partition that
        raises, a full disk) leaves the previous dataset exactly as it was.

    Returns
    -------
    Path
        The output folder.

    Raises
    ------
    OverwriteError
        ``path`` exists and ``overwrite`` is false.
    ExportError
        Writing failed; nothing changed at ``path``.

    Examples
    --------
    >>> import tempfile
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> out = to_parquet(pts, Path(tempfile.mkdtemp()) / "pts", progress=False)
    >>> len(read_points(out).compute())
    1
    """
    overwrite = check_bool(overwrite, "overwrite")
    check_flag(progress, "progress")  # None: as for compute
    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} exists; pass overwrite=True to replace it"
        raise OverwriteError(msg)
    # Built in a staging folder beside the target and swapped in once every partition is
    # written: a failing partition or a full disk leaves the previous dataset as it was.
    with atomic_folder(path, overwrite=overwrite) as staging:
        if isinstance(result, dgpd.GeoDataFrame):
            job = dgpd.to_parquet(result, str(staging), compute=False, overwrite=True)
        else:
            job = dd.to_parquet(  # type: ignore[no-untyped-call]  # dask has no hints here
                result, str(staging), compute=False, overwrite=True
            )
        compute(job, client=client, progress=progress)
    return path

"""The distance analyses on millions of features, lazily, with dask-geopandas.

:func:`locate`, :func:`nearest` and :func:`within_distance` take a
``dask_geopandas.GeoDataFrame`` (or a path to a large GeoParquet / GeoPackage file, read in
partitions) and return a lazy dask result with the columns and values of the in-memory
functions of :mod:`bassin_geo.distance`, which they call on each partition. Nothing runs
until :func:`compute` or :func:`to_parquet`; both run on the local scheduler or on the
``dask.distributed.Client`` the user passes (any Dask cluster), with a progress display.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from bassin_geo.crs import WGS84, metric_crs_for
from bassin_geo.errors import DataFileError, InvalidInputError, OverwriteError
from bassin_geo.places import check_distance

try:
    import dask
    import dask.dataframe as dd
    import dask_geopandas as dgpd
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "bassin_geo.scale needs dask-geopandas, dask and pyarrow: pip install 'bassin-geo[scale]'"
    ) from err

__all__ = [
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

_PARQUET_SUFFIXES = {".parquet", ".geoparquet", ".pq"}
_SORTS = ("hilbert", "geohash", "morton")

# Pruning decides in a planar metric CRS what the in-memory functions decide geodesically
# (or in Lambert-93). Over the few hundred km of a partition, the scale error of Lambert-93
# or UTM is well under 0.5 %, so a 1 % + 100 m margin keeps every feature that could matter
# and still drops the far ones.
_RELATIVE_MARGIN = 0.01
_ABSOLUTE_MARGIN_M = 100.0
# Partition hulls are straight in degrees; their edges are cut into pieces this short (deg)
# before projection, so the projected hull still holds the partition's points.
_HULL_SEGMENT_DEG = 0.01


# --------------------------------------------------------------------------- inputs


def read_points(
    source: Any,
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
    chunksize, npartitions : int, optional
        Partition size for files read through GDAL and for in-memory GeoDataFrames
        (``npartitions`` wins when given). GeoParquet keeps its own partitions.
    layer : str or int, optional
        Layer of a multi-layer file (GeoPackage).
    columns : list of str, optional
        Columns to read (the geometry is always read).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy, in WGS84. Rows without a ``site_id`` column get ``"place:<index label>"``,
        which for a default RangeIndex (a file, a fresh GeoDataFrame) is the id the
        in-memory functions give.

    Raises
    ------
    DataFileError, InvalidInputError

    Examples
    --------
    >>> gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.0, 2.9], [50.4, 50.5]),
    ...                        crs="EPSG:4326")
    >>> read_points(gdf, npartitions=2).compute()["site_id"].tolist()
    ['place:0', 'place:1']
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
    return _as_wgs84(_with_ids(ddf))


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


def _add_ids(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    part = part.copy()
    part.insert(0, "site_id", "place:" + part.index.astype(str))
    return part


def _with_ids(ddf: dgpd.GeoDataFrame) -> dgpd.GeoDataFrame:
    if "site_id" in ddf.columns:
        return ddf
    out = ddf.map_partitions(_add_ids, meta=_add_ids(ddf._meta))
    out.spatial_partitions = ddf.spatial_partitions
    return out


def _as_wgs84(ddf: dgpd.GeoDataFrame) -> dgpd.GeoDataFrame:
    if ddf.crs is None or CRS.from_user_input(ddf.crs).equals(CRS.from_user_input(WGS84)):
        # No CRS: the in-memory functions check, per partition, that these are degrees.
        return ddf
    regions = ddf.spatial_partitions
    out = ddf.to_crs(WGS84)
    out.spatial_partitions = None if regions is None else regions.to_crs(WGS84)
    return out


def _points(points: Any) -> dgpd.GeoDataFrame:
    if isinstance(points, dgpd.GeoDataFrame):
        return _as_wgs84(_with_ids(points))
    return read_points(points)


def spatial_partition(
    points: Any, *, by: str = "hilbert", npartitions: int | None = None
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
        Indexed by the curve position; the row ids stay in ``site_id``.

    Examples
    --------
    >>> gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.0, 2.9, 2.5], [50.4, 50.5, 50.6]),
    ...                        crs="EPSG:4326")
    >>> len(spatial_partition(gdf, npartitions=2).spatial_partitions)
    2
    """
    if by not in _SORTS:
        raise InvalidInputError(f"spatial_partition: by={by!r} is not one of {', '.join(_SORTS)}")
    ddf = _points(points)
    return ddf.spatial_shuffle(by=by, npartitions=npartitions)


# --------------------------------------------------------------------------- running


def _sample_like(meta: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Two made-up rows with the columns of ``meta`` and points in the basin."""
    sample = meta._meta_nonempty if hasattr(meta, "_meta_nonempty") else meta
    sample = gpd.GeoDataFrame(sample.iloc[:2].copy())
    n = len(sample)
    sample = sample.set_geometry(
        gpd.GeoSeries(gpd.points_from_xy([3.07, 2.78][:n], [50.37, 50.43][:n]), index=sample.index),
        crs=WGS84,
    )
    if "site_id" in sample:
        sample["site_id"] = [f"sample:{i}" for i in range(n)]
    return sample


def _meta_of(func: Callable, ddf: dgpd.GeoDataFrame, call: Callable) -> pd.DataFrame:
    # The in-memory functions refuse empty inputs, so the output schema comes from running
    # them on two made-up rows rather than on dask's empty meta.
    return call(func, _sample_like(ddf)).iloc[:0]


def _run_partition(
    part: gpd.GeoDataFrame,
    func: Callable,
    call: Callable,
    shared: dict,
    meta: pd.DataFrame,
    partition_info: dict | None = None,
) -> pd.DataFrame:
    if len(part) == 0:
        return meta
    number = partition_info["number"] if partition_info else None
    reference = shared.get("per_partition")
    if reference is not None and number is not None:
        reference = reference[number]
        if reference is None:  # nothing within reach of this partition
            return meta
    else:
        reference = shared.get("reference")
    # The frames reach the in-memory function in WGS84 like any user input.
    part = gpd.GeoDataFrame(part, geometry=part.geometry.name, crs=part.crs or WGS84)
    return call(func, part, reference)


def _map(
    ddf: dgpd.GeoDataFrame,
    func: Callable,
    call: Callable,
    reference: Any = None,
    per_partition: list | None = None,
) -> dd.DataFrame:
    meta = _meta_of(func, ddf, lambda f, sample: call(f, sample, reference))
    # One shared key for all tasks: dask sends it to each worker once.
    shared = dask.delayed(
        {"reference": reference, "per_partition": per_partition}, pure=True, traverse=False
    )
    return ddf.map_partitions(_run_partition, func, call, shared, meta, meta=meta)


# --------------------------------------------------------------------------- pruning


def _projected_regions(regions: gpd.GeoSeries, crs: CRS) -> np.ndarray:
    dense = shapely.segmentize(regions.to_numpy(), _HULL_SEGMENT_DEG)
    return gpd.GeoSeries(dense, crs=regions.crs).to_crs(crs).to_numpy()


def _metric_crs(regions: gpd.GeoSeries) -> CRS:
    xmin, ymin, xmax, ymax = regions.to_crs(WGS84).total_bounds
    return metric_crs_for([xmin, xmax], [ymin, ymax])


def _margin(distance_m: float) -> float:
    return distance_m * (1 + _RELATIVE_MARGIN) + _ABSOLUTE_MARGIN_M


def _targets_per_partition(
    regions: gpd.GeoSeries, targets: gpd.GeoDataFrame, k: int, max_distance: float | None
) -> list[gpd.GeoDataFrame]:
    """For each partition, the targets that can be among the k nearest of any of its points.

    A target farther from the partition's hull than the k-th smallest "farthest corner"
    distance cannot beat the k targets that are within that distance of every point.
    """
    crs = _metric_crs(regions)
    hulls = _projected_regions(regions, crs)
    geoms = targets.geometry.to_crs(crs).to_numpy()
    anchors = shapely.point_on_surface(geoms)
    # (partitions x targets) planar distances: a few hundred partitions times the reference
    # layer, computed once on the client.
    near = shapely.distance(hulls[:, None], geoms[None, :])
    out = []
    for i, hull in enumerate(hulls):  # one row per partition, not per feature
        corners = shapely.points(shapely.get_coordinates(hull))
        far = shapely.distance(corners[:, None], anchors[None, :]).max(axis=0)
        keep = np.ones(len(geoms), dtype=bool)
        if k < len(geoms):
            bound = np.partition(far, k - 1)[k - 1]
            keep &= near[i] <= _margin(bound)
        if max_distance is not None:
            keep &= near[i] <= _margin(max_distance)
        out.append(targets.iloc[np.flatnonzero(keep)] if keep.any() else None)
    return out


def _partitions_in_reach(regions: gpd.GeoSeries, geometry: Any, distance_m: float) -> np.ndarray:
    crs = _metric_crs(regions)
    hulls = _projected_regions(regions, crs)
    geom = gpd.GeoSeries([geometry], crs=WGS84).to_crs(crs).iloc[0]
    return shapely.distance(hulls, geom) <= _margin(distance_m)


# --------------------------------------------------------------------------- analyses


def _distance_module():
    from bassin_geo import distance  # late: keeps `import bassin_geo.scale` cheap

    return distance


def locate(points: Any, **kwargs: Any) -> dd.DataFrame:
    """Lazy :func:`bassin_geo.distance.locate` over partitioned points.

    Parameters
    ----------
    points : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        As :func:`read_points` accepts.
    **kwargs
        Passed to :func:`bassin_geo.distance.locate`.

    Returns
    -------
    dask DataFrame
        The columns of the in-memory result, one partition per input partition.

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> compute(locate(pts), progress=False)["site_id"].tolist()
    ['place:0']
    """
    ddf = _points(points)
    func = _distance_module().locate

    def call(f, part, reference):
        return f(part, **kwargs)

    return _map(ddf, func, call)


def nearest(
    points: Any,
    targets: Any = None,
    k: int = 1,
    max_distance: float | None = None,
    **kwargs: Any,
) -> dd.DataFrame:
    """Lazy :func:`bassin_geo.distance.nearest`: the k nearest targets of every point.

    Parameters
    ----------
    points : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        As :func:`read_points` accepts; millions of rows.
    targets : str or GeoDataFrame, optional
        A layer name or a (small) GeoDataFrame, as the in-memory function takes; default
        all sites. Shared once with the workers; with spatial partitions, each partition
        gets only the targets that can be among its k nearest.
    k : int
        Number of neighbours.
    max_distance : float, optional
        Metres; farther targets are not reported.
    **kwargs
        Passed to :func:`bassin_geo.distance.nearest` (``method`` ...).

    Returns
    -------
    dask DataFrame
        The columns of the in-memory result.

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> compute(nearest(pts, k=2), progress=False)["rank"].tolist()
    [1, 2]
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise InvalidInputError(f"nearest: k must be a whole number >= 1, got {k!r}")
    if max_distance is not None:
        max_distance = check_distance(max_distance, "max_distance")
    ddf = _points(points)
    distance = _distance_module()
    reference = _reference_targets(targets)

    def call(f, part, ref):
        return f(part, targets=ref, k=k, max_distance=max_distance, **kwargs)

    per_partition = None
    if ddf.spatial_partitions is not None and isinstance(reference, gpd.GeoDataFrame):
        per_partition = _targets_per_partition(ddf.spatial_partitions, reference, k, max_distance)
    return _map(ddf, distance.nearest, call, reference, per_partition)


def _reference_targets(targets: Any) -> Any:
    from bassin_geo.layers import load_layer

    if targets is None:
        return load_layer("sites")
    if isinstance(targets, str):
        return load_layer(targets)
    if isinstance(targets, gpd.GeoSeries):
        targets = targets.to_frame("geometry")
    if isinstance(targets, gpd.GeoDataFrame):
        if targets.crs is not None and not CRS.from_user_input(targets.crs).equals(
            CRS.from_user_input(WGS84)
        ):
            targets = targets.to_crs(WGS84)
        return targets
    raise InvalidInputError(
        f"nearest: targets must be a layer name or a GeoDataFrame, got {type(targets).__name__}"
        " (a dask GeoDataFrame of targets is not supported: targets are shared whole)"
    )


def within_distance(geometry: Any, distance_m: float, layer: Any) -> dd.DataFrame:
    """Lazy :func:`bassin_geo.distance.within_distance` over a large partitioned layer.

    Parameters
    ----------
    geometry : shapely geometry, site id or name, (lon, lat)
        The query place (a point, a route line, a polygon), in WGS84.
    distance_m : float
        Metres.
    layer : path, GeoDataFrame or dask_geopandas.GeoDataFrame
        The large set of features to filter, as :func:`read_points` accepts. With spatial
        partitions, partitions out of reach are skipped without running anything.

    Returns
    -------
    dask DataFrame
        The columns of the in-memory result: the features within ``distance_m``.

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07, 2.0], [50.37, 50.8]),
    ...                                    crs="EPSG:4326"), npartitions=2)
    >>> len(compute(within_distance((3.07, 50.37), 1000, pts), progress=False))
    1
    """
    distance_m = check_distance(distance_m, "distance_m")
    ddf = _points(layer)
    distance = _distance_module()
    from bassin_geo.places import as_places

    place = as_places(geometry, resolve_polygons=True, where="geometry").geometry.iloc[0]

    def call(f, part, query):
        return f(query, distance_m, layer=part)

    per_partition = None
    if ddf.spatial_partitions is not None:
        reach = _partitions_in_reach(ddf.spatial_partitions, place, distance_m)
        # Partitions in reach get the query as given (same answer as in memory); the others
        # get None and return an empty frame without running anything.
        per_partition = [geometry if r else None for r in reach]
    # The query (maybe a long route line) travels once, in the shared key, not per task.
    return _map(ddf, distance.within_distance, call, geometry, per_partition)


# --------------------------------------------------------------------------- outputs


def _client(client: Any) -> Any:
    if client is not None:
        return client
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):
        return None


def compute(result: Any, *, client: Any = None, progress: bool = True) -> Any:
    """Run a lazy result and return it in memory, with a progress display.

    Parameters
    ----------
    result : dask collection
        What :func:`locate`, :func:`nearest` or :func:`within_distance` returned.
    client : dask.distributed.Client, optional
        Run on this cluster (``Client("tcp://scheduler:8786")``); default the active
        client if any, else the local scheduler.
    progress : bool
        Show a progress bar (dask's ProgressBar locally, distributed's progress on a
        cluster).

    Returns
    -------
    DataFrame or GeoDataFrame

    Examples
    --------
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> len(compute(pts, progress=False))
    1
    """
    client = _client(client)
    if client is not None:
        future = client.compute(result)
        if progress:
            from distributed import progress as show

            show(future)
        return future.result()
    if progress:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return result.compute()
    return result.compute()


def to_parquet(
    result: Any,
    path: str | os.PathLike,
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
    path : path
        The output folder.
    client, progress
        As for :func:`compute`.
    overwrite : bool
        Replace an existing folder.

    Returns
    -------
    Path

    Raises
    ------
    OverwriteError

    Examples
    --------
    >>> import tempfile
    >>> pts = read_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([3.07], [50.37]),
    ...                                    crs="EPSG:4326"), npartitions=1)
    >>> out = to_parquet(pts, Path(tempfile.mkdtemp()) / "pts", progress=False)
    >>> len(read_points(out).compute())
    1
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OverwriteError(f"{path} exists; pass overwrite=True to replace it")
    if isinstance(result, dgpd.GeoDataFrame):
        job = dgpd.to_parquet(result, str(path), compute=False, overwrite=overwrite)
    else:
        job = dd.to_parquet(result, str(path), compute=False, overwrite=overwrite)
    compute(job, client=client, progress=progress)
    return path

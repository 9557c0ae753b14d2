"""Where points stand in the basin: contour, listed components, buffer zone, communes.

:func:`locate` answers, for each point, the questions people ask of a site in the Mining
Basin: inside the Mission Bassin Minier contour or not, and how far from it; in which
listed UNESCO component; in the buffer zone; in which commune and EPCI of Nord or
Pas-de-Calais. The layers it reads are indexed once per process. Distances to the contour
are measured as in :mod:`bassin_geo.analysis.geodesic`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from bassin_geo._compat import keyword_only
from bassin_geo._types import PlacesLike
from bassin_geo.analysis.checks import check_method, places_with_labels
from bassin_geo.analysis.geodesic import ProjectedGeometries, metric_frame, pair_distances
from bassin_geo.crs import LAMBERT93
from bassin_geo.data.layers import load_layer
from bassin_geo.errors import InvalidInputError

__all__ = ["LOCATE_COLUMNS", "locate"]

#: Columns of the table returned by :func:`locate`, in order.
LOCATE_COLUMNS = (
    "point_id",
    "in_contour",
    "in_basin",
    "in_property",
    "property_id",
    "property_name",
    "in_buffer_zone",
    "insee",
    "commune",
    "epci_siren",
    "epci_nom",
    "contour_distance_m",
)

ObjArray = NDArray[np.object_]


@dataclass(frozen=True)
class _Basin:
    """The layers locate() reads, in Lambert-93, with their indexes: built once."""

    perimeter: shapely.Geometry
    property_tree: shapely.STRtree
    property_ids: ObjArray
    property_names: ObjArray
    buffer_tree: shapely.STRtree
    commune_tree: shapely.STRtree
    communes: pd.DataFrame
    contour_tree: shapely.STRtree
    contour_segments: ObjArray
    contour_vertices: cKDTree


@functools.cache
def _basin() -> _Basin:
    def metric(name: str) -> gpd.GeoDataFrame:
        return load_layer(name).to_crs(LAMBERT93)

    perimeter = metric("perimeter").geometry.union_all()
    shapely.prepare(perimeter)
    prop = metric("property")
    communes = metric("communes_nord_pas_de_calais")
    # The contour as single segments: the nearest-segment search is then logarithmic
    # instead of scanning the whole ring for each point.
    xy, ring = shapely.get_coordinates(shapely.get_parts(perimeter.boundary), return_index=True)
    same = ring[1:] == ring[:-1]
    segments = shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))
    return _Basin(
        perimeter=perimeter,
        property_tree=shapely.STRtree(prop.geometry.to_numpy()),
        property_ids=prop["site_id"].to_numpy(),
        property_names=prop["nom"].to_numpy(),
        buffer_tree=shapely.STRtree(metric("buffer_zone").geometry.to_numpy()),
        commune_tree=shapely.STRtree(communes.geometry.to_numpy()),
        communes=communes[["insee", "commune", "epci_siren", "epci_nom"]].reset_index(drop=True),
        contour_tree=shapely.STRtree(segments),
        contour_segments=segments,
        contour_vertices=cKDTree(shapely.get_coordinates(segments)),
    )


def _first_hit(tree: shapely.STRtree, geoms: ObjArray) -> NDArray[np.intp]:
    """Position of the first (lowest) tree item each geometry intersects, or -1."""
    pairs = tree.query(geoms, predicate="intersects")
    hit = np.full(len(geoms), -1, dtype=np.intp)
    order = np.lexsort((pairs[1], pairs[0]))
    first, where = np.unique(pairs[0][order], return_index=True)
    hit[first] = pairs[1][order][where]
    return hit


def _take(values: NDArray[np.generic], pos: NDArray[np.intp]) -> ObjArray:
    out: ObjArray = np.full(len(pos), None, dtype=object)
    out[pos >= 0] = values[pos[pos >= 0]]
    return out


@keyword_only(1, ("method",))
def locate(points: PlacesLike, *, method: str = "geodesic") -> pd.DataFrame:
    """Where each point stands in the basin.

    Parameters
    ----------
    points : GeoDataFrame, GeoSeries, or list of site ids, names, points, (lon, lat)
        Points only (use ``.representative_point()`` for areas).
    method : {"geodesic", "planar"}
        How ``contour_distance_m`` is measured. Keyword-only (by position it still works,
        with a FutureWarning, until 0.3).

    Returns
    -------
    DataFrame
        Indexed like the input, columns :data:`LOCATE_COLUMNS`: ``in_contour`` (inside the
        Mission Bassin Minier contour, the ``perimeter`` layer, boundary included; not the
        330-commune territory), ``in_basin`` (the same, its 0.1 name, kept until 0.3),
        ``in_property`` and
        ``property_id``/``property_name`` (the listed UNESCO component), ``in_buffer_zone``,
        ``insee``/``commune``/``epci_siren``/``epci_nom`` (the commune of Nord or
        Pas-de-Calais holding the point, None elsewhere), ``contour_distance_m``
        (distance to the basin contour, negative inside).

    Examples
    --------
    >>> row = locate([(3.08, 50.37)]).iloc[0]
    >>> bool(row["in_contour"]), row["commune"], round(row["contour_distance_m"])
    (True, 'Douai', -4784)
    """
    check_method(method)
    pts, labels = places_with_labels(points, "points")
    geoms = pts.geometry.to_numpy()
    types = shapely.get_type_id(geoms)
    if (types != shapely.GeometryType.POINT).any():
        i = int(np.flatnonzero(types != shapely.GeometryType.POINT)[0])
        msg = (
            f"points: row {i} is a {geoms[i].geom_type}, not a point; "
            "locate() places points: pass gdf.representative_point() for areas and lines"
        )
        raise InvalidInputError(msg)
    basin = _basin()
    frame = metric_frame(pts, crs=LAMBERT93)
    a = ProjectedGeometries(geoms, frame)
    inside = shapely.intersects_xy(basin.perimeter, a.x, a.y)
    prop = _first_hit(basin.property_tree, a.metric)
    buffer = _first_hit(basin.buffer_tree, a.metric)
    commune = _first_hit(basin.commune_tree, a.metric)
    # Nearest contour segment: the nearest vertex bounds its distance, so only segments
    # within that bound compete (twice as fast as STRtree.query_nearest here).
    bound = basin.contour_vertices.query(a.xy, workers=-1)[0]
    pairs = basin.contour_tree.query(a.metric, predicate="dwithin", distance=bound + 1e-6)
    planar = shapely.distance(a.metric[pairs[0]], basin.contour_segments[pairs[1]])
    order = np.lexsort((pairs[1], planar, pairs[0]))
    first = np.unique(pairs[0][order], return_index=True)[1]
    near = pairs[1][order][first]
    segments = basin.contour_segments[near]
    # Lines: only their metric form is read.
    contour = ProjectedGeometries(segments, frame, metric=segments)
    idx = np.arange(len(a))
    dist = pair_distances(a, contour, idx, idx, method)
    c = basin.communes
    out: pd.DataFrame = pd.DataFrame(
        {
            "point_id": pts["site_id"].to_numpy(),
            "in_contour": inside,
            "in_basin": inside,
            "in_property": prop >= 0,
            "property_id": _take(basin.property_ids, prop),
            "property_name": _take(basin.property_names, prop),
            "in_buffer_zone": buffer >= 0,
            "insee": _take(c["insee"].to_numpy(), commune),
            "commune": _take(c["commune"].to_numpy(), commune),
            "epci_siren": _take(c["epci_siren"].to_numpy(), commune),
            "epci_nom": _take(c["epci_nom"].to_numpy(), commune),
            "contour_distance_m": np.where(inside, -dist, dist),
        },
        index=labels,
        columns=list(LOCATE_COLUMNS),
    )
    return out

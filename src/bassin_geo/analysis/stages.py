"""Tour de France stages through the basin: where a route enters, crosses and leaves an area.

Load an approximation of a 2025 stage with :func:`load_stage`, or read any route with
:func:`read_route` (re-exported from :mod:`bassin_geo.analysis.routes`). Then:

- :func:`crossings`: every entry into and exit from an area, km inside, passages;
- :func:`communes_crossed`: the communes in route order with km in and km out;
- :func:`sites_along`: the sites within a distance of the route, with the km where the
  route passes closest.

How the geometry is cut: the route is intersected with the area boundaries (STRtrees of
route windows and of short boundary pieces find the few segments that touch one), which
splits it into pieces wholly inside one polygon, outside, or along a boundary; one sample
point per piece says which. So a long straight segment that clips a corner of a polygon is
seen even when both its ends are outside, and the cost hardly grows with the vertices far
from any boundary. Kilometres are geodesic; positions along a segment are taken on the
straight segment between its two vertices, as the file draws it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from bassin_geo._compat import keyword_only
from bassin_geo._types import LayerLike, PlacesLike
from bassin_geo.analysis.checks import target_layer
from bassin_geo.analysis.geodesic import metric_frame, planar_reach
from bassin_geo.analysis.routegeom import AreaIndex
from bassin_geo.analysis.routes import Route, RouteLike, RouteWarning, as_route, read_route
from bassin_geo.analysis.stage_data import STAGE_METHOD, list_stages, load_stage
from bassin_geo.crs import WGS84
from bassin_geo.data.layers import list_layers, load_communes, load_layer
from bassin_geo.errors import InvalidInputError
from bassin_geo.places.checks import check_distance
from bassin_geo.places.resolve import as_places

__all__ = [
    "MIN_PASSAGE_M",
    "STAGE_METHOD",
    "Crossings",
    "Route",
    "RouteWarning",
    "communes_crossed",
    "crossings",
    "list_stages",
    "load_stage",
    "read_route",
    "sites_along",
]


#: Default of ``min_passage_m``: inside stretches and outside gaps shorter than this along
#: the route are grazes, not entries and exits. 10 m is about the horizontal error of a
#: consumer GPS track (a few metres) plus the drawing precision of the boundary layers
#: (0.5 mm at 1:25,000 is 12.5 m); below it, which side of the line the route is on says
#: more about the two drawings than about the ride. On the 2025 stages it removes the
#: 0.38 m graze of the contour at Seclin (stage 1) and keeps every passage of 11 m or more.
MIN_PASSAGE_M = 10.0

# --------------------------------------------------------------------------------------


@functools.cache
def _layer_area(name: str, merged: bool) -> AreaIndex:
    # Layers do not change during a session: index them once (osmnx users lost hours
    # rebuilding indexes on every call).
    polygons = load_layer(name).geometry.to_numpy()
    if merged:
        polygons = np.array([shapely.union_all(polygons)], dtype=object)
    return AreaIndex.build(polygons)


def _polygon_layer(area: Any) -> tuple[gpd.GeoDataFrame, str]:
    """The area as polygons in WGS84 with ``site_id`` and ``name``, and its label."""
    if isinstance(area, str):
        return _named_layer(area), area
    if isinstance(area, BaseGeometry):
        area = gpd.GeoDataFrame(geometry=[area], crs=WGS84)
    return _polygons(area, "area"), "area"


@functools.cache
def _named_layer(name: str) -> gpd.GeoDataFrame:
    if name not in set(list_layers()["name"]):
        raise InvalidInputError(
            f"area {name!r} is not a layer name; give a polygon layer ('perimeter', "
            "'property', 'buffer_zone', 'communes', ...), a polygon in WGS84 or a "
            "GeoDataFrame of polygons (e.g. one commune of load_communes())"
        )
    return _polygons(load_layer(name), name)


def _polygons(gdf: Any, label: str) -> gpd.GeoDataFrame:
    places = as_places(gdf, where=f"area {label}")
    if isinstance(gdf, gpd.GeoDataFrame):
        for col in ("nom", "commune", "name"):
            if col in gdf.columns:
                places["name"] = gdf[col].to_numpy()
                break
    odd = set(places.geom_type) - {"Polygon", "MultiPolygon"}
    if odd:
        raise InvalidInputError(
            f"area {label}: holds {', '.join(sorted(odd))} geometries; crossings need polygons"
        )
    return places


@functools.cache
def _communes_npdc() -> tuple[gpd.GeoDataFrame, shapely.STRtree]:
    communes = load_layer("communes_nord_pas_de_calais")
    return communes, shapely.STRtree(communes.geometry.to_numpy())


def _commune_at(points: np.ndarray) -> pd.DataFrame:
    """INSEE code and name of the commune of Nord / Pas-de-Calais holding each point."""
    communes, tree = _communes_npdc()
    out: pd.DataFrame = pd.DataFrame(
        {"insee": [None] * len(points), "commune": [None] * len(points)}
    )
    if len(points):
        p, c = tree.query(points, predicate="intersects")
        first = np.unique(p, return_index=True)[1]
        out.loc[p[first], "insee"] = communes["insee"].to_numpy()[c[first]]
        out.loc[p[first], "commune"] = communes["commune"].to_numpy()[c[first]]
    return out


# --------------------------------------------------------------------------------------
# Crossings
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Crossings:
    """Entries into and exits from an area along a route, and the passages inside it.

    What :func:`crossings` returns; not built by hand. The area is the one given to
    :func:`crossings`: by default the contour (``perimeter`` layer), not the territory of
    the 330 communes.

    Parameters
    ----------
    events : GeoDataFrame
        In route order: ``kind`` ("enter" or "exit"), ``name`` (for map tooltips), ``km``,
        ``insee`` and ``commune`` on the inside of the boundary there, ``area_id``
        (``site_id`` of the feature entered or left), and the point.
    passages : GeoDataFrame
        One row per stretch inside: ``passage``, ``km_in``, ``km_out``, ``length_km`` and
        the part of the route.
    route_km : float
        Route length.
    km_on_border : float
        km run exactly along the boundary (counted outside), except along a gap shorter
        than ``min_passage_m`` between two passages (counted inside, with the gap).
    starts_inside, ends_inside : bool
        Whether the route starts / ends in the interior of the area, in a passage that
        is kept (see ``min_passage_m``).
    area : str
        The layer name, or "area".
    min_passage_m : float
        The tolerance the passages were counted with (see :func:`crossings`).
    km_in_grazes : float
        km inside the area in stretches shorter than ``min_passage_m``, dropped as
        grazes: not in ``passages`` nor in ``km_inside``.

    Examples
    --------
    >>> c = crossings(load_stage(2025, 2), "perimeter")
    >>> c.name, c.n_passages, 0 < c.share < 1
    ('Crossings of perimeter', 1, True)
    """

    events: gpd.GeoDataFrame
    passages: gpd.GeoDataFrame
    route_km: float
    km_on_border: float
    starts_inside: bool
    ends_inside: bool
    area: str
    min_passage_m: float
    km_in_grazes: float

    @property
    def name(self) -> str:
        """A label for maps and files: "Crossings of perimeter"."""
        return f"Crossings of {self.area}"

    @property
    def km_inside(self) -> float:
        """Kilometres run inside the area."""
        return float(self.passages["length_km"].sum())

    @property
    def share(self) -> float:
        """Share of the route run inside the area (0 to 1)."""
        return self.km_inside / self.route_km if self.route_km else 0.0

    @property
    def n_passages(self) -> int:
        """Number of separate stretches inside the area, grazes left out (``min_passage_m``)."""
        return len(self.passages)

    def summary(self) -> dict[str, object]:
        """The figures in one dict: km inside, share, passages, entries, exits.

        Returns
        -------
        dict
            ``area``, ``route_km``, ``km_inside``, ``share``, ``passages``, ``entries``,
            ``exits``, ``starts_inside``, ``ends_inside``, ``km_on_border``,
            ``min_passage_m`` (the tolerance) and ``km_in_grazes`` (km inside left out
            as grazes).

        Examples
        --------
        >>> crossings(load_stage(2025, 2), "perimeter").summary()["exits"]
        1
        """
        kinds = self.events["kind"].value_counts()
        return {
            "area": self.area,
            "route_km": round(self.route_km, 3),
            "km_inside": round(self.km_inside, 3),
            "share": round(self.share, 4),
            "passages": self.n_passages,
            "entries": int(kinds.get("enter", 0)),
            "exits": int(kinds.get("exit", 0)),
            "starts_inside": self.starts_inside,
            "ends_inside": self.ends_inside,
            "km_on_border": round(self.km_on_border, 3),
            "min_passage_m": self.min_passage_m,
            "km_in_grazes": round(self.km_in_grazes, 6),
        }

    def to_gdf(self) -> gpd.GeoDataFrame:
        """Events (points, kind "enter" / "exit") and passages (lines, kind "passage").

        The writers (:func:`bassin_geo.to_geojson`, :func:`bassin_geo.to_geopackage`...)
        and :func:`bassin_geo.make_map` take Crossings through this method.

        Returns
        -------
        GeoDataFrame
            In WGS84: the events, then the passages, with their columns.

        Examples
        --------
        >>> gdf = crossings(load_stage(2025, 2), "perimeter").to_gdf()
        >>> gdf["kind"].tolist(), gdf.crs.to_epsg()
        (['exit', 'passage'], 4326)
        """
        ev = self.events
        pa = self.passages.assign(kind="passage")
        return gpd.GeoDataFrame(pd.concat([ev, pa], ignore_index=True), crs=WGS84)


def crossings(
    route: Any, area: Any = "perimeter", *, min_passage_m: float = MIN_PASSAGE_M
) -> Crossings:
    """Where a route enters and leaves an area, in route order, and the km it runs inside.

    By default the area is the contour of the basin (the ``perimeter`` layer, 179,475
    ha), not the territory of the 330 communes (for that one, pass ``"communes"`` or see
    :func:`communes_crossed`).

    Inside means in the interior of the area; the features of a layer are merged first, so
    going from one listed component into an adjacent one is no crossing. An entry is where
    the route goes from outside (or from running along the boundary) into the interior; an
    exit the reverse. Touching the boundary (grazing a corner, a vertex on the boundary) is
    no crossing; running along it counts as outside and its km are ``km_on_border``. A
    route that starts inside has no entry at km 0 (``starts_inside``); one that starts on
    the boundary and goes in enters at km 0. Loops, duplicate points and segments that clip
    a corner between two vertices are handled.

    The km of a point on the route is the geodesic length of the segments before it plus
    the geodesic distance from its segment's first vertex, so passages and the rest add up
    to the route length exactly; measuring a passage as its own geodesic would differ by
    about a millionth of the route.

    Grazes are no passages: two passages separated by an outside gap shorter than
    ``min_passage_m`` (measured along the route) are first merged into one, the gap
    counted inside (the route did not really leave); then passages still shorter than
    ``min_passage_m`` are dropped with their entry and exit, their km reported as
    ``km_in_grazes`` (the route did not really enter). ``min_passage_m=0`` gives the
    exact geometry.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
        See :func:`read_route`.
    area : str, polygon or GeoDataFrame
        A polygon layer name ("perimeter": the contour, the default; "property",
        "buffer_zone", "communes": the territory of the 330 communes...), a (Multi)Polygon
        in WGS84, or polygons in any CRS (e.g. one row of
        :func:`bassin_geo.load_communes`).
    min_passage_m : float
        Tolerance in metres along the route (default :data:`MIN_PASSAGE_M`, 10 m: about
        a GPS track's error plus the drawing precision of the boundary layers). Inside
        stretches and outside gaps shorter than this are grazes, not entries and exits.
        Keyword-only.

    Returns
    -------
    Crossings
        ``events``, ``passages`` and the summary figures (``summary()``).

    Examples
    --------
    >>> c = crossings(load_stage(2025, 2), "perimeter")
    >>> c.starts_inside, c.events["kind"].tolist()
    (True, ['exit'])
    >>> c.summary()["passages"]
    1
    >>> stage_1 = load_stage(2025, 1)
    >>> crossings(stage_1).n_passages, crossings(stage_1, min_passage_m=0).n_passages
    (2, 3)
    """
    tolerance = check_distance(min_passage_m, "min_passage_m")
    route = as_route(route)
    geom = route.geometry_index()
    features, label = _polygon_layer(area)
    if isinstance(area, str):
        index = _layer_area(area, merged=True)
    else:
        index = AreaIndex.build(
            np.array([shapely.union_all(features.geometry.to_numpy())], dtype=object)
        )
    runs, along = geom.cut(index)
    runs, graze_m, joined_m = _without_grazes(runs, along, tolerance)
    border_m = float((along["m_out"] - along["m_in"]).sum()) - joined_m
    merged = index.polygons[0]
    # Inside at an end only if a kept passage holds that end: a graze at km 0 that is
    # dropped leaves no passage to start inside.
    starts_inside = bool(shapely.contains_xy(merged, *geom.xy[0])) and bool(
        len(runs) and runs["g_in"].iloc[0] <= 0
    )
    ends_inside = bool(shapely.contains_xy(merged, *geom.xy[-1])) and bool(
        len(runs) and runs["g_out"].iloc[-1] >= geom.last
    )

    enter = runs[~((runs["g_in"] <= 0) & starts_inside)]
    leave = runs[~((runs["g_out"] >= geom.last) & ends_inside)]
    kinds = np.array(["enter"] * len(enter) + ["exit"] * len(leave), dtype=object)
    g = np.r_[enter["g_in"].to_numpy(float), leave["g_out"].to_numpy(float)]
    m = np.r_[enter["m_in"].to_numpy(float), leave["m_out"].to_numpy(float)]
    inner = np.r_[enter["first"].to_numpy(object), leave["last"].to_numpy(object)]
    order = np.lexsort((kinds == "enter", g))  # at one point, an exit comes before an entry
    kinds, g, m, inner = kinds[order], g[order], m[order], inner[order]

    where = _commune_at(inner)
    f_tree = shapely.STRtree(features.geometry.to_numpy())
    p, f = f_tree.query(inner, predicate="intersects")
    ids = pd.Series(features["site_id"].to_numpy()[f]).groupby(p).agg("; ".join)
    events = gpd.GeoDataFrame(
        {
            "kind": kinds,
            "name": np.where(kinds == "enter", f"Entry into {label}", f"Exit from {label}"),
            "km": m / 1000.0,
            "insee": where["insee"].to_numpy(),
            "commune": where["commune"].to_numpy(),
            "area_id": ids.reindex(range(len(inner))).to_numpy(),
        },
        geometry=shapely.points(geom.point(g)) if len(g) else np.array([], dtype=object),
        crs=WGS84,
    )
    g_in, g_out = runs["g_in"].to_numpy(float), runs["g_out"].to_numpy(float)
    m_in, m_out = runs["m_in"].to_numpy(float), runs["m_out"].to_numpy(float)
    passages = gpd.GeoDataFrame(
        {
            "passage": np.arange(1, len(runs) + 1),
            "km_in": m_in / 1000.0,
            "km_out": m_out / 1000.0,
            "length_km": (m_out - m_in) / 1000.0,
        },
        geometry=geom.sub_lines(g_in, g_out),
        crs=WGS84,
    )
    return Crossings(
        events=events,
        passages=passages,
        route_km=route.length_km,
        km_on_border=border_m / 1000.0,
        starts_inside=starts_inside,
        ends_inside=ends_inside,
        area=label,
        min_passage_m=tolerance,
        km_in_grazes=graze_m / 1000.0,
    )


def _without_grazes(
    runs: pd.DataFrame, along: pd.DataFrame, min_m: float
) -> tuple[pd.DataFrame, float, float]:
    """Runs of one merged area with short outside gaps closed, then short runs dropped.

    Gaps first: a route that leaves for 3 m between two long passages never left, and its
    two passages are one. Then the runs still shorter than ``min_m`` go, with the metres
    they held inside. Returns the runs kept, the metres dropped, and the metres along the
    boundary (pieces of ``along``) now inside a joined run, so no longer on the border.
    """
    if not len(runs) or min_m <= 0:
        return runs, 0.0, 0.0
    m_in, m_out = runs["m_in"].to_numpy(float), runs["m_out"].to_numpy(float)
    new = np.r_[True, (m_in[1:] - m_out[:-1]) >= min_m]
    start = np.flatnonzero(new)
    end = np.r_[start[1:], len(runs)] - 1
    joined = runs.iloc[start].reset_index(drop=True)
    for col in ("g_out", "m_out", "last"):
        joined[col] = runs[col].to_numpy()[end]
    length = joined["m_out"].to_numpy(float) - joined["m_in"].to_numpy(float)
    short = length < min_m
    kept: pd.DataFrame = joined[~short].reset_index(drop=True)
    border_in = _overlap_m(
        along["m_in"].to_numpy(float), along["m_out"].to_numpy(float), joined
    ).sum()
    return kept, float(length[short].sum()), float(border_in)


@keyword_only(1, ("all_nord_pas_de_calais",))
def communes_crossed(route: RouteLike, *, all_nord_pas_de_calais: bool = False) -> gpd.GeoDataFrame:
    """The communes a route crosses, in route order, with the km where it enters and leaves.

    By default the communes are those of the territory (the 330 communes of the basin,
    235,117 ha), not the contour (``perimeter`` layer) that :func:`crossings` uses; each
    row says both: ``in_territory`` and ``km_in_contour``. With
    ``all_nord_pas_de_calais=True`` the communes are the 1,534 of both departments.

    A commune entered twice (a loop, a road that zigzags across a border) has one row per
    passage. Stretches that run exactly along a commune boundary belong to no commune.
    Every piece is kept, however short (no ``min_passage_m`` here): the rows add up to
    the route, less the km along boundaries.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
        See :func:`read_route`.
    all_nord_pas_de_calais : bool
        Use the 1,534 communes of Nord and Pas-de-Calais, or only the 330 of the basin
        territory (the default, as for :func:`bassin_geo.load_communes`). Changed in 0.2:
        the default was True; pass ``all_nord_pas_de_calais=True`` for the former result.
        Keyword-only (by position it still works, with a FutureWarning, until 0.3).

    Returns
    -------
    GeoDataFrame
        ``order``, ``insee``, ``commune``, ``km_in``, ``km_out``, ``length_km``,
        ``in_territory`` (the commune is one of the 330 of the territory),
        ``km_in_contour`` (km of this stretch inside the contour, the ``perimeter`` layer,
        exact geometry), ``in_basin`` (deprecated alias of ``in_territory``, removed in
        0.3) and the part of the route (WGS84).

    Examples
    --------
    >>> cc = communes_crossed(load_stage(2025, 1), all_nord_pas_de_calais=True)
    >>> cc["commune"].iloc[0], cc["commune"].iloc[-1]
    ('Lille', 'Lille')
    >>> rows = communes_crossed(load_stage(2025, 1))
    >>> bool(rows["in_territory"].all()), bool((rows["km_in_contour"] <= rows["length_km"]).all())
    (True, True)
    """
    route = as_route(route)
    geom = route.geometry_index()
    # load_communes checks the flag (a real bool) and says which layer holds the communes.
    communes = load_communes(all_nord_pas_de_calais=all_nord_pas_de_calais)
    name = "communes_nord_pas_de_calais" if all_nord_pas_de_calais else "communes"
    label = "commune" if "commune" in communes.columns else "nom"
    runs, _ = geom.cut(_layer_area(name, merged=False))
    k = runs["poly"].to_numpy(dtype=np.int64)
    insee = communes["insee"].to_numpy()[k]
    m_in, m_out = runs["m_in"].to_numpy(float), runs["m_out"].to_numpy(float)
    in_territory = np.isin(insee, load_layer("communes")["insee"].to_numpy())
    contour, _ = geom.cut(_layer_area("perimeter", merged=True))
    return gpd.GeoDataFrame(
        {
            "order": np.arange(1, len(runs) + 1),
            "insee": insee,
            "commune": communes[label].to_numpy()[k],
            "km_in": m_in / 1000.0,
            "km_out": m_out / 1000.0,
            "length_km": (m_out - m_in) / 1000.0,
            "in_territory": in_territory,
            "km_in_contour": _overlap_m(m_in, m_out, contour) / 1000.0,
            # Deprecated alias of in_territory (a column cannot warn); removed in 0.3.
            "in_basin": in_territory.copy(),
        },
        geometry=geom.sub_lines(runs["g_in"].to_numpy(float), runs["g_out"].to_numpy(float)),
        crs=WGS84,
    )


def _overlap_m(m_in: np.ndarray, m_out: np.ndarray, runs: pd.DataFrame) -> np.ndarray:
    """Metres of each stretch [m_in, m_out] that lie within the runs' [m_in, m_out]."""
    if not len(runs) or not len(m_in):
        return np.zeros(len(m_in))
    r_in = runs["m_in"].to_numpy(float)[None, :]
    r_out = runs["m_out"].to_numpy(float)[None, :]
    both = np.minimum(m_out[:, None], r_out) - np.maximum(m_in[:, None], r_in)
    out: np.ndarray = np.clip(both, 0.0, None).sum(axis=1)
    return out


# --------------------------------------------------------------------------------------
# Sites along a route
# --------------------------------------------------------------------------------------


@keyword_only(2, ("layer",))
def sites_along(
    route: RouteLike, distance_m: float = 1000, *, layer: LayerLike | PlacesLike = "sites"
) -> gpd.GeoDataFrame:
    """Sites within ``distance_m`` of a route, with the km where the route passes closest.

    Uses neither basin: every site of the layer is a candidate, inside the contour
    (``perimeter`` layer) or not, and rows keep the layer's own flags.

    Candidates come from an STRtree ``dwithin`` query in a metric CRS (Lambert-93 in the
    basin), widened by :func:`bassin_geo.analysis.geodesic.planar_reach`; each is then
    measured on the WGS84 ellipsoid from the closest route point and kept when that
    geodesic distance is at most ``distance_m``. Polygons (slag heaps, estates) are
    measured from their nearest edge, 0 when the route crosses them. A route that passes a
    site twice reports its closest passage.

    Parameters
    ----------
    route : Route, path, LineString or GeoDataFrame of lines
        See :func:`read_route`.
    distance_m : float
        Search distance in metres.
    layer : str, GeoDataFrame or list of places
        A layer name ("sites", "pitheads", "slag_heaps", "shafts"...) or features in any
        CRS (anything :func:`bassin_geo.as_places` takes). Keyword-only (by position it
        still works, with a FutureWarning, until 0.3).

    Returns
    -------
    GeoDataFrame
        The layer's rows (WGS84) plus ``km`` and ``distance_m``, sorted by km.

    Examples
    --------
    >>> near = sites_along(load_stage(2025, 1), 1000, layer="pitheads")
    >>> bool(near["km"].is_monotonic_increasing), bool((near["distance_m"] <= 1000).all())
    (True, True)
    """
    route = as_route(route)
    d = check_distance(distance_m)
    features, places = target_layer(layer, "layer")
    gdf = features.set_geometry(places.geometry.to_numpy(), crs=WGS84)
    geom = route.geometry_index()
    frame = metric_frame(gpd.GeoSeries([route.line], crs=WGS84), places)
    line_m = shapely.linestrings(geom.metric(frame.crs))
    sites_m = gdf.geometry.to_crs(frame.crs).to_numpy()
    radius = planar_reach(d, frame)
    hits = np.sort(shapely.STRtree(sites_m).query(line_m, predicate="dwithin", distance=radius))
    out = gdf.iloc[hits].copy()
    km, dist = geom.locate(out.geometry.to_numpy(), frame.crs)
    out["km"] = km
    out["distance_m"] = dist
    out = out[out["distance_m"] <= d]
    result: gpd.GeoDataFrame = out.sort_values(["km", "distance_m"], kind="stable")
    return result.reset_index(drop=True)

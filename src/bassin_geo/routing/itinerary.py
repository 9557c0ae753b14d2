"""Itineraries between sites, and the best order to visit them (tours).

With a :class:`~bassin_geo.routing.network.Network` the legs follow its edges; without one
(``network=None``) they are straight geodesic lines, labelled ``method="straight"`` in
every output so they are never mistaken for routes.

Tours are solved exactly (Held-Karp dynamic programming) up to :data:`EXACT_MAX_STOPS`
stops, and above that with a local search (2-opt and Or-opt moves from several starts), or
with OR-Tools when asked (``solver="ortools"``, optional dependency); the solvers live in
:mod:`bassin_geo.routing.tsp`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from bassin_geo._compat import REMOVAL, keyword_only
from bassin_geo.crs import GEOD, WGS84, geod_inv
from bassin_geo.errors import InvalidInputError, NoRouteError
from bassin_geo.modes import mode_rules
from bassin_geo.places.resolve import as_places
from bassin_geo.routing.network import Network
from bassin_geo.routing.options import DEFAULT_MAX_SNAP_M, check_flag, check_weight
from bassin_geo.routing.tsp import (
    assignment_bound,
    from_cycle,
    held_karp,
    local_search,
    solve_ortools,
    to_cycle,
)

__all__ = ["EXACT_MAX_STOPS", "Itinerary", "itinerary", "tour"]

#: Up to this many stops, :func:`tour` returns the proven optimum.
EXACT_MAX_STOPS = 15
# solver="exact" asked for explicitly: Held-Karp memory grows as 2^n (18 stops: ~80 MB).
_EXACT_HARD_MAX = 18
_SOLVERS = ("auto", "exact", "local", "ortools")

FloatArray = npt.NDArray[np.float64]


@dataclass
class Itinerary:
    """Ordered legs between stops, with totals and how they were computed.

    Parameters
    ----------
    legs : GeoDataFrame
        One row per leg: ``from``, ``to`` (site ids), ``from_name``, ``to_name``,
        ``length_m``, ``duration_s``, ``method`` ("network" or "straight"), ``geometry``
        (a LineString along the network, WGS84).
    stops : GeoDataFrame
        The stops in visiting order: ``order``, ``site_id``, ``name``, ``snap_m``
        (distance to the network, 0 for straight legs), ``geometry`` (the given point).
    mode : str
        The travel mode.
    method : str
        "network" or "straight".
    weight : str
        What the legs minimise: "length" or "time".
    solver : str or None
        For tours: "exact", "local" or "ortools".
    gap : float or None
        For tours: 0.0 when proven optimal, else None (unknown).
    lower_bound : float or None
        For tours: a proven lower bound on the optimum (assignment relaxation).
    objective : float or None
        For tours: the solver's cost of the order found (preferred edges counted cheaper).

    Examples
    --------
    >>> it = itinerary(["9-9bis", "11/19"])
    >>> it.order
    ['pit:oignies-9-9-bis-declercq-crombez', 'pit:loos-en-gohelle-11-19-pierre-destombes']
    """

    legs: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame
    mode: str
    method: str
    weight: str
    solver: str | None = None
    gap: float | None = None
    lower_bound: float | None = None
    objective: float | None = field(default=None, repr=False)

    @property
    def length_m(self) -> float:
        """Total length in metres.

        Returns
        -------
        float
            The sum of the legs' ``length_m``.

        Examples
        --------
        >>> round(itinerary(["9-9bis", "11/19"]).length_m)
        14208
        """
        return float(self.legs["length_m"].sum())

    @property
    def duration_s(self) -> float:
        """Total duration in seconds at the mode's speeds.

        Returns
        -------
        float
            The sum of the legs' ``duration_s``.

        Examples
        --------
        >>> round(itinerary(["9-9bis", "11/19"]).duration_s / 3600, 1)  # walking
        3.0
        """
        return float(self.legs["duration_s"].sum())

    @property
    def order(self) -> list[str]:
        """Site ids in visiting order.

        Returns
        -------
        list of str
            The stops' ``site_id``.

        Examples
        --------
        >>> itinerary([(3.0, 50.4), (3.1, 50.4)]).order
        ['place:0', 'place:1']
        """
        ids: list[str] = self.stops["site_id"].tolist()
        return ids

    def __repr__(self) -> str:
        extra = f", solver={self.solver!r}" if self.solver else ""
        return (
            f"<Itinerary {len(self.stops)} stops, {len(self.legs)} legs, "
            f"{self.length_m / 1000:.2f} km, {self.duration_s / 60:.0f} min, "
            f"mode={self.mode!r}, method={self.method!r}{extra}>"
        )

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The legs as LineStrings (WGS84), for writers and maps.

        Returns
        -------
        GeoDataFrame
            A copy of :attr:`legs`.

        Examples
        --------
        >>> itinerary(["9-9bis", "11/19"]).to_gdf().crs.to_epsg()
        4326
        """
        return self.legs.copy()

    def to_geojson(self, path: str | Path, **kwargs: Any) -> Path:
        """Deprecated: write the legs as GeoJSON; use ``bg.to_geojson(itinerary, path)``.

        Parameters
        ----------
        path : str or Path
            The ``.geojson`` file.
        **kwargs : Any
            Passed to :func:`bassin_geo.to_geojson` (``precision``, ``overwrite``).

        Returns
        -------
        Path
            The file written.

        Examples
        --------
        >>> import pathlib, tempfile, warnings
        >>> it = itinerary(["9-9bis", "11/19"])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     it.to_geojson(pathlib.Path(tempfile.mkdtemp()) / "visit.geojson").suffix
        '.geojson'
        """
        return self._write_through("to_geojson", path, kwargs)

    def to_gpx(self, path: str | Path, **kwargs: Any) -> Path:
        """Deprecated: write the itinerary as GPX; use ``bg.to_gpx(itinerary, path)``.

        Parameters
        ----------
        path : str or Path
            The ``.gpx`` file.
        **kwargs : Any
            Passed to :func:`bassin_geo.to_gpx` (``name``, ``overwrite``).

        Returns
        -------
        Path
            The file written.

        Examples
        --------
        >>> import pathlib, tempfile, warnings
        >>> it = itinerary(["9-9bis", "11/19"])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     it.to_gpx(pathlib.Path(tempfile.mkdtemp()) / "visit.gpx").suffix
        '.gpx'
        """
        return self._write_through("to_gpx", path, kwargs)

    def _write_through(self, writer: str, path: str | Path, kwargs: dict[str, Any]) -> Path:
        # The deprecated writer methods: warn, then hand the itinerary to the library's
        # writer of that name. Through the root package, not bassin_geo.io: routing sits
        # below the writers in the import layers, and the root package is not a layer.
        warnings.warn(
            f"Itinerary.{writer}(path) is deprecated and disappears in bassin_geo "
            f"{REMOVAL}; write bg.{writer}(itinerary, path)",
            FutureWarning,
            stacklevel=3,
        )
        import bassin_geo

        written: Path = getattr(bassin_geo, writer)(self, path, **kwargs)
        return written


# --------------------------------------------------------------------------- helpers


def _resolve_mode(mode: str | None, network: Network | None) -> str:
    if network is not None and not isinstance(network, Network):
        msg = (
            f"network must be a Network from load_network(...) or None, got "
            f"{type(network).__name__}"
        )
        raise InvalidInputError(msg)
    if mode is None:
        return network.mode if network is not None else "walk"
    mode_rules(mode)  # unknown mode -> InvalidInputError listing the modes
    if network is not None and network.mode != mode:
        msg = (
            f"the network was built for {network.mode!r}, not {mode!r}: build it with "
            f"load_network(..., mode={mode!r}) or leave mode out"
        )
        raise InvalidInputError(msg)
    return mode


def _weight(weight: str | None, mode: str) -> str:
    if weight is None:
        return "time" if mode == "drive" else "length"
    return check_weight(weight)


def _label(places: gpd.GeoDataFrame, i: int) -> str:
    sid, name = places["site_id"].iat[i], places["name"].iat[i]
    if isinstance(name, str) and name:
        return f"{name} ({sid})"
    xy = shapely.get_coordinates(places.geometry.iat[i])[0]
    return f"{sid} at ({xy[0]:.5f}, {xy[1]:.5f})"


def _keys(places: gpd.GeoDataFrame) -> npt.NDArray[np.str_]:
    """One key per place: its site id, or its exact coordinates for anonymous places."""
    wkb = shapely.to_wkb(places.geometry.to_numpy(), hex=True)
    sid = places["site_id"].astype(str).to_numpy()
    keys: npt.NDArray[np.str_] = np.where(np.char.startswith(sid.astype(str), "place:"), wkb, sid)
    return keys


def _check_stops(places: gpd.GeoDataFrame, consecutive_only: bool) -> None:
    if len(places) < 2:
        msg = (
            f"an itinerary needs at least two stops; got one ({_label(places, 0)}). Add a "
            "destination"
        )
        raise InvalidInputError(msg)
    keys = _keys(places)
    if consecutive_only:
        dup = np.flatnonzero(keys[1:] == keys[:-1]) + 1
    else:
        dup = np.flatnonzero(pd.Series(keys).duplicated().to_numpy())
    if len(dup):
        i = int(dup[0])
        first = int(np.flatnonzero(keys == keys[i])[0])
        msg = f"stop {i} ({_label(places, i)}) repeats stop {first}; remove the duplicate" + (
            "" if consecutive_only else " (a tour visits each stop once)"
        )
        raise InvalidInputError(msg)


def _straight_lines(
    lon0: Any, lat0: Any, lon1: Any, lat1: Any, step_m: float = 1000.0
) -> list[shapely.LineString]:
    """Geodesic lines, densified every ``step_m`` so they draw as great circles."""
    out = []
    for a, b, c, d in zip(lon0, lat0, lon1, lat1, strict=True):
        _, _, dist = GEOD.inv(a, b, c, d)
        n = int(dist // step_m)
        mid = GEOD.npts(a, b, c, d, n) if n > 0 else []
        out.append(shapely.LineString([(a, b), *mid, (c, d)]))
    return out


def _cost_matrix(
    places: gpd.GeoDataFrame,
    snap: gpd.GeoDataFrame | None,
    network: Network | None,
    weight: str,
    speed_kmh: float,
) -> FloatArray:
    if network is not None and snap is not None:
        return network.matrix(snap, snap, weight=weight, preferred=True)
    xy = shapely.get_coordinates(shapely.centroid(places.geometry.to_numpy()))
    n = len(xy)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    _, _, d = geod_inv(xy[i.ravel(), 0], xy[i.ravel(), 1], xy[j.ravel(), 0], xy[j.ravel(), 1])
    d = np.asarray(d, dtype=np.float64).reshape(n, n)
    return d if weight == "length" else d / (speed_kmh / 3.6)


def _legs(
    places: gpd.GeoDataFrame,
    order: list[int],
    snap: gpd.GeoDataFrame | None,
    network: Network | None,
    mode: str,
    weight: str,
) -> gpd.GeoDataFrame:
    rows: list[tuple[int, int, float, float]] = []
    geoms: list[Any] = []
    if network is None or snap is None:
        speed = float(mode_rules(mode)["default_speed_kmh"])
        xy = shapely.get_coordinates(shapely.centroid(places.geometry.to_numpy()))
        a, b = np.asarray(order[:-1]), np.asarray(order[1:])
        _, _, dist = GEOD.inv(xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1])
        geoms = list(_straight_lines(xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1]))
        for k in range(len(a)):
            rows.append((int(a[k]), int(b[k]), float(dist[k]), float(dist[k]) / (speed / 3.6)))
        method = "straight"
    else:
        for i, j in zip(order[:-1], order[1:], strict=True):
            found = network.path(snap.iloc[i], snap.iloc[j], weight=weight, preferred=True)
            if found is None:
                msg = (
                    f"no {mode} route from {_label(places, i)} to {_label(places, j)}: they "
                    "lie in parts of the network that do not connect (one-way streets, a "
                    "missing bridge, an extract cut at its border). Use a larger or another "
                    "network, or drop one of the stops"
                )
                raise NoRouteError(msg)
            geom, length, time = found
            geoms.append(geom)
            rows.append((i, j, length, time))
        method = "network"
    ids = places["site_id"].to_numpy()
    names = places["name"].to_numpy()
    return gpd.GeoDataFrame(
        {
            "from": [ids[r[0]] for r in rows],
            "to": [ids[r[1]] for r in rows],
            "from_name": [names[r[0]] for r in rows],
            "to_name": [names[r[1]] for r in rows],
            "length_m": [r[2] for r in rows],
            "duration_s": [r[3] for r in rows],
            "method": method,
        },
        geometry=geoms,
        crs=WGS84,
    )


def _prepare(
    stops: Any,
    network: Network | None,
    mode: str | None,
    weight: str | None,
    max_snap_m: float | None,
    on_far: str,
    consecutive_only: bool,
) -> tuple[str, str, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    mode = _resolve_mode(mode, network)
    weight = _weight(weight, mode)
    places = as_places(stops, where="stops")
    _check_stops(places, consecutive_only)
    snap = None
    if network is not None:
        snap = network.snap(places, max_snap_m=max_snap_m, on_far=on_far, where="stops")
    return mode, weight, places, snap


def _stops_frame(
    places: gpd.GeoDataFrame, order: list[int], snap: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    out = places.iloc[order].reset_index(drop=True)
    out.insert(0, "order", np.arange(len(order)))
    out["snap_m"] = 0.0 if snap is None else snap["snap_m"].to_numpy(float)[order]
    return gpd.GeoDataFrame(out, crs=WGS84)


# --------------------------------------------------------------------------- public


@keyword_only(1, ("network", "mode"))
def itinerary(
    stops: Any,
    *,
    network: Network | None = None,
    mode: str | None = None,
    weight: str | None = None,
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
    on_far: str = "raise",
) -> Itinerary:
    """The route through ``stops`` in the given order.

    Parameters
    ----------
    stops : list of site ids, names or places
        At least two; the same stop twice in a row is refused (A, B, A is fine).
    network : Network, optional
        Without one, legs are straight geodesic lines (``method="straight"``).
    mode : {"walk", "bike", "drive"}, optional
        Defaults to the network's mode, or "walk" without a network.
    weight : {"length", "time"}, optional
        What each leg minimises; default "time" for drive, "length" otherwise.
    max_snap_m : float or None
        A stop farther than this from the network raises (or warns).
    on_far : {"raise", "warn"}
        What a stop beyond ``max_snap_m`` does.

    Returns
    -------
    Itinerary
        The legs, the stops and the totals.

    Raises
    ------
    InvalidInputError, NoRouteError, NetworkError, UnknownSiteError
        Bad stops or options, disconnected stops, stops off the network, unknown sites.

    Examples
    --------
    >>> it = itinerary(["9-9bis", "11/19"])  # no network: straight legs
    >>> it.method, round(it.length_m / 1000, 1)
    ('straight', 14.2)
    """
    mode, weight, places, snap = _prepare(stops, network, mode, weight, max_snap_m, on_far, True)
    order = list(range(len(places)))
    legs = _legs(places, order, snap, network, mode, weight)
    return Itinerary(legs, _stops_frame(places, order, snap), mode, legs["method"].iat[0], weight)


def _tour_ends(
    places: gpd.GeoDataFrame, start: Any, end: Any
) -> tuple[gpd.GeoDataFrame, int | None, int | None]:
    """The positions of ``start`` and ``end`` among the stops, added to them if need be."""
    ends: list[int | None] = []
    for which, value in (("start", start), ("end", end)):
        if value is None:
            ends.append(None)
            continue
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            if not 0 <= int(value) < len(places):
                msg = f"{which}={value} is not a stop position (0..{len(places) - 1})"
                raise InvalidInputError(msg)
            ends.append(int(value))
            continue
        extra = as_places(value, where=which).iloc[:1]
        hit = np.flatnonzero(_keys(places) == _keys(extra)[0])
        if len(hit):
            ends.append(int(hit[0]))
        else:
            places = gpd.GeoDataFrame(pd.concat([places, extra], ignore_index=True), crs=WGS84)
            ends.append(len(places) - 1)
    return places, ends[0], ends[1]


@keyword_only(1, ("start", "end", "return_to_start", "network", "mode"))
def tour(
    stops: Any,
    *,
    start: Any = None,
    end: Any = None,
    return_to_start: bool = False,
    network: Network | None = None,
    mode: str | None = None,
    weight: str | None = None,
    solver: str = "auto",
    time_limit_s: float = 5.0,
    max_snap_m: float | None = DEFAULT_MAX_SNAP_M,
    on_far: str = "raise",
    seed: int = 0,
) -> Itinerary:
    """The order of visiting ``stops`` that minimises total length (or time).

    Parameters
    ----------
    stops : list of site ids, names or places
        Each stop once.
    start : stop, optional
        Fix the first stop (a stop of ``stops``, its position, or a place added to them).
        Without ``start`` and ``end`` the tour may begin and end anywhere.
    end : stop, optional
        Fix the last stop, as ``start``.
    return_to_start : bool
        Close the loop back to the first stop.
    network : Network, optional
        As for :func:`itinerary`.
    mode : {"walk", "bike", "drive"}, optional
        As for :func:`itinerary`.
    weight : {"length", "time"}, optional
        As for :func:`itinerary`.
    solver : {"auto", "exact", "local", "ortools"}
        "auto" is "exact" up to :data:`EXACT_MAX_STOPS` stops, else "local".
    time_limit_s : float
        Search time limit for "local" and "ortools".
    max_snap_m : float or None
        As for :func:`itinerary`.
    on_far : {"raise", "warn"}
        As for :func:`itinerary`.
    seed : int
        Seed of the local search's random moves.

    Returns
    -------
    Itinerary
        With ``solver``, ``gap`` (0.0 when proven optimal) and ``lower_bound``.

    Raises
    ------
    InvalidInputError, NoRouteError, NetworkError, UnknownSiteError
        As :func:`itinerary`, and for a bad solver or contradictory ends.

    Examples
    --------
    >>> t = tour(["9-9bis", "Arenberg", "11/19", "Delloye"], start="11/19")
    >>> t.order[0], t.solver, t.gap
    ('pit:loos-en-gohelle-11-19-pierre-destombes', 'exact', 0.0)
    """
    if solver not in _SOLVERS:
        msg = f"solver must be one of {_SOLVERS}, got {solver!r}"
        raise InvalidInputError(msg)
    return_to_start = check_flag(return_to_start, "return_to_start")
    places, s, e = _tour_ends(as_places(stops, where="stops"), start, end)
    if return_to_start and e is not None:
        msg = "give either end=... or return_to_start=True, not both"
        raise InvalidInputError(msg)
    if s is not None and s == e:
        msg = "start and end are the same stop: use return_to_start=True for a loop"
        raise InvalidInputError(msg)
    mode, weight, places, snap = _prepare(places, network, mode, weight, max_snap_m, on_far, False)
    speed = float(mode_rules(mode)["default_speed_kmh"])
    cost = _cost_matrix(places, snap, network, weight, speed)
    n = len(places)
    if return_to_start and s is None:
        s = 0
    bad = ~np.isfinite(cost)
    np.fill_diagonal(bad, False)
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        msg = (
            f"no {mode} route from {_label(places, i)} to {_label(places, j)}: they lie in "
            "parts of the network that do not connect; a tour needs every stop reachable. "
            "Use a larger network or drop one of them"
        )
        raise NoRouteError(msg)
    cyc, anchor = to_cycle(cost, s, e, return_to_start)
    if solver == "auto":
        solver = "exact" if n <= EXACT_MAX_STOPS else "local"
    if solver == "exact":
        if n > _EXACT_HARD_MAX:
            msg = (
                f"solver='exact' handles up to {_EXACT_HARD_MAX} stops (got {n}); use "
                "solver='local' or 'ortools'"
            )
            raise InvalidInputError(msg)
        seq, obj = held_karp(cyc)
    elif solver == "ortools":
        seq, obj = solve_ortools(cyc, time_limit_s)
    else:
        seq, obj = local_search(cyc, seed=seed, time_limit_s=time_limit_s)
    order = from_cycle(seq, anchor, n, return_to_start)
    route = [*order, order[0]] if return_to_start else order
    legs = _legs(places, route, snap, network, mode, weight)
    return Itinerary(
        legs,
        _stops_frame(places, order, snap),
        mode,
        legs["method"].iat[0],
        weight,
        solver=solver,
        gap=0.0 if solver == "exact" else None,
        lower_bound=assignment_bound(cyc),
        objective=obj,
    )

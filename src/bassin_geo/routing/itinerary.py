"""Itineraries between sites, and the best order to visit them (tours).

With a :class:`~bassin_geo.routing.network.Network` the legs follow its edges; without one
(``network=None``) they are straight geodesic lines, labelled ``method="straight"`` in
every output so they are never mistaken for routes.

Tours are solved exactly (Held-Karp dynamic programming) up to :data:`EXACT_MAX_STOPS`
stops, and above that with a local search (2-opt and Or-opt moves from several starts), or
with OR-Tools when asked (``solver="ortools"``, optional dependency).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.optimize import linear_sum_assignment

from bassin_geo.crs import GEOD, WGS84
from bassin_geo.errors import InvalidInputError, NoRouteError
from bassin_geo.modes import mode_rules
from bassin_geo.places.resolve import as_places
from bassin_geo.routing.network import DEFAULT_MAX_SNAP_M, Network

__all__ = ["EXACT_MAX_STOPS", "Itinerary", "itinerary", "tour"]

#: Up to this many stops, :func:`tour` returns the proven optimum.
EXACT_MAX_STOPS = 15
# solver="exact" asked for explicitly: Held-Karp memory grows as 2^n (18 stops: ~80 MB).
_EXACT_HARD_MAX = 18
_SOLVERS = ("auto", "exact", "local", "ortools")


@dataclass
class Itinerary:
    """Ordered legs between stops, with totals and how they were computed.

    Attributes
    ----------
    legs : GeoDataFrame
        One row per leg: ``from``, ``to`` (site ids), ``from_name``, ``to_name``,
        ``length_m``, ``duration_s``, ``method`` ("network" or "straight"), ``geometry``
        (a LineString along the network, WGS84).
    stops : GeoDataFrame
        The stops in visiting order: ``site_id``, ``name``, ``snap_m`` (distance to the
        network, 0 for straight legs), ``geometry`` (the given point).
    method : str
        "network" or "straight".
    solver : str or None
        For tours: "exact", "local" or "ortools".
    gap : float or None
        For tours: 0.0 when proven optimal, else None (unknown).
    lower_bound : float or None
        For tours: a proven lower bound on the optimum (assignment relaxation).
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
        """Total length in metres."""
        return float(self.legs["length_m"].sum())

    @property
    def duration_s(self) -> float:
        """Total duration in seconds at the mode's speeds."""
        return float(self.legs["duration_s"].sum())

    @property
    def order(self) -> list[str]:
        """Site ids in visiting order."""
        return self.stops["site_id"].tolist()

    def __repr__(self) -> str:
        extra = f", solver={self.solver!r}" if self.solver else ""
        return (
            f"<Itinerary {len(self.stops)} stops, {len(self.legs)} legs, "
            f"{self.length_m / 1000:.2f} km, {self.duration_s / 60:.0f} min, "
            f"mode={self.mode!r}, method={self.method!r}{extra}>"
        )

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The legs as LineStrings (WGS84), for exporters and maps."""
        return self.legs.copy()

    def to_geojson(self, path: str | Path, **kwargs: Any) -> Any:
        """Write the legs as GeoJSON with :func:`bassin_geo.io.geojson.to_geojson`."""
        from bassin_geo.io.geojson import to_geojson

        return to_geojson(self, path, **kwargs)

    def to_gpx(self, path: str | Path, **kwargs: Any) -> Any:
        """Write the itinerary as GPX with :func:`bassin_geo.io.gpx.to_gpx`."""
        from bassin_geo.io.gpx import to_gpx

        return to_gpx(self, path, **kwargs)


# --------------------------------------------------------------------------- helpers


def _resolve_mode(mode: str | None, network: Network | None) -> str:
    if network is not None and not isinstance(network, Network):
        raise InvalidInputError(
            f"network must be a Network from load_network(...) or None, got "
            f"{type(network).__name__}"
        )
    if mode is None:
        return network.mode if network is not None else "walk"
    mode_rules(mode)  # unknown mode -> InvalidInputError listing the modes
    if network is not None and network.mode != mode:
        raise InvalidInputError(
            f"the network was built for {network.mode!r}, not {mode!r}: build it with "
            f"load_network(..., mode={mode!r}) or leave mode out"
        )
    return mode


def _weight(weight: str | None, mode: str) -> str:
    if weight is None:
        return "time" if mode == "drive" else "length"
    if weight not in ("length", "time"):
        raise InvalidInputError(f"weight must be 'length' or 'time', got {weight!r}")
    return weight


def _label(places: gpd.GeoDataFrame, i: int) -> str:
    sid, name = places["site_id"].iat[i], places["name"].iat[i]
    if isinstance(name, str) and name:
        return f"{name} ({sid})"
    xy = shapely.get_coordinates(places.geometry.iat[i])[0]
    return f"{sid} at ({xy[0]:.5f}, {xy[1]:.5f})"


def _keys(places: gpd.GeoDataFrame) -> np.ndarray:
    """One key per place: its site id, or its exact coordinates for anonymous places."""
    wkb = shapely.to_wkb(places.geometry.to_numpy(), hex=True)
    sid = places["site_id"].astype(str).to_numpy()
    return np.where(np.char.startswith(sid.astype(str), "place:"), wkb, sid)


def _check_stops(places: gpd.GeoDataFrame, consecutive_only: bool) -> None:
    if len(places) < 2:
        raise InvalidInputError(
            f"an itinerary needs at least two stops; got one ({_label(places, 0)}). Add a "
            "destination"
        )
    keys = _keys(places)
    if consecutive_only:
        dup = np.flatnonzero(keys[1:] == keys[:-1]) + 1
    else:
        dup = np.flatnonzero(pd.Series(keys).duplicated().to_numpy())
    if len(dup):
        i = int(dup[0])
        first = int(np.flatnonzero(keys == keys[i])[0])
        raise InvalidInputError(
            f"stop {i} ({_label(places, i)}) repeats stop {first}; remove the duplicate"
            + ("" if consecutive_only else " (a tour visits each stop once)")
        )


def _straight_lines(lon0, lat0, lon1, lat1, step_m: float = 1000.0) -> list[shapely.LineString]:
    """Geodesic lines, densified every ``step_m`` so they draw as great circles."""
    out = []
    for a, b, c, d in zip(lon0, lat0, lon1, lat1, strict=True):
        _, _, dist = GEOD.inv(a, b, c, d)
        n = int(dist // step_m)
        mid = GEOD.npts(a, b, c, d, n) if n > 0 else []
        out.append(shapely.LineString([(a, b), *mid, (c, d)]))
    return out


def _cost_matrix(places, snap, network, weight, speed_kmh) -> np.ndarray:
    if network is not None:
        return network._matrix(snap, snap, weight, preferred=True)
    xy = shapely.get_coordinates(shapely.centroid(places.geometry.to_numpy()))
    n = len(xy)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    _, _, d = GEOD.inv(xy[i.ravel(), 0], xy[i.ravel(), 1], xy[j.ravel(), 0], xy[j.ravel(), 1])
    d = d.reshape(n, n)
    return d if weight == "length" else d / (speed_kmh / 3.6)


def _legs(
    places: gpd.GeoDataFrame,
    order: list[int],
    snap,
    network: Network | None,
    mode: str,
    weight: str,
) -> gpd.GeoDataFrame:
    rows, geoms = [], []
    if network is None:
        speed = float(mode_rules(mode)["default_speed_kmh"])
        xy = shapely.get_coordinates(shapely.centroid(places.geometry.to_numpy()))
        a, b = np.asarray(order[:-1]), np.asarray(order[1:])
        _, _, dist = GEOD.inv(xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1])
        geoms = _straight_lines(xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1])
        for k in range(len(a)):
            rows.append((int(a[k]), int(b[k]), float(dist[k]), float(dist[k]) / (speed / 3.6)))
        method = "straight"
    else:
        metric = []
        for a, b in zip(order[:-1], order[1:], strict=True):
            found = network._path(snap, a, snap, b, weight, True)
            if found is None:
                raise NoRouteError(
                    f"no {mode} route from {_label(places, a)} to {_label(places, b)}: they "
                    "lie in parts of the network that do not connect (one-way streets, a "
                    "missing bridge, an extract cut at its border). Use a larger or another "
                    "network, or drop one of the stops"
                )
            geom, length, time = found
            metric.append(geom)
            rows.append((a, b, length, time))
        geoms = list(network.to_wgs84(metric))
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


def _prepare(stops, network, mode, weight, max_snap_m, on_far, consecutive_only):
    mode = _resolve_mode(mode, network)
    weight = _weight(weight, mode)
    places = as_places(stops, where="stops")
    _check_stops(places, consecutive_only)
    snap = None
    if network is not None:
        snap = network._snap(
            places.geometry.to_numpy(), places["site_id"].tolist(), max_snap_m, on_far
        )
    return mode, weight, places, snap


def _stops_frame(places, order, snap) -> gpd.GeoDataFrame:
    out = places.iloc[order].reset_index(drop=True)
    out.insert(0, "order", np.arange(len(order)))
    out["snap_m"] = 0.0 if snap is None else snap.snap_m[order]
    return gpd.GeoDataFrame(out, crs=WGS84)


# --------------------------------------------------------------------------- public


def itinerary(
    stops: Any,
    network: Network | None = None,
    mode: str | None = None,
    *,
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
    max_snap_m, on_far
        A stop farther than ``max_snap_m`` from the network raises (or warns).

    Raises
    ------
    InvalidInputError, NoRouteError, NetworkError, UnknownSiteError

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


def tour(
    stops: Any,
    start: Any = None,
    end: Any = None,
    return_to_start: bool = False,
    network: Network | None = None,
    mode: str | None = None,
    *,
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
    start, end : stop, optional
        Fix the first / last stop (a stop of ``stops``, its position, or a place added to
        them). Without them the tour may begin and end anywhere.
    return_to_start : bool
        Close the loop back to the first stop.
    network, mode, weight, max_snap_m, on_far
        As for :func:`itinerary`.
    solver : {"auto", "exact", "local", "ortools"}
        "auto" is "exact" up to :data:`EXACT_MAX_STOPS` stops, else "local".
    time_limit_s : float
        Search time limit for "local" and "ortools".

    Returns
    -------
    Itinerary
        With ``solver``, ``gap`` (0.0 when proven optimal) and ``lower_bound``.

    Examples
    --------
    >>> t = tour(["9-9bis", "Arenberg", "11/19", "Delloye"], start="11/19")
    >>> t.order[0], t.solver, t.gap
    ('pit:loos-en-gohelle-11-19-pierre-destombes', 'exact', 0.0)
    """
    if solver not in _SOLVERS:
        raise InvalidInputError(f"solver must be one of {_SOLVERS}, got {solver!r}")
    places = as_places(stops, where="stops")
    # start / end may name a place not among the stops: add it.
    ends = []
    for which, value in (("start", start), ("end", end)):
        if value is None:
            ends.append(None)
            continue
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            if not 0 <= int(value) < len(places):
                raise InvalidInputError(
                    f"{which}={value} is not a stop position (0..{len(places) - 1})"
                )
            ends.append(int(value))
            continue
        extra = as_places(value, where=which).iloc[:1]
        hit = np.flatnonzero(_keys(places) == _keys(extra)[0])
        if len(hit):
            ends.append(int(hit[0]))
        else:
            places = gpd.GeoDataFrame(pd.concat([places, extra], ignore_index=True), crs=WGS84)
            ends.append(len(places) - 1)
    s, e = ends
    if return_to_start and e is not None:
        raise InvalidInputError("give either end=... or return_to_start=True, not both")
    if s is not None and s == e:
        raise InvalidInputError(
            "start and end are the same stop: use return_to_start=True for a loop"
        )
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
        raise NoRouteError(
            f"no {mode} route from {_label(places, i)} to {_label(places, j)}: they lie in "
            "parts of the network that do not connect; a tour needs every stop reachable. "
            "Use a larger network or drop one of them"
        )
    cyc, anchor = _to_cycle(cost, s, e, return_to_start)
    if solver == "auto":
        solver = "exact" if n <= EXACT_MAX_STOPS else "local"
    if solver == "exact":
        if n > _EXACT_HARD_MAX:
            raise InvalidInputError(
                f"solver='exact' handles up to {_EXACT_HARD_MAX} stops (got {n}); use "
                "solver='local' or 'ortools'"
            )
        seq, obj = held_karp(cyc)
    elif solver == "ortools":
        seq, obj = _ortools(cyc, time_limit_s)
    else:
        seq, obj = local_search(cyc, seed=seed, time_limit_s=time_limit_s)
    order = _from_cycle(seq, anchor, n, s, return_to_start)
    lb = _assignment_bound(cyc)
    route = order + [order[0]] if return_to_start else order
    legs = _legs(places, route, snap, network, mode, weight)
    return Itinerary(
        legs,
        _stops_frame(places, order, snap),
        mode,
        legs["method"].iat[0],
        weight,
        solver=solver,
        gap=0.0 if solver == "exact" else None,
        lower_bound=lb,
        objective=obj,
    )


# --------------------------------------------------------------------------- solvers


def _to_cycle(cost: np.ndarray, s: int | None, e: int | None, ret: bool):
    """Turn every variant (open path, fixed ends, loop) into one Hamiltonian cycle.

    A dummy node ``n`` closes open paths: zero arcs from the allowed last stops to it and
    from it to the allowed first stops. Forbidden arcs get a big finite cost, so every
    solver sees a complete matrix. Returns the matrix and the node the cycle starts at.
    """
    n = len(cost)
    finite = cost[np.isfinite(cost)]
    big = (float(finite.max()) if finite.size else 1.0) * (n + 2) * 10 + 1.0
    if ret:
        c = np.where(np.isfinite(cost), cost, big)
        np.fill_diagonal(c, 0.0)
        return c, s
    c = np.full((n + 1, n + 1), big)
    c[:n, :n] = np.where(np.isfinite(cost), cost, big)
    c[n, n] = 0.0
    c[:n, n] = 0.0 if e is None else big
    c[n, :n] = 0.0 if s is None else big
    if e is not None:
        c[e, n] = 0.0
    if s is not None:
        c[n, s] = 0.0
    np.fill_diagonal(c, 0.0)
    return c, n


def _from_cycle(seq: list[int], anchor: int, n: int, s, ret: bool) -> list[int]:
    k = seq.index(anchor)
    seq = seq[k:] + seq[:k]
    if ret:
        return seq
    return [v for v in seq if v != n]


def _tour_cost(c: np.ndarray, seq) -> float:
    seq = np.asarray(seq)
    return float(c[seq, np.roll(seq, -1)].sum())


def held_karp(c: np.ndarray) -> tuple[list[int], float]:
    """Exact minimum Hamiltonian cycle of a (possibly asymmetric) cost matrix.

    Dynamic programming over subsets, vectorized per subset size; O(2^n n^2).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], float)
    >>> held_karp(c)
    ([0, 3, 2, 1], 4.0)
    """
    n = len(c)
    if n <= 2:
        return list(range(n)), _tour_cost(c, list(range(n)))
    k = n - 1
    full = 1 << k
    sub = c[1:, 1:]
    dp = np.full((full, k), np.inf)
    parent = np.full((full, k), -1, dtype=np.int64)
    dp[1 << np.arange(k), np.arange(k)] = c[0, 1:]
    masks = np.arange(full)
    pop = np.zeros(full, dtype=np.int64)
    for b in range(k):
        pop += (masks >> b) & 1
    for size in range(2, k + 1):
        layer = masks[pop == size]
        for j in range(k):
            m = layer[(layer >> j) & 1 == 1]
            prev = m ^ (1 << j)
            cand = dp[prev] + sub[:, j][None, :]
            best = np.argmin(cand, axis=1)
            dp[m, j] = cand[np.arange(len(m)), best]
            parent[m, j] = best
    last = dp[full - 1] + c[1:, 0]
    j = int(np.argmin(last))
    seq, mask = [], full - 1
    while j >= 0:
        seq.append(j + 1)
        j, mask = int(parent[mask, j]), mask ^ (1 << j)
    seq = [0] + seq[::-1]
    return seq, _tour_cost(c, seq)


def _two_opt(c: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, bool]:
    """Best segment reversal (asymmetric costs counted exactly), or no change."""
    m = len(t)
    nxt = np.roll(t, -1)
    fwd = np.r_[0.0, np.cumsum(c[t, nxt])]
    rev = np.r_[0.0, np.cumsum(c[nxt, t])]
    i = np.arange(1, m - 1)[:, None]
    j = np.arange(2, m)[None, :]
    a, b, cc, d = t[i - 1], t[i], t[j], t[(j + 1) % m]
    delta = (c[a, cc] + c[b, d] - c[a, b] - c[cc, d]) + (rev[j] - rev[i]) - (fwd[j] - fwd[i])
    delta = np.where(j > i, delta, np.inf)
    k = np.unravel_index(int(np.argmin(delta)), delta.shape)
    if delta[k] < -1e-9:
        ii, jj = int(i[k[0], 0]), int(j[0, k[1]])
        t = np.concatenate([t[:ii], t[ii : jj + 1][::-1], t[jj + 1 :]])
        return t, True
    return t, False


def _or_opt(c: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, bool]:
    """Best move of a run of 1-3 stops elsewhere in the cycle (no reversal)."""
    m = len(t)
    best = (0.0, None)
    p = np.arange(m)
    for length in (1, 2, 3):
        if m - 1 < length + 2:
            break
        i = np.arange(1, m - length + 1)  # the anchor t[0] never moves
        prev, first = t[i - 1], t[i]
        lastv, after = t[i + length - 1], t[(i + length) % m]
        gain = c[prev, first] + c[lastv, after] - c[prev, after]
        tp, tq = t[p], t[(p + 1) % m]
        add = c[tp[None, :], first[:, None]] + c[lastv[:, None], tq[None, :]] - c[tp, tq][None, :]
        inside = (p[None, :] >= i[:, None] - 1) & (p[None, :] <= i[:, None] + length - 1)
        delta = np.where(inside, np.inf, add - gain[:, None])
        k = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if delta[k] < best[0] - 1e-9:
            best = (float(delta[k]), (int(i[k[0]]), length, int(p[k[1]])))
    if best[1] is None:
        return t, False
    i, length, pos = best[1]
    seg = t[i : i + length]
    rest = np.concatenate([t[:i], t[i + length :]])
    after = t[pos]  # insert after this node
    at = int(np.flatnonzero(rest == after)[0]) + 1
    return np.concatenate([rest[:at], seg, rest[at:]]), True


def _descend(c: np.ndarray, t: np.ndarray) -> np.ndarray:
    improved = True
    while improved:
        t, a = _two_opt(c, t)
        t, b = _or_opt(c, t)
        improved = a or b
    return t


def _double_bridge(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cut the cycle in four and reconnect A C B D: a kick 2-opt cannot undo in one move."""
    i, j, k = np.sort(rng.choice(np.arange(1, len(t)), 3, replace=False))
    return np.concatenate([t[:i], t[j:k], t[i:j], t[k:]])


def local_search(
    c: np.ndarray, kicks: int | None = None, seed: int = 0, time_limit_s: float | None = None
) -> tuple[list[int], float]:
    """A short Hamiltonian cycle (node 0 first) by iterated local search.

    2-opt (asymmetric costs counted exactly) and Or-opt descent from the nearest-neighbour
    cycle, then ``kicks`` double-bridge perturbations, each followed by a descent and kept
    when it shortens the cycle (default ``30 * n``, at most 2,000 and fewer for large ``n``
    as each descent costs O(n^2)), stopping early after ``time_limit_s`` seconds.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], float)
    >>> local_search(c)[1]
    4.0
    """
    n = len(c)
    if n <= 3:
        seq = list(range(n))
        return seq, _tour_cost(c, seq)
    rng = np.random.default_rng(seed)
    seen = np.zeros(n, bool)
    seq = [0]
    seen[0] = True
    for _ in range(n - 1):
        nxt = int(np.argmin(np.where(seen, np.inf, c[seq[-1]])))
        seq.append(nxt)
        seen[nxt] = True
    best = _descend(c, np.array(seq))
    best_c = _tour_cost(c, best)
    if kicks is None:
        kicks = min(30 * n, 2000, 20_000_000 // (n * n))
    deadline = np.inf if time_limit_s is None else time.perf_counter() + time_limit_s
    if n >= 8:
        for _ in range(kicks):
            if time.perf_counter() > deadline:
                break
            t = _descend(c, _double_bridge(best, rng))
            cost = _tour_cost(c, t)
            if cost < best_c - 1e-9:
                best, best_c = t, cost
    return [int(v) for v in best], best_c


def _ortools(c: np.ndarray, time_limit_s: float) -> tuple[list[int], float]:
    try:
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    except ImportError as exc:
        raise InvalidInputError(
            "solver='ortools' needs OR-Tools: pip install 'bassin-geo[tsp]' (or ortools)"
        ) from exc
    n = len(c)
    # Integer arcs with about seven significant digits on the real (not forbidden) arcs;
    # scaling by the big forbidden cost would crush the real ones to a few units.
    real = c[c < c.max()] if (c < c.max()).any() else c
    scale = 1e7 / max(float(real.max()), 1e-9)
    ic = np.rint(np.minimum(c * scale, 1e12)).astype(np.int64)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    table = ic.tolist()

    def arc(i: int, j: int) -> int:
        return table[manager.IndexToNode(i)][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        raise InvalidInputError("OR-Tools found no tour within the time limit")
    idx, seq = routing.Start(0), []
    while not routing.IsEnd(idx):
        seq.append(manager.IndexToNode(idx))
        idx = sol.Value(routing.NextVar(idx))
    return seq, _tour_cost(c, seq)


def _assignment_bound(c: np.ndarray) -> float | None:
    """Assignment-problem lower bound of the cycle (every node leaves once, enters once)."""
    if len(c) < 3:
        return None
    m = c.copy()
    np.fill_diagonal(m, m.max() * 10 + 1)
    r, k = linear_sum_assignment(m)
    return float(m[r, k].sum())

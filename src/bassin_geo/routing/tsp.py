"""Travelling-salesman solvers on a cost matrix: exact, local search, OR-Tools, a bound.

Every tour variant (open path, fixed ends, loop) becomes one Hamiltonian cycle through
:func:`to_cycle`; the solvers find a short cycle starting at node 0 and
:func:`from_cycle` reads the visiting order back. Held-Karp is exact (O(2^n n^2));
the local search is 2-opt and Or-opt descent with double-bridge kicks; OR-Tools is optional
(``pip install "bassin-geo[tsp]"``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt

from bassin_geo.errors import InvalidInputError

__all__ = [
    "assignment_bound",
    "from_cycle",
    "held_karp",
    "local_search",
    "solve_ortools",
    "to_cycle",
    "tour_cost",
]

CostMatrix = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def to_cycle(
    cost: CostMatrix, start: int | None, end: int | None, return_to_start: bool
) -> tuple[CostMatrix, int]:
    """Turn every tour variant (open path, fixed ends, loop) into one Hamiltonian cycle.

    A dummy node ``n`` closes open paths: zero arcs from the allowed last stops to it and
    from it to the allowed first stops. Forbidden arcs get a big finite cost, so every
    solver sees a complete matrix.

    Parameters
    ----------
    cost : ndarray
        ``n x n`` costs between the stops (``inf`` where forbidden).
    start, end : int or None
        The fixed first and last stop, if any.
    return_to_start : bool
        A loop: the cycle itself, without a dummy node.

    Returns
    -------
    matrix : ndarray
        The cycle's cost matrix (``n + 1`` square for open paths).
    anchor : int
        The node the visiting order starts at (the dummy node, or ``start`` for a loop,
        0 without one).

    Examples
    --------
    >>> import numpy as np
    >>> c, anchor = to_cycle(np.array([[0.0, 1.0], [2.0, 0.0]]), None, None, False)
    >>> c.shape, anchor
    ((3, 3), 2)
    """
    s, e, ret = start, end, return_to_start
    n = len(cost)
    finite = cost[np.isfinite(cost)]
    big = (float(finite.max()) if finite.size else 1.0) * (n + 2) * 10 + 1.0
    if ret:
        c = np.where(np.isfinite(cost), cost, big)
        np.fill_diagonal(c, 0.0)
        return c, 0 if s is None else s
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


def from_cycle(seq: list[int], anchor: int, n: int, return_to_start: bool) -> list[int]:
    """The visiting order of the stops from a cycle made by :func:`to_cycle`.

    Parameters
    ----------
    seq : list of int
        The cycle, as a solver returns it.
    anchor : int
        Where the order starts (:func:`to_cycle`'s second result).
    n : int
        The number of stops (the dummy node is ``n``).
    return_to_start : bool
        The cycle is a loop (no dummy node).

    Returns
    -------
    list of int
        The stops in visiting order.

    Examples
    --------
    >>> from_cycle([0, 2, 1], 2, 2, False)
    [1, 0]
    """
    ret = return_to_start
    k = seq.index(anchor)
    seq = seq[k:] + seq[:k]
    if ret:
        return seq
    return [v for v in seq if v != n]


def tour_cost(c: CostMatrix, seq: Any) -> float:
    """The cost of a cycle: the arcs between consecutive nodes and back to the first.

    Parameters
    ----------
    c : ndarray
        The cost matrix.
    seq : sequence of int
        The nodes in order.

    Returns
    -------
    float
        The sum of the arcs.

    Examples
    --------
    >>> import numpy as np
    >>> tour_cost(np.array([[0.0, 1.0], [2.0, 0.0]]), [0, 1])
    3.0
    """
    order = np.asarray(seq)
    return float(c[order, np.roll(order, -1)].sum())


def held_karp(c: CostMatrix) -> tuple[list[int], float]:
    """Exact minimum Hamiltonian cycle of a (possibly asymmetric) cost matrix.

    Dynamic programming over subsets, vectorized per subset size; O(2^n n^2).

    Parameters
    ----------
    c : ndarray
        ``n x n`` finite costs.

    Returns
    -------
    seq : list of int
        The optimal cycle, node 0 first.
    cost : float
        Its cost.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], float)
    >>> held_karp(c)
    ([0, 3, 2, 1], 4.0)
    """
    n = len(c)
    if n <= 2:
        return list(range(n)), tour_cost(c, list(range(n)))
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
    return seq, tour_cost(c, seq)


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
    best: tuple[float, tuple[int, int, int] | None] = (0.0, None)
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
    move = best[1]
    if move is None:
        return t, False
    first_pos, length, pos = move
    seg = t[first_pos : first_pos + length]
    rest = np.concatenate([t[:first_pos], t[first_pos + length :]])
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
    c: CostMatrix,
    *,
    kicks: int | None = None,
    seed: int = 0,
    time_limit_s: float | None = None,
) -> tuple[list[int], float]:
    """A short Hamiltonian cycle (node 0 first) by iterated local search.

    2-opt (asymmetric costs counted exactly) and Or-opt descent from the nearest-neighbour
    cycle, then ``kicks`` double-bridge perturbations, each followed by a descent and kept
    when it shortens the cycle (default ``30 * n``, at most 2,000 and fewer for large ``n``
    as each descent costs O(n^2)), stopping early after ``time_limit_s`` seconds.

    Parameters
    ----------
    c : ndarray
        ``n x n`` finite costs.
    kicks : int, optional
        Perturbations after the first descent.
    seed : int
        Seed of the random kicks.
    time_limit_s : float, optional
        Stop kicking after this many seconds.

    Returns
    -------
    seq : list of int
        A short cycle, node 0 first.
    cost : float
        Its cost.

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
        return seq, tour_cost(c, seq)
    rng = np.random.default_rng(seed)
    seen = np.zeros(n, bool)
    seq = [0]
    seen[0] = True
    for _ in range(n - 1):
        nxt = int(np.argmin(np.where(seen, np.inf, c[seq[-1]])))
        seq.append(nxt)
        seen[nxt] = True
    best = _descend(c, np.array(seq))
    best_c = tour_cost(c, best)
    if kicks is None:
        kicks = min(30 * n, 2000, 20_000_000 // (n * n))
    deadline = np.inf if time_limit_s is None else time.perf_counter() + time_limit_s
    if n >= 8:
        for _ in range(kicks):
            if time.perf_counter() > deadline:
                break
            t = _descend(c, _double_bridge(best, rng))
            cost = tour_cost(c, t)
            if cost < best_c - 1e-9:
                best, best_c = t, cost
    return [int(v) for v in best], best_c


def solve_ortools(c: CostMatrix, time_limit_s: float) -> tuple[list[int], float]:
    """A short Hamiltonian cycle found by OR-Tools' routing solver (guided local search).

    Parameters
    ----------
    c : ndarray
        ``n x n`` finite costs.
    time_limit_s : float
        The search time limit.

    Returns
    -------
    seq : list of int
        The cycle, node 0 first.
    cost : float
        Its cost.

    Raises
    ------
    InvalidInputError
        OR-Tools is not installed, or found no cycle in time.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], float)
    >>> # OR-Tools is an optional dependency: pip install "bassin-geo[tsp]"
    >>> solve_ortools(c, 0.2)[1]  # doctest: +SKIP
    4.0
    """
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
        return int(table[manager.IndexToNode(i)][manager.IndexToNode(j)])

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
    return seq, tour_cost(c, seq)


def assignment_bound(c: CostMatrix) -> float | None:
    """Assignment-problem lower bound of the cycle (every node leaves once, enters once).

    Parameters
    ----------
    c : ndarray
        ``n x n`` finite costs.

    Returns
    -------
    float or None
        A proven lower bound on the optimal cycle's cost; None below 3 nodes.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0, 1, 9, 1], [1, 0, 1, 9], [9, 1, 0, 1], [1, 9, 1, 0]], float)
    >>> assignment_bound(c)
    4.0
    """
    from scipy.optimize import linear_sum_assignment

    if len(c) < 3:
        return None
    m = c.copy()
    np.fill_diagonal(m, m.max() * 10 + 1)
    r, k = linear_sum_assignment(m)
    return float(m[r, k].sum())

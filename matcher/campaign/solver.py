"""Campaign pairing: max-weight b-matching (coverage first, then score) and a greedy baseline.

Why these solvers
-----------------
Participants form a *general* graph (a Portuguese, a Polish and a Greek teacher can all be
compatible: odd cycles), so b-matching is not a plain flow problem, and the blossom algorithm
(networkx.max_weight_matching) handles 1-matchings only, in pure Python. The problem is the
0/1 integer program

    x_e in {0,1}   edge e is a partnership       y_v in {0,1}   v reaches its minimum
    min_v * y_v  <=  sum_{e at v} x_e  <=  max_v * y_v      (0 partners, or min..max)
    sum_{e at v, other end in country c} x_e  <=  max_per_country_v      for every (v, c)
    maximise  sum y  first,  then  sum w_e x_e

* Up to `EXACT_EDGES` edges it is solved exactly by HiGHS (`scipy.optimize.milp`) in two
  stages (max sum y; then fix sum y >= that optimum and max the score), not with one big-M
  weight, which would need a relative gap below 1/(total score) to be exact.
* Above that, HiGHS alone takes minutes (measured: the coverage LP of 10,000 participants x
  10 candidates did not finish in 10 min on 2 cores). We then use the classical reduction of
  the b-matching LP to a min-cost flow on the *bipartite double cover* (v_L -> u_R and
  u_L -> v_R for every edge; x_e = average of the two arc flows), solved by OR-Tools'
  network simplex in C++ in about a second. Its optimum is the exact LP optimum, half-integral;
  the edges at 1/2 sit on odd cycles, and that small remainder is solved exactly by HiGHS with
  the integral edges fixed. The LP optimum is an upper bound, so the result carries a
  certificate: `coverage_bound` and the score `gap` against the bound (both are 0 / tiny in
  practice; `optimal` is True when the bound is met).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Participant", "Edge", "Solution", "solve", "greedy", "EXACT_EDGES"]

EXACT_EDGES = 4000
SCALE = 1_000  # scores become integer costs for the flow solver (1e-3 resolution)


@dataclass(frozen=True)
class Participant:
    id: str
    country: str
    min: int = 1
    max: int = 3
    max_per_country: int | None = None


class Edge(NamedTuple):
    """A compatible pair and its reciprocal score (a NamedTuple: cohorts hold 10^5 of them)."""
    a: str
    b: str
    score: float


@dataclass
class Solution:
    edges: list[Edge]
    covered: int                     # participants with at least their minimum of partners
    total: float                     # sum of the chosen edges' scores
    method: str
    optimal: bool = True             # coverage and score proven optimal (within `gap`)
    coverage_bound: int | None = None
    gap: float | None = None         # relative score gap to the bound
    seconds: dict[str, float] = field(default_factory=dict)


class _Problem:
    """Participants and deduplicated edges as integer arrays."""

    def __init__(self, participants: list[Participant], edges: list[Edge]):
        self.people = list({p.id: p for p in participants}.values())
        self.index = {p.id: i for i, p in enumerate(self.people)}
        idx = self.index
        raw = [(idx[a], idx[b], s) for a, b, s in edges if a in idx and b in idx and a != b]
        arr = np.array(raw, dtype=np.float64).reshape(-1, 3)
        a, b = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
        lo_, hi_ = np.minimum(a, b), np.maximum(a, b)
        order = np.lexsort((-arr[:, 2], hi_, lo_))          # best score first within a pair
        lo_, hi_, w = lo_[order], hi_[order], arr[order, 2]
        keep = np.ones(len(lo_), bool)
        keep[1:] = (lo_[1:] != lo_[:-1]) | (hi_[1:] != hi_[:-1])
        self.ea, self.eb, self.w = lo_[keep], hi_[keep], w[keep]
        self.n, self.m = len(self.people), len(self.ea)
        self.lo = np.array([max(1, p.min) for p in self.people], np.int64)
        self.hi = np.array([p.max for p in self.people], np.int64)
        countries = sorted({p.country for p in self.people})
        cidx = {c: i for i, c in enumerate(countries)}
        self.country = np.array([cidx[p.country] for p in self.people], np.int64)
        self.pc = np.array([-1 if p.max_per_country is None else p.max_per_country for p in self.people])

    def edge(self, k: int) -> Edge:
        return Edge(self.people[self.ea[k]].id, self.people[self.eb[k]].id, float(self.w[k]))

    def result(self, x: np.ndarray, method: str, **kw) -> Solution:
        chosen = np.flatnonzero(x > 0.5)
        deg = np.bincount(np.concatenate([self.ea[chosen], self.eb[chosen]]), minlength=self.n)
        return Solution([self.edge(k) for k in chosen], int((deg >= self.lo).sum()),
                        float(self.w[chosen].sum()), method, **kw)


def _country_rows(P: _Problem, edges: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray] | None:
    """One row per (participant, partner country) whose candidate edges exceed the cap."""
    rows, cols, cap = [], [], []
    groups: dict[tuple[int, int], list[int]] = {}
    for j, k in enumerate(edges):
        for me, other in ((P.ea[k], P.eb[k]), (P.eb[k], P.ea[k])):
            if P.pc[me] >= 0:
                groups.setdefault((int(me), int(P.country[other])), []).append(j)
    for (v, _), js in groups.items():
        if len(js) > P.pc[v]:
            rows.extend([len(cap)] * len(js))
            cols.extend(js)
            cap.append(float(P.pc[v]))
    if not cap:
        return None
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cap), len(edges))), np.array(cap)


def _milp(P: _Problem, edges: np.ndarray, lo: np.ndarray, hi: np.ndarray, counted: np.ndarray,
          pc_cap: dict | None, time_limit: float, gap: float) -> tuple[np.ndarray, bool, float | None]:
    """Exact two-stage HiGHS solve over `edges` (indices into P) with per-vertex lo/hi;
    only `counted` vertices earn coverage. Returns (x over `edges`, coverage optimal, gap)."""
    t0 = time.perf_counter()
    n, m = P.n, len(edges)
    ea, eb = P.ea[edges], P.eb[edges]
    j = np.arange(m)
    inc = sparse.csr_matrix((np.ones(2 * m), (np.concatenate([ea, eb]), np.concatenate([j, j]))), shape=(n, m))
    rows = [sparse.hstack([inc, -sparse.diags(lo.astype(float))]),
            sparse.hstack([inc, -sparse.diags(hi.astype(float))])]
    lbs, ubs = [np.zeros(n), np.full(n, -np.inf)], [np.full(n, np.inf), np.zeros(n)]
    pcr = _country_rows(P, edges)
    if pcr is not None:
        mat, cap = pcr
        if pc_cap:  # residual caps after fixed edges
            cap = cap - np.array([pc_cap.get(r, 0) for r in range(len(cap))])
        rows.append(sparse.hstack([mat, sparse.csr_matrix((mat.shape[0], n))]))
        lbs.append(np.full(len(cap), -np.inf))
        ubs.append(cap)
    A = sparse.vstack(rows, format="csr")
    lb, ub = np.concatenate(lbs), np.concatenate(ubs)
    deg_avail = np.asarray(inc.sum(axis=1)).ravel()
    y_ub = ((deg_avail >= np.maximum(lo, 1)) & counted).astype(float)
    # Uncounted vertices (already covered) take y = 1 with lo = 0, so only `hi` binds them.
    y_lb = (~counted & (hi > 0)).astype(float)
    bounds = Bounds(np.concatenate([np.zeros(m), y_lb]), np.concatenate([np.ones(m), np.maximum(y_ub, y_lb)]))
    integ = np.ones(m + n)
    c1 = np.concatenate([np.zeros(m), -counted.astype(float)])
    r1 = milp(c1, constraints=LinearConstraint(A, lb, ub), integrality=integ, bounds=bounds,
              options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    if r1.x is None:
        return np.zeros(m), False, None
    cover = int(round(-r1.fun))
    left = max(1.0, time_limit - (time.perf_counter() - t0))
    row = sparse.csr_matrix(np.concatenate([np.zeros(m), counted.astype(float)])[None, :])
    r2 = milp(np.concatenate([-P.w[edges], np.zeros(n)]),
              constraints=LinearConstraint(sparse.vstack([A, row], format="csr"),
                                           np.append(lb, cover), np.append(ub, np.inf)),
              integrality=integ, bounds=bounds, options={"time_limit": left, "mip_rel_gap": gap})
    x = r2.x if r2.x is not None else r1.x
    return x[:m], r1.status == 0, getattr(r2, "mip_gap", None)


def _flow_lp(P: _Problem) -> tuple[np.ndarray, float]:
    """Exact LP optimum of the b-matching via min-cost flow on the bipartite double cover.

    Nodes: source, sink, v_L and v_R per participant, and with a country cap an extra
    (v, country) node on each side. A participant's first `min` units out of v_L (and into
    v_R) carry a coverage bonus larger than every score together: coverage first. Returns
    x in {0, .5, 1} per edge and the LP objective bound (coverage part, as a count).
    """
    # ortools (~15 MB a process) loads only where a campaign runs: the writer, not every worker.
    from ortools.graph.python import min_cost_flow

    n, m = P.n, P.m
    w_int = np.rint(P.w * SCALE).astype(np.int64)
    lcm = int(np.lcm.reduce(np.unique(P.lo))) if n else 1
    bonus = (2 * int(w_int.sum()) + 1) * lcm              # per covered participant and side
    S, T = 2 * n, 2 * n + 1
    v = np.arange(n)
    per_unit = bonus // P.lo
    extra = P.hi - P.lo
    ex = v[extra > 0]
    tails = [np.full(n, S), v + n, np.full(len(ex), S), ex + n, [S]]
    heads = [v, np.full(n, T), ex, np.full(len(ex), T), [T]]
    caps = [P.lo, P.lo, extra[ex], extra[ex], [int(P.hi.sum())]]      # last: unused capacity drains
    costs = [-per_unit, -per_unit, np.zeros(len(ex)), np.zeros(len(ex)), [0]]
    # Each edge gives two arcs, a_L -> b_R and b_L -> a_R. A participant who caps partners per
    # country gets one (v, country) node per side with capacity max_per_country.
    left_tail = np.concatenate([P.ea, P.eb])
    right_head = np.concatenate([P.eb, P.ea]) + n
    other_country = P.country[np.concatenate([P.eb, P.ea])]
    mine_country = P.country[np.concatenate([P.ea, P.eb])]
    nxt = T + 1
    capped = P.pc >= 0
    if capped.any():
        lt = capped[left_tail]
        keys, inv = np.unique(left_tail[lt] * 10_000 + other_country[lt], return_inverse=True)
        owner = keys // 10_000
        tails.append(owner), heads.append(nxt + np.arange(len(keys)))
        caps.append(P.pc[owner]), costs.append(np.zeros(len(keys)))
        left_tail = left_tail.copy()
        left_tail[lt] = nxt + inv
        nxt += len(keys)
        rh = capped[right_head - n]
        keys, inv = np.unique((right_head[rh] - n) * 10_000 + mine_country[rh], return_inverse=True)
        owner = keys // 10_000
        tails.append(nxt + np.arange(len(keys))), heads.append(owner + n)
        caps.append(P.pc[owner]), costs.append(np.zeros(len(keys)))
        right_head = right_head.copy()
        right_head[rh] = nxt + inv
        nxt += len(keys)
    first = sum(len(t) for t in tails)
    tails.append(left_tail), heads.append(right_head)
    caps.append(np.ones(2 * m)), costs.append(-np.concatenate([w_int, w_int]))
    edge_arcs = first + np.stack([np.arange(m), m + np.arange(m)], axis=1)
    tails, heads, caps, costs = (np.concatenate([np.asarray(x, np.int64) for x in col])
                                 for col in (tails, heads, caps, costs))
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = int(P.hi.sum())
    f.set_node_supply(S, supply)
    f.set_node_supply(T, -supply)
    status = f.solve()
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = f.flows(np.arange(len(tails)))
    x = (flows[edge_arcs[:, 0]] + flows[edge_arcs[:, 1]]) / 2.0
    # Coverage bound: sum over participants of min(1, LP degree / lo).
    deg = np.bincount(np.concatenate([P.ea, P.eb]), weights=np.concatenate([x, x]), minlength=n)
    return x, float(np.minimum(1.0, deg / P.lo).sum())


def solve(participants: list[Participant], edges: list[Edge], time_limit: float = 20.0,
          gap: float = 1e-4, exact_edges: int = EXACT_EDGES) -> Solution:
    """Coverage-first max-weight b-matching; see the module docstring for the method."""
    t0 = time.perf_counter()
    P = _Problem(participants, edges)
    if P.m == 0:
        return Solution([], 0, 0.0, "empty", coverage_bound=0, gap=0.0)
    all_edges = np.arange(P.m)
    t1 = time.perf_counter()
    if P.m <= exact_edges:
        x, optimal, g = _milp(P, all_edges, P.lo, P.hi, np.ones(P.n, bool), None, time_limit, gap)
        sol = P.result(x, "milp-highs", optimal=optimal, gap=g)
        sol.coverage_bound = sol.covered if optimal else None
        sol.seconds = {"build": t1 - t0, "solve": time.perf_counter() - t1}
        return sol
    x_lp, cover_bound = _flow_lp(P)
    t2 = time.perf_counter()
    x = (x_lp > 0.75).astype(float)
    frac = np.flatnonzero((x_lp > 0.25) & (x_lp < 0.75))
    if len(frac):
        fixed = np.flatnonzero(x > 0.5)
        deg = np.bincount(np.concatenate([P.ea[fixed], P.eb[fixed]]), minlength=P.n)
        counted = deg < P.lo                          # not yet at their minimum
        lo = np.where(counted, P.lo - deg, 0)
        hi = np.where(counted, P.hi - deg, P.hi - deg)
        # With country caps, residual per (v, country) capacity comes from the fixed edges.
        pc_used = None
        if (P.pc >= 0).any():
            pcr = _country_rows(P, frac)
            if pcr is not None:
                mat, _ = pcr
                used: dict[tuple[int, int], int] = {}
                for k in fixed:
                    for me, other in ((P.ea[k], P.eb[k]), (P.eb[k], P.ea[k])):
                        used[(int(me), int(P.country[other]))] = used.get((int(me), int(P.country[other])), 0) + 1
                pc_used = _residual_keys(P, frac, used)
        xf, _, _ = _milp(P, frac, lo, hi, counted, pc_used, max(1.0, time_limit - (t2 - t0)), gap)
        x[frac] = (xf > 0.5)
    sol = P.result(x, "flow-lp+milp-highs")
    bound_cover = int(np.floor(cover_bound + 1e-6))
    lp_score = float((x_lp * P.w).sum())
    sol.coverage_bound = bound_cover
    sol.gap = max(0.0, (lp_score - sol.total) / lp_score) if lp_score > 0 else 0.0
    sol.optimal = sol.covered >= bound_cover and sol.gap <= gap
    sol.seconds = {"build": t1 - t0, "flow_lp": t2 - t1, "repair": time.perf_counter() - t2}
    return sol


def _residual_keys(P: _Problem, edges: np.ndarray, used: dict) -> dict[int, int]:
    """Map each country-cap row of `_country_rows(P, edges)` to the fixed edges already using it."""
    groups: dict[tuple[int, int], list[int]] = {}
    for j, k in enumerate(edges):
        for me, other in ((P.ea[k], P.eb[k]), (P.eb[k], P.ea[k])):
            if P.pc[me] >= 0:
                groups.setdefault((int(me), int(P.country[other])), []).append(j)
    out, r = {}, 0
    for key, js in groups.items():
        if len(js) > P.pc[key[0]]:
            out[r] = used.get(key, 0)
            r += 1
    return out


def greedy(participants: list[Participant], edges: list[Edge]) -> Solution:
    """Baseline: best edge first, taken while both ends have room (and country room)."""
    t0 = time.perf_counter()
    P = _Problem(participants, edges)
    deg = np.zeros(P.n, np.int64)
    per_country: dict[tuple[int, int], int] = {}
    x = np.zeros(P.m)
    for k in np.argsort(-P.w, kind="stable"):
        a, b = P.ea[k], P.eb[k]
        if deg[a] >= P.hi[a] or deg[b] >= P.hi[b]:
            continue
        ka, kb = (int(a), int(P.country[b])), (int(b), int(P.country[a]))
        if (P.pc[a] >= 0 and per_country.get(ka, 0) >= P.pc[a]) or \
           (P.pc[b] >= 0 and per_country.get(kb, 0) >= P.pc[b]):
            continue
        x[k] = 1
        deg[a] += 1
        deg[b] += 1
        per_country[ka] = per_country.get(ka, 0) + 1
        per_country[kb] = per_country.get(kb, 0) + 1
    return P.result(x, "greedy", optimal=False, seconds={"greedy": time.perf_counter() - t0})

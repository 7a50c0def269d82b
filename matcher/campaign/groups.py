"""Group mode: consortia of k teachers from k countries, every pair compatible, as many people placed as possible.

Candidate groups come from each participant's best compatible neighbours (a depth-first search
over distinct countries, the weakest pair bounding it, as matcher.consortium does); choosing a
disjoint set of them is a set-packing integer program solved by HiGHS (scipy.optimize.milp):
maximise the people placed first, then the summed group score. Whoever is still alone is then
offered any compatible group among the other leftovers, so nobody stays alone while one exists.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

PER_PERSON = 6     # candidate groups kept per participant
NEIGHBOURS = 12    # best neighbours searched per participant


def _search(seed: int, nbrs: list[int], k: int, score, country, limit: int) -> list[tuple[float, tuple]]:
    found: list[tuple[float, tuple]] = []

    def grow(group, countries, weakest, total, start):
        if len(group) == k:
            pairs = k * (k - 1) / 2
            found.append((weakest + total / pairs, tuple(sorted(group))))
            return
        for pos in range(start, len(nbrs)):
            c = nbrs[pos]
            if country[c] in countries:
                continue
            edges = [score(g, c) for g in group]
            if min(edges) <= 0:
                continue
            grow(group + [c], countries | {country[c]}, min(weakest, min(edges)), total + sum(edges), pos + 1)
            if len(found) >= 50:
                return

    grow([seed], {country[seed]}, float("inf"), 0.0, 0)
    found.sort(reverse=True)
    return found[:limit]


def form_groups(n: int, k: int, score, neighbours: list[list[int]], country: list,
                time_limit: float = 20.0) -> list[tuple[int, ...]]:
    """Disjoint groups of size k over participants 0..n-1.

    `score(i, j)` is the pair score (0 when incompatible); `neighbours[i]` lists i's compatible
    partners, best first."""
    pool: dict[tuple, float] = {}
    for i in range(n):
        for val, g in _search(i, neighbours[i][:NEIGHBOURS], k, score, country, PER_PERSON):
            pool[g] = max(pool.get(g, 0.0), val)
    chosen: list[tuple[int, ...]] = []
    if pool:
        groups = list(pool)
        rows = [m for g in groups for m in g]
        cols = [j for j, g in enumerate(groups) for _ in g]
        A = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(groups)))
        cons = LinearConstraint(A, -np.inf, 1)
        size = np.full(len(groups), float(k))
        r1 = milp(-size, constraints=cons, integrality=np.ones(len(groups)), bounds=Bounds(0, 1),
                  options={"time_limit": time_limit / 2})
        placed = -r1.fun if r1.x is not None else 0
        val = np.array([pool[g] for g in groups])
        A2 = sparse.vstack([A, sparse.csr_matrix(size[None, :])])
        r2 = milp(-val, constraints=LinearConstraint(A2, np.append(np.full(n, -np.inf), placed - 1e-6),
                                                     np.append(np.ones(n), np.inf)),
                  integrality=np.ones(len(groups)), bounds=Bounds(0, 1),
                  options={"time_limit": time_limit / 2, "mip_rel_gap": 1e-4})
        x = r2.x if r2.x is not None else (r1.x if r1.x is not None else np.zeros(len(groups)))
        chosen = [groups[j] for j in np.flatnonzero(x > 0.5)]
    # Leftovers: search among themselves (they may be outside each other's top neighbours).
    used = {m for g in chosen for m in g}
    left = [i for i in range(n) if i not in used]
    for i in left:
        if i in used:
            continue
        others = sorted((j for j in left if j not in used and j != i and score(i, j) > 0),
                        key=lambda j: -score(i, j))
        found = _search(i, others, k, score, country, 1)
        if found:
            g = found[0][1]
            chosen.append(g)
            used.update(g)
    return chosen

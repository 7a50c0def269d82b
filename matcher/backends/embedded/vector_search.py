"""Filtered max-per-profile search over vector rows, with the strategy picked by cost.

Rows are scanned in 8 bits a dimension (float16 before there is a graph) and the best
candidates re-scored exactly in float32, so returned scores are exact. Like Lucene, the search
picks a strategy from the filter's selectivity: an exact scan of just the passing rows (cost
grows with the subset, recall is 1) unless the HNSW graph over all rows would visit fewer
candidates (oversampled, the filter checked on its candidates; when too few pass, a walk of
the graph that skips rows the filter rejects; an exact scan when even that cannot fill k).
"""
from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from matcher.backends.embedded.vectors import VectorRows

EXACT_MAX_ROWS = 3_000    # this many passing rows or fewer: always an exact scan (< 1 ms)
# What one graph candidate (per query row) costs, in dimensions of scanned 8-bit rows: a fixed
# walk cost plus a little per dimension. On 2 cores a candidate takes ~4.5 us at 64-d and ~7.7 us
# at 384-d, a scanned dimension ~0.63 ns, so a candidate costs ~110 rows of scan at 64-d and ~32 at
# 384-d. The graph is asked only when its candidates cost fewer rows than the exact scan reads.
# On a 2.7M-row graph at 384-d a candidate took ~13 us (bench/limits.md), so close to the
# break-even the graph is chosen where the scan would be up to ~1.7x cheaper.
GRAPH_COST = (6_000, 16)
OVERSAMPLE = 1.5          # graph candidates per wanted profile, before dividing by selectivity
FILTERED_ASK = 3          # rows per wanted profile for the filtered walk: recall@50 0.94 at 100k
                          # profiles, in a sixth of the exact scan's time (bench/results.md)
RESCORE_EXTRA = 32        # near-ties of the scan re-scored in float32 beyond the k wanted
SCAN_BLOCK = 2_048        # rows a step of the exact scan (flat from 512 to 4,096, slower at 8,192)


class Selection(Protocol):
    """What a search needs from a filter: an estimate, the full mask, and a test for a few slots."""

    def estimate(self) -> float: ...
    def mask(self) -> np.ndarray: ...
    def test(self, slots: np.ndarray) -> np.ndarray: ...


class VectorSearch:
    """The planner and its thresholds (tests and benchmarks move them); it only reads rows."""

    def __init__(self) -> None:
        self.exact_max_rows, self.graph_cost = EXACT_MAX_ROWS, GRAPH_COST
        self.last_strategy = ""   # "exact", "graph", "filtered" or "fallback" (tests, bench)

    def search(self, rows: VectorRows, queries: np.ndarray, sel: Selection, k: int) -> list[tuple[int, float]]:
        """Top-k slots by max cosine between any query row and any of the slot's rows."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), np.float32)
        live = rows.live
        if not live or not len(queries) or k <= 0:
            return []
        if rows.graph is not None and live >= rows.graph_min_rows:  # sync_graph() builds it
            frac = sel.estimate()
            passing = frac * live                                     # rows an exact scan reads
            ask = int(math.ceil(OVERSAMPLE * k / max(frac, 1e-6)))    # graph rows asked per query
            fixed, per_dim = self.graph_cost
            graph_rows = (fixed / rows.dim + per_dim) * ask * len(queries)   # in rows of scan
            if passing > self.exact_max_rows and graph_rows < passing:
                hits = self._graph_search(rows, queries, sel, k, ask)
                if hits is not None:
                    return hits
                self.last_strategy = "fallback"
                return _exact_search(rows, queries, sel.mask(), k)
        self.last_strategy = "exact"
        return _exact_search(rows, queries, sel.mask(), k)

    def _graph_search(self, rows: VectorRows, queries: np.ndarray, sel: Selection, k: int,
                      want: int) -> list[tuple[int, float]] | None:
        """Graph candidates that pass the filter, re-scored exactly; None when too few pass.

        Recall does not depend on the oversampling: once k passing profiles are among the
        graph's nearest rows, no passing profile outside them can score higher. When fewer pass,
        the filter rejects the query's own neighbourhood (a partner query leaves out the
        teacher's own country, whose texts often lie closest), so asking for more neighbours
        would mostly return more rejected rows: the graph is walked again with the filter
        applied to every row it visits, which costs a row mask but not a scan of every passing row.
        """
        labels = rows.graph.search(queries, min(want, rows.live))
        if labels is None:
            return None
        slots = _passing(rows, labels, sel)
        if len(slots) >= k:
            self.last_strategy = "graph"
            return _rescore(rows, slots, queries, k)
        labels = rows.graph.search(queries, FILTERED_ASK * k, allowed=_row_mask(rows, sel.mask()))
        if labels is None:              # fewer rows than asked pass, reachably: scan them exactly
            return None
        slots = _passing(rows, labels, sel)
        if len(slots) < k:
            return None
        self.last_strategy = "filtered"
        return _rescore(rows, slots, queries, k)


def _rescore(rows: VectorRows, slots: np.ndarray, queries: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Exact float32 max-per-profile scores of `slots`; the best k."""
    if not len(slots):
        return []
    slots = slots[rows.count[slots] > 0]
    if not len(slots):
        return []
    sims = (rows.exact.arr[rows.rows(slots)] @ queries.T).max(axis=1)
    best = np.maximum.reduceat(sims, rows.group_starts(slots))  # a slot's rows are contiguous
    top = np.argsort(-best, kind="stable")[:k]
    return [(int(slots[i]), float(best[i])) for i in top]


def _exact_search(rows: VectorRows, queries: np.ndarray, slot_mask: np.ndarray, k: int) -> list[tuple[int, float]]:
    n = min(len(slot_mask), len(rows.count))
    slots = np.flatnonzero(slot_mask[:n] & (rows.count[:n] > 0))
    if not len(slots):
        return []
    if len(slots) <= k + RESCORE_EXTRA:
        return _rescore(rows, slots, queries, k)
    approx = _scan(rows, rows.rows(slots), queries)
    best = np.maximum.reduceat(approx, rows.group_starts(slots))
    keep = min(len(slots), k + RESCORE_EXTRA)
    cand = np.argpartition(-best, keep - 1)[:keep]
    return _rescore(rows, slots[cand], queries, k)


def _scan(rows: VectorRows, at: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Approximate max cosine of each of rows `at` against the queries, from the 8-bit codes
    (or float16).

    Blocks of rows are gathered and converted to float32 in buffers reused across blocks, so
    the conversion stays in cache, memory is read once and nothing is allocated per block
    (a fresh array per block costs ~1.6x the time at 1M profiles). A code c of dimension d
    stands for lo[d] + (c + 0.5) * step[d], so its dot product with q is
    codes @ (q * step) + q @ (lo + step / 2).
    """
    approx = np.empty(len(at), np.float32)
    if rows.vecs is not None:
        src, w, bias = rows.vecs, queries, np.zeros(len(queries), np.float32)
    else:
        src = rows.graph.codes()
        lo, step = rows.graph.decoder()
        w = (queries * step).astype(np.float32)             # one contiguous row per query
        bias = (queries @ (lo + step / 2)).astype(np.float32)
    block = min(SCAN_BLOCK, len(at))
    raw = np.empty((block, rows.dim), src.dtype)
    wide = np.empty((block, rows.dim), np.float32)
    col = np.empty(block, np.float32)
    for i in range(0, len(at), block):
        r = at[i:i + block]
        n, best = len(r), approx[i:i + len(r)]
        np.take(src, r, axis=0, out=raw[:n])
        np.copyto(wide[:n], raw[:n])
        # One matrix-vector product per query row, then the running max: OpenBLAS takes 5.5x
        # the time of one such product for a 3-column product, and np.max(axis=1) over 3
        # columns 12x the time of these column-wise maxima.
        for j in range(len(queries)):
            out = best if j == 0 else col[:n]
            np.matmul(wide[:n], w[j], out=out)
            out += bias[j]
            if j:
                np.maximum(best, out, out=best)
    return approx


def _passing(rows: VectorRows, labels: np.ndarray, sel: Selection) -> np.ndarray:
    owners = rows.owner[labels]
    slots = np.unique(owners[owners >= 0])
    return slots[sel.test(slots)]


def _row_mask(rows: VectorRows, slot_mask: np.ndarray) -> np.ndarray:
    """Per row, whether its owner passes `slot_mask` (dead rows do not)."""
    owner = rows.owner[:rows.n]
    ok = np.zeros(rows.n, bool)
    live = (owner >= 0) & (owner < len(slot_mask))
    ok[live] = slot_mask[owner[live]]
    return ok

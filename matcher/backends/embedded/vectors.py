"""Unit vector rows with filtered max-per-profile search that picks its strategy by cost.

Rows are scanned in 8 bits a dimension (the graph's own codes, a quarter of float32; float16
while the store is too small for a graph) and the best candidates are re-scored exactly in
float32 from a mapped file, so returned scores are exact. Like Lucene, the search picks a
strategy from the filter's selectivity: an exact scan of just the passing rows (cost grows
with the subset, recall is 1) unless an HNSW graph over all rows would visit fewer candidates
(oversampled, the filter checked on its candidates; when too few pass, a walk of the graph that
skips rows the filter rejects; an exact scan when even that cannot fill k).
Searches only read; writes and `sync_graph` change state, so the caller keeps them apart.
Row numbers are stable between compactions, because the graph labels rows by number.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from matcher.backends.embedded.graph import Graph

EXACT_MAX_ROWS = 3_000    # this many passing rows or fewer: always an exact scan (< 1 ms)
GRAPH_ROW_COST = 4        # one graph candidate (per query row) costs about 4 float16 rows of scan:
                          # ~7 us vs ~1.6 us on the 100k benchmark, 2 cores (bench/results.md)
GRAPH_MIN_ROWS = 20_000   # below this the whole store is one cheap scan: no graph at all
OVERSAMPLE = 1.5          # graph candidates per wanted profile, before dividing by selectivity
FILTERED_ASK = 3          # rows per wanted profile for the filtered walk: at 100k profiles, 3 gave
                          # recall@50 0.94 in ~20 ms where the exact scan took ~120 ms (bench/results.md)
GRAPH_MAX_ASK = 1_000     # rows asked per query above which the graph's far neighbours are unreliable:
                          # at 1M profiles and 1% selectivity, asks of 1,600-4,200 rows gave recall
                          # 0.43-0.63, while the exact scan of the same ~25k rows took ~40 ms
GRAPH_FILE = "graph.faiss"
RESCORE_EXTRA = 32        # near-ties of the scan re-scored in float32 beyond the k wanted
SCAN_BLOCK = 2_048        # rows a step of the exact scan (133k rows at 1M: 26.7 ms; 26.8-28.0 at 512-4,096, 31-33 at 8,192)


class Selection(Protocol):
    """What a search needs from a filter: an estimate, the full mask, and a test for a few slots."""

    def estimate(self) -> float: ...
    def mask(self) -> np.ndarray: ...
    def test(self, slots: np.ndarray) -> np.ndarray: ...


class _Exact:
    """float32 rows, in memory or in a file (mapped, so they stay out of anonymous memory)."""

    def __init__(self, dim: int, capacity: int, path: Path | None = None):
        self.dim, self.path = dim, path
        self.arr = self._open(capacity) if path else np.zeros((capacity, dim), np.float32)

    def _open(self, rows: int) -> np.ndarray:
        need = rows * self.dim * 4
        with open(self.path, "ab") as f:
            if f.tell() < need:
                f.truncate(need)
        return np.memmap(self.path, np.float32, "r+", shape=(rows, self.dim))

    def grow(self, rows: int) -> None:
        if self.path:
            self.arr.flush()
            self.arr = self._open(rows)
        else:
            arr = np.zeros((rows, self.dim), np.float32)
            arr[:len(self.arr)] = self.arr
            self.arr = arr


class VectorRows:
    """Rows of unit vectors; each profile slot owns a contiguous run [first, first + count)."""

    def __init__(self, dim: int, capacity: int = 1024, exact_path: Path | None = None):
        self.dim = dim
        self.n = 0                                   # rows used (live and dead)
        self.dead = 0
        self.vecs: np.ndarray | None = np.zeros((capacity, dim), np.float16)   # None once the graph holds the rows
        self.exact = _Exact(dim, capacity, exact_path)
        self.owner = np.full(capacity, -1, np.int32)
        self.kind = np.zeros(capacity, np.int8)     # unit kind per row (matcher/features.py)
        self.first = np.zeros(1024, np.int64)        # per slot
        self.count = np.zeros(1024, np.int32)        # per slot; 0 = no rows
        self.graph: Graph | None = None
        self.exact_max_rows, self.graph_min_rows = EXACT_MAX_ROWS, GRAPH_MIN_ROWS
        self.graph_row_cost, self.graph_max_ask = GRAPH_ROW_COST, GRAPH_MAX_ASK
        self.last_strategy = ""                      # "exact", "graph", "filtered" or "fallback" (tests, bench)

    # -- writes -----------------------------------------------------------------------------

    def _grow(self, need: int) -> None:
        cap = len(self.owner)
        if need <= cap:
            return
        new = max(need, cap * 2)
        if self.vecs is not None:
            vecs = np.zeros((new, self.dim), np.float16)
            vecs[:cap] = self.vecs
            self.vecs = vecs
        owner = np.full(new, -1, np.int32)
        owner[:cap] = self.owner
        kind = np.zeros(new, np.int8)
        kind[:cap] = self.kind
        self.owner, self.kind = owner, kind
        self.exact.grow(new)

    def _grow_slots(self, slot: int) -> None:
        if slot < len(self.first):
            return
        new = max(slot + 1, 2 * len(self.first))
        self.first = np.concatenate([self.first, np.zeros(new - len(self.first), np.int64)])
        self.count = np.concatenate([self.count, np.zeros(new - len(self.count), np.int32)])

    def put(self, slot: int, vectors: np.ndarray) -> None:
        """Replace the rows of `slot` with `vectors` (n_units, dim)."""
        self.put_many(np.array([slot]), [len(vectors)], np.asarray(vectors, np.float32).reshape(-1, self.dim))

    def put_many(self, slots: np.ndarray, counts, vectors: np.ndarray, kind=None) -> None:
        """Replace the rows of many slots at once: `vectors` holds `counts[i]` rows for `slots[i]`;
        `kind` gives each row's unit kind (default: all ideas)."""
        for s in slots:
            self.remove(int(s))
        total = len(vectors)
        if not total:
            return
        self._grow(self.n + total)
        self._grow_slots(int(max(slots)))
        at = self.n
        if self.vecs is not None:
            self.vecs[at:at + total] = vectors
        self.exact.arr[at:at + total] = vectors
        counts = np.asarray(counts, np.int64)
        starts = at + np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.owner[at:at + total] = np.repeat(np.asarray(slots, np.int32), counts)
        self.kind[at:at + total] = 0 if kind is None else kind
        self.first[slots] = starts
        self.count[slots] = counts
        self.n += total
        if self.graph is not None:  # keep an existing graph current, so searches never change it
            self.sync_graph()

    def remove(self, slot: int) -> None:
        if slot >= len(self.count) or not self.count[slot]:
            return
        a, k = int(self.first[slot]), int(self.count[slot])
        self.owner[a:a + k] = -1
        # Erasure: the vectors themselves go, not just the pointer to them.
        if self.vecs is not None:
            self.vecs[a:a + k] = 0
        self.exact.arr[a:a + k] = 0
        self.count[slot] = 0
        self.dead += k
        if self.graph is not None:
            self.graph.mark_deleted(range(a, a + k))

    # -- reads --------------------------------------------------------------------------------

    @property
    def rows_of(self) -> dict[int, list[int]]:
        """Slot -> its row numbers, for slots that have rows (tests and diagnostics)."""
        slots = np.flatnonzero(self.count)
        return {int(s): list(range(int(self.first[s]), int(self.first[s] + self.count[s]))) for s in slots}

    def rows_of_slot(self, slot: int) -> list[int]:
        if slot >= len(self.count):
            return []
        return list(range(int(self.first[slot]), int(self.first[slot] + self.count[slot])))

    def flush(self) -> None:
        """Push erased or written float32 rows to the file (when file-backed)."""
        if self.exact.path:
            self.exact.arr.flush()

    def unit_vectors(self, slot: int) -> np.ndarray:
        if slot >= len(self.count):
            return np.zeros((0, self.dim), np.float32)
        a = int(self.first[slot])
        return np.array(self.exact.arr[a:a + int(self.count[slot])])

    def unit_rows(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(float32 rows of `slots`, index into `slots` of each row's owner, each row's kind)."""
        slots = np.asarray(slots, np.int64)
        known = slots < len(self.count)
        counts = np.zeros(len(slots), np.int64)
        counts[known] = self.count[slots[known]]
        rows = self._rows(np.where(known, slots, 0), counts)
        return np.asarray(self.exact.arr[rows]), np.repeat(np.arange(len(slots)), counts), self.kind[rows]

    def _rows(self, slots: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
        """All rows of `slots`, slot after slot (`_group_starts` gives where each slot begins)."""
        counts = self.count[slots].astype(np.int64) if counts is None else counts
        starts = np.repeat(self.first[slots] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        return starts + np.arange(int(counts.sum()))

    def _group_starts(self, slots: np.ndarray) -> np.ndarray:
        """Offsets of each slot's first row in `_rows(slots)` (slots all have rows)."""
        counts = self.count[slots].astype(np.int64)
        return np.concatenate([[0], np.cumsum(counts)[:-1]])

    def _rescore(self, slots: np.ndarray, queries: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Exact float32 max-per-profile scores of `slots`; the best k."""
        if not len(slots):
            return []
        slots = slots[self.count[slots] > 0]
        if not len(slots):
            return []
        rows = self._rows(slots)
        sims = (self.exact.arr[rows] @ queries.T).max(axis=1)
        best = np.maximum.reduceat(sims, self._group_starts(slots))  # a slot's rows are contiguous
        top = np.argsort(-best, kind="stable")[:k]
        return [(int(slots[i]), float(best[i])) for i in top]

    def search(self, queries: np.ndarray, sel: Selection, k: int) -> list[tuple[int, float]]:
        """Top-k slots by max cosine between any query row and any of the slot's rows."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), np.float32)
        live = self.n - self.dead
        if not live or not len(queries) or k <= 0:
            return []
        if self.graph is not None and live >= self.graph_min_rows:  # sync_graph() builds it
            frac = sel.estimate()
            passing = frac * live                                     # rows an exact scan reads
            ask = int(math.ceil(OVERSAMPLE * k / max(frac, 1e-6)))    # graph rows asked per query
            if (passing > self.exact_max_rows and self.graph_row_cost * ask * len(queries) < passing
                    and ask <= self.graph_max_ask):
                hits = self._graph_search(queries, sel, k, ask)
                if hits is not None:
                    return hits
                self.last_strategy = "fallback"
                return self._exact_search(queries, sel.mask(), k)
        self.last_strategy = "exact"
        return self._exact_search(queries, sel.mask(), k)

    def _exact_search(self, queries: np.ndarray, slot_mask: np.ndarray, k: int) -> list[tuple[int, float]]:
        n = min(len(slot_mask), len(self.count))
        slots = np.flatnonzero(slot_mask[:n] & (self.count[:n] > 0))
        if not len(slots):
            return []
        if len(slots) <= k + RESCORE_EXTRA:
            return self._rescore(slots, queries, k)
        rows = self._rows(slots)
        approx = self._scan(rows, queries)
        best = np.maximum.reduceat(approx, self._group_starts(slots))
        keep = min(len(slots), k + RESCORE_EXTRA)
        cand = np.argpartition(-best, keep - 1)[:keep]
        return self._rescore(slots[cand], queries, k)

    def _scan(self, rows: np.ndarray, queries: np.ndarray) -> np.ndarray:
        """Approximate max cosine of each row against the queries, from the 8-bit codes (or float16).

        Blocks of 2,048 rows are gathered and converted to float32 in buffers reused across
        blocks, so the conversion stays in cache, memory is read once and nothing is allocated
        per block. The 1M benchmark's scan of 133k scattered rows against 3 query rows took
        42.6 ms with a fresh array per block, 26 ms with the buffers, ~18 ms with one product
        per query row. A code c of dimension d stands for lo[d] + (c + 0.5) * step[d], so its
        dot product with q is codes @ (q * step) + q @ (lo + step / 2).
        """
        approx = np.empty(len(rows), np.float32)
        if self.vecs is not None:
            src, w, bias = self.vecs, queries, np.zeros(len(queries), np.float32)
        else:
            src = self.graph.codes()
            lo, step = self.graph.decoder()
            w = (queries * step).astype(np.float32)             # one contiguous row per query
            bias = (queries @ (lo + step / 2)).astype(np.float32)
        block = min(SCAN_BLOCK, len(rows))
        raw = np.empty((block, self.dim), src.dtype)
        wide = np.empty((block, self.dim), np.float32)
        col = np.empty(block, np.float32)
        for i in range(0, len(rows), block):
            r = rows[i:i + block]
            n, best = len(r), approx[i:i + len(r)]
            np.take(src, r, axis=0, out=raw[:n])
            np.copyto(wide[:n], raw[:n])
            # One matrix-vector product per query row, then the running max: OpenBLAS took 5.5x
            # the time of one such product for a 3-column product, and np.max(axis=1) over 3
            # columns 12x the time of these column-wise maxima.
            for j in range(len(queries)):
                out = best if j == 0 else col[:n]
                np.matmul(wide[:n], w[j], out=out)
                out += bias[j]
                if j:
                    np.maximum(best, out, out=best)
        return approx

    def _graph_search(self, queries: np.ndarray, sel: Selection, k: int,
                      want: int) -> list[tuple[int, float]] | None:
        """Graph candidates that pass the filter, re-scored exactly; None when too few pass.

        Recall does not depend on the oversampling: once k passing profiles are among the
        graph's nearest rows, no passing profile outside them can score higher. When fewer pass,
        the filter rejects the query's own neighbourhood (a partner query leaves out the
        teacher's own country, whose texts often lie closest), so asking for more neighbours
        would mostly return more rejected rows: the graph is walked again with the filter
        applied to every row it visits, which costs a row mask but not a scan of every passing row.
        """
        live = self.n - self.dead
        labels = self.graph.search(queries, min(want, live))
        if labels is None:
            return None
        slots = self._passing(labels, sel)
        if len(slots) >= k:
            self.last_strategy = "graph"
            return self._rescore(slots, queries, k)
        labels = self.graph.search(queries, FILTERED_ASK * k, allowed=self._row_mask(sel.mask()))
        if labels is None:              # fewer rows than asked pass, reachably: scan them exactly
            return None
        slots = self._passing(labels, sel)
        if len(slots) < k:
            return None
        self.last_strategy = "filtered"
        return self._rescore(slots, queries, k)

    def _passing(self, labels: np.ndarray, sel: Selection) -> np.ndarray:
        owners = self.owner[labels]
        slots = np.unique(owners[owners >= 0])
        return slots[sel.test(slots)]

    def _row_mask(self, slot_mask: np.ndarray) -> np.ndarray:
        """Per row, whether its owner passes `slot_mask` (dead rows do not)."""
        owner = self.owner[:self.n]
        ok = np.zeros(self.n, bool)
        live = (owner >= 0) & (owner < len(slot_mask))
        ok[live] = slot_mask[owner[live]]
        return ok

    # -- the graph ----------------------------------------------------------------------------

    def graph_due(self) -> bool:
        """Whether sync_graph() has work: rows the graph has not seen, or enough rows for a first graph."""
        if self.graph is None:
            return self.n - self.dead >= self.graph_min_rows
        return self.graph.rows < self.n

    def sync_graph(self) -> None:
        """Add rows written since the graph last saw them (all of them, the first time).

        It changes the graph, so searches must not run meanwhile (the backend's write lock).
        """
        if not self.graph_due():
            return
        if self.graph is None:
            self.graph = Graph(self.dim)
        g = self.graph
        # One add for every new row (dead ones too: a node's number is its row's). The rows
        # are read straight from the mapped file, so no float32 copy is made.
        g.add(np.asarray(self.exact.arr[g.rows:self.n]), self.owner[g.rows:self.n] >= 0)
        self.vecs = None   # the graph's 8-bit codes are scanned from now on

    # -- persistence --------------------------------------------------------------------------

    def needs_compaction(self) -> bool:
        return self.dead > 1024 and self.dead > self.n // 3

    def save(self, d: Path) -> dict:
        """Write the rows into directory `d`; returns the meta to keep with them."""
        self.sync_graph()
        if self.exact.path:
            self.exact.arr.flush()
        if self.vecs is not None:
            np.save(d / "f16.npy", self.vecs[:self.n])
        np.save(d / "owner.npy", self.owner[:self.n])
        np.save(d / "kind.npy", self.kind[:self.n])
        np.save(d / "first.npy", self.first)
        np.save(d / "count.npy", self.count)
        exact = d / "exact.f32"
        if self.exact.path and self.exact.path != exact:
            os.link(self.exact.path, exact)          # rows are append-only: share, don't copy
        elif not self.exact.path:
            self.exact.arr[:self.n].tofile(exact)
        if self.graph is not None:
            self.graph.save(d / GRAPH_FILE)
        return {"rows": self.n, "dead": self.dead, "dim": self.dim,
                "graph_rows": self.graph.rows if self.graph else 0}

    @classmethod
    def load(cls, d: Path, meta: dict, private: bool = False) -> "VectorRows":
        """Rows saved by `save`; new rows go on in `d/exact.f32`, or in memory when `private`
        (a follower process must not write the file its writer appends to)."""
        n, dim = meta["rows"], meta["dim"]
        v = cls(dim, capacity=max(n, 1024), exact_path=None if private else d / "exact.f32")
        if private:
            v.exact.arr[:n] = np.fromfile(d / "exact.f32", np.float32, count=n * dim).reshape(n, dim)
        v.n, v.dead = n, meta["dead"]
        if (d / "f16.npy").exists():
            v.vecs[:n] = np.load(d / "f16.npy")
        v.owner[:n] = np.load(d / "owner.npy")
        v.kind[:n] = np.load(d / "kind.npy")
        v.first, v.count = np.load(d / "first.npy"), np.load(d / "count.npy")
        if meta["graph_rows"] and (d / GRAPH_FILE).exists():   # else the graph is rebuilt
            v.graph = Graph.load(d / GRAPH_FILE, dim, v.owner[:n] >= 0)
            v.vecs = None
        return v

    def compacted(self, exact_path: Path | None) -> "VectorRows":
        """A copy without dead rows (row numbers change, so its graph is rebuilt)."""
        v = VectorRows(self.dim, max(1024, self.n - self.dead), exact_path)
        slots = np.flatnonzero(self.count)
        if len(slots):
            rows = self._rows(slots)
            v.put_many(slots, self.count[slots], np.asarray(self.exact.arr[rows]), self.kind[rows])
        return v

"""Unit vector rows: each profile slot owns a contiguous run of rows, with a graph over all rows.

Rows are kept twice: in float32, exact, in a mapped file (or in memory), and for scanning in 8
bits a dimension (the graph's own codes, a quarter of float32; float16 while the store is too
small for a graph). Row numbers are stable between compactions, because the graph labels
rows by number. Writes and `sync_graph` change state, so the caller keeps them apart from
searches (vector_search.py reads the rows).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.backends.embedded.graph import Graph

GRAPH_MIN_ROWS = 20_000   # below this the whole store is one cheap scan: no graph at all


class ExactRows:
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

    def flush(self) -> None:
        """Push written or erased rows to the file (when file-backed)."""
        if self.path:
            self.arr.flush()


class VectorRows:
    """Rows of unit vectors; each profile slot owns a contiguous run [first, first + count)."""

    def __init__(self, dim: int, capacity: int = 1024, exact_path: Path | None = None):
        self.dim = dim
        self.n = 0                                   # rows used (live and dead)
        self.dead = 0
        self.vecs: np.ndarray | None = np.zeros((capacity, dim), np.float16)   # None once the graph holds the rows
        self.exact = ExactRows(dim, capacity, exact_path)
        self.owner = np.full(capacity, -1, np.int32)
        self.kind = np.zeros(capacity, np.int8)     # unit kind per row (matcher/features.py)
        self.first = np.zeros(1024, np.int64)        # per slot
        self.count = np.zeros(1024, np.int32)        # per slot; 0 = no rows
        self.graph: Graph | None = None
        self.graph_min_rows = GRAPH_MIN_ROWS

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

    def flush(self) -> None:
        """Push erased or written float32 rows to the file (when file-backed)."""
        self.exact.flush()

    # -- reads --------------------------------------------------------------------------------

    @property
    def live(self) -> int:
        return self.n - self.dead

    @property
    def rows_of(self) -> dict[int, list[int]]:
        """Slot -> its row numbers, for slots that have rows (tests and diagnostics)."""
        slots = np.flatnonzero(self.count)
        return {int(s): list(range(int(self.first[s]), int(self.first[s] + self.count[s]))) for s in slots}

    def rows_of_slot(self, slot: int) -> list[int]:
        if slot >= len(self.count):
            return []
        return list(range(int(self.first[slot]), int(self.first[slot] + self.count[slot])))

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
        rows = self.rows(np.where(known, slots, 0), counts)
        return np.asarray(self.exact.arr[rows]), np.repeat(np.arange(len(slots)), counts), self.kind[rows]

    def rows(self, slots: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
        """All rows of `slots`, slot after slot (`group_starts` gives where each slot begins)."""
        counts = self.count[slots].astype(np.int64) if counts is None else counts
        starts = np.repeat(self.first[slots] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        return starts + np.arange(int(counts.sum()))

    def group_starts(self, slots: np.ndarray) -> np.ndarray:
        """Offsets of each slot's first row in `rows(slots)` (slots all have rows)."""
        counts = self.count[slots].astype(np.int64)
        return np.concatenate([[0], np.cumsum(counts)[:-1]])

    # -- the graph ----------------------------------------------------------------------------

    def graph_due(self) -> bool:
        """Whether sync_graph() has work: rows the graph has not seen, or enough rows for a first graph."""
        if self.graph is None:
            return self.live >= self.graph_min_rows
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

    def needs_compaction(self) -> bool:
        return self.dead > 1024 and self.dead > self.n // 3

"""An HNSW graph over vector rows (hnswlib, inner product), labelled by row number."""
from __future__ import annotations

import os
from pathlib import Path

import hnswlib
import numpy as np

M, EF_CONSTRUCTION, EF_MIN = 16, 100, 64
# A larger graph needs a wider search: on the 1M-profile benchmark (2.67M rows) recall@10 was
# 0.74 at ef 64, 0.87 at 128 and 0.96 at 256 (0.96 at 512 too: the graph's own limit).
EF_LARGE, LARGE_ROWS = 256, 500_000


def ef_for(rows: int) -> int:
    return EF_LARGE if rows > LARGE_ROWS else EF_MIN


class Graph:
    """Rows [0, rows) have been offered to the graph; dead rows are marked deleted, not removed."""

    def __init__(self, dim: int, capacity: int = 1024):
        self.dim = dim
        self.index = hnswlib.Index(space="ip", dim=dim)
        self.index.init_index(max_elements=max(capacity, 1024), M=M, ef_construction=EF_CONSTRUCTION,
                              random_seed=100)
        self.ef = EF_MIN
        self.index.set_ef(self.ef)
        self.rows = 0
        self.live = 0

    def add(self, vecs: np.ndarray, labels: np.ndarray, upto: int) -> None:
        """Add rows `labels` (all < `upto`) and remember that rows below `upto` are covered."""
        if len(labels):
            need = self.index.get_current_count() + len(labels)
            if need > self.index.get_max_elements():
                self.index.resize_index(max(need, 2 * self.index.get_max_elements()))
            # Bulk loads use every core; a single upsert's rows are not worth waking them.
            threads = (os.cpu_count() or 1) if len(labels) > 1000 else 1
            self.index.add_items(vecs, labels, num_threads=threads)
            self.live += len(labels)
            if ef_for(self.live) != self.ef:  # writes hold searches back: no search sees the change
                self.ef = ef_for(self.live)
                self.index.set_ef(self.ef)
        self.rows = max(self.rows, upto)

    def mark_deleted(self, labels) -> None:
        for label in labels:
            if label < self.rows:
                try:
                    self.index.mark_deleted(int(label))
                    self.live -= 1
                except RuntimeError:  # a row that was dead before it reached the graph
                    pass

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray | None:
        """Labels of the ~k nearest rows of each query (flattened); None when the graph cannot answer.

        hnswlib searches with max(ef, k), and ef changes only on writes, so concurrent searches
        never change shared state; asking fewer than ef rows would cost the same and return less.
        With `allowed` (a bool per row), the walk returns only allowed rows, and None when it
        cannot reach k of them.
        """
        k = min(max(k, self.ef), self.live)
        if k <= 0:
            return None
        # hnswlib calls the filter once per row it visits: indexing bytes is the cheapest call.
        keep = None if allowed is None else allowed.tobytes().__getitem__
        try:
            labels, _ = self.index.knn_query(queries, k=k, num_threads=1, filter=keep)
        except RuntimeError:  # fewer live rows than k reachable: the caller scans exactly
            return None
        return labels.ravel()

    def save(self, path: Path) -> None:
        self.index.save_index(str(path))

    @classmethod
    def load(cls, path: Path, dim: int, rows: int, live: int) -> "Graph":
        g = cls.__new__(cls)
        g.dim, g.rows, g.live = dim, rows, live
        g.index = hnswlib.Index(space="ip", dim=dim)
        g.index.load_index(str(path))
        g.ef = ef_for(live)
        g.index.set_ef(g.ef)
        return g

"""An HNSW graph over 8-bit rows (faiss IndexHNSWSQ, inner product); a row's label is its number."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import faiss
import numpy as np

from matcher.backends.embedded.hugepages import collapse

# 32 links a node (64 on the bottom level): at 1M profiles it reaches recall@10 0.99 at ef 256,
# which 16 links miss at any ef, for 1.5x the build time (bench/results.md).
M, EF_CONSTRUCTION, EF_MIN = 32, 100, 64
# A larger graph needs a wider search: at 1M rows ef 64 loses recall (bench/results.md).
EF_LARGE, LARGE_ROWS = 256, 500_000
FILTERED_EF_MAX = 1_024  # the widest filtered walk before the caller scans exactly instead: wider
                         # walks mostly fail as well, and walking to 4,096 costs the partner queries
                         # that walk ~1.8x the time at 100k profiles
TRAIN_ROWS = 50_000   # rows the 8-bit ranges are learned from (per dimension: min and max)


def ef_for(rows: int) -> int:
    return EF_LARGE if rows > LARGE_ROWS else EF_MIN


class Graph:
    """Every row in [0, rows) is a node; rows that are dead are left out by a bit mask.

    faiss numbers nodes in the order they are added, so every row is added, dead ones too
    (as zero vectors), and the node number is the row number. Each row is kept as 384 bytes
    (8 bits a dimension, its range learned from the first rows), a quarter of float32: the
    graph only nominates candidates, and the caller re-scores them exactly.
    """

    def __init__(self, dim: int):
        self.dim = dim
        self.index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, M, faiss.METRIC_INNER_PRODUCT)
        self.index.hnsw.efConstruction = EF_CONSTRUCTION
        self.ef = EF_MIN
        self.rows = 0
        self.live = 0
        self.alive = np.zeros(128, np.uint8)   # one bit a row (little-endian), for faiss's selector

    def add(self, vecs: np.ndarray, alive: np.ndarray) -> None:
        """Append rows [rows, rows + len(vecs)); `alive` says which of them are live."""
        if not len(vecs):
            return
        vecs = np.ascontiguousarray(vecs, np.float32)   # a mapped file's rows stay mapped
        if not self.index.is_trained:
            live = np.flatnonzero(alive)[:TRAIN_ROWS]    # (indexing, not masking: no copy of all rows)
            self.index.train(np.ascontiguousarray(vecs[live] if len(live) else vecs[:TRAIN_ROWS], np.float32))
        # Bulk loads use every core; a single upsert's rows are not worth waking them.
        faiss.omp_set_num_threads((os.cpu_count() or 1) if len(vecs) > 1000 else 1)
        self.index.add(vecs)
        if len(vecs) > 1000:
            self.huge_pages()
        a, self.rows = self.rows, self.rows + len(vecs)
        if self.rows > 8 * len(self.alive):
            grown = np.zeros(max(self.rows // 8 + 1, 2 * len(self.alive)), np.uint8)
            grown[:len(self.alive)] = self.alive
            self.alive = grown
        self._set(a + np.flatnonzero(alive), True)
        self.live += int(np.count_nonzero(alive))
        self.ef = ef_for(self.live)   # writes hold searches back: no search sees the change

    def _set(self, labels: np.ndarray, on: bool) -> None:
        labels = np.asarray(labels, np.int64)
        if on:
            np.bitwise_or.at(self.alive, labels >> 3, (1 << (labels & 7)).astype(np.uint8))
        else:
            np.bitwise_and.at(self.alive, labels >> 3, ~(1 << (labels & 7)).astype(np.uint8))

    def _is_alive(self, labels: np.ndarray) -> np.ndarray:
        return (self.alive[labels >> 3] >> (labels & 7)) & 1 == 1

    def mark_deleted(self, labels) -> None:
        """Leave rows out of every search and overwrite their bytes (erasure reaches the graph)."""
        labels = np.asarray(list(labels), np.int64)
        labels = labels[labels < self.rows]
        labels = labels[self._is_alive(labels)]
        if not len(labels):
            return
        self._set(labels, False)
        self.live -= len(labels)
        self.codes()[labels] = 0

    def codes(self) -> np.ndarray:
        """The rows' 8-bit codes, (rows, dim) uint8, a view into faiss's storage (valid until an add)."""
        codes = faiss.downcast_index(self.index.storage).codes
        return faiss.rev_swig_ptr(codes.data(), codes.size()).reshape(-1, self.dim)

    def decoder(self) -> tuple[np.ndarray, np.ndarray]:
        """(lo, step) per dimension: code c of dimension d decodes to lo[d] + (c + 0.5) * step[d]."""
        trained = faiss.vector_to_array(faiss.downcast_index(self.index.storage).sq.trained)
        return trained[:self.dim], trained[self.dim:] / 255.0

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray | None:
        """Labels of the ~k nearest live rows of each query (flattened); None when the graph cannot answer.

        The search visits max(ef, k) rows whatever k is, so it returns that many. With `allowed`
        (a bool per row), only allowed rows are returned; the filter is a bitmap tested inside
        faiss, so it costs no Python calls. faiss stops once its ef nearest candidates are all
        expanded, allowed or not, so when the filter rejects the query's neighbourhood, ef must
        be wider than that neighbourhood: it doubles until k allowed rows come back, and the
        walk is then made once more at eight times that width, because the first allowed rows found
        lie at the neighbourhood's edge, not nearest the query. Past FILTERED_EF_MAX the answer
        is None: too few allowed rows are reachable at that cost, and the caller scans exactly.
        """
        k = min(max(k, self.ef), self.live)
        if k <= 0:
            return None
        queries = np.ascontiguousarray(queries, np.float32)
        faiss.omp_set_num_threads(1)   # one query's rows: threads would cost more than they save
        if allowed is None:
            labels = self._search(queries, k, max(self.ef, k), self.alive if self.live < self.rows else None)
            return labels[labels >= 0]
        bits = np.packbits(allowed[:self.rows], bitorder="little")
        ef = first = max(self.ef, k)
        while True:
            labels = self._search(queries, k, ef, bits)
            if (labels >= 0).all():
                if ef == first or ef >= FILTERED_EF_MAX:
                    return labels.ravel()
                first = ef = min(8 * ef, FILTERED_EF_MAX)   # once more, wider
                continue
            if ef >= FILTERED_EF_MAX or ef >= self.live:
                return None
            ef = min(2 * ef, FILTERED_EF_MAX)

    def _search(self, queries: np.ndarray, k: int, ef: int, bits: np.ndarray | None) -> np.ndarray:
        """faiss's k labels a query row (-1 where fewer were found), only rows set in `bits` if given."""
        params = faiss.SearchParametersHNSW(efSearch=ef)
        if bits is not None:
            params.sel = faiss.IDSelectorBitmap(self.rows, faiss.swig_ptr(bits))
        return self.index.search(queries, k, params=params)[1]

    def huge_pages(self) -> None:
        """Move the rows' codes and the links onto huge pages, in the background (seconds at
        1M rows; searches go on meanwhile). Rows added one by one later stay on small pages."""
        nb = self.index.hnsw.neighbors
        arrays = [self.codes(), faiss.rev_swig_ptr(nb.data(), nb.size())]

        def run() -> None:
            for a in arrays:
                collapse(a)
        threading.Thread(target=run, daemon=True, name="twinmatch-hugepages").start()

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int, alive: np.ndarray) -> "Graph":
        """The graph saved at `path`; `alive` (a bool per row) gives which of its rows are live."""
        g = cls.__new__(cls)
        g.dim = dim
        g.index = faiss.read_index(str(path))
        g.rows = g.index.ntotal
        padded = np.zeros(8 * (g.rows // 8 + 1), bool)
        padded[:min(len(alive), g.rows)] = alive[:g.rows]
        g.alive = np.packbits(padded, bitorder="little")
        g.live = int(np.count_nonzero(padded))
        g.ef = ef_for(g.live)
        g.huge_pages()
        return g

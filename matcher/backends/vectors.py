"""In-memory vector rows (one per profile text unit) with filtered max-per-profile search.

Search is exact: a filtered subset is scored with one matrix product. At the sizes the
embedded backend serves by default this is both the fastest and the only strategy whose
recall cannot fall under selective filters (see README, design).
"""
from __future__ import annotations

import numpy as np


class VectorRows:
    """Rows of unit vectors, each owned by a profile slot; dead rows are compacted lazily."""

    def __init__(self, dim: int, capacity: int = 1024):
        self.dim = dim
        self.n = 0
        self.vecs = np.zeros((capacity, dim), np.float32)
        self.owner = np.full(capacity, -1, np.int32)
        self.dead = 0
        self.rows_of: dict[int, list[int]] = {}

    def _grow(self, need: int) -> None:
        cap = len(self.owner)
        if need <= cap:
            return
        new = max(need, cap * 2)
        vecs = np.zeros((new, self.dim), np.float32)
        vecs[:cap] = self.vecs
        owner = np.full(new, -1, np.int32)
        owner[:cap] = self.owner
        self.vecs, self.owner = vecs, owner

    def put(self, slot: int, vectors: np.ndarray) -> None:
        """Replace the rows of `slot` with `vectors` (n_units, dim)."""
        self.remove(slot)
        k = len(vectors)
        if not k:
            return
        self._grow(self.n + k)
        self.vecs[self.n:self.n + k] = vectors
        self.owner[self.n:self.n + k] = slot
        self.rows_of[slot] = list(range(self.n, self.n + k))
        self.n += k

    def remove(self, slot: int) -> None:
        rows = self.rows_of.pop(slot, None)
        if rows:
            self.owner[rows] = -1
            self.dead += len(rows)
            if self.dead > 1024 and self.dead > self.n // 3:
                self._compact()

    def _compact(self) -> None:
        keep = np.flatnonzero(self.owner[:self.n] >= 0)
        self.vecs[:len(keep)] = self.vecs[keep]
        self.owner[:len(keep)] = self.owner[keep]
        self.owner[len(keep):self.n] = -1
        self.n, self.dead = len(keep), 0
        self.rows_of = {}
        for row, slot in enumerate(self.owner[:self.n].tolist()):
            self.rows_of.setdefault(slot, []).append(row)

    def search(self, queries: np.ndarray, slot_mask: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top-k slots by max cosine between any query row and any of the slot's rows."""
        owner = self.owner[:self.n]
        live = owner >= 0
        ok = np.zeros(len(owner), bool)
        ok[live] = slot_mask[owner[live]] if len(slot_mask) else False
        rows = np.flatnonzero(ok)
        if not len(rows) or not len(queries):
            return []
        sims = (self.vecs[rows] @ np.atleast_2d(queries).T).max(axis=1)
        owners = owner[rows]
        # max per owner: sort by score descending, keep first occurrence of each owner
        order = np.argsort(-sims, kind="stable")
        _, first = np.unique(owners[order], return_index=True)
        best = order[first]
        top = best[np.argsort(-sims[best], kind="stable")[:k]]
        return [(int(owners[i]), float(sims[i])) for i in top]

    def unit_vectors(self, slot: int) -> np.ndarray:
        rows = self.rows_of.get(slot, [])
        return self.vecs[rows].copy()

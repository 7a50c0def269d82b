"""The embedded backend's in-memory indexes, derived from the store: slots, filter columns, vector rows.

A slot is a small int per stored profile: its row in the columns and the owner of its vector
rows. Changes come from the store (replayed rows, or records just written); the caller holds
the backend's write lock around them and its read lock around every read.
"""
from __future__ import annotations

import json
import sqlite3

import numpy as np

from matcher.backends.embedded import store as sql
from matcher.backends.embedded.columns import Columns
from matcher.backends.embedded.selection import Selection
from matcher.backends.embedded.vectors import VectorRows
from matcher.backends.types import CandidateFilter, Record
from matcher.features import Teachers, unit_kind

_BATCH = 20_000  # rows per step of a replay: bounded memory, numpy-sized work


def kinds(names: list[list[str]]) -> np.ndarray:
    """Per unit row, its kind (matcher/features.py), for many profiles."""
    return np.array([unit_kind(u) for n in names for u in n], np.int8)


class Memory:
    """Slots, columns and vector rows of every stored profile."""

    def __init__(self, dim: int, ids: list[str | None], columns: Columns, vectors: VectorRows):
        self.dim = dim
        self.ids = ids                                   # per slot; None once erased
        self.slot = {pid: i for i, pid in enumerate(ids) if pid is not None}
        self.columns, self.vectors = columns, vectors

    def _slot_for(self, pid: str) -> int:
        slot = self.slot.get(pid)
        if slot is None:
            slot = len(self.ids)
            self.slot[pid] = slot
            self.ids.append(pid)
        return slot

    # -- changes ---------------------------------------------------------------------------

    def replay(self, db: sqlite3.Connection, since: int = -1) -> None:
        """Index every profile the store changed after `since`, with its units, batch by batch."""
        cursor = sql.changes(db, since)
        while batch := cursor.fetchmany(_BATCH):
            slots = []
            for pid, doc, received, answered in batch:
                slot = self._slot_for(pid)
                self.columns.set_doc(slot, json.loads(doc))
                self.columns.set_contacts(slot, received, answered)
                slots.append(slot)
            ids = [row[0] for row in batch]
            got = sql.units(db, ids)
            per = [got.get(pid, []) for pid in ids]
            self.vectors.put_many(np.array(slots), [len(u) for u in per],
                                  sql.matrix([v for u in per for _, v in u], self.dim),
                                  kinds([[name for name, _ in u] for u in per]))

    def put(self, records: list[Record]) -> None:
        """Index records just stored (distinct ids); counters as the store keeps them."""
        slots = []
        c = self.columns
        for r in records:
            known = r.profile.id in self.slot
            slot = self._slot_for(r.profile.id)
            old = (int(c.received[slot]), int(c.answered[slot])) if known else (0, 0)
            c.set(slot, r.profile)
            c.set_contacts(slot, max(old[0], r.received), max(old[1], r.answered))
            slots.append(slot)
        self.vectors.put_many(np.array(slots), [len(r.vectors) for r in records],
                              np.vstack([np.asarray(r.vectors, np.float32).reshape(-1, self.dim)
                                         for r in records]),
                              kinds([r.units for r in records]))

    def set_contacts(self, pid: str, received: int, answered: int) -> None:
        self.columns.set_contacts(self.slot[pid], received, answered)

    def forget(self, ids: list[str]) -> tuple[list[int], list[int]]:
        """Drop profiles (vector rows zeroed, in the file too); returns their slots and rows."""
        slots, rows = [], []
        for pid in ids:
            slot = self.slot.pop(pid, None)
            if slot is None:
                continue
            slots.append(slot)
            rows.extend(self.vectors.rows_of_slot(slot))
            self.columns.clear(slot)
            self.vectors.remove(slot)
            self.ids[slot] = None
        if slots:
            self.vectors.flush()
        return slots, rows

    def forget_missing(self, present: set[str]) -> tuple[list[int], list[int]]:
        """Drop every profile not in `present` (erased without a tombstone), as `forget` does."""
        return self.forget([pid for pid in self.slot if pid not in present])

    # -- reads -----------------------------------------------------------------------------

    def selection(self, flt: CandidateFilter) -> Selection:
        """`flt` bound to the columns as they are now. Each call binds it afresh: what a second
        retrieval leg of the same query recomputes is the selectivity estimate, which costs
        under 0.15 ms at any store size (sampled above 16k profiles), not the mask."""
        return Selection(self.columns, flt, [self.slot[i] for i in flt.exclude_ids if i in self.slot])

    def passing_slots(self, ids: list[str], flt: CandidateFilter) -> np.ndarray:
        """Slots of the stored `ids` that pass `flt`, in `ids` order."""
        slots = np.array([self.slot.get(i, -1) for i in ids], np.int64)
        slots = slots[slots >= 0]
        return slots[self.selection(flt).test(slots)]

    def features(self, ids: list[str], flt: CandidateFilter) -> Teachers:
        """The ranking's view of the stored `ids` that pass `flt`, from the columns and the
        float32 rows: no document is read."""
        slots = self.passing_slots(ids, flt)
        c = self.columns
        vecs, owner, kind = self.vectors.unit_rows(slots)
        return Teachers([self.ids[s] for s in slots], c.country[slots], c.stype[slots], c.tlang[slots],
                        c.langs[slots], c.subjects[slots, 0], c.ages[slots], c.active[slots],
                        c.rate[slots], c.received[slots], c.answered[slots], vecs, owner, kind)

    def filter_ids(self, flt: CandidateFilter, k: int) -> list[str]:
        """Up to `k` ids passing `flt`, most recently active first."""
        slots = np.flatnonzero(self.selection(flt).mask())
        order = slots[np.argsort(-self.columns.active[slots], kind="stable")][:k]
        return [self.ids[s] for s in order]

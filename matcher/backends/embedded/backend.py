"""The embedded default backend: SQLite is the source of truth; numpy, faiss and tantivy are derived.

Layout of the data directory:
    profiles.sqlite   profiles, unit vectors, deletions and a change sequence (WAL, durable; store.py)
    keyword/          tantivy BM25 index, with the last change sequence it holds in `meta` (keyword.py)
    snapshots/        numpy snapshots of the memory: filter columns, ids, vector rows and the
                      HNSW graph, with the change sequence they hold (snapshot.py)

Concurrency: writes run one at a time (`_writing`); searches share `_rw` and are held back only
while a write changes the memory (columns, vectors, graph), not while SQLite or tantivy commit.

A write is acknowledged once its SQLite transaction commits; opening catches every derived
index up with SQLite (recovery.py). Several server processes can share one directory: the
first holds tantivy's writer lock and is the writer; the others open as followers
(`follower=True`, follower.py), which write no file and catch up before each search, so a
write the writer acknowledged is seen by the next search in any process.
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from matcher.backends.base import SearchBackend
from matcher.backends.embedded import keyword_plan, recovery
from matcher.backends.embedded.columns import Columns
from matcher.backends.embedded.follower import Follower
from matcher.backends.embedded.keyword import KeywordIndex
from matcher.backends.embedded.memory import Memory
from matcher.backends.embedded.percolator import Percolator
from matcher.backends.embedded.rwlock import RWLock
from matcher.backends.embedded.snapshot import Snapshots
from matcher.backends.embedded.store import Store
from matcher.backends.embedded.vector_search import VectorSearch
from matcher.backends.embedded.vectors import VectorRows
from matcher.backends.types import Candidate, CandidateFilter, Record
from matcher.errors import BackendUnavailable, InvalidProfile
from matcher.features import Teachers

log = logging.getLogger("twinmatch.embedded")


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, data_dir: Path, dim: int, follower: bool = False):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dim, self.follower = dim, follower
        self._writing = threading.RLock()  # one writer at a time, SQLite and tantivy included
        self._rw = RWLock()                # searches vs changes to the memory
        self.store = Store(self.dir / "profiles.sqlite")
        self.keyword = KeywordIndex(self.dir / "keyword", writer=not follower)  # the writer lock first
        self.snapshots = Snapshots(self.dir / "snapshots")
        self.planner = VectorSearch()
        self._standing = ("", Percolator({}))   # the standing filters as columns, by `standing_changed`
        opened = recovery.open_memory(self.store, self.snapshots, dim, follower)
        self.mem, self.opened_from = opened.memory, opened.source
        self._following: Follower | None = None
        if follower:
            self._following = Follower(self.store, self.keyword, self.mem, opened.seq, opened.marks,
                                       self._writing, self._rw)
            self.keyword.refresh()
        else:
            recovery.recover_keyword(self.store, self.keyword, self.mem)
            self._keyword_caught_up()

    # The memory's parts, for tests and benchmarks.
    @property
    def columns(self) -> Columns:
        return self.mem.columns

    @property
    def vectors(self) -> VectorRows:
        return self.mem.vectors

    @property
    def slot(self) -> dict[str, int]:
        return self.mem.slot

    @property
    def ids(self) -> list[str | None]:
        return self.mem.ids

    def follow(self) -> None:
        """A follower applies what the writer process committed since the last call (cheap when
        nothing changed); the writer's own memory is always current."""
        if self._following is not None:
            self._following.follow()

    def _writable(self) -> None:
        if self.follower:
            raise BackendUnavailable("this process follows another one's writes; send writes to the writer")

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, records: list[Record]) -> None:
        for r in records:
            if r.vectors.ndim != 2 or (len(r.vectors) and r.vectors.shape[1] != self.dim):
                raise InvalidProfile(f"profile {r.profile.id!r}: vectors of shape {r.vectors.shape}, "
                                     f"this index holds {self.dim}-d vectors")
        records = list({r.profile.id: r for r in records}.values())  # the last write of an id wins
        if not records:
            return
        self._writable()
        with self.keyword.arriving(), self._writing:
            self.store.upsert(records)
            with self._rw.write():
                self.mem.put(records)
            ticket = self.keyword.submit([r.profile for r in records], [], self.store.seq)
        # Outside the write lock: writes queued meanwhile share one tantivy commit, and searches
        # go on throughout (tantivy searchers are snapshots).
        self.keyword.wait(ticket)
        self._keyword_caught_up()

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        self._writable()
        with self._writing:
            found = self.store.delete(ids)
            with self._rw.write():
                gone = [pid for pid in ids if pid in self.mem.slot]
                self.snapshots.erase(*self.mem.forget(gone))
            ticket = self.keyword.submit([], gone, self.store.seq)
        self.keyword.wait(ticket)
        self._keyword_caught_up()
        if found and not self.store.empty_wal():
            # A reader (a follower's search) holding an older snapshot past the busy timeout:
            # the next delete, or closing the store, empties it.
            log.warning("the WAL of %s is still in use: erased pages stay in it until the next "
                        "delete or close", self.store.path)
        return found

    def _keyword_caught_up(self) -> None:
        with self._writing:
            self.store.keyword_caught_up(self.keyword.committed_seq)

    def record_contact(self, src: str, dst: str, answered: bool = False) -> None:
        """Count a contact in SQLite and in the columns."""
        self._writable()
        with self._writing:
            row = self.store.record_contact(dst, answered)
            if row is not None:
                with self._rw.write():
                    self.mem.set_contacts(dst, *row)

    def set_meta(self, key: str, value: str) -> None:
        self._writable()
        with self._writing:
            self.store.set_meta(key, value)

    def checkpoint(self) -> bool:
        """Write a snapshot of the memory at the current seq; False if the last one is current."""
        self._writable()
        with self._writing, self._rw.write():
            return self.snapshots.write(self.mem, self.store.seq, self.dim)

    # -- reads ------------------------------------------------------------------------------

    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        return self.store.get_many(ids, self.dim)

    def get_meta(self, key: str) -> str | None:
        return self.store.get_meta(key)

    def put_standing(self, key: str, flt: CandidateFilter) -> None:
        self._writable()
        self.store.put_standing(key, json.dumps(flt.to_json(), sort_keys=True))

    def drop_standing(self, keys: Iterable[str]) -> None:
        self._writable()
        self.store.drop_standing(list(keys))

    def standing_keys(self) -> set[str]:
        return {key for key, _ in self.store.standing()}

    def percolate(self, record: Record) -> set[str]:
        """The stored standing filters as columns (`Percolator`), read again when they change."""
        seen = self.store.standing_changed()
        if seen != self._standing[0]:
            self._standing = (seen, Percolator({key: CandidateFilter.from_json(json.loads(raw))
                                                for key, raw in self.store.standing()}))
        return self._standing[1].matches(record.profile)

    def _build_graph(self) -> None:
        """Build the first graph once the store is big enough. Writes keep an existing graph
        current; the first one waits for a search, so a bulk load or a cold open builds it
        once, from every row, with every core."""
        if self.mem.vectors.graph_due():
            with self._rw.write():
                if self.mem.vectors.graph_due():
                    self.mem.vectors.sync_graph()

    def vector_search(self, queries: np.ndarray, flt: CandidateFilter, k: int) -> list[Candidate]:
        self.follow()
        self._build_graph()
        with self._rw.read():
            hits = self.planner.search(self.mem.vectors, np.asarray(queries, np.float32),
                                       self.mem.selection(flt), k)
            return [Candidate(self.mem.ids[s], score) for s, score in hits]

    def keyword_search(self, text: str, flt: CandidateFilter, k: int,
                       lang: str | None = None) -> list[Candidate]:
        """BM25 with only a cheap part of the filter pushed into tantivy when that is faster
        (keyword_plan.py): the same list as the fully filtered query."""
        if k <= 0:
            return []
        self.follow()
        with self._rw.read():
            share, profiles = self.mem.selection(flt).estimate(), len(self.mem.slot)
        return keyword_plan.search(self.keyword, text, flt, k, lang, share,
                                   lambda ids: self.passing(ids, flt), profiles)

    def keyword_scores(self, record: Record, texts: list[str],
                       langs: list[str | None] | None = None) -> list[float]:
        self.follow()
        return self.keyword.scores(texts, record.profile, langs)

    def passing(self, ids: list[str], flt: CandidateFilter) -> list[str]:
        """From the columns: no document is read."""
        with self._rw.read():
            return [self.mem.ids[s] for s in self.mem.passing_slots(ids, flt)]

    def features(self, ids: list[str], flt: CandidateFilter) -> Teachers:
        """The candidates' features straight from the columns and the float32 rows: no document is read."""
        with self._rw.read():
            return self.mem.features(ids, flt)

    def filter_ids(self, flt: CandidateFilter, k: int) -> list[str]:
        self.follow()
        with self._rw.read():
            return self.mem.filter_ids(flt, k)

    def count(self) -> int:
        self.follow()
        return len(self.mem.slot)

    def scan(self, batch: int = 1000) -> Iterator[list[Record]]:
        ids = self.store.ids()
        for i in range(0, len(ids), batch):
            got = self.get_many(ids[i:i + batch])
            yield [got[pid] for pid in ids[i:i + batch] if pid in got]

    def health(self) -> dict:
        self.store.check()
        return {"backend": self.name, "role": "follower" if self.follower else "writer",
                "profiles": self.count(), "keyword_docs": self.keyword.count()}

    def close(self) -> None:
        """Snapshot what changed (so the next open replays little), then release everything."""
        with self._writing:
            if not self.follower:
                self.checkpoint()
            self.keyword.close()
            self.store.close()

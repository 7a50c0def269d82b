"""The embedded default backend: SQLite is the source of truth; numpy, faiss and tantivy are derived.

Layout of the data directory:
    profiles.sqlite   profiles, unit vectors, deletions and a change sequence (WAL, durable)
    keyword/          tantivy BM25 index, with the last change sequence it holds in `meta`
    snapshots/        numpy snapshots of the filter columns, ids and vector rows, and the
                      HNSW graph, with the change sequence they hold (snapshot.py)

Concurrency: writes run one at a time (`_writing`); searches share `_rw` and are held back only
while a write changes the in-memory columns, vectors and graph, not while SQLite or tantivy
commit. Each reading thread has its own SQLite connection (WAL readers never block the writer).

A write is acknowledged once its SQLite transaction commits. On open the columns and vectors
come from the last snapshot plus every SQLite change newer than its watermark (or from SQLite
alone when there is no usable snapshot), and the keyword index replays every change newer
than its own watermark, so a crash between the stores heals itself on the next start.

Several server processes can share one directory: the first holds tantivy's writer lock and
is the writer; the others open as followers (`follower=True`). A follower never writes a file:
it keeps its float32 rows in memory, and before each search `follow()` replays the changes
the writer committed since (by seq, with a count of deletions that tells it to look for
erased ids) and reloads the keyword searcher when the writer's keyword mark moves. A write
acknowledged by the writer is therefore seen by the next search in any process.
"""
from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from matcher.backends.embedded import snapshot
from matcher.backends.base import SearchBackend
from matcher.backends.types import Candidate, CandidateFilter, Record
from matcher.backends.embedded.columns import Columns, Selection
from matcher.backends.embedded.keyword import KeywordIndex
from matcher.backends.embedded.rwlock import RWLock
from matcher.backends.embedded import vector_files
from matcher.backends.embedded.vector_search import VectorSearch
from matcher.backends.embedded.vectors import VectorRows
from matcher.errors import BackendUnavailable, InvalidProfile
from matcher.features import Teachers, unit_kind
from models import Profile

log = logging.getLogger("twinmatch.embedded")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL,
                                     received INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS profiles_seq ON profiles(seq);
CREATE TABLE IF NOT EXISTS units (id TEXT NOT NULL, ord INTEGER NOT NULL, name TEXT NOT NULL,
                                  vec BLOB NOT NULL, PRIMARY KEY (id, ord));
CREATE TABLE IF NOT EXISTS deleted (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_BATCH = 20_000  # rows per step of a cold load: bounded memory, numpy-sized work
KW_OVERSAMPLE = 2.0        # unfiltered BM25 hits asked per wanted hit, before dividing by selectivity
KW_POST_FILTER_MAX = 400   # above this, the filtered query is cheaper than checking hits
KW_NARROW_ASK = 8          # hits per wanted one when a narrow filter's countries go first


def _cheap_part(flt: CandidateFilter, countries: bool = False) -> CandidateFilter:
    """The filter's exclusions (and its countries if asked): cheap clauses for a first BM25 query."""
    return CandidateFilter(countries=flt.countries if countries else None,
                           exclude_countries=flt.exclude_countries, exclude_schools=flt.exclude_schools,
                           exclude_ids=flt.exclude_ids, open_only=False)


@lru_cache(maxsize=4_096)
def _parse(doc: str) -> Profile:
    """Stored documents were validated on the way in; candidates recur across queries, so
    parsing is cached by the document text (a changed profile has a new text). Callers treat
    the returned profile as read-only.

    Small on purpose: every cached profile is ~15 objects the garbage collector walks. With
    20,000 entries a full collection stalled the process 132 ms, five times in 3,000 partner
    queries at 100k (0.28 ms a query in all); with 4,096, once, 59 ms (0.05 ms a query). A miss
    costs ~13 us a document."""
    return Profile.model_validate_json(doc)


def _kinds(names: list[list[str]]) -> np.ndarray:
    """Per unit row, its kind (matcher/features.py), for many profiles."""
    return np.array([unit_kind(u) for n in names for u in n], np.int8)


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, data_dir: Path, dim: int, follower: bool = False):
        self.dir = Path(data_dir)
        self.follower = follower
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self._writing = threading.RLock()  # one writer at a time, SQLite and tantivy included
        self._rw = RWLock()                # searches vs changes to the in-memory indexes
        self._local = threading.local()
        self._selecting = threading.Lock()
        self._last_selection: tuple | None = None    # (filter, seq, Selection): see _selection
        self._conns: list[sqlite3.Connection] = []
        try:
            self._db = sqlite3.connect(self.dir / "profiles.sqlite", check_same_thread=False,
                                       isolation_level=None)
            self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;" + _SCHEMA)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"cannot open {self.dir / 'profiles.sqlite'}: {exc}") from exc
        self.slot: dict[str, int] = {}
        self.ids: list[str | None] = []
        self.keyword = KeywordIndex(self.dir / "keyword", writer=not follower)  # the writer lock first
        self.snapshots = snapshot.Snapshots(self.dir / "snapshots")
        self._snap: tuple[Path, int] | None = None  # published generation and the seq it holds
        self.opened_from = ""                        # "snapshot" or "sqlite" (tests, bench)
        self.planner = VectorSearch()                # vector search strategies and their thresholds
        self._load()

    # -- startup and recovery -------------------------------------------------------------

    def _load(self) -> None:
        self._marks_seen = self._marks(self._db)  # before loading: what changes later is followed
        seq = self._marks_seen[0]
        dseq = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM deleted").fetchone()[0]
        # Tombstones are purged once applied (erasure), so a floor keeps sequence numbers rising.
        self._seq = max(seq, dseq, int(self.get_meta("seq_floor") or 0))
        cur = self.snapshots.current()
        if cur and cur[1].get("dim") == self.dim and cur[1]["seq"] <= self._seq:
            try:
                self._load_snapshot(*cur)
            except (OSError, ValueError, KeyError, RuntimeError):  # unreadable: start over from SQLite
                cur = None
        else:
            cur = None
        if cur is None:
            if not self.follower:
                self.snapshots.drop()
            self._load_sqlite()
        if self.follower:
            self.keyword.refresh()
        else:
            self._recover_keyword()

    @staticmethod
    def _marks(db: sqlite3.Connection) -> tuple:
        """What a follower compares: the newest profile seq, the keyword mark, the deletion count."""
        return db.execute("SELECT (SELECT COALESCE(MAX(seq), 0) FROM profiles), "
                          "(SELECT value FROM meta WHERE key = 'keyword_seq'), "
                          "(SELECT value FROM meta WHERE key = 'deletions')").fetchone()

    def follow(self) -> None:
        """A follower applies what the writer process committed since the last call; cheap
        (one indexed query) when nothing changed. The writer's own state is always current."""
        if not self.follower or self._marks(self._reader()) == self._marks_seen:
            return
        with self._writing:                  # one catch-up at a time
            self._db.execute("BEGIN")        # one read snapshot: marks, documents and vectors agree
            try:
                marks = self._marks(self._db)
                seq, kseq, dels = marks
                present = None
                if dels != self._marks_seen[2]:  # erasures leave no tombstone: compare ids
                    present = {pid for (pid,) in self._db.execute("SELECT id FROM profiles")}
                with self._rw.write():           # searches wait only while memory changes
                    if seq > self._seq:
                        self._replay(self._db.execute("SELECT id, doc, received, answered FROM profiles "
                                                      "WHERE seq > ? ORDER BY seq", (self._seq,)))
                        self._seq = seq
                    if present is not None:
                        self._forget([pid for pid in self.slot if pid not in present])
            finally:
                self._db.execute("COMMIT")
            if kseq != self._marks_seen[1]:
                try:
                    self.keyword.refresh()
                except ValueError:  # the writer merged a segment away mid-reload: the next search retries
                    marks = (seq, self._marks_seen[1], dels)
            self._marks_seen = marks

    def _writable(self) -> None:
        if self.follower:
            raise BackendUnavailable("this process follows another one's writes; send writes to the writer")

    def _reset(self) -> None:
        self.slot, self.ids = {}, []
        self.columns = Columns()
        self.vectors = VectorRows(self.dim, exact_path=None if self.follower else self.snapshots.fresh() / "exact.f32")
        self._snap = None

    def _load_sqlite(self) -> None:
        """Cold open: every profile and vector from SQLite, in large batches."""
        self._reset()
        self._replay(self._db.execute("SELECT id, doc, received, answered FROM profiles ORDER BY seq"))
        self.opened_from = "sqlite"

    def _load_snapshot(self, d: Path, meta: dict) -> None:
        """Warm open: the snapshot, then SQLite changes newer than its watermark."""
        self.ids = snapshot.load_ids(d)
        self.slot = {pid: i for i, pid in enumerate(self.ids) if pid is not None}
        with np.load(d / "columns.npz") as arrs:
            self.columns = Columns.from_arrays(arrs)
        self.vectors = vector_files.load(d, meta["vectors"], private=self.follower)
        for slot, pid in enumerate(self.ids):  # erased in place since the snapshot was written
            if pid is None and slot < self.columns.n and self.columns.alive[slot]:
                self.columns.clear(slot)
                self.vectors.remove(slot)
        if not self.follower:
            self.snapshots.clean(d)
        self._snap = None if self.follower else (d, meta["seq"])
        self._replay(self._db.execute("SELECT id, doc, received, answered FROM profiles WHERE seq > ? "
                                      "ORDER BY seq", (meta["seq"],)))
        # Deletions newer than the snapshot left no tombstone (erasure): find them by count,
        # and by id only when the counts disagree.
        stored = self._db.execute("SELECT COUNT(*) FROM profiles").fetchone()[0]
        if stored != len(self.slot):
            present = {pid for (pid,) in self._db.execute("SELECT id FROM profiles")}
            self._forget([pid for pid in self.slot if pid not in present])
        self.opened_from = "snapshot"

    def _replay(self, cursor) -> None:
        """Index (id, doc, received, answered) rows into columns and vectors, with their units,
        batch by batch."""
        while True:
            batch = cursor.fetchmany(_BATCH)
            if not batch:
                return
            slots = []
            for pid, doc, received, answered in batch:
                slot = self._slot_for(pid)
                self.columns.set_doc(slot, json.loads(doc))
                self.columns.set_contacts(slot, received, answered)
                slots.append(slot)
            ids = [row[0] for row in batch]
            units: dict[str, list[tuple[str, bytes]]] = {}
            for i in range(0, len(ids), 900):
                chunk = ids[i:i + 900]
                for pid, name, vec in self._db.execute(
                        f"SELECT id, name, vec FROM units WHERE id IN ({','.join('?' * len(chunk))}) "
                        "ORDER BY id, ord", chunk):
                    units.setdefault(pid, []).append((name, vec))
            per = [units.get(pid, []) for pid in ids]
            self.vectors.put_many(np.array(slots), [len(u) for u in per],
                                  self._matrix([v for u in per for _, v in u]),
                                  _kinds([[name for name, _ in u] for u in per]))

    def _slot_for(self, pid: str) -> int:
        slot = self.slot.get(pid)
        if slot is None:
            slot = len(self.ids)
            self.slot[pid] = slot
            self.ids.append(pid)
        return slot

    def _forget(self, ids: list[str]) -> None:
        """Drop profiles from the in-memory indexes (and from the published snapshot's files)."""
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
        if slots and self._snap:  # (a follower has none: it never writes a file)
            snapshot.erase(self._snap[0], slots, rows)
        if slots:
            self.vectors.flush()

    # -- snapshots --------------------------------------------------------------------------

    def checkpoint(self) -> bool:
        """Write a snapshot of the columns, ids, vectors and graph at the current seq; False if current."""
        self._writable()
        with self._writing, self._rw.write():
            if self._snap and self._snap[1] == self._seq:
                return False
            keep = self._snap[0] if self._snap else self.vectors.exact.path.parent
            d = self.snapshots.fresh(keep=keep)
            vectors = self.vectors
            if vectors.needs_compaction():
                vectors = vector_files.compacted(vectors, d / "exact.f32")
            snapshot.save_ids(d, self.ids)
            np.savez(d / "columns.npz", **self.columns.arrays())
            vmeta = vector_files.save(vectors, d)
            self.snapshots.publish(d, {"seq": self._seq, "dim": self.dim, "vectors": vmeta})
            vectors.exact.path = d / "exact.f32"     # the same rows, now named by this generation
            self.vectors, self._snap = vectors, (d, self._seq)
            return True

    def _recover_keyword(self) -> None:
        mark = int(self.get_meta("keyword_seq") or 0)
        if self.keyword.count() != len(self.slot) or mark > self._seq:
            mark = -1  # the index is missing, stale beyond replay, or from another store: rebuild
            self.keyword._writer.delete_all_documents()
        changed = 0
        for (doc,) in self._db.execute("SELECT doc FROM profiles WHERE seq > ?", (mark,)):
            self.keyword.add(Profile.model_validate_json(doc))
            changed += 1
        for (pid,) in self._db.execute("SELECT id FROM deleted WHERE seq > ?", (mark,)):
            if pid not in self.slot:
                self.keyword.remove(pid)
                changed += 1
        if changed or mark < 0:
            self.keyword.commit()
        self.keyword.committed_seq = self._seq
        self._keyword_caught_up()

    def _matrix(self, blobs: list[bytes]) -> np.ndarray:
        return np.frombuffer(b"".join(blobs), np.float32).reshape(len(blobs), self.dim)

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
            rows, units = [], []
            for r in records:
                self._seq += 1
                pid = r.profile.id
                rows.append((pid, r.profile.model_dump_json(by_alias=True), self._seq, r.received, r.answered))
                units.extend((pid, i, name, np.ascontiguousarray(v, np.float32).tobytes())
                             for i, (name, v) in enumerate(zip(r.units, r.vectors)))
            ids = [(r.profile.id,) for r in records]
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    # Counters carried by a record (a migration) are kept; an ordinary profile
                    # update carries zeros and must not reset the contacts already counted.
                    "INSERT INTO profiles (id, doc, seq, received, answered) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, seq = excluded.seq, "
                    "received = MAX(received, excluded.received), answered = MAX(answered, excluded.answered)",
                    rows)
                self._db.executemany("DELETE FROM units WHERE id = ?", ids)
                self._db.executemany("INSERT INTO units (id, ord, name, vec) VALUES (?, ?, ?, ?)", units)
                self._db.executemany("DELETE FROM deleted WHERE id = ?", ids)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            with self._rw.write():
                slots = []
                for r in records:
                    known = r.profile.id in self.slot
                    slot = self._slot_for(r.profile.id)
                    c = self.columns
                    old = (int(c.received[slot]), int(c.answered[slot])) if known else (0, 0)
                    c.set(slot, r.profile)
                    c.set_contacts(slot, max(old[0], r.received), max(old[1], r.answered))  # as the SQL
                    slots.append(slot)
                self.vectors.put_many(np.array(slots), [len(r.vectors) for r in records],
                                      np.vstack([np.asarray(r.vectors, np.float32).reshape(-1, self.dim)
                                                 for r in records]),
                                      _kinds([r.units for r in records]))
            ticket = self.keyword.submit([r.profile for r in records], [], self._seq)
        # Outside the write lock: writes queued meanwhile share one tantivy commit, and searches
        # go on throughout (tantivy searchers are snapshots).
        self.keyword.wait(ticket)
        self._keyword_caught_up()

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        self._writable()
        with self._writing:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                found = 0
                for pid in ids:
                    if self._db.execute("DELETE FROM profiles WHERE id = ?", (pid,)).rowcount:
                        found += 1
                        self._db.execute("DELETE FROM units WHERE id = ?", (pid,))
                        self._seq += 1
                        self._db.execute("INSERT OR REPLACE INTO deleted (id, seq) VALUES (?, ?)",
                                         (pid, self._seq))
                if found:  # followers look for erased ids when this count moves
                    self._db.execute("INSERT INTO meta (key, value) VALUES ('deletions', '1') ON CONFLICT(key) "
                                     "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            with self._rw.write():
                gone = [pid for pid in ids if pid in self.slot]
                self._forget(gone)
            ticket = self.keyword.submit([], gone, self._seq)
        self.keyword.wait(ticket)
        self._keyword_caught_up()
        if found:
            self._empty_wal()
        return found

    def _empty_wal(self) -> None:
        """Checkpoint the WAL into the database and truncate it. `secure_delete` zeroes an erased
        profile's bytes in the database file, but the WAL still holds the pages that carried it
        until SQLite happens to overwrite them; emptying it after a delete leaves no copy. A
        reader (a follower's search) holding an older snapshot past the busy timeout makes it
        a partial checkpoint: the next delete, or closing the store, empties it then."""
        with self._writing:
            busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("the WAL of %s is still in use: erased pages stay in it until the next "
                        "delete or close", self.dir / "profiles.sqlite")

    def _keyword_caught_up(self) -> None:
        """Record how far the keyword index has committed, and drop the tombstones it holds,
        so no row keeps an erased id (replay on open starts after that mark)."""
        with self._writing:
            mark = str(self.keyword.committed_seq)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('keyword_seq', ?)", (mark,))
                # Tombstones are purged, so a floor keeps sequence numbers rising after a restart.
                self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq_floor', ?)",
                                 (str(self._seq),))
                self._db.execute("DELETE FROM deleted WHERE seq <= ?", (mark,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def record_contact(self, src: str, dst: str, answered: bool = False) -> None:
        """Count a contact in SQLite and in the columns; the new seq makes an open replay it."""
        self._writable()
        with self._writing:
            row = self._db.execute("UPDATE profiles SET received = received + 1, answered = answered + ?, "
                                   "seq = ? WHERE id = ? RETURNING received, answered",
                                   (int(answered), self._seq + 1, dst)).fetchone()
            if row is None:
                return
            self._seq += 1
            with self._rw.write():
                self.columns.set_contacts(self.slot[dst], *row)

    # -- reads ------------------------------------------------------------------------------

    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Record] = {}
        units: dict[str, list[tuple[str, bytes]]] = {}
        db = self._reader()
        db.execute("BEGIN")  # one read snapshot: a profile's document and vectors agree
        try:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                q = ",".join("?" * len(chunk))
                for pid, name, vec in db.execute(
                        f"SELECT id, name, vec FROM units WHERE id IN ({q}) ORDER BY id, ord", chunk):
                    units.setdefault(pid, []).append((name, vec))
                for pid, doc, rec, ans in db.execute(
                        f"SELECT id, doc, received, answered FROM profiles WHERE id IN ({q})", chunk):
                    u = units.get(pid, [])
                    vecs = self._matrix([v for _, v in u]) if u else np.zeros((0, self.dim), np.float32)
                    out[pid] = Record(_parse(doc), vecs, [n for n, _ in u], rec, ans)
        finally:
            db.execute("COMMIT")
        return out

    def _reader(self) -> sqlite3.Connection:
        """This thread's read-only connection (WAL: readers see committed data and never block)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.dir / "profiles.sqlite", check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA query_only=ON")
            self._local.db = db
            with self._writing:
                self._conns.append(db)
        return db

    def _selection(self, flt: CandidateFilter) -> Selection:
        """The filter bound to the columns. A partner query passes one filter object to the
        vector search, BM25 (on another thread) and the pool, so the last selection is reused
        for the same object (its estimate and mask are computed once) until a write moves the seq."""
        with self._selecting:
            last = self._last_selection
            if last is not None and last[0] is flt and last[1] == self._seq:
                return last[2]
            sel = Selection(self.columns, flt, [self.slot[i] for i in flt.exclude_ids if i in self.slot])
            self._last_selection = (flt, self._seq, sel)
            return sel

    def _flt_mask(self, flt: CandidateFilter) -> np.ndarray:
        return self._selection(flt).mask()

    def vector_search(self, queries: np.ndarray, flt: CandidateFilter, k: int) -> list[Candidate]:
        self.follow()
        if self.vectors.graph_due():  # the first graph, built once the store is big enough
            with self._rw.write():
                if self.vectors.graph_due():
                    self.vectors.sync_graph()
        with self._rw.read():
            hits = self.planner.search(self.vectors, np.asarray(queries, np.float32), self._selection(flt), k)
            return [Candidate(self.ids[s], score) for s, score in hits]

    def keyword_search(self, text: str, flt: CandidateFilter, k: int,
                       lang: str | None = None) -> list[Candidate]:
        """BM25 with only a cheap part of the filter pushed into tantivy, checked against the
        filter columns; the fully filtered query (its clauses intersect long posting lists: 2x
        the time at 100k, 4x at 1M) runs only when too few of those hits pass. Every path
        gives the same list: filter clauses add nothing to the score.

        - A broad filter: its exclusions only, a few times k over its share. A partner query
          excludes the teacher's own country, where most texts in their language are: at 1M,
          without the exclusions half the partner queries found too few hits and ran the
          filtered query as well (tantivy's time per partner query 14.2 -> 9.8 ms).
        - A narrow filter with countries: the countries and exclusions, 8k hits. A partner
          query's ages, languages and open flag cost more to intersect than to check: at 1M
          with Sweden 11.8 -> 4.8 ms for the first query, too few hits in 11 of 60.
        """
        if k <= 0:
            return []
        self.follow()
        with self._rw.read():
            sel = self._selection(flt)
            ask = math.ceil(KW_OVERSAMPLE * k / max(sel.estimate(), 1e-6))
        first = None
        if ask <= KW_POST_FILTER_MAX:
            first = _cheap_part(flt)
        elif flt.countries is not None:
            first, ask = _cheap_part(flt, countries=True), KW_NARROW_ASK * k
        if first is not None:
            hits = self.keyword.search(text, first, ask, lang)
            ok = set(self.passing([pid for pid, _ in hits], flt))
            passed = [Candidate(pid, score) for pid, score in hits if pid in ok]
            if len(passed) >= k or len(hits) < ask:  # enough, or nothing else matched at all
                return passed[:k]
        return [Candidate(pid, score) for pid, score in self.keyword.search(text, flt, k, lang)]

    def _passing_slots(self, ids: list[str], flt: CandidateFilter) -> np.ndarray:
        """Slots of the stored `ids` that pass `flt`, in `ids` order (the caller holds a read lock)."""
        slots = np.array([self.slot.get(i, -1) for i in ids], np.int64)
        slots = slots[slots >= 0]
        return slots[self._selection(flt).test(slots)]

    def passing(self, ids: list[str], flt: CandidateFilter) -> list[str]:
        """From the columns: no document is read."""
        with self._rw.read():
            return [self.ids[s] for s in self._passing_slots(ids, flt)]

    def features(self, ids: list[str], flt: CandidateFilter) -> Teachers:
        """The candidates' features straight from the columns and the float32 rows: no document is read."""
        with self._rw.read():
            slots = self._passing_slots(ids, flt)
            c = self.columns
            vecs, owner, kind = self.vectors.unit_rows(slots)
            return Teachers([self.ids[s] for s in slots], c.country[slots], c.stype[slots], c.tlang[slots],
                            c.langs[slots], c.subjects[slots, 0], c.ages[slots], c.active[slots],
                            c.rate[slots], c.received[slots], c.answered[slots], vecs, owner, kind)

    def filter_ids(self, flt: CandidateFilter, k: int) -> list[str]:
        self.follow()
        with self._rw.read():
            slots = np.flatnonzero(self._flt_mask(flt))
            order = slots[np.argsort(-self.columns.active[slots], kind="stable")][:k]
            return [self.ids[s] for s in order]

    def count(self) -> int:
        self.follow()
        return len(self.slot)

    def scan(self, batch: int = 1000) -> Iterator[list[Record]]:
        ids = [pid for (pid,) in self._reader().execute("SELECT id FROM profiles ORDER BY id")]
        for i in range(0, len(ids), batch):
            got = self.get_many(ids[i:i + batch])
            yield [got[pid] for pid in ids[i:i + batch] if pid in got]

    def get_meta(self, key: str) -> str | None:
        row = self._reader().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._writable()
        with self._writing:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def health(self) -> dict:
        try:
            self._db.execute("SELECT 1").fetchone()         # the writer's connection
            self._reader().execute("SELECT 1").fetchone()   # and this thread's reader
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"embedded store unreadable: {exc}") from exc
        return {"backend": self.name, "role": "follower" if self.follower else "writer",
                "profiles": self.count(), "keyword_docs": self.keyword.count()}

    def close(self) -> None:
        """Snapshot what changed (so the next open replays little), then release everything."""
        with self._writing:
            if not self.follower:
                self.checkpoint()
            self.keyword.close()
            for db in self._conns:
                db.close()
            self._db.close()

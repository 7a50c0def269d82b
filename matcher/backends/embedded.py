"""The embedded default backend: SQLite is the source of truth; numpy and tantivy are derived indexes.

Layout of the data directory:
    profiles.sqlite   profiles, unit vectors, deletions and a change sequence (WAL, durable)
    keyword/          tantivy BM25 index, with the last change sequence it holds in `meta`

A write is acknowledged once its SQLite transaction commits. The in-memory columns and
vectors are rebuilt from SQLite on open, and the keyword index replays every change newer
than its watermark, so a crash between the two stores heals itself on the next start.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from matcher.backends.base import Candidate, CandidateFilter, Record, SearchBackend
from matcher.backends.columns import Columns
from matcher.backends.keyword import KeywordIndex
from matcher.backends.vectors import VectorRows
from matcher.errors import BackendUnavailable, InvalidProfile
from models import Profile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL,
                                     received INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS profiles_seq ON profiles(seq);
CREATE TABLE IF NOT EXISTS units (id TEXT NOT NULL, ord INTEGER NOT NULL, name TEXT NOT NULL,
                                  vec BLOB NOT NULL, PRIMARY KEY (id, ord));
CREATE TABLE IF NOT EXISTS deleted (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, data_dir: Path, dim: int):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.dir / "profiles.sqlite", check_same_thread=False,
                                       isolation_level=None)
            self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;" + _SCHEMA)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"cannot open {self.dir / 'profiles.sqlite'}: {exc}") from exc
        self.columns = Columns()
        self.vectors = VectorRows(dim)
        self.slot: dict[str, int] = {}
        self.ids: list[str | None] = []
        self.keyword = KeywordIndex(self.dir / "keyword")
        self._load()

    # -- startup and recovery -------------------------------------------------------------

    def _load(self) -> None:
        seq = 0
        for pid, doc, s in self._db.execute("SELECT id, doc, seq FROM profiles"):
            self._index_columns(Profile.model_validate_json(doc))
            seq = max(seq, s)
        rows: dict[str, list[bytes]] = {}
        for pid, vec in self._db.execute("SELECT id, vec FROM units ORDER BY id, ord"):
            rows.setdefault(pid, []).append(vec)
        for pid, vecs in rows.items():
            if pid in self.slot:
                self.vectors.put(self.slot[pid], self._matrix(vecs))
        dseq = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM deleted").fetchone()[0]
        # Tombstones are purged once applied (erasure), so a floor keeps sequence numbers rising.
        self._seq = max(seq, dseq, int(self.get_meta("seq_floor") or 0))
        self._recover_keyword()

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
        self.set_meta("keyword_seq", str(self._seq))
        self._purge_tombstones()

    @staticmethod
    def _matrix(blobs: list[bytes]) -> np.ndarray:
        return np.vstack([np.frombuffer(b, np.float32) for b in blobs])

    def _index_columns(self, p: Profile) -> int:
        slot = self.slot.get(p.id)
        if slot is None:
            slot = len(self.ids)
            self.slot[p.id] = slot
            self.ids.append(p.id)
        self.columns.set(slot, p)
        return slot

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, records: list[Record]) -> None:
        for r in records:
            if r.vectors.ndim != 2 or (len(r.vectors) and r.vectors.shape[1] != self.dim):
                raise InvalidProfile(f"profile {r.profile.id!r}: vectors of shape {r.vectors.shape}, "
                                     f"this index holds {self.dim}-d vectors")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for r in records:
                    self._seq += 1
                    pid = r.profile.id
                    self._db.execute(
                        "INSERT INTO profiles (id, doc, seq) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE "
                        "SET doc = excluded.doc, seq = excluded.seq",
                        (pid, r.profile.model_dump_json(by_alias=True), self._seq))
                    self._db.execute("DELETE FROM units WHERE id = ?", (pid,))
                    self._db.executemany(
                        "INSERT INTO units (id, ord, name, vec) VALUES (?, ?, ?, ?)",
                        [(pid, i, name, np.ascontiguousarray(v, np.float32).tobytes())
                         for i, (name, v) in enumerate(zip(r.units, r.vectors))])
                    self._db.execute("DELETE FROM deleted WHERE id = ?", (pid,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            for r in records:
                slot = self._index_columns(r.profile)
                self.vectors.put(slot, np.asarray(r.vectors, np.float32))
                self.keyword.add(r.profile)
            self.keyword.commit()
            self.set_meta("keyword_seq", str(self._seq))

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        with self._lock:
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
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            for pid in ids:
                slot = self.slot.get(pid)
                if slot is not None:
                    self.columns.clear(slot)
                    self.vectors.remove(slot)
                    del self.slot[pid]
                    self.ids[slot] = None
                    self.keyword.remove(pid)
            self.keyword.commit()
            self.set_meta("keyword_seq", str(self._seq))
            self._purge_tombstones()
            return found

    def _purge_tombstones(self) -> None:
        """The keyword index holds every deletion now: drop the tombstones, so no row keeps an erased id."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq_floor', ?)", (str(self._seq),))
            self._db.execute("DELETE FROM deleted WHERE seq <= ?", (self._seq,))
            self._db.execute("COMMIT")

    def record_contact(self, src: str, dst: str, answered: bool = False) -> None:
        with self._lock:
            self._db.execute("UPDATE profiles SET received = received + 1, answered = answered + ? "
                             "WHERE id = ?", (int(answered), dst))

    # -- reads ------------------------------------------------------------------------------

    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Record] = {}
        units: dict[str, list[tuple[str, bytes]]] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                q = ",".join("?" * len(chunk))
                for pid, name, vec in self._db.execute(
                        f"SELECT id, name, vec FROM units WHERE id IN ({q}) ORDER BY id, ord", chunk):
                    units.setdefault(pid, []).append((name, vec))
                for pid, doc, rec, ans in self._db.execute(
                        f"SELECT id, doc, received, answered FROM profiles WHERE id IN ({q})", chunk):
                    u = units.get(pid, [])
                    vecs = self._matrix([v for _, v in u]) if u else np.zeros((0, self.dim), np.float32)
                    out[pid] = Record(Profile.model_validate_json(doc), vecs, [n for n, _ in u], rec, ans)
        return out

    def _flt_mask(self, flt: CandidateFilter) -> np.ndarray:
        return self.columns.mask(flt, [self.slot[i] for i in flt.exclude_ids if i in self.slot])

    def vector_search(self, queries: np.ndarray, flt: CandidateFilter, k: int) -> list[Candidate]:
        with self._lock:
            hits = self.vectors.search(np.asarray(queries, np.float32), self._flt_mask(flt), k)
            return [Candidate(self.ids[s], score) for s, score in hits]

    def keyword_search(self, text: str, flt: CandidateFilter, k: int) -> list[Candidate]:
        return [Candidate(pid, score) for pid, score in self.keyword.search(text, flt, k)]

    def filter_ids(self, flt: CandidateFilter, k: int) -> list[str]:
        with self._lock:
            slots = np.flatnonzero(self._flt_mask(flt))
            order = slots[np.argsort(-self.columns.active[slots], kind="stable")][:k]
            return [self.ids[s] for s in order]

    def count(self) -> int:
        return len(self.slot)

    def scan(self, batch: int = 1000) -> Iterator[list[Record]]:
        ids = [pid for (pid,) in self._db.execute("SELECT id FROM profiles ORDER BY id")]
        for i in range(0, len(ids), batch):
            got = self.get_many(ids[i:i + batch])
            yield [got[pid] for pid in ids[i:i + batch] if pid in got]

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def health(self) -> dict:
        try:
            self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"embedded store unreadable: {exc}") from exc
        return {"backend": self.name, "profiles": self.count(), "keyword_docs": self.keyword.count()}

    def close(self) -> None:
        with self._lock:
            self.keyword.close()
            self._db.close()

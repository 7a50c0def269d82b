"""The SQLite store, the embedded backend's source of truth: profiles, unit vectors, deletions, meta.

Every change takes the next number of one change sequence (`seq`), kept with the row it
changed, so the derived indexes replay what is newer than their own watermark. Writes go
through one connection, each in one `transaction` (matcher/sqlite.py); every reading thread
has its own read-only connection (WAL readers see committed data and never block the writer).
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from matcher.backends.types import Record
from matcher.errors import BackendUnavailable
from matcher.sqlite import transaction
from models import Profile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, doc TEXT NOT NULL, seq INTEGER NOT NULL,
                                     received INTEGER NOT NULL DEFAULT 0, answered INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS profiles_seq ON profiles(seq);
CREATE TABLE IF NOT EXISTS units (id TEXT NOT NULL, ord INTEGER NOT NULL, name TEXT NOT NULL,
                                  vec BLOB NOT NULL, PRIMARY KEY (id, ord));
CREATE TABLE IF NOT EXISTS deleted (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS standing (key TEXT PRIMARY KEY, filter TEXT NOT NULL);
"""
_STANDING_CHANGED = ("INSERT INTO meta (key, value) VALUES ('standing_seq', '1') ON CONFLICT(key) "
                     "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
_CHUNK = 500   # ids per `IN (...)` query, below SQLite's limit on parameters
ROW = "id, doc, received, answered"   # the columns `changes` yields, in this order


@lru_cache(maxsize=4_096)
def parse(doc: str) -> Profile:
    """Stored documents were validated on the way in; candidates recur across queries, so
    parsing is cached by the document text (a changed profile has a new text). Callers treat
    the returned profile as read-only.

    Small on purpose: every cached profile is ~15 objects the garbage collector walks, and
    full collections grow with the cache (at 4,096 entries, ~0.05 ms a partner query at 100k
    profiles). A miss costs ~13 us a document."""
    return Profile.model_validate_json(doc)


def marks(db: sqlite3.Connection) -> tuple:
    """What a follower compares: the newest profile seq, the keyword mark, the deletion count."""
    return db.execute("SELECT (SELECT COALESCE(MAX(seq), 0) FROM profiles), "
                      "(SELECT value FROM meta WHERE key = 'keyword_seq'), "
                      "(SELECT value FROM meta WHERE key = 'deletions')").fetchone()


def last_seq(db: sqlite3.Connection) -> int:
    """The newest seq any change took. Tombstones are purged once the keyword index holds
    them, so a floor kept in meta keeps sequence numbers rising after a restart."""
    return db.execute("SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM profiles), "
                      "(SELECT COALESCE(MAX(seq), 0) FROM deleted), "
                      "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq_floor'), 0))"
                      ).fetchone()[0]


def changes(db: sqlite3.Connection, since: int = -1) -> sqlite3.Cursor:
    """(id, doc, received, answered) of every profile changed after `since`, in seq order."""
    return db.execute(f"SELECT {ROW} FROM profiles WHERE seq > ? ORDER BY seq", (since,))


def units(db: sqlite3.Connection, ids: list[str]) -> dict[str, list[tuple[str, bytes]]]:
    """(unit name, float32 vector bytes) of each of `ids`, in unit order."""
    out: dict[str, list[tuple[str, bytes]]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for pid, name, vec in db.execute(f"SELECT id, name, vec FROM units WHERE id IN "
                                         f"({','.join('?' * len(chunk))}) ORDER BY id, ord", chunk):
            out.setdefault(pid, []).append((name, vec))
    return out


def docs(db: sqlite3.Connection, since: int) -> Iterator[str]:
    """The document of every profile changed after `since`, in table order."""
    return (doc for (doc,) in db.execute("SELECT doc FROM profiles WHERE seq > ?", (since,)))


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT COUNT(*) FROM profiles").fetchone()[0]


def present(db: sqlite3.Connection) -> set[str]:
    """Every stored profile id (erasures leave no tombstone: followers compare ids)."""
    return {pid for (pid,) in db.execute("SELECT id FROM profiles")}


def matrix(blobs: list[bytes], dim: int) -> np.ndarray:
    """float32 rows from their stored bytes."""
    return np.frombuffer(b"".join(blobs), np.float32).reshape(len(blobs), dim)


class Store:
    """The database file: one writing connection, one reading connection per thread."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.RLock()       # the writing connection: one statement or transaction at a time
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        # Reads in flight, so that `close` never closes a connection another thread is reading
        # through: SQLite's connection is not safe to close while a statement runs on it.
        self._idle = threading.Condition()
        self._reading = 0
        self._closed = False
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                   "PRAGMA secure_delete=ON;" + _SCHEMA)
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"cannot open {path}: {exc}") from exc
        self.seq = last_seq(self._db)        # the last seq a change of this process took

    def reader(self) -> sqlite3.Connection:
        """This thread's read-only connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA query_only=ON")
            self._local.db = db
            with self._lock:
                self._readers.append(db)
        return db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's reader, counted as in use until the block ends; BackendUnavailable once
        the store is closed."""
        with self._idle:
            if self._closed:
                raise BackendUnavailable(f"{self.path} is closed")
            self._reading += 1
        try:
            yield self.reader()
        finally:
            with self._idle:
                self._reading -= 1
                self._idle.notify_all()

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """This thread's reader inside one read transaction: every query sees one committed state."""
        with self.reading() as db, transaction(db, "BEGIN"):
            yield db

    # -- writes (the caller keeps writers apart, and memory in step) -------------------------

    def upsert(self, records: list[Record]) -> None:
        """Store records (distinct ids), each under the next seq; durable on return."""
        rows, vecs, seq = [], [], self.seq
        for r in records:
            seq += 1
            pid = r.profile.id
            rows.append((pid, r.profile.model_dump_json(by_alias=True), seq, r.received, r.answered))
            vecs.extend((pid, i, name, np.ascontiguousarray(v, np.float32).tobytes())
                        for i, (name, v) in enumerate(zip(r.units, r.vectors)))
        ids = [(r.profile.id,) for r in records]
        with self._lock, transaction(self._db) as db:
            db.executemany(
                # Counters carried by a record (a migration) are kept; an ordinary profile
                # update carries zeros and must not reset the contacts already counted.
                "INSERT INTO profiles (id, doc, seq, received, answered) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, seq = excluded.seq, "
                "received = MAX(received, excluded.received), answered = MAX(answered, excluded.answered)",
                rows)
            db.executemany("DELETE FROM units WHERE id = ?", ids)
            db.executemany("INSERT INTO units (id, ord, name, vec) VALUES (?, ?, ?, ?)", vecs)
            db.executemany("DELETE FROM deleted WHERE id = ?", ids)
            self.seq = seq

    def delete(self, ids: list[str]) -> int:
        """Erase profiles and their vectors, leaving a tombstone each; returns how many existed."""
        with self._lock, transaction(self._db) as db:
            found, seq = 0, self.seq
            for pid in ids:
                if db.execute("DELETE FROM profiles WHERE id = ?", (pid,)).rowcount:
                    found += 1
                    seq += 1
                    db.execute("DELETE FROM units WHERE id = ?", (pid,))
                    db.execute("INSERT OR REPLACE INTO deleted (id, seq) VALUES (?, ?)", (pid, seq))
            if found:  # followers look for erased ids when this count moves
                db.execute("INSERT INTO meta (key, value) VALUES ('deletions', '1') ON CONFLICT(key) "
                           "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
            self.seq = seq
        return found

    def record_contact(self, dst: str, answered: bool) -> tuple[int, int] | None:
        """Count a contact received by `dst`; its new (received, answered), or None if unknown.
        The new seq makes an open replay the profile."""
        with self._lock:
            row = self._db.execute("UPDATE profiles SET received = received + 1, answered = answered + ?, "
                                   "seq = ? WHERE id = ? RETURNING received, answered",
                                   (int(answered), self.seq + 1, dst)).fetchone()
            if row is not None:
                self.seq += 1
            return row

    def keyword_caught_up(self, mark: int) -> None:
        """Record how far the keyword index has committed, and drop the tombstones it holds,
        so no row keeps an erased id (its replay on open starts after that mark)."""
        with self._lock, transaction(self._db) as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('keyword_seq', ?)", (str(mark),))
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq_floor', ?)", (str(self.seq),))
            db.execute("DELETE FROM deleted WHERE seq <= ?", (mark,))

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def put_standing(self, key: str, flt: str) -> None:
        with self._lock, transaction(self._db) as db:
            db.execute("INSERT OR REPLACE INTO standing (key, filter) VALUES (?, ?)", (key, flt))
            db.execute(_STANDING_CHANGED)

    def drop_standing(self, keys: list[str]) -> None:
        with self._lock, transaction(self._db) as db:
            db.executemany("DELETE FROM standing WHERE key = ?", [(k,) for k in keys])
            db.execute(_STANDING_CHANGED)

    def standing(self) -> list[tuple[str, str]]:
        with self.reading() as db:
            return db.execute("SELECT key, filter FROM standing").fetchall()

    def standing_changed(self) -> str:
        """How many times the standing filters have changed, as a token: read it before
        `standing()`, and the rows are at least that new."""
        return self.get_meta("standing_seq") or "0"

    def empty_wal(self) -> bool:
        """Checkpoint the WAL into the database file and truncate it; False while a reader
        holding an older snapshot keeps part of it. `secure_delete` zeroes an erased profile's
        bytes in the database file, but the WAL keeps the pages that carried it until SQLite
        overwrites them: emptying it after a delete leaves no copy."""
        with self._lock:
            busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    # -- reads -----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self.reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def get_many(self, ids: Iterable[str], dim: int) -> dict[str, Record]:
        """Records by id, each document and its vectors from one committed state."""
        ids = list(dict.fromkeys(ids))
        out: dict[str, Record] = {}
        with self.snapshot() as db:
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i:i + _CHUNK]
                got = units(db, chunk)
                for pid, doc, rec, ans in db.execute(
                        f"SELECT {ROW} FROM profiles WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                    u = got.get(pid, [])
                    vecs = matrix([v for _, v in u], dim) if u else np.zeros((0, dim), np.float32)
                    out[pid] = Record(parse(doc), vecs, [n for n, _ in u], rec, ans)
        return out

    def ids(self) -> list[str]:
        """Every stored id, in id order."""
        with self.reading() as db:
            return [pid for (pid,) in db.execute("SELECT id FROM profiles ORDER BY id")]

    def deleted_since(self, since: int) -> list[str]:
        """Ids with a tombstone newer than `since`."""
        with self.reading() as db:
            return [pid for (pid,) in db.execute("SELECT id FROM deleted WHERE seq > ?", (since,))]

    def check(self) -> None:
        """Raise BackendUnavailable when either connection this thread uses cannot read."""
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
            with self.reading() as db:
                db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise BackendUnavailable(f"embedded store unreadable: {exc}") from exc

    def close(self) -> None:
        """Close every connection once the reads in flight have ended; later reads raise
        BackendUnavailable."""
        with self._idle:
            self._closed = True
            self._idle.wait_for(lambda: self._reading == 0)
        with self._lock:
            for db in self._readers:
                db.close()
            self._db.close()

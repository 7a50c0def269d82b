"""Alerts on disk: subscriptions, saved searches, pending arrivals, the outbox and webhook deliveries.

One SQLite file, <data_dir>/alerts.sqlite, in WAL mode with synchronous=FULL, so a committed row
survives a kill -9. Every step that must not be lost or doubled is one transaction:
an arrival is queued before its profile is written, and its alerts are inserted and the
arrival removed together; an alert is unique by (kind, recipient, newcomer), so matching the
same arrival twice inserts nothing new; a webhook delivery row is created with its alert.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from matcher.errors import SavedSearchNotFound, SubscriptionNotFound
from matcher.sqlite import transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
  profile_id TEXT PRIMARY KEY, owner TEXT NOT NULL, frequency TEXT NOT NULL,
  max_per_digest INTEGER NOT NULL, k INTEGER NOT NULL, kth REAL, created REAL NOT NULL,
  acked REAL NOT NULL, reach_vec REAL, reach_kw REAL, changed INTEGER NOT NULL DEFAULT 0, links TEXT);
CREATE INDEX IF NOT EXISTS subscriptions_owner ON subscriptions(owner);
CREATE TABLE IF NOT EXISTS searches (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, request TEXT NOT NULL, frequency TEXT NOT NULL,
  max_per_digest INTEGER NOT NULL, created REAL NOT NULL, acked REAL NOT NULL,
  probe BLOB, scores BLOB, join_at REAL, reach_vec REAL, reach_kw REAL);
CREATE INDEX IF NOT EXISTS searches_owner ON searches(owner);
CREATE TABLE IF NOT EXISTS arrivals (profile_id TEXT PRIMARY KEY, queued REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, recipient TEXT NOT NULL, owner TEXT NOT NULL,
  newcomer TEXT NOT NULL, score REAL NOT NULL, reasons TEXT NOT NULL, created REAL NOT NULL,
  UNIQUE (kind, recipient, newcomer));
CREATE INDEX IF NOT EXISTS outbox_newcomer ON outbox(newcomer);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox(created);
CREATE TABLE IF NOT EXISTS webhooks (owner TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  alert_id TEXT PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE, owner TEXT NOT NULL,
  status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL,
  last_error TEXT, sent REAL);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Subscription:
    profile_id: str
    owner: str
    frequency: str
    max_per_digest: int
    k: int
    kth: float | None
    created: float
    acked: float
    # What a profile needs to enter the subscriber's candidate pool, from its latest partner
    # list (matcher.service.Reach): the vector leg's least cosine and the keyword leg's least
    # BM25 score. None until measured.
    reach_vec: float | None = None
    reach_kw: float | None = None
    changed: int = 0       # `AlertStore.subscribers_changed()` when it or its profile last changed
    # Its best candidates by the pair model and their probabilities, as JSON [[id, p], ...]
    # (matcher/bridges.py): what a newcomer's score in its list needs besides the pair's own.
    links: str | None = None


# A subscriber's figures from its latest partner list: its k-th partner's score, reach_vec,
# reach_kw and links.
Standing = tuple[float, float, float, str]


def _changed(profile_id: str) -> list[tuple[str, tuple]]:
    """Count a change to who subscribes or to a subscriber's own profile, and mark the row with
    the count, so that a process keeping the subscribers' vector queries in memory reads only
    what changed since it last looked (matcher/alerts/match.py)."""
    return [("INSERT INTO meta VALUES ('subscribers', '1') ON CONFLICT(key) "
             "DO UPDATE SET value=CAST(value AS INTEGER) + 1", ()),
            ("UPDATE subscriptions SET changed=(SELECT CAST(value AS INTEGER) FROM meta "
             "WHERE key='subscribers') WHERE profile_id=?", (profile_id,))]


@dataclass(frozen=True)
class SavedSearch:
    id: str
    owner: str
    request: dict          # a SearchRequest as JSON: text, filters, k, lang
    frequency: str
    max_per_digest: int
    created: float
    acked: float
    # The bound of its alert check, from its last run (matcher/alerts/saved_searches.py): the text's
    # expanded and own vectors as float32 bytes, its candidates' model probabilities and BM25
    # scores as float32 pairs, the cosine that joins its feedback, and the least cosine and BM25
    # that entered its pool. None for a search that names a teacher.
    probe: bytes | None = None
    scores: bytes | None = None
    join_at: float | None = None
    reach_vec: float | None = None
    reach_kw: float | None = None


@dataclass(frozen=True)
class Alert:
    id: str
    kind: str              # "profile" (a subscribed teacher) or "search" (a saved search)
    recipient: str         # the subscribed profile's id, or the saved search's id
    owner: str
    newcomer: str
    score: float
    reasons: list[dict]
    created: float


def alert_id(kind: str, recipient: str, newcomer: str) -> str:
    """Stable across retries and restarts: webhook receivers deduplicate on it."""
    return hashlib.sha256(f"{kind}\0{recipient}\0{newcomer}".encode()).hexdigest()[:24]


class AlertStore:
    def __init__(self, data_dir: Path):
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / "alerts.sqlite"
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self.standing_synced = False   # the backend's standing filters checked against the searches
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            have = {r["name"] for r in self._db.execute("PRAGMA table_info(searches)")}
            for column, kind in (("probe", "BLOB"), ("scores", "BLOB"), ("join_at", "REAL"),
                                 ("reach_vec", "REAL"), ("reach_kw", "REAL")):
                if column not in have:                                     # files written before the bound
                    self._db.execute(f"ALTER TABLE searches ADD COLUMN {column} {kind}")
            for column in {"kth", "kw_best"} & have:   # the bound before the candidates' scores
                self._db.execute(f"ALTER TABLE searches DROP COLUMN {column}")
            have = {r["name"] for r in self._db.execute("PRAGMA table_info(subscriptions)")}
            for column, kind in (("reach_vec", "REAL"), ("reach_kw", "REAL"),     # files written before reach
                                 ("changed", "INTEGER NOT NULL DEFAULT 0"), ("links", "TEXT")):
                if column not in have:
                    self._db.execute(f"ALTER TABLE subscriptions ADD COLUMN {column} {kind}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _q(self, sql: str, args=()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _tx(self, statements: list[tuple[str, tuple]]) -> None:
        with self._lock, transaction(self._db) as db:
            for sql, args in statements:
                db.execute(sql, args)

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(self, profile_id: str, owner: str, frequency: str, max_per_digest: int, k: int,
                  kth: float | None, reach: tuple[float, float] | None = None,
                  links: str | None = None) -> Subscription:
        now = time.time()
        vec, kw = reach or (None, None)
        self._tx([("INSERT INTO subscriptions (profile_id, owner, frequency, max_per_digest, k, kth, created, "
                   "acked, reach_vec, reach_kw, links) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(profile_id) "
                   "DO UPDATE SET owner=excluded.owner, frequency=excluded.frequency, max_per_digest="
                   "excluded.max_per_digest, k=excluded.k, kth=excluded.kth, reach_vec=excluded.reach_vec, "
                   "reach_kw=excluded.reach_kw, links=excluded.links",
                   (profile_id, owner, frequency, max_per_digest, k, kth, now, now, vec, kw, links)),
                  *_changed(profile_id)])
        return self.subscription(profile_id)

    def subscription(self, profile_id: str) -> Subscription:
        rows = self._q("SELECT * FROM subscriptions WHERE profile_id=?", (profile_id,))
        if not rows:
            raise SubscriptionNotFound(profile_id)
        return Subscription(**dict(rows[0]))

    def subscriptions(self, ids: list[str] | None = None, owner: str | None = None) -> dict[str, Subscription]:
        if ids is not None:
            out = {}
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                rows = self._q(f"SELECT * FROM subscriptions WHERE profile_id IN ({','.join('?' * len(chunk))})",
                               tuple(chunk))
                out.update({r["profile_id"]: Subscription(**dict(r)) for r in rows})
            return out
        rows = self._q("SELECT * FROM subscriptions" + (" WHERE owner=?" if owner else ""), (owner,) if owner else ())
        return {r["profile_id"]: Subscription(**dict(r)) for r in rows}

    def unsubscribe(self, profile_id: str) -> None:
        self.subscription(profile_id)
        self._tx([("DELETE FROM subscriptions WHERE profile_id=?", (profile_id,)),
                  ("DELETE FROM outbox WHERE kind='profile' AND recipient=?", (profile_id,)),
                  *_changed(profile_id)])

    def ack(self, kind: str, recipient: str) -> None:
        table, key = ("subscriptions", "profile_id") if kind == "profile" else ("searches", "id")
        self._tx([(f"UPDATE {table} SET acked=? WHERE {key}=?", (time.time(), recipient))])

    # -- saved searches ------------------------------------------------------------------------

    def save_search(self, owner: str, request: dict, frequency: str, max_per_digest: int,
                    bound: tuple = (None,) * 5) -> SavedSearch:
        sid, now = uuid.uuid4().hex[:16], time.time()
        self._tx([("INSERT INTO searches (id, owner, request, frequency, max_per_digest, created, acked, "
                   "probe, scores, join_at, reach_vec, reach_kw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   (sid, owner, json.dumps(request), frequency, max_per_digest, now, now, *bound))])
        return self.search(sid)

    def search(self, sid: str, owner: str | None = None) -> SavedSearch:
        rows = self._q("SELECT * FROM searches WHERE id=?", (sid,))
        if not rows or (owner is not None and rows[0]["owner"] != owner):
            raise SavedSearchNotFound(sid)   # another key's search is not shown to exist
        return SavedSearch(**{**dict(rows[0]), "request": json.loads(rows[0]["request"])})

    def searches(self, owner: str | None = None, ids: list[str] | None = None) -> list[SavedSearch]:
        """Saved searches, oldest first: every one, the owner's, or those of `ids`."""
        if ids is not None:
            rows = []
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                rows += self._q(f"SELECT * FROM searches WHERE id IN ({','.join('?' * len(chunk))})", tuple(chunk))
            rows.sort(key=lambda r: (r["created"], r["id"]))
        else:
            rows = self._q("SELECT * FROM searches" + (" WHERE owner=?" if owner else "") + " ORDER BY created",
                           (owner,) if owner else ())
        return [SavedSearch(**{**dict(r), "request": json.loads(r["request"])}) for r in rows]

    def delete_search(self, sid: str, owner: str) -> None:
        self.search(sid, owner)
        self._tx([("DELETE FROM searches WHERE id=?", (sid,)),
                  ("DELETE FROM outbox WHERE kind='search' AND recipient=?", (sid,))])

    def follow_ranking(self, fingerprint: str) -> bool:
        """Forget every stored k-th score and saved-search bound when the ranking models that
        computed them are not those named by `fingerprint`: scores from other weights do not
        compare with today's, and a k-th score that is too high would skip its subscriber on
        every arrival. Each subscriber and search gets fresh figures the next time it is checked.
        Returns whether anything was forgotten."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='ranking'").fetchone()
            if row is not None and row["value"] == fingerprint:
                return False
            self._tx([("UPDATE subscriptions SET kth=NULL, links=NULL", ()),
                      ("UPDATE searches SET probe=NULL, scores=NULL, join_at=NULL, reach_vec=NULL, reach_kw=NULL", ()),
                      ("INSERT INTO meta VALUES ('ranking', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                       (fingerprint,))])
            return True

    def subscribers_changed(self) -> int:
        """How many times who subscribes, or a subscriber's own profile, has changed."""
        rows = self._q("SELECT value FROM meta WHERE key='subscribers'")
        return int(rows[0]["value"]) if rows else 0

    def subscriber_changes(self, since: int) -> tuple[int, set[str], dict[str, Subscription]]:
        """`subscribers_changed()`, the ids subscribed now, and the subscriptions that changed
        after count `since`, read in one transaction."""
        with self._lock, transaction(self._db, "BEGIN") as db:
            row = db.execute("SELECT value FROM meta WHERE key='subscribers'").fetchone()
            ids = {r["profile_id"] for r in db.execute("SELECT profile_id FROM subscriptions")}
            changed = {r["profile_id"]: Subscription(**dict(r))
                       for r in db.execute("SELECT * FROM subscriptions WHERE changed > ?", (since,))}
        return (int(row["value"]) if row else 0), ids, changed

    def has_subscribers(self) -> bool:
        return bool(self._q("SELECT 1 FROM subscriptions UNION ALL SELECT 1 FROM searches LIMIT 1"))

    # -- arrivals and the outbox ---------------------------------------------------------------

    def queue(self, profile_ids: list[str]) -> None:
        now = time.time()
        self._tx([("INSERT OR IGNORE INTO arrivals VALUES (?,?)", (pid, now)) for pid in profile_ids])

    def pending(self) -> list[str]:
        return [r["profile_id"] for r in self._q("SELECT profile_id FROM arrivals ORDER BY queued")]

    def commit_arrival(self, profile_id: str, alerts: list[Alert], push: set[str] = frozenset(),
                       standing: dict[str, Standing] | None = None,
                       probes: dict[str, tuple] | None = None) -> int:
        """Insert the arrival's alerts, a webhook delivery for those in `push` whose owner has a
        webhook, the subscribers' k-th scores and reach and the saved searches' bounds refreshed
        on the way (`standing`, `probes`), and drop the arrival from the queue, in one transaction (one
        fsync); returns how many alerts are new."""
        hooks = {r["owner"] for r in self._q("SELECT owner FROM webhooks")}
        with self._lock:
            known = {r["id"] for r in self._q(f"SELECT id FROM outbox WHERE id IN ({','.join('?' * len(alerts))})",
                                              tuple(a.id for a in alerts))} if alerts else set()
            fresh = [a for a in alerts if a.id not in known]
            stmts = []
            for a in fresh:
                stmts.append(("INSERT INTO outbox VALUES (?,?,?,?,?,?,?,?)",
                              (a.id, a.kind, a.recipient, a.owner, a.newcomer, a.score,
                               json.dumps(a.reasons), a.created)))
                if a.id in push and a.owner in hooks:
                    stmts.append(("INSERT INTO deliveries(alert_id, owner, status, next_at) "
                                  "VALUES (?,?,'pending',?)", (a.id, a.owner, a.created)))
            stmts += [("UPDATE subscriptions SET kth=?, reach_vec=?, reach_kw=?, links=? WHERE profile_id=?",
                       (*v, pid))
                      for pid, v in (standing or {}).items()]
            # What a process keeps in memory must be read again for a subscriber whose own profile
            # changed, and for one whose reach was never measured (every newcomer reaches it
            # there). A reach that rises as the index grows is left: it only lets more through.
            unknown = {r["profile_id"] for r in self._q(
                f"SELECT profile_id FROM subscriptions WHERE reach_vec IS NULL AND profile_id IN "
                f"({','.join('?' * len(standing))})", tuple(standing))} if standing else set()
            for pid in sorted(unknown | ({profile_id} & set(standing or {}))):
                stmts += _changed(pid)
            stmts += [("UPDATE searches SET probe=?, scores=?, join_at=?, reach_vec=?, reach_kw=? WHERE id=?",
                       (*bound, sid))
                      for sid, bound in (probes or {}).items()]
            stmts.append(("DELETE FROM arrivals WHERE profile_id=?", (profile_id,)))
            self._tx(stmts)
            return len(fresh)

    def alerts(self, kind: str, recipient: str | None = None, since: float = 0.0,
               limit: int | None = None) -> list[Alert]:
        sql = "SELECT * FROM outbox WHERE kind=? AND created>=?"
        args: list = [kind, since]
        if recipient is not None:
            sql += " AND recipient=?"
            args.append(recipient)
        sql += " ORDER BY created DESC, score DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return [_alert(r) for r in self._q(sql, tuple(args))]

    def count_between(self, kind: str, recipient: str, start: float, end: float) -> int:
        return self._q("SELECT COUNT(*) AS n FROM outbox WHERE kind=? AND recipient=? AND created>? AND created<?",
                       (kind, recipient, start, end))[0]["n"]

    def erase_profile(self, profile_id: str) -> list[str]:
        """Erasure: the profile's subscription, the searches its teacher saved, their alerts, alerts
        naming it and its queued arrival. Returns the ids of the searches erased."""
        teacher = f"teacher:{profile_id}"
        searches = [r["id"] for r in self._q("SELECT id FROM searches WHERE owner=?", (teacher,))]
        self._tx([("DELETE FROM subscriptions WHERE profile_id=?", (profile_id,)),
                  ("DELETE FROM outbox WHERE kind='search' AND recipient IN (SELECT id FROM searches WHERE owner=?)",
                   (teacher,)),
                  ("DELETE FROM searches WHERE owner=?", (teacher,)),
                  ("DELETE FROM outbox WHERE (kind='profile' AND recipient=?) OR newcomer=?",
                   (profile_id, profile_id)),
                  ("DELETE FROM arrivals WHERE profile_id=?", (profile_id,)), *_changed(profile_id)])
        return searches

    # -- webhooks ------------------------------------------------------------------------------

    def set_webhook(self, owner: str, url: str) -> str:
        secret = secrets.token_urlsafe(32)
        self._tx([("INSERT OR REPLACE INTO webhooks VALUES (?,?,?)", (owner, url, secret))])
        return secret

    def webhook(self, owner: str) -> tuple[str, str] | None:
        rows = self._q("SELECT url, secret FROM webhooks WHERE owner=?", (owner,))
        return (rows[0]["url"], rows[0]["secret"]) if rows else None

    def delete_webhook(self, owner: str) -> None:
        self._tx([("DELETE FROM webhooks WHERE owner=?", (owner,)),
                  ("DELETE FROM deliveries WHERE owner=? AND status='pending'", (owner,))])

    def due(self, now: float, limit: int = 100) -> list[tuple[Alert, int]]:
        rows = self._q("SELECT o.*, d.attempts FROM deliveries d JOIN outbox o ON o.id=d.alert_id "
                       "WHERE d.status='pending' AND d.next_at<=? ORDER BY d.next_at LIMIT ?", (now, limit))
        return [(_alert(r), r["attempts"]) for r in rows]

    def mark_sent(self, alert_id: str) -> None:
        self._tx([("UPDATE deliveries SET status='sent', sent=?, attempts=attempts+1 WHERE alert_id=?",
                   (time.time(), alert_id))])

    def mark_failed(self, alert_id: str, error: str, next_at: float | None) -> None:
        """A failed attempt: try again at `next_at`, or dead-letter it when that is None."""
        status = "pending" if next_at is not None else "dead"
        self._tx([("UPDATE deliveries SET status=?, attempts=attempts+1, next_at=?, last_error=? "
                   "WHERE alert_id=?", (status, next_at or 0.0, error[:500], alert_id))])

    def deliveries(self, owner: str | None = None, status: str | None = None) -> list[dict]:
        sql, args = "SELECT * FROM deliveries WHERE 1=1", []
        if owner is not None:
            sql, args = sql + " AND owner=?", args + [owner]
        if status is not None:
            sql, args = sql + " AND status=?", args + [status]
        return [dict(r) for r in self._q(sql + " ORDER BY next_at", tuple(args))]

    def retry_dead(self, owner: str) -> int:
        with self._lock:
            before = self._db.total_changes
            self._tx([("UPDATE deliveries SET status='pending', attempts=0, next_at=? WHERE owner=? AND "
                       "status='dead'", (time.time(), owner))])
            return self._db.total_changes - before


def _alert(r: sqlite3.Row) -> Alert:
    return Alert(id=r["id"], kind=r["kind"], recipient=r["recipient"], owner=r["owner"], newcomer=r["newcomer"],
                 score=r["score"], reasons=json.loads(r["reasons"]), created=r["created"])

"""The OpenSearch backend: versioned profile indexes behind an alias, plus meta and contacts indexes.

Layout for index name `twinmatch-profiles`:
    twinmatch-profiles-v1, -v2 ...   profiles (os_requests.mapping); the alias
    twinmatch-profiles               points at exactly one of them; every read and write uses it
    twinmatch-profiles-meta          index-level metadata (model identity), one doc per key
    twinmatch-profiles-contacts      contact counters, one doc per profile

Counters live apart from the profile document so that re-indexing a profile never races with
or resets them, and reindex copies only what is derived from the profiles.
Request bodies come from os_requests; every opensearch-py error leaves through os_errors.
"""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

import numpy as np
from opensearchpy import OpenSearch, helpers
from opensearchpy import exceptions as osx

from matcher.backends import os_requests as rq
from matcher.backends.base import SearchBackend
from matcher.backends.types import Candidate, CandidateFilter, Record
from matcher.backends.os_errors import RETRYABLE, boundary
from matcher.backends.os_reindex import run_reindex
from matcher.errors import BackendUnavailable, InvalidProfile
from matcher.text import detect_language

LARGE_LOAD = 5_000      # upserts at least this big suspend refreshes while they run
BULK_TIMEOUT = 60.0     # a bulk chunk or an admin call may take longer than a search
SERVER_SHARE = 0.8      # the server gives up on a search at this share of the client's timeout
_AUX = {"dynamic": "strict"}


def _now_ms() -> int:
    return int(time.time() * 1000)


class OpenSearchBackend(SearchBackend):
    name = "opensearch"
    waits_on_network = True

    def __init__(self, url: str, index: str, dim: int, timeout: float = 2.0,
                 client: OpenSearch | None = None, analyzers: dict[str, str] | None = None,
                 retries: int = 4, backoff: float = 0.5, pool_size: int = 64):
        self.index, self.dim, self.timeout = index, dim, timeout
        self.meta_index, self.contacts_index = f"{index}-meta", f"{index}-contacts"
        self.analyzers = dict(rq.ANALYZERS if analyzers is None else analyzers)
        self.retries, self.backoff = retries, backoff
        # No transport retries and a short timeout: an unreachable cluster must answer 503
        # within `timeout`, not after several attempts. Bulk writes retry on their own.
        # opensearch-py keeps ONE pooled connection per host by default; every concurrent
        # search beyond it opens and then discards a connection of its own.
        self.client = client or OpenSearch(hosts=[url], timeout=timeout, max_retries=0,
                                           retry_on_timeout=False, pool_maxsize=pool_size)
        # A search the client has given up on must not keep running on the cluster.
        self.search_timeout = f"{max(1, int(timeout * SERVER_SHARE * 1000))}ms"
        self._loading = 0

    # -- index lifecycle ---------------------------------------------------------------------

    def _ensure(self) -> None:
        """Create the first version, the alias and the side indexes if the alias is missing.

        Checked before every write (one HEAD request), never cached: a cluster that lost its
        indexes must not get a dynamically-mapped concrete index auto-created under our name.
        """
        with boundary("create the index", write=True):
            if self.client.indices.exists_alias(name=self.index):
                return
            if self.client.indices.exists(index=self.index):
                raise BackendUnavailable(f"{self.index!r} is a concrete index, not an alias; "
                                         "migrate it into a versioned index first")
            body = rq.mapping(self.dim, self.analyzers) | {"aliases": {self.index: {}}}
            self._create(f"{self.index}-v1", body)
            self._create(self.meta_index, {"mappings": _AUX | {"properties": {
                "value": {"type": "keyword", "index": False, "doc_values": False}}}})
            self._create(self.contacts_index, {"mappings": _AUX | {"properties": {
                "received": {"type": "integer"}, "answered": {"type": "integer"}}}})

    def _create(self, name: str, body: dict) -> None:
        try:
            self.client.indices.create(index=name, body=body, request_timeout=BULK_TIMEOUT)
        except osx.RequestError as exc:  # another process created it first
            if exc.error != "resource_already_exists_exception":
                raise

    def current_index(self) -> str | None:
        """The concrete index the alias points at now."""
        with boundary("read the alias"):
            try:
                return next(iter(self.client.indices.get_alias(name=self.index)))
            except osx.NotFoundError:
                return None

    @contextmanager
    def bulk_load(self, index: str | None = None, new_index: bool = False) -> Iterator[None]:
        """No refreshes while a large load runs, and no replicas if `new_index` (a first load
        into an index nobody searches yet); the live settings are restored afterwards.

        The live settings are recorded in the meta index, never read back from an index that
        another load has already switched: overlapping loads (threads or processes) each
        restore the recorded values, so the last one to finish leaves the index as it was.
        """
        self._ensure()
        target = index or self.current_index()
        key = f"live-settings:{target}"
        with boundary("prepare a bulk load", write=True):
            got = self.client.indices.get_settings(index=target, name="index.refresh_interval,"
                                                   "index.number_of_replicas")
            now = next(iter(got.values()))["settings"].get("index", {})
            if now.get("refresh_interval") != "-1":  # not already in a load: these are live
                live = {"refresh_interval": now.get("refresh_interval"),  # None = the default
                        "number_of_replicas": now.get("number_of_replicas")}
                self.set_meta(key, json.dumps(live))
            load = {"refresh_interval": "-1"} | ({"number_of_replicas": 0} if new_index else {})
            self.client.indices.put_settings(index=target, body={"index": load})
        self._loading += 1
        try:
            yield
        finally:
            self._loading -= 1
            with boundary("finish a bulk load", write=True):
                live = json.loads(self.get_meta(key) or "{}")
                self.client.indices.put_settings(index=target, body={"index": {
                    "refresh_interval": live.get("refresh_interval"),
                    "number_of_replicas": live.get("number_of_replicas")}})
                self.client.indices.refresh(index=target, request_timeout=BULK_TIMEOUT)

    # -- bulk --------------------------------------------------------------------------------

    def _bulk(self, actions: list[dict], what: str) -> list[tuple[dict, dict]]:
        """Run `actions`; retry items (or whole requests) refused with 429/5xx, backing off.

        Returns (action, result item) for every action that did not succeed in the end.
        """
        refresh = False if self._loading else "wait_for"  # -1 refresh would never wait
        pending, delay, failed = list(actions), self.backoff, []
        for attempt in range(self.retries + 1):
            last, status = attempt == self.retries, None
            with boundary(what, write=True):
                try:
                    results = list(helpers.streaming_bulk(
                        self.client, pending, raise_on_error=False, max_retries=0,
                        refresh=refresh, request_timeout=BULK_TIMEOUT))
                except osx.TransportError as exc:  # the whole request was refused
                    if exc.status_code not in RETRYABLE or last:
                        raise
                    results, status = None, exc.status_code
            retry = []
            if results is None:
                retry = [(a, {"status": status}) for a in pending]
            else:
                for action, (ok, item) in zip(pending, results):
                    res = next(iter(item.values()))
                    if ok or (action["_op_type"] == "delete" and res.get("status") == 404):
                        continue
                    (retry if res.get("status") in RETRYABLE else failed).append((action, res))
            if not retry or last:
                return failed + retry
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
            pending = [a for a, _ in retry]
        return []

    @staticmethod
    def _item_errors(failed: list[tuple[dict, dict]]) -> list[dict]:
        return [{"id": a.get("_id"), "status": r.get("status"),
                 "error": r.get("error", {}).get("type") if isinstance(r.get("error"), dict)
                 else r.get("error"),
                 "reason": r.get("error", {}).get("reason") if isinstance(r.get("error"), dict)
                 else None} for a, r in failed]

    def _raise_failed(self, failed: list[tuple[dict, dict]], what: str) -> None:
        if not failed:
            return
        details = self._item_errors(failed)
        if any(d["status"] in RETRYABLE for d in details):
            err = BackendUnavailable(f"OpenSearch kept refusing {len(details)} item(s) while "
                                     f"trying to {what}")
            err.details = details
            raise err
        raise InvalidProfile(f"OpenSearch rejected {len(details)} item(s) while trying to {what}",
                             details=details)

    # -- writes ------------------------------------------------------------------------------

    def upsert(self, records: list[Record]) -> None:
        for r in records:
            v = np.asarray(r.vectors)
            if v.ndim != 2 or (len(v) and v.shape[1] != self.dim) or len(v) != len(r.units):
                raise InvalidProfile(f"profile {r.profile.id!r}: vectors of shape {v.shape} for "
                                     f"{len(r.units)} units; this index holds {self.dim}-d vectors")
        if not records:
            return
        self._ensure()
        if len(records) >= LARGE_LOAD and not self._loading:
            with self.bulk_load():
                return self.upsert(records)
        now = _now_ms()
        actions = [{"_op_type": "index", "_index": self.index, "_id": r.profile.id,
                    "_source": rq.doc(r, now, self.analyzers)} for r in records]
        # Counters travel with a record only when it carries some (migrate, restore);
        # a plain profile update leaves the stored counters alone.
        actions += [{"_op_type": "index", "_index": self.contacts_index, "_id": r.profile.id,
                     "_source": {"received": r.received, "answered": r.answered}}
                    for r in records if r.received or r.answered]
        self._raise_failed(self._bulk(actions, "store profiles"), "store profiles")

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        self._ensure()
        existing = set(self.get_many(ids))
        actions = [{"_op_type": "delete", "_index": idx, "_id": i}
                   for i in ids for idx in (self.index, self.contacts_index)]
        self._raise_failed(self._bulk(actions, "delete profiles"), "delete profiles")
        return len(existing)

    def record_contact(self, src: str, dst: str, answered: bool = False) -> None:
        # Optimistic concurrency (if_seq_no) instead of a painless script: the same no-lost-
        # update guarantee, and it works where scripting is disabled by the cluster's policy.
        self._ensure()
        with boundary("count a contact", write=True):
            if not self.client.exists(index=self.index, id=dst):
                return
            for _ in range(20):
                try:
                    got = self.client.get(index=self.contacts_index, id=dst)
                except osx.NotFoundError:
                    got = None
                src_ = got["_source"] if got else {"received": 0, "answered": 0}
                body = {"received": src_["received"] + 1, "answered": src_["answered"] + int(answered)}
                try:
                    if got:
                        self.client.index(index=self.contacts_index, id=dst, body=body,
                                          if_seq_no=got["_seq_no"],
                                          if_primary_term=got["_primary_term"])
                    else:
                        self.client.index(index=self.contacts_index, id=dst, body=body,
                                          op_type="create")
                    return
                except osx.ConflictError:
                    continue  # someone counted at the same time: read again
            raise BackendUnavailable(f"too much contention counting contacts for {dst!r}")

    def set_meta(self, key: str, value: str) -> None:
        self._ensure()
        with boundary("store metadata", write=True):
            self.client.index(index=self.meta_index, id=key, body={"value": value}, refresh=True)

    # -- reads -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with boundary("read metadata"):
            try:
                return self.client.get(index=self.meta_index, id=key)["_source"]["value"]
            except osx.NotFoundError:
                return None

    def get_many(self, ids: Iterable[str]) -> dict[str, Record]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        with boundary("read profiles"):
            try:
                docs = self.client.mget(index=self.index, body={"ids": ids})["docs"]
                counts = self.client.mget(index=self.contacts_index, body={"ids": ids})["docs"]
            except osx.NotFoundError:
                return {}
        c = {d["_id"]: d["_source"] for d in counts if d.get("found")}
        return {d["_id"]: rq.record(d["_source"], self.dim, c.get(d["_id"], {}).get("received", 0),
                                    c.get(d["_id"], {}).get("answered", 0))
                for d in docs if d.get("found")}

    def _search(self, body: dict | None, what: str) -> list[dict]:
        if body is None:
            return []
        with boundary(what):
            try:
                body = body | {"timeout": self.search_timeout}
                return self.client.search(index=self.index, body=body)["hits"]["hits"]
            except osx.NotFoundError:
                return []  # nothing indexed yet

    def vector_search(self, queries: np.ndarray, flt: CandidateFilter, k: int) -> list[Candidate]:
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if not len(q) or k <= 0:
            return []
        hits = self._search(rq.knn_query(q, flt, k), "search by vector")
        return [Candidate(h["_id"], rq.cos_from_score(h["_score"])) for h in hits][:k]

    def keyword_search(self, text: str, flt: CandidateFilter, k: int,
                       lang: str | None = None) -> list[Candidate]:
        if k <= 0:
            return []
        if len(rq.query_terms(text)) <= 20:
            lang = None
        else:
            lang = lang or detect_language(text)
        body = rq.bm25_query(text, flt, k, [lang] if lang else [], self.analyzers)
        return [Candidate(h["_id"], float(h["_score"])) for h in self._search(body, "search by keyword")]

    def filter_ids(self, flt: CandidateFilter, k: int) -> list[str]:
        if k <= 0:
            return []
        return [h["_id"] for h in self._search(rq.filter_query(flt, k), "filter profiles")]

    def count(self) -> int:
        with boundary("count profiles"):
            try:
                return int(self.client.count(index=self.index)["count"])
            except osx.NotFoundError:
                return 0

    def scan(self, batch: int = 1000) -> Iterator[list[Record]]:
        """Every record in id order (the embedded backend's order), paged with search_after."""
        after = None
        while True:
            body = {"size": batch, "sort": [{"id": "asc"}], "_source": ["id"],
                    "query": {"match_all": {}}} | ({"search_after": after} if after else {})
            hits = self._search(body, "scan profiles")
            if not hits:
                return
            after = hits[-1]["sort"]
            got = self.get_many([h["_id"] for h in hits])
            yield [got[h["_id"]] for h in hits if h["_id"] in got]
            if len(hits) < batch:
                return

    def health(self) -> dict:
        with boundary("check cluster health"):
            status = self.client.cluster.health()["status"]
        return {"backend": self.name, "cluster": status, "index": self.current_index(),
                "profiles": self.count()}

    def close(self) -> None:
        with boundary("close the connection"):
            self.client.close()

    # -- reindex -----------------------------------------------------------------------------

    def reindex(self, rebuild: bool = False, keep: int = 1, transform=None, dim: int | None = None) -> str:
        """Copy the current version into a new one and swap the alias atomically; returns it.

        Searches keep answering from the old version until the swap, and writes continue
        throughout: those that reach the old version during the copy or the swap are caught
        up into the new one (os_reindex). Deletions in that window are not: pause deleting
        for an exact copy. `rebuild` re-derives every document from its stored profile and
        vectors (needed when the document layout changed); otherwise `_reindex` copies
        sources inside the cluster. `transform` (records in, records out) rewrites every batch
        on the way, e.g. re-embedding with a new model whose vectors have `dim` dimensions.
        """
        return run_reindex(self, rebuild=rebuild, keep=keep, transform=transform, dim=dim)

    def versions(self) -> list[str]:
        """Concrete versions of this index, oldest first."""
        with boundary("list index versions"):
            try:
                names = self.client.indices.get(index=f"{self.index}-v*")
            except osx.NotFoundError:
                return []
        prefix = f"{self.index}-v"
        return sorted((n for n in names if n.startswith(prefix) and n[len(prefix):].isdigit()),
                      key=lambda n: int(n[len(prefix):]))


__all__ = ["OpenSearchBackend"]

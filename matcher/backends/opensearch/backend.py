"""The OpenSearch backend: profiles, their vectors and texts in one document each, behind an alias.

Counters live apart from the profile document (indexes.py) so that re-indexing a profile never
races with or resets them, and reindex copies only what is derived from the profiles.
Request bodies come from requests.py; every opensearch-py error leaves through errors.py.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

import numpy as np
from opensearchpy import OpenSearch
from opensearchpy import exceptions as osx

from matcher.backends.base import SearchBackend
from matcher.backends.opensearch import requests as rq
from matcher.backends.opensearch.bulk import Bulk
from matcher.backends.opensearch.errors import boundary
from matcher.backends.opensearch.indexes import IndexSet
from matcher.backends.opensearch.reindex import run_reindex
from matcher.backends.types import Candidate, CandidateFilter, Record
from matcher.errors import BackendUnavailable, InvalidProfile
from matcher.text import detect_language

LARGE_LOAD = 5_000      # upserts at least this big suspend refreshes while they run
SERVER_SHARE = 0.8      # the server gives up on a search at this share of the client's timeout


def _now_ms() -> int:
    return int(time.time() * 1000)


class OpenSearchBackend(SearchBackend):
    name = "opensearch"
    waits_on_network = True

    def __init__(self, url: str, index: str, dim: int, timeout: float = 2.0,
                 client: OpenSearch | None = None, analyzers: dict[str, str] | None = None,
                 retries: int = 4, backoff: float = 0.5, pool_size: int = 64):
        self.index, self.dim, self.timeout = index, dim, timeout
        self.analyzers = dict(rq.ANALYZERS if analyzers is None else analyzers)
        # No transport retries and a short timeout: an unreachable cluster must answer 503
        # within `timeout`, not after several attempts. Bulk writes retry on their own.
        # opensearch-py keeps ONE pooled connection per host by default; every concurrent
        # search beyond it opens and then discards a connection of its own.
        self.client = client or OpenSearch(hosts=[url], timeout=timeout, max_retries=0,
                                           retry_on_timeout=False, pool_maxsize=pool_size)
        # A search the client has given up on must not keep running on the cluster.
        self.search_timeout = f"{max(1, int(timeout * SERVER_SHARE * 1000))}ms"
        self.indexes = IndexSet(self.client, index, self.analyzers)
        self.bulk = Bulk(self.client, retries, backoff)
        self.meta_index, self.contacts_index = self.indexes.meta_index, self.indexes.contacts_index
        self.standing_index = self.indexes.standing_index

    # -- index lifecycle ---------------------------------------------------------------------

    def current_index(self) -> str | None:
        """The concrete index the alias points at now."""
        return self.indexes.current()

    def versions(self) -> list[str]:
        """Concrete versions of this index, oldest first."""
        return self.indexes.versions()

    @contextmanager
    def bulk_load(self, index: str | None = None, new_index: bool = False) -> Iterator[None]:
        """No refreshes while a large load runs into `index` (default: the live version), and no
        replicas if `new_index`; the live settings are restored afterwards (IndexSet.bulk_load)."""
        self.indexes.ensure(self.dim)
        with self.indexes.bulk_load(index or self.indexes.current(), new_index):
            yield

    def reindex(self, rebuild: bool = False, keep: int = 1,
                transform: Callable[[list[Record]], list[Record]] | None = None,
                dim: int | None = None) -> str:
        """Copy the current version into a new one and swap the alias atomically; returns it.

        Searches keep answering from the old version until the swap, and writes continue
        throughout: those that reach the old version during the copy or the swap are caught
        up into the new one (reindex.py). Deletions in that window are not: pause deleting
        for an exact copy. `rebuild` re-derives every document from its stored profile and
        vectors (needed when the document layout changed); otherwise `_reindex` copies
        sources inside the cluster. `transform` (records in, records out) rewrites every batch
        on the way, e.g. re-embedding with a new model whose vectors have `dim` dimensions.
        """
        self.indexes.ensure(self.dim)
        new_dim = dim or self.dim

        def swapped() -> None:  # writes now reach the new version: check them against its vectors
            self.dim = new_dim
        return run_reindex(self.indexes, self.bulk, self.dim, new_dim, rebuild=rebuild, keep=keep,
                           transform=transform, swapped=swapped)

    # -- writes ------------------------------------------------------------------------------

    def _refresh(self) -> bool | str:
        """Writes are searchable on return, except inside a bulk load (no refreshes then)."""
        return False if self.indexes.loading else "wait_for"

    def upsert(self, records: list[Record]) -> None:
        for r in records:
            v = np.asarray(r.vectors)
            if v.ndim != 2 or (len(v) and v.shape[1] != self.dim) or len(v) != len(r.units):
                raise InvalidProfile(f"profile {r.profile.id!r}: vectors of shape {v.shape} for "
                                     f"{len(r.units)} units; this index holds {self.dim}-d vectors")
        if not records:
            return
        self.indexes.ensure(self.dim)
        if len(records) >= LARGE_LOAD and not self.indexes.loading:
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
        self.bulk.write(actions, "store profiles", self._refresh())

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return 0
        self.indexes.ensure(self.dim)
        existing = set(self.get_many(ids))
        actions = [{"_op_type": "delete", "_index": idx, "_id": i}
                   for i in ids for idx in (self.index, self.contacts_index)]
        self.bulk.write(actions, "delete profiles", self._refresh())
        return len(existing)

    def record_contact(self, src: str, dst: str, answered: bool = False) -> None:
        # Optimistic concurrency (if_seq_no) instead of a painless script: the same no-lost-
        # update guarantee, and it works where scripting is disabled by the cluster's policy.
        self.indexes.ensure(self.dim)
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
        self.indexes.ensure(self.dim)
        self.indexes.set_meta(key, value)

    def put_standing(self, key: str, flt: CandidateFilter) -> None:
        self.indexes.ensure_standing()
        with boundary("store a standing filter", write=True):
            self.client.index(index=self.standing_index, id=key, body=rq.standing_doc(key, flt), refresh="wait_for")

    def drop_standing(self, keys: Iterable[str]) -> None:
        actions = [{"delete": {"_index": self.standing_index, "_id": k}} for k in keys]
        if actions:
            self.indexes.ensure_standing()
            with boundary("drop standing filters", write=True):
                self.client.bulk(body=actions, refresh="wait_for")  # a missing id is no error here

    # -- reads -------------------------------------------------------------------------------

    def _standing_hits(self, query: dict, what: str) -> set[str]:
        """The ids of every standing filter `query` selects, paged with search_after."""
        out, after = set(), None
        with boundary(what):
            while True:
                body = {"size": 1000, "sort": [{"key": "asc"}], "_source": False, "query": query}
                try:
                    hits = self.client.search(index=self.standing_index, body=body | (
                        {"search_after": after} if after else {}))["hits"]["hits"]
                except osx.NotFoundError:
                    return out  # no standing filter stored yet
                out.update(h["_id"] for h in hits)
                if len(hits) < 1000:
                    return out
                after = hits[-1]["sort"]

    def standing_keys(self) -> set[str]:
        return self._standing_hits({"match_all": {}}, "list standing filters")

    def percolate(self, record: Record) -> set[str]:
        """One percolate query: the cluster matches the profile against every stored filter."""
        return self._standing_hits(rq.percolate_query(record), "match standing filters")

    def get_meta(self, key: str) -> str | None:
        return self.indexes.get_meta(key)

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
        body = self._bm25(text, flt, k, lang)
        return [Candidate(h["_id"], float(h["_score"])) for h in self._search(body, "search by keyword")]

    def _bm25(self, text: str, flt: CandidateFilter, k: int, lang: str | None = None) -> dict | None:
        """The keyword query for `text`; a long one (more than 20 words) also searches the field
        of its language, detected when not given."""
        lang = (lang or detect_language(text)) if len(rq.query_terms(text)) > 20 else None
        return rq.bm25_query(text, flt, k, [lang] if lang else [], self.analyzers)

    def keyword_scores(self, record: Record, texts: list[str],
                       langs: list[str | None] | None = None) -> list[float]:
        """One msearch: each text's keyword query, limited to the record's id."""
        bodies: list[dict | None] = []
        for text, lang in zip(texts, langs or [None] * len(texts)):
            body = self._bm25(text, CandidateFilter(open_only=False), 1, lang)
            if body is not None:
                body["query"]["bool"]["filter"].append({"ids": {"values": [record.profile.id]}})
            bodies.append(body)
        asked = [b for b in bodies if b is not None]
        if not asked:
            return [0.0] * len(texts)
        with boundary("match keywords"):
            try:
                lines = [x for b in asked for x in ({}, b | {"timeout": self.search_timeout})]
                answers = iter(self.client.msearch(index=self.index, body=lines)["responses"])
            except osx.NotFoundError:
                return [0.0] * len(texts)
        out = []
        for b in bodies:
            a = next(answers) if b is not None else {"hits": {"hits": []}}
            if "error" in a:    # unknown: as high as can be, so the search runs and decides
                out.append(float("inf"))
            else:
                out.append(float(a["hits"]["hits"][0]["_score"]) if a["hits"]["hits"] else 0.0)
        return out

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

"""Zero-downtime reindex for the OpenSearch backend: build vN+1, catch up, swap the alias atomically.

    1. create vN+1 and copy vN into it: a server-side `_reindex` run as a task and polled (a
       million profiles take minutes; no HTTP request stays open that long), or, with
       `rebuild`, documents re-derived from the stored records;
    2. catch up what was written to vN meanwhile, in rounds, paged with search_after (no cap);
    3. swap the alias in one `_aliases` request: readers and writers see vN or vN+1, never neither;
    4. a last catch-up of vN after the swap: writes that were in flight to vN during round 2 and
       the swap. Each is copied only if vN+1 holds no newer version of that profile (its
       `indexed_at`), and with optimistic concurrency, so a write that reached vN+1 after the
       swap is never overwritten by an older one.
Deletions made while a reindex runs are not carried over: pause deleting for an exact copy.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

from opensearchpy import OpenSearch, helpers

from matcher.backends.opensearch import requests as rq
from matcher.backends.opensearch.bulk import BULK_TIMEOUT, Bulk
from matcher.backends.opensearch.errors import boundary
from matcher.backends.opensearch.indexes import IndexSet
from matcher.backends.types import Record
from matcher.errors import MatchingError

SKEW_MS = 5_000         # writes stamped a little before a catch-up started are caught up too
PAGE = 500              # profiles per catch-up page
ROUNDS = 5              # catch-up rounds before the swap, fewer if one finds nothing new
POLL_S = 1.0            # how often the copy task is polled
IN_FLIGHT_S = 1.0       # a write stamped before the swap is visible in vN within this

Transform = Callable[[list[Record]], list[Record]]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _copy(client: OpenSearch, src: str, dst: str) -> None:
    """Server-side copy as a task: started with wait_for_completion=false, then polled."""
    body = {"source": {"index": src, "size": 1000}, "dest": {"index": dst}}
    with boundary("copy profiles into the new index", write=True):
        task = client.reindex(body=body, wait_for_completion=False, refresh=True)["task"]
    while True:
        with boundary("follow the copy task", write=True):
            got = client.tasks.get(task_id=task, wait_for_completion=True, timeout="10s",
                                   request_timeout=30.0)
        if got.get("completed"):
            break
        time.sleep(POLL_S)
    if got.get("error"):
        raise MatchingError(f"reindex into {dst} failed: {got['error'].get('reason')}",
                            details=[got["error"]])
    failures = got.get("response", {}).get("failures") or []
    if failures:
        raise MatchingError(f"reindex into {dst} failed for {len(failures)} document(s)",
                            details=failures[:20])


def _changed(client: OpenSearch, index: str, since: int | None) -> Iterator[list[dict]]:
    """Pages of hits (`_source` included) stamped at or after `since` (None: all), in id order."""
    with boundary("find profiles changed during reindex"):
        client.indices.refresh(index=index)
    after = None
    while True:
        query = {"match_all": {}} if since is None else {"range": {"indexed_at": {"gte": since}}}
        body = {"size": PAGE, "sort": [{"id": "asc"}], "query": query}
        if after:
            body["search_after"] = after
        with boundary("find profiles changed during reindex"):
            hits = client.search(index=index, body=body, request_timeout=BULK_TIMEOUT)["hits"]["hits"]
        if not hits:
            return
        yield hits
        after = hits[-1]["sort"]
        if len(hits) < PAGE:
            return


class _Docs:
    """Documents for the new version from hits of the old one, keeping each one's
    `indexed_at`: the last catch-up compares it with what the new version holds."""

    def __init__(self, dim: int, analyzers: dict[str, str], rebuild: bool, transform: Transform):
        self.dim, self.analyzers, self.rebuild, self.transform = dim, analyzers, rebuild, transform

    def __call__(self, hits: list[dict]) -> list[dict]:
        if not self.rebuild:
            return [h["_source"] for h in hits]
        stamps = {h["_id"]: h["_source"].get("indexed_at", 0) for h in hits}
        records = self.transform([rq.record(h["_source"], self.dim) for h in hits])
        return [rq.doc(r, stamps.get(r.profile.id, 0), self.analyzers) for r in records]


def _write(bulk: Bulk, dst: str, docs: list[dict]) -> None:
    """Fill `dst` (inside its bulk load: no refresh to wait for)."""
    actions = [{"_op_type": "index", "_index": dst, "_id": d["id"], "_source": d} for d in docs]
    bulk.write(actions, "fill the new index", refresh=False)


def _write_if_newer(client: OpenSearch, dst: str, docs: list[dict]) -> None:
    """Write each doc unless `dst` holds a version stamped at or after it, checked and written
    atomically per document (if_seq_no, or create when absent); a lost race means newer data."""
    if not docs:
        return
    with boundary("catch up the new index", write=True):
        got = client.mget(index=dst, body={"ids": [d["id"] for d in docs]},
                          _source_includes="indexed_at")["docs"]
        actions = []
        for d, cur in zip(docs, got):
            if not cur.get("found"):
                actions.append({"_op_type": "create", "_index": dst, "_id": d["id"], "_source": d})
            elif cur["_source"].get("indexed_at", 0) < d.get("indexed_at", 0):
                actions.append({"_op_type": "index", "_index": dst, "_id": d["id"], "_source": d,
                                "if_seq_no": cur["_seq_no"], "if_primary_term": cur["_primary_term"]})
        failed = [item for ok, item in helpers.streaming_bulk(
            client, actions, raise_on_error=False, max_retries=0, refresh="wait_for",
            request_timeout=BULK_TIMEOUT) if not ok and next(iter(item.values())).get("status") != 409]
    if failed:
        raise MatchingError(f"catching up the new index failed for {len(failed)} profile(s)",
                            details=failed[:20])


def run_reindex(indexes: IndexSet, bulk: Bulk, dim: int, new_dim: int, rebuild: bool = False,
                keep: int = 1, transform: Transform | None = None,
                swapped: Callable[[], None] = lambda: None) -> str:
    """See OpenSearchBackend.reindex: `dim` is the current version's, `new_dim` the new one's;
    `swapped` runs once the alias points at the new version. Returns the new version's name."""
    rebuild = rebuild or transform is not None
    docs = _Docs(dim, indexes.analyzers, rebuild, transform or (lambda records: records))
    client = indexes.client
    old = indexes.current()
    new = indexes.next_version()
    since = _now_ms() - SKEW_MS
    indexes.create_version(new, new_dim)
    with indexes.bulk_load(new, new_index=True):
        if rebuild:  # re-derive documents from stored profiles (the document layout changed)
            for hits in _changed(client, old, None):
                _write(bulk, new, docs(hits))
        else:
            _copy(client, old, new)
        for _ in range(ROUNDS):  # writes that reached vN while we copied
            start, found = _now_ms(), 0
            for hits in _changed(client, old, since):
                found += len(hits)
                _write(bulk, new, docs(hits))
            since = start - SKEW_MS
            if not found:
                break
    indexes.swap(old, new)
    swapped()
    # Writes in flight to vN during the last round and the swap.
    time.sleep(IN_FLIGHT_S)
    for hits in _changed(client, old, since):
        _write_if_newer(client, new, docs(hits))
    indexes.drop_versions(keep)
    return new

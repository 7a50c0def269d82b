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
from typing import TYPE_CHECKING, Callable, Iterator

from opensearchpy import helpers

from matcher.backends import os_requests as rq
from matcher.backends.types import Record
from matcher.backends.os_errors import boundary
from matcher.errors import MatchingError

if TYPE_CHECKING:
    from matcher.backends.opensearch import OpenSearchBackend

SKEW_MS = 5_000         # writes stamped a little before a catch-up started are caught up too
PAGE = 500              # profiles per catch-up page
ROUNDS = 5              # catch-up rounds before the swap, fewer if one finds nothing new
POLL_S = 1.0            # how often the copy task is polled
IN_FLIGHT_S = 1.0       # a write stamped before the swap is visible in vN within this


def _now_ms() -> int:
    return int(time.time() * 1000)


def _copy(b: "OpenSearchBackend", src: str, dst: str) -> None:
    """Server-side copy as a task: started with wait_for_completion=false, then polled."""
    body = {"source": {"index": src, "size": 1000}, "dest": {"index": dst}}
    with boundary("copy profiles into the new index", write=True):
        task = b.client.reindex(body=body, wait_for_completion=False, refresh=True)["task"]
    while True:
        with boundary("follow the copy task", write=True):
            got = b.client.tasks.get(task_id=task, wait_for_completion=True, timeout="10s",
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


def _changed(b: "OpenSearchBackend", index: str, since: int | None) -> Iterator[list[dict]]:
    """Pages of hits (`_source` included) stamped at or after `since` (None: all), in id order."""
    with boundary("find profiles changed during reindex"):
        b.client.indices.refresh(index=index)
    after = None
    while True:
        query = {"match_all": {}} if since is None else {"range": {"indexed_at": {"gte": since}}}
        body = {"size": PAGE, "sort": [{"id": "asc"}], "query": query}
        if after:
            body["search_after"] = after
        with boundary("find profiles changed during reindex"):
            hits = b.client.search(index=index, body=body, request_timeout=60.0)["hits"]["hits"]
        if not hits:
            return
        yield hits
        after = hits[-1]["sort"]
        if len(hits) < PAGE:
            return


def _docs(b: "OpenSearchBackend", hits: list[dict], rebuild: bool, transform) -> list[dict]:
    """Documents for the new version from hits of the old one, keeping each one's
    `indexed_at`: the last catch-up compares it with what the new version holds."""
    if not rebuild:
        return [h["_source"] for h in hits]
    stamps = {h["_id"]: h["_source"].get("indexed_at", 0) for h in hits}
    records = transform([rq.record(h["_source"], b.dim) for h in hits])
    return [rq.doc(r, stamps.get(r.profile.id, 0), b.analyzers) for r in records]


def _write(b: "OpenSearchBackend", dst: str, docs: list[dict]) -> None:
    actions = [{"_op_type": "index", "_index": dst, "_id": d["id"], "_source": d} for d in docs]
    b._raise_failed(b._bulk(actions, "fill the new index"), "fill the new index")


def _write_if_newer(b: "OpenSearchBackend", dst: str, docs: list[dict]) -> None:
    """Write each doc unless `dst` holds a version stamped at or after it, checked and written
    atomically per document (if_seq_no, or create when absent); a lost race means newer data."""
    if not docs:
        return
    with boundary("catch up the new index", write=True):
        got = b.client.mget(index=dst, body={"ids": [d["id"] for d in docs]},
                            _source_includes="indexed_at")["docs"]
        actions = []
        for d, cur in zip(docs, got):
            if not cur.get("found"):
                actions.append({"_op_type": "create", "_index": dst, "_id": d["id"], "_source": d})
            elif cur["_source"].get("indexed_at", 0) < d.get("indexed_at", 0):
                actions.append({"_op_type": "index", "_index": dst, "_id": d["id"], "_source": d,
                                "if_seq_no": cur["_seq_no"], "if_primary_term": cur["_primary_term"]})
        failed = [item for ok, item in helpers.streaming_bulk(
            b.client, actions, raise_on_error=False, max_retries=0, refresh="wait_for",
            request_timeout=60.0) if not ok and next(iter(item.values())).get("status") != 409]
    if failed:
        raise MatchingError(f"catching up the new index failed for {len(failed)} profile(s)",
                            details=failed[:20])


def run_reindex(b: "OpenSearchBackend", rebuild: bool = False, keep: int = 1,
                transform: Callable[[list[Record]], list[Record]] | None = None,
                dim: int | None = None) -> str:
    """See OpenSearchBackend.reindex. Returns the name of the new version."""
    rebuild = rebuild or transform is not None
    transform = transform or (lambda records: records)
    new_dim = dim or b.dim
    b._ensure()
    old = b.current_index()
    versions = b.versions()
    prefix = f"{b.index}-v"
    new = f"{prefix}{max([int(v[len(prefix):]) for v in versions] or [0]) + 1}"
    since = _now_ms() - SKEW_MS
    with boundary("create the new index version", write=True):
        b.client.indices.create(index=new, body=rq.mapping(new_dim, b.analyzers),
                                request_timeout=60.0)
    with b.bulk_load(new, new_index=True):
        if rebuild:  # re-derive documents from stored profiles (the document layout changed)
            for hits in _changed(b, old, None):
                _write(b, new, _docs(b, hits, True, transform))
        else:
            _copy(b, old, new)
        for _ in range(ROUNDS):  # writes that reached vN while we copied
            start, found = _now_ms(), 0
            for hits in _changed(b, old, since):
                found += len(hits)
                _write(b, new, _docs(b, hits, rebuild, transform))
            since = start - SKEW_MS
            if not found:
                break
    with boundary("swap the alias", write=True):
        b.client.indices.update_aliases(body={"actions": [
            {"remove": {"index": old, "alias": b.index}},
            {"add": {"index": new, "alias": b.index}}]})
    b.dim = new_dim
    # Writes in flight to vN during the last round and the swap.
    time.sleep(IN_FLIGHT_S)
    for hits in _changed(b, old, since):
        _write_if_newer(b, new, _docs(b, hits, rebuild, transform))
    with boundary("drop old index versions", write=True):
        for name in b.versions()[:-(keep + 1)] if keep >= 0 else []:
            b.client.indices.delete(index=name)
    return new

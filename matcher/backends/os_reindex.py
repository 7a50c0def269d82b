"""Zero-downtime reindex for the OpenSearch backend: build vN+1, catch up, swap the alias atomically."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from matcher.backends import os_requests as rq
from matcher.backends.base import Record
from matcher.backends.os_errors import boundary

if TYPE_CHECKING:
    from matcher.backends.opensearch import OpenSearchBackend

COPY_TIMEOUT = 3600.0   # a server-side copy of a million profiles takes minutes, not seconds
SKEW_MS = 5_000         # writes stamped a little before the copy started are caught up too


def _copy(b: "OpenSearchBackend", src: str, dst: str, query: dict | None = None) -> None:
    body = {"source": {"index": src} | ({"query": query} if query else {}), "dest": {"index": dst}}
    with boundary("copy profiles into the new index", write=True):
        res = b.client.reindex(body=body, refresh=True, wait_for_completion=True,
                               request_timeout=COPY_TIMEOUT)
    if res.get("failures"):
        from matcher.errors import MatchingError
        raise MatchingError(f"reindex into {dst} failed for {len(res['failures'])} document(s)",
                            details=res["failures"][:20])


def _write(b: "OpenSearchBackend", dst: str, records: list, stamp: int) -> None:
    actions = [{"_op_type": "index", "_index": dst, "_id": r.profile.id,
                "_source": rq.doc(r, stamp, b.analyzers)} for r in records]
    b._raise_failed(b._bulk(actions, "rebuild the new index"), "rebuild the new index")


def _changed_since(b: "OpenSearchBackend", index: str, since: int) -> list[str]:
    body = {"size": rq.MAX_WINDOW, "_source": False,
            "query": {"range": {"indexed_at": {"gte": since}}}}
    with boundary("find profiles changed during reindex"):
        return [h["_id"] for h in b.client.search(index=index, body=body)["hits"]["hits"]]


def run_reindex(b: "OpenSearchBackend", rebuild: bool = False, keep: int = 1,
                transform: Callable[[list[Record]], list[Record]] | None = None,
                dim: int | None = None) -> str:
    """See OpenSearchBackend.reindex. Returns the name of the new version."""
    rebuild = rebuild or transform is not None
    transform = transform or (lambda records: records)
    new_dim = dim or b.dim
    from matcher.backends.opensearch import _now_ms
    b._ensure()
    old = b.current_index()
    versions = b.versions()
    prefix = f"{b.index}-v"
    new = f"{prefix}{max([int(v[len(prefix):]) for v in versions] or [0]) + 1}"
    start = _now_ms()
    with boundary("create the new index version", write=True):
        b.client.indices.create(index=new, body=rq.mapping(new_dim, b.analyzers),
                                request_timeout=60.0)
    with b.bulk_load(new, new_index=True):
        if rebuild:  # re-derive documents from stored profiles (the document layout changed)
            for batch in b.scan(batch=500):
                _write(b, new, transform(batch), start)
        else:
            _copy(b, old, new)
    # Catch up writes that reached the old version while we copied.
    if rebuild:
        changed = b.get_many(_changed_since(b, old, start - SKEW_MS))
        _write(b, new, transform(list(changed.values())), start)
    else:
        _copy(b, old, new, {"range": {"indexed_at": {"gte": start - SKEW_MS}}})
    with boundary("swap the alias", write=True):
        # One _aliases request with both actions: searches see the old or the new index,
        # never neither.
        b.client.indices.update_aliases(body={"actions": [
            {"remove": {"index": old, "alias": b.index}},
            {"add": {"index": new, "alias": b.index}}]})
        for name in b.versions()[:-(keep + 1)] if keep >= 0 else []:
            b.client.indices.delete(index=name)
    b.dim = new_dim
    return new

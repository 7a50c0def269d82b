"""The OpenSearch backend on a real node: index throughput, partner-query latency, and top-10
agreement with the embedded backend on the same profiles and vectors.

    python bench/opensearch.py --n 100000          # make bench-opensearch

Starts its own node (tools/opensearch-node, built by `make opensearch-node`; heap 1 GB) on
127.0.0.1, or uses OPENSEARCH_URL. Profiles and SYNTHETIC vectors are bench/run.py's. Writes
bench/opensearch-<n>.json; bench/results.md shows it in its own section.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import DIM, pct  # noqa: E402
from bench.phases import _with_lang, synthetic  # noqa: E402
from bench.report import write_markdown  # noqa: E402


def records(n: int):
    """Chunks of 5,000 records (the profiles and vectors of bench/run.py's build phase)."""
    from indexer.sample import generate
    from matcher import text
    from matcher.backends.types import Record
    from models import Profile
    gen, done = generate(n, seed=7), 0
    while done < n:
        chunk = [Profile.model_validate(_with_lang(d)) for _, d in zip(range(5_000), gen)]
        vecs = synthetic(chunk, seed=done)
        yield [Record(p, v, [name for name, _ in text.units(p)]) for p, v in zip(chunk, vecs)]
        done += len(chunk)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--merge", action="store_true", help="force-merge to one segment before querying")
    args = ap.parse_args()
    os.environ["TWINMATCH_TEST_OS_HEAP"] = args.heap
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.backends.opensearch.backend import OpenSearchBackend
    from matcher.embeddings.hashing import HashingEmbedder
    from matcher.service import Matcher
    from tests.opensearch_node import Node

    work = Path(tempfile.mkdtemp(prefix="twinmatch-bench-os-"))
    node = None
    url = os.environ.get("OPENSEARCH_URL")
    if not url:
        node = Node(work / "node").start()
        url = node.url
    try:
        remote = OpenSearchBackend(url, f"bench-{args.n}", DIM, timeout=30.0)
        local = EmbeddedBackend(work / "embedded", DIM)
        os_s = 0.0
        for chunk in records(args.n):
            t = time.perf_counter()
            remote.upsert(chunk)
            os_s += time.perf_counter() - t
            local.upsert(chunk)
            print(f"stored {remote.count()}", file=sys.stderr, flush=True)
        t = time.perf_counter()
        if args.merge:
            remote.client.indices.forcemerge(index=remote.current_index(), max_num_segments=1,
                                             request_timeout=3600)
        merge_s = time.perf_counter() - t if args.merge else None
        local.vectors.sync_graph()
        stats = remote.client.indices.stats(index=remote.current_index())["_all"]["primaries"]
        emb = HashingEmbedder(DIM)
        m_os, m_local = Matcher(remote, emb), Matcher(local, emb)
        rng = np.random.default_rng(11)
        ids = [f"tm-{i:06d}" for i in rng.choice(args.n, args.queries + 20, replace=False)]
        ids = [i for i in ids if remote.get(i)]
        for pid in ids[:20]:  # warm-up: graphs into the page cache
            m_os.partners(pid, k=10)
        lat, overlap, vec_overlap = [], [], []
        for pid in ids[20:]:
            t = time.perf_counter()
            got = [r.profile.id for r in m_os.partners(pid, k=10).results]
            lat.append(time.perf_counter() - t)
            want = [r.profile.id for r in m_local.partners(pid, k=10).results]
            overlap.append(len(set(got) & set(want)) / max(1, len(want)))
            me = m_local.record(pid)            # the vector leg alone: the backends' own kNN
            flt = m_local.hard_filter(me.profile, None)
            a = [c.id for c in remote.vector_search(me.vectors, flt, 10)]
            b = [c.id for c in local.vector_search(me.vectors, flt, 10)]
            vec_overlap.append(len(set(a) & set(b)) / max(1, len(b)))
        res = {
            "n": args.n, "date": str(dt.date.today()), "cores": os.cpu_count(), "heap": args.heap,
            "index_profiles_s": round(args.n / os_s), "index_s": round(os_s, 1),
            "forcemerge_s": merge_s and round(merge_s, 1),
            "segments": len(remote.client.cat.segments(index=remote.current_index(), format="json")),
            "store_mb": round(stats["store"]["size_in_bytes"] / 1e6),
            "docs_incl_nested": stats["docs"]["count"],
            "partners_p50_ms": pct(lat, 50), "partners_p95_ms": pct(lat, 95),
            "queries": len(lat),
            "top10_overlap_full": round(float(np.mean(overlap)), 3),
            "top10_overlap_vector": round(float(np.mean(vec_overlap)), 3),
            "top10_overlap_full_min": round(float(np.min(overlap)), 3),
            "note": f"load average {os.getloadavg()[0]:.1f} at the end of the run",
        }
        print(json.dumps(res, indent=1))
        out = Path(__file__).with_name(f"opensearch-{args.n}.json")
        out.write_text(json.dumps(res, indent=1) + "\n")
        results = Path(__file__).with_name("results.md")
        write_markdown(results, [json.loads(p.read_text()) for p in
                                 sorted(results.parent.glob("results-*.json"))])
        m_local.close()
    finally:
        if node:
            node.stop()


if __name__ == "__main__":
    main()

"""Where a partner query's wall time goes, part by part, in process.

    python bench/parts.py /tmp/twinmatch-bench-1000000 [--country TR] [--candidates 200]

Wraps the backend's and the matcher's steps with timers and runs 100 random profiles' partner
queries (after 20 to warm up). BM25 runs on another thread beside the vector search, so the
parts overlap and add up to more than the query.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.backends.embedded.backend import EmbeddedBackend  # noqa: E402
from matcher.embeddings.hashing import HashingEmbedder  # noqa: E402
from matcher.service import Matcher  # noqa: E402
from matcher.settings import get_settings  # noqa: E402
from models import Filters  # noqa: E402
from bench import DIM  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--country", action="append", help="partner filter; repeat for several")
    ap.add_argument("--candidates", type=int, default=get_settings().candidates,
                    help="vector candidates a query (TWINMATCH_CANDIDATES)")
    args = ap.parse_args()
    b = EmbeddedBackend(args.data, DIM)
    m = Matcher(b, HashingEmbedder(DIM), args.candidates)
    m.scorer.reference()
    spent: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter = collections.Counter()

    def timed(obj, name: str, label: str | None = None) -> None:
        fn, label = getattr(obj, name), label or name

        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[label] += time.perf_counter() - t
                calls[label] += 1
        setattr(obj, name, wrapper)

    for name in ("vector_search", "keyword_search", "features", "get_many"):
        timed(b, name)
    timed(b.keyword, "search", "tantivy")
    if b.vectors.graph is not None:
        timed(b.vectors.graph, "search", "faiss")
    for name in ("candidates", "result"):
        timed(m, name)
    timed(m.scorer, "score")
    flt = Filters(country=args.country) if args.country else None
    rng = np.random.default_rng(11)
    ids = [b.ids[s] for s in rng.choice(b.columns.n, 120, replace=False)]
    for pid in ids[:20]:
        m.partners(pid, k=10, filters=flt)
    spent.clear()
    calls.clear()
    lat = []
    for pid in ids[20:]:
        t = time.perf_counter()
        m.partners(pid, k=10, filters=flt)
        lat.append(time.perf_counter() - t)
    n = len(lat)
    print(f"{args.data} filter {args.country or 'own only'}, {args.candidates} candidates: partner query p50 {np.median(lat) * 1e3:.2f} ms, "
          f"p95 {np.percentile(lat, 95) * 1e3:.2f} ms, mean {np.mean(lat) * 1e3:.2f} ms")
    for label, total in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {label:15s} {total / n * 1e3:6.2f} ms a query ({calls[label] / n:.2f} calls)")
    m.close()


if __name__ == "__main__":
    main()

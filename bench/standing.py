"""Standing-filter benchmark: matching one arriving profile against many saved searches' filters.

    python bench/standing.py --searches 10000 --arrivals 300

Saved searches' filters are drawn from the taxonomy as NSS and teachers set them (one to three
countries, a language, a subject, an age band, sometimes a school type; some with no filter at
all). Each arrival is a generated profile; `percolate` is timed alone, on the embedded backend
and on a real OpenSearch node (the percolator; OPENSEARCH_URL, else tests/opensearch_node.py).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.sample import generate  # noqa: E402
from matcher.backends.types import CandidateFilter, Record  # noqa: E402
from models import AgeRange, Profile, taxonomy  # noqa: E402

DIM = 8


def filters(n: int, seed: int) -> list[CandidateFilter]:
    rng = np.random.default_rng(seed)
    countries, subjects = sorted(taxonomy.countries()), taxonomy.subjects()
    langs, types = ["en", "fr", "de", "es", "it", "pt", "pl", "ro", "el", "tr"], taxonomy.school_types()
    out = []
    for _ in range(n):
        if rng.random() < 0.05:
            out.append(CandidateFilter())
            continue
        lo = int(rng.integers(3, 17))
        some = list(rng.choice(countries, int(rng.integers(1, 4)), replace=False))
        out.append(CandidateFilter(
            countries=some if rng.random() < 0.7 else None,
            languages=[str(rng.choice(langs))] if rng.random() < 0.6 else None,
            subjects=[str(rng.choice(subjects))] if rng.random() < 0.6 else None,
            school_types=[str(rng.choice(types))] if rng.random() < 0.2 else None,
            ages=[AgeRange(from_=lo, to=lo + int(rng.integers(1, 5)))] if rng.random() < 0.6 else None))
    return out


def arrivals(n: int, seed: int) -> list[Record]:
    vec = np.ones((1, DIM), np.float32) / np.sqrt(DIM)
    return [Record(Profile.model_validate(d), vec, ["idea:0"]) for d in generate(n, seed=seed)]


def timed(backend, recs: list[Record]) -> dict:
    lat, hits = [], []
    for r in recs:
        t = time.perf_counter()
        hits.append(len(backend.percolate(r)))
        lat.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(float(np.percentile(lat, 50)), 2), "p95_ms": round(float(np.percentile(lat, 95)), 2),
            "searches_passed_mean": round(float(np.mean(hits)), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--searches", type=int, default=10_000)
    ap.add_argument("--arrivals", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.backends.opensearch.backend import OpenSearchBackend
    from tests.opensearch_node import Node

    flts, recs = filters(args.searches, args.seed), arrivals(args.arrivals, args.seed + 1)
    work = Path(tempfile.mkdtemp(prefix="twinmatch-bench-standing-"))
    out = {"searches": args.searches, "arrivals": args.arrivals}
    local = EmbeddedBackend(work / "embedded", DIM)
    for i, f in enumerate(flts):
        local.put_standing(f"s{i}", f)
    out["embedded"] = timed(local, recs)
    expected = [local.percolate(r) for r in recs]
    local.close()
    node, url = None, os.environ.get("OPENSEARCH_URL")
    if not url:
        node = Node(work / "node").start()
        url = node.url
    try:
        remote = OpenSearchBackend(url, "bench-standing", DIM, timeout=30.0)
        remote.indexes.ensure_standing()
        from matcher.backends.opensearch import requests as rq
        for start in range(0, len(flts), 1000):
            body = []
            for i, f in enumerate(flts[start:start + 1000], start):
                body += [{"index": {"_index": remote.standing_index, "_id": f"s{i}"}},
                         rq.standing_doc(f"s{i}", f)]
            remote.client.bulk(body=body, request_timeout=120)
        remote.client.indices.refresh(index=remote.standing_index)
        timed(remote, recs[:20])                       # warm the node
        out["opensearch"] = timed(remote, recs)
        same = sum(want == remote.percolate(r) for r, want in zip(recs, expected))
        out["opensearch_agrees_with_embedded"] = f"{same}/{len(recs)}"
        remote.client.indices.delete(index=remote.standing_index)
    finally:
        if node:
            node.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

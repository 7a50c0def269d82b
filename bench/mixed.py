"""Throughput of alternating searches and partner queries over HTTP: 2,000 sample profiles,
the hash embedder, one worker; 400 requests one at a time, then from 8 clients at once.

    python bench/mixed.py [--data /tmp/tm-mixed]    (the index is built once into --data)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.load import SEARCHES  # noqa: E402
from bench.server import local_server  # noqa: E402
from indexer.sample import generate  # noqa: E402


def build(base: Path, n: int) -> list[str]:
    """Index `n` sample profiles into `base` once; the ids of the first 200."""
    src = base.with_name(base.name + ".jsonl")
    if not base.exists():
        src.write_text("".join(json.dumps(p) + "\n" for p in generate(n, seed=1)))
        subprocess.run([sys.executable, "-m", "indexer.cli", "index", "-q", str(src)], check=True,
                       env={**os.environ, "TWINMATCH_DATA_DIR": str(base), "TWINMATCH_EMBEDDER": "hash"})
    return [json.loads(line)["id"] for line in src.read_text().splitlines()[:200]]


def one(client: httpx.Client, ids: list[str], i: int) -> float:
    t0 = time.perf_counter()
    if i % 2:
        r = client.post("/v1/search", json={"text": SEARCHES[i % len(SEARCHES)], "k": 10})
    else:
        r = client.get(f"/v1/profiles/{ids[i % len(ids)]}/partners")
    r.raise_for_status()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/tmp/tm-mixed"))
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args()
    ids = build(args.data, args.n)
    run = args.data.with_name(args.data.name + "-run")
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(args.data, run)  # the server writes its snapshot on exit
    with local_server(run) as url:
        with httpx.Client(base_url=url) as c:
            for i in range(20):
                one(c, ids, i)
        for conc in (1, 8):
            clients = [httpx.Client(base_url=url) for _ in range(conc)]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(conc) as ex:
                lat = sorted(ex.map(lambda i: one(clients[i % conc], ids, i), range(args.requests)))
            wall = time.perf_counter() - t0
            n = args.requests
            print(f"concurrency {conc}: {n} requests in {wall:.2f} s = {n / wall:.0f}/s, "
                  f"p50 {lat[n // 2] * 1000:.1f} ms, p99 {lat[int(n * .99)] * 1000:.1f} ms")


if __name__ == "__main__":
    main()

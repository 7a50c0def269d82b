"""`twinmatch eval DATASET`: index a judged dataset and print the metrics of each ranking mode."""
from __future__ import annotations

import sys
from pathlib import Path


def cmd_eval(args) -> int:
    from tqdm import tqdm

    from indexer.ingest import load_file
    from matcher.embeddings.cache import import_vectors
    from matcher.evaluation import evaluate, read_qrels
    from matcher.service import MODES, build_matcher
    from matcher.settings import get_settings

    dataset = Path(args.dataset)
    profiles_path, qrels_path = dataset / "profiles.jsonl", dataset / "qrels.tsv"
    for p in (profiles_path, qrels_path):
        if not p.exists():
            print(f"error: {p} is missing; a dataset is a folder with profiles.jsonl and qrels.tsv",
                  file=sys.stderr)
            return 2
    settings = get_settings().model_copy(update={"data_dir": Path(args.workdir or dataset / ".index")})
    m = build_matcher(settings, threads=2)
    try:
        sidecar = profiles_path.with_name(profiles_path.name + ".emb.npz")
        if sidecar.exists():
            import_vectors(m.embedder, sidecar)
        profiles, errors = load_file(profiles_path)
        if errors:
            print(f"warning: {len(errors)} problems in {profiles_path}, first: {errors[0]}", file=sys.stderr)
        stored = m.backend.count()
        if stored != len(profiles):
            with tqdm(total=len(profiles), desc="indexing", unit="profile") as bar:
                m.upsert(profiles, progress=bar.update)
        qrels = read_qrels(qrels_path)
        if args.limit:
            qrels = dict(list(qrels.items())[: args.limit])
        modes = args.mode or list(MODES)
        rows = []
        for mode in modes:
            with tqdm(total=len(qrels), desc=mode, unit="query", leave=False) as bar:
                rows.append((mode, evaluate(m, qrels, mode, progress=bar.update)))
    finally:
        m.close()
    print(f"dataset {dataset} · {len(profiles)} profiles · {len(qrels)} queries")
    print("| mode | nDCG@10 | recall@10 | MRR |")
    print("|---|---|---|---|")
    for mode, r in rows:
        print(f"| {mode} | {r['ndcg@10']:.3f} | {r['recall@10']:.3f} | {r['mrr']:.3f} |")
    return 0


def register(sub) -> None:
    p = sub.add_parser("eval", help="nDCG@10, recall@10 and MRR of each ranking mode on a dataset")
    p.add_argument("dataset", help="folder with profiles.jsonl and qrels.tsv")
    p.add_argument("--mode", action="append", help="filters, subjects, bm25, vector, hybrid, weighted, full")
    p.add_argument("--limit", type=int, help="evaluate only the first N queries")
    p.add_argument("--workdir", help="index folder (default DATASET/.index, reused between runs)")
    p.set_defaults(func=cmd_eval)

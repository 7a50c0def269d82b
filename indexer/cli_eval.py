"""`twinmatch eval DATASET...`: index judged datasets, print each ranking's metrics, fit the model."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer.ingest import load_file
from matcher import model as learned
from matcher.embeddings.cache import import_vectors
from matcher.evaluation import (METRICS, MODES, SEARCH_MODES, UNINDEXED, collect, collect_search,
                                consortium_recall, dataset_groups, read_qrels, score)
from matcher.features import SEARCH_FEATURES
from matcher.service import build_matcher
from matcher.settings import get_settings

HEADER = "| mode | nDCG@10 | recall@10 | cross-lingual recall@10 | MRR | pool recall |"


def _index(m, path: Path) -> int:
    """Index one profiles file (with its vectors sidecar when present); returns its size."""
    sidecar = path.with_name(path.name + ".emb.npz")
    if sidecar.exists():
        import_vectors(m.embedder, sidecar)
    profiles, errors = load_file(path)
    if errors:
        print(f"warning: {len(errors)} problems in {path}, first: {errors[0]}", file=sys.stderr)
    # Every profile goes to upsert, which skips the unchanged ones: an index reused between runs
    # then follows a file that changed, not only one that grew.
    with tqdm(total=len(profiles), desc=f"indexing {path.name}", unit="profile", leave=False) as bar:
        m.upsert(profiles, progress=bar.update)
    return len(profiles)


def load_set(dataset: Path, background: Path | None, workdir: Path | None, limit: int | None,
             searches: list[str], consortia: bool = False):
    """(name, partner queries, search queries per field, groups, profile count) of one judged
    dataset, indexed with its background."""
    profiles_path, qrels_path = dataset / "profiles.jsonl", dataset / "qrels.tsv"
    for p in (profiles_path, qrels_path):
        if not p.exists():
            raise FileNotFoundError(f"{p} is missing; a dataset is a folder with profiles.jsonl and qrels.tsv")
    name = dataset.resolve().name + (f"+{background.stem}" if background else "")
    index = (workdir or Path(".eval-index")) / name
    settings = get_settings().model_copy(update={"data_dir": index})
    m = build_matcher(settings, threads=2)
    try:
        size = _index(m, profiles_path) + (_index(m, background) if background else 0)
        qrels = read_qrels(qrels_path)
        if limit:
            qrels = dict(list(qrels.items())[:limit])
        groups = dataset_groups(dataset, qrels)
        with tqdm(total=len(qrels), desc=f"querying {name}", unit="query", leave=False) as bar:
            queries = collect(m, qrels, progress=bar.update)
        if consortia:
            c = consortium_recall(m, groups, qrels)
            line = (f"\n#### {name}: consortia\n\nFor {c['teachers']} teachers of groups of three or more, "
                    f"the consortium of their group's size (at most 5) holds real group-mates in "
                    f"{c['group_mates']:.3f} of its other places; none was found for {c['none_found']:.3f}.")
            print(line)
            _REPORT.append(line)
        found = {}
        for field in searches:
            with tqdm(total=len(qrels), desc=f"searching {name} by {field}", unit="query", leave=False) as bar:
                found[field] = collect_search(m, qrels, field, progress=bar.update)
    finally:
        m.close()
    return name, queries, found, groups, size


def _row(mode: str, r: dict[str, float], spread: dict[str, float] | None = None) -> str:
    cells = [f"{r[k]:.3f}" + (f" ± {spread[k]:.3f}" if spread else "") for k in METRICS]
    return f"| {mode} | " + " | ".join(cells) + " |"


def cmd_eval(args) -> int:
    background = Path(args.background) if args.background else None
    ranked_among = Path(args.train_background) if args.train_background else None
    for path in (background, ranked_among):
        if path and not path.exists():
            print(f"error: no such file: {path}", file=sys.stderr)
            return 2
    if background and ranked_among:
        print("error: --background and --train-background exclude each other: --background ranks "
              "every dataset among it, --train-background adds each dataset among it beside itself",
              file=sys.stderr)
        return 2
    if args.report and f"<!-- eval:{args.section} -->" not in Path(args.report).read_text(encoding="utf-8"):
        print(f"error: {args.report} has no <!-- eval:{args.section} --> block to fill", file=sys.stderr)
        return 2
    searches = args.search or []
    if args.fit_search and "title-unindexed" not in searches:
        print("error: --fit-search fits on the title-unindexed searches: add --search title-unindexed",
              file=sys.stderr)
        return 2
    sets, search_sets, groups = {}, {}, {}
    workdir = Path(args.workdir) if args.workdir else None

    def add(d: str, among: Path | None, fields: list[str], consortia: bool) -> None:
        """One dataset's queries (among a background), scored and kept by set name."""
        name, queries, found, g, size = load_set(Path(d), among, workdir, args.limit, fields, consortia)
        sets[name], groups[name] = queries, g
        _table(f"{name}: partner queries, {size} profiles, {len(queries)} queries",
               {mode: score(queries, mode) for mode in args.mode or MODES})
        for field, qs in found.items():
            search_sets[f"{name}/{field}"], groups[f"{name}/{field}"] = qs, g
            _table(f"{name}: searches by {field}, {len(qs)} queries",
                   {mode: score(qs, mode) for mode in SEARCH_MODES})

    try:
        for d in args.dataset:
            add(d, background, searches, args.consortia)
            if ranked_among:
                add(d, ranked_among, [f for f in searches if f.endswith(UNINDEXED)], False)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.cv or args.fit or args.fit_search:
        from matcher.training import (SET_WEIGHTS, as_in_small_index, cross_validate, fit_all,  # scikit-learn,
                                      search_as_in_small_index)                              # for fitting only
        folds = args.cv or 5
        runs = [(sets, {"weights": SET_WEIGHTS}, ("model", "full"), args.fit, as_in_small_index)]
        # The search model orders the texts that name nobody: a searcher left out of the index,
        # alone and among the training background. A registered searcher's own title names them,
        # and the partner model then ranks its results (matcher/search.py): reported, not fitted on.
        fitted = {k: v for k, v in search_sets.items() if k.endswith(UNINDEXED)}
        if fitted:
            # A search's typical hubness in a small index is the partner model's, the one the
            # sets were scored with.
            partner = learned.load()
            runs.append((fitted, {"features": SEARCH_FEATURES}, ("search",), args.fit_search,
                         lambda q, _: search_as_in_small_index(q, partner)))
        for chosen, kw, modes, out, small_index in runs:
            cv = cross_validate(chosen, groups, folds=folds, modes=modes, **kw)
            for name, per_mode in cv.items():
                _table(f"{name}: grouped {folds}-fold cross-validation (mean ± spread over folds)",
                       {m: {k: float(np.mean(v)) for k, v in mt.items()} for m, mt in per_mode.items()},
                       {m: {k: float(np.std(v)) for k, v in mt.items()} for m, mt in per_mode.items()})
            if out:
                fit_all(chosen, cv, small_index=small_index, **kw).save(Path(out))
                print(f"\nwrote {out}")
    if args.report:
        write_report(Path(args.report), args.section, "twinmatch eval " + " ".join(sys.argv[2:]))
        print(f"\nwrote the tables into {args.report}")
    return 0


_REPORT: list[str] = []


def _table(title: str, rows: dict[str, dict[str, float]], spread: dict | None = None) -> None:
    lines = [f"\n#### {title}\n", HEADER, "|---|---|---|---|---|---|"]
    lines += [_row(mode, r, spread[mode] if spread else None) for mode, r in rows.items()]
    print("\n".join(lines))
    _REPORT.extend(lines)


def write_report(path: Path, section: str, command: str) -> None:
    """Replace the text between `<!-- eval:SECTION -->` and `<!-- /eval:SECTION -->` in `path`
    with the tables just printed and the command that printed them."""
    begin, end = f"<!-- eval:{section} -->", f"<!-- /eval:{section} -->"
    doc = path.read_text(encoding="utf-8")
    if begin not in doc or end not in doc:
        raise ValueError(f"{path} has no {begin} ... {end} block to fill")
    body = f"{begin}\nGenerated by `{command}`:\n" + "\n".join(_REPORT) + f"\n{end}"
    head, rest = doc.split(begin, 1)
    path.write_text(head + body + rest.split(end, 1)[1], encoding="utf-8")


def register(sub) -> None:
    p = sub.add_parser("eval", help="nDCG@10, recall@10 and more of each ranking on judged datasets")
    p.add_argument("dataset", nargs="+", help="folders with profiles.jsonl and qrels.tsv (and meta.tsv)")
    p.add_argument("--mode", action="append", choices=MODES, help="rankings to score (default: all)")
    p.add_argument("--background", help="a profiles file indexed beside each dataset: unjudged teachers")
    p.add_argument("--train-background", metavar="FILE",
                   help="also rank each dataset's partner queries among FILE's teachers: "
                   "cross-validation reports them, and a fit learns to rank each real partner "
                   "above the other candidates of those pools (matcher/training.py)")
    p.add_argument("--cv", type=int, metavar="K", help="grouped K-fold cross-validation of the learned model")
    p.add_argument("--fit", metavar="FILE", help="fit the model on every dataset and write it to FILE "
                   "(matcher/model.json ships); implies --cv 5 unless given")
    p.add_argument("--search", action="append", choices=("title", "interests", "title-unindexed"),
                   help="also run each judged teacher's search by its idea title or interests; "
                   "title-unindexed leaves the searcher's own profile out of the answer")
    p.add_argument("--fit-search", metavar="FILE", help="fit the search model on the title-unindexed "
                   "searches (with --search title-unindexed) and write it to FILE "
                   "(matcher/search_model.json ships)")
    p.add_argument("--consortia", action="store_true",
                   help="also measure how many real group-mates /consortium returns")
    p.add_argument("--report", metavar="FILE", help="also write the tables into FILE's "
                   "<!-- eval:SECTION --> block (docs/quality.md)")
    p.add_argument("--section", default="tables", help="the block --report fills (default: tables)")
    p.add_argument("--limit", type=int, help="evaluate only the first N queries of each dataset")
    p.add_argument("--workdir", help="index folder (default .eval-index/, reused between runs)")
    p.set_defaults(func=cmd_eval)

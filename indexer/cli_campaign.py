"""`twinmatch campaign run COHORT`: pair or group a cohort, write the matches CSV and the HTML report."""
from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from indexer.ingest import load_file
from matcher.service import build_matcher
from matcher.settings import get_settings


def _is_profiles(path: Path, text: str) -> bool:
    """A JSONL/CSV of profiles (indexed first), not a list of ids."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return path.suffix.lower() in (".jsonl", ".csv") or first.lstrip().startswith("{")


def _cohort(path: Path, text: str, matcher) -> list[str]:
    """Profile ids (one a line), or a JSONL/CSV of profiles that is indexed first."""
    if _is_profiles(path, text):
        profiles, errors = load_file(path)
        for e in errors:
            print(f"{path}:{e['line']}: {e['field']}: {e['reason']}", file=sys.stderr)
        matcher.upsert(profiles)
        return [p.id for p in profiles]
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def cmd_campaign_run(args) -> int:
    # The solvers (scipy, ~0.35 s to import) load for this command only, not for every `twinmatch` one.
    from matcher.campaign.report import render
    from matcher.campaign.run import STAGES, run_campaign
    from matcher.campaign.table import to_csv

    lo, _, hi = args.partners.partition("-")
    if not (lo.isdigit() and hi.isdigit()):
        raise ValueError(f"--partners must be MIN-MAX, e.g. 1-3, not {args.partners!r}")
    path = Path(args.cohort)
    if not path.exists():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    text = path.read_text(encoding="utf-8-sig")
    # A list of ids only reads the index, so it runs beside a server; profiles are written first.
    settings = get_settings()
    with build_matcher(settings, threads=settings.embed_threads or 1, follow=not _is_profiles(path, text)) as m:
        ids = _cohort(path, text, m)
        with tqdm(total=len(STAGES), desc="campaign", unit="stage", disable=args.quiet) as bar:
            def progress(stage: str, frac: float) -> None:
                bar.set_postfix_str(stage)
                if frac >= 1.0:
                    bar.update(1)
            res = run_campaign(m, ids, partners=(int(lo), int(hi)), groups=args.groups,
                               max_per_country=args.max_per_country, top_k=args.top_k, progress=progress,
                               min_score=args.min_score)
        profiles = m.backend.get_many(ids)   # names and schools for the CSV and the report
    if args.out:
        Path(args.out).write_text(to_csv(res, profiles, args.lang, emails=args.emails), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(render(res, profiles, args.lang, title=path.name), encoding="utf-8")
    s = res.summary
    kept = f"{s.matches} partnerships" + (f" in {len(res.groups)} groups of {res.groups_of}" if res.groups_of else "")
    print(f"{s.matched} of {s.participants} participants matched ({100 * s.matched_share:.1f}%), {kept}, "
          f"{len(res.unmatched)} unmatched" + (f"; mean score {s.mean_score:.3f}" if s.mean_score is not None else ""))
    if not (args.out or args.report):
        print("nothing written: add --out matches.csv and/or --report report.html to keep the matches",
              file=sys.stderr)
    return 0


def _score(text: str) -> float:
    import argparse
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a score between 0 and 1, not {text!r}")
    return value


def register(sub) -> None:
    p = sub.add_parser("campaign", help="match a whole cohort at once")
    csub = p.add_subparsers(dest="campaign_command", required=True)
    r = csub.add_parser("run", help="pair (or group) a cohort; write matches CSV and an HTML report")
    r.add_argument("cohort", help="file of profile ids (one a line), or a JSONL/CSV of profiles to index")
    r.add_argument("--partners", default="1-3", help="MIN-MAX partners per participant (default 1-3)")
    r.add_argument("--groups", type=int, choices=(3, 4, 5), help="consortia of this size instead of pairs")
    r.add_argument("--max-per-country", type=int, help="at most M partners from one country each")
    r.add_argument("--min-score", type=_score, help="propose no pair scoring below this (0-1), even "
                                                   "if a participant then has fewer partners")
    r.add_argument("--top-k", type=int, default=30, help="candidate partners kept per participant")
    r.add_argument("--out", help="matches CSV: one row per pair, with names, schools and countries")
    r.add_argument("--report", help="HTML report for the organisers")
    r.add_argument("--lang", help="language of the report and of the CSV's reasons (en, pt, fr, ...)")
    r.add_argument("--emails", action="store_true", help="add both teachers' e-mails to the CSV "
                                                         "(personal data: share the file accordingly)")
    r.add_argument("-q", "--quiet", action="store_true")
    r.set_defaults(func=cmd_campaign_run)

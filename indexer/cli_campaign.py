"""`twinmatch campaign run COHORT`: pair or group a cohort, write matches CSV and the HTML report."""
from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from indexer.ingest import load_file
from matcher.service import build_matcher
from matcher.settings import get_settings


def _cohort(path: Path, matcher) -> list[str]:
    """Profile ids (one a line), or a JSONL/CSV of profiles that is indexed first."""
    text = path.read_text(encoding="utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if path.suffix.lower() in (".jsonl", ".csv") or first.lstrip().startswith("{"):
        profiles, errors = load_file(path)
        for e in errors:
            print(f"{path}:{e['line']}: {e['field']}: {e['reason']}", file=sys.stderr)
        matcher.upsert(profiles)
        return [p.id for p in profiles]
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def cmd_campaign_run(args) -> int:
    # The solvers (scipy, ~0.35 s to import) load for this command only, not for every `twinmatch` one.
    from matcher.campaign.report import render, to_csv
    from matcher.campaign.run import STAGES, run_campaign

    lo, _, hi = args.partners.partition("-")
    if not (lo.isdigit() and hi.isdigit()):
        raise ValueError(f"--partners must be MIN-MAX, e.g. 1-3, not {args.partners!r}")
    path = Path(args.cohort)
    if not path.exists():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    settings = get_settings()
    with build_matcher(settings, threads=settings.embed_threads or 1) as m:
        ids = _cohort(path, m)
        with tqdm(total=len(STAGES), desc="campaign", unit="stage", disable=args.quiet) as bar:
            def progress(stage: str, frac: float) -> None:
                bar.set_postfix_str(stage)
                if frac >= 1.0:
                    bar.update(1)
            res = run_campaign(m, ids, partners=(int(lo), int(hi)), groups=args.groups,
                               max_per_country=args.max_per_country, top_k=args.top_k, progress=progress)
    if args.out:
        Path(args.out).write_text(to_csv(res.model_dump()), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(render(res, f"twinmatch campaign · {path.name}"), encoding="utf-8")
    s = res.summary
    print(f"{s.matched} of {s.participants} participants matched ({100 * s.matched_share:.1f}%), "
          f"{s.matches} partnerships, {len(res.groups)} groups; greedy baseline {s.greedy_matched}; "
          f"{len(res.unmatched)} unmatched · " + ", ".join(f"{st.name} {st.seconds:.2f}s" for st in res.stages))
    return 0


def register(sub) -> None:
    p = sub.add_parser("campaign", help="match a whole cohort at once")
    csub = p.add_subparsers(dest="campaign_command", required=True)
    r = csub.add_parser("run", help="pair (or group) a cohort; write matches CSV and an HTML report")
    r.add_argument("cohort", help="file of profile ids (one a line), or a JSONL/CSV of profiles to index")
    r.add_argument("--partners", default="1-3", help="MIN-MAX partners per participant (default 1-3)")
    r.add_argument("--groups", type=int, choices=(3, 4, 5), help="consortia of this size instead of pairs")
    r.add_argument("--max-per-country", type=int, help="at most M partners from one country each")
    r.add_argument("--top-k", type=int, default=30, help="candidate partners kept per participant")
    r.add_argument("--out", help="matches CSV")
    r.add_argument("--report", help="HTML report")
    r.add_argument("-q", "--quiet", action="store_true")
    r.set_defaults(func=cmd_campaign_run)

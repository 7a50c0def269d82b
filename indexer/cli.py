"""The `twinmatch` command line: index, partners, search, get, delete, stats, serve and friends."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import uvicorn
from pydantic import ValidationError
from tqdm import tqdm

from api import workers
from api.security import check_open_mode
from indexer import cli_alerts, cli_campaign, cli_eval, cli_keys, ops
from indexer.ingest import iter_file, load_file
from matcher import text
from matcher.alerts import match as alerts
from matcher.alerts.store import AlertStore
from matcher.campaign.store import CampaignStore
from matcher.embeddings.cache import export_vectors, import_vectors
from matcher.errors import DirectoryInUse, MatchingError
from matcher.service import build_matcher
from matcher.settings import get_settings
from models import AgeRange, Filters, ResultList, SearchRequest

# Modules that add their own subcommands through `register(subparsers)`.
SUBCOMMANDS = (cli_eval, ops, cli_campaign, cli_keys, cli_alerts)


def _matcher(threads: int | None = None, read: bool = False):
    """The Matcher for a command. A read (`read=True`) opens a data directory that a running
    server writes as its follower, as the server's own extra workers do; a write cannot, and
    main() says in one line what to do instead."""
    settings = get_settings()
    return build_matcher(settings, threads=threads or settings.embed_threads or 1, follow=read)


def _print_results(res: ResultList, as_json: bool) -> None:
    if as_json:
        print(res.model_dump_json(by_alias=True))
        return
    if not res.results:
        print("no matching partners")
    if res.why_empty:   # what emptied the list, and the change that finds most teachers
        print(f"  {res.why_empty.message}")
        for tip in res.why_empty.suggestions[:1]:
            print(f"  {tip.message}")
    for i, r in enumerate(res.results, 1):
        p = r.profile
        ages = ", ".join(str(a) for a in p.age_groups)
        print(f"{i:>2}. {r.score:.3f}  {p.name or p.id} ({p.id}) — {p.school.name}, {p.school.country}")
        print(f"      languages {', '.join(p.languages)} · ages {ages} · {', '.join(p.subjects) or '-'}")
        for reason in r.reasons:
            print(f"      · {reason.message}")
    print(f"({len(res.results)} of {res.total})")


def _filters(args) -> Filters:
    return Filters(country=args.country, subject=args.subject, language=args.language,
                   age=AgeRange.parse(args.age) if args.age else None,
                   allow_same_country=getattr(args, "same_country", False))


def cmd_index(args) -> int:
    path = Path(args.path)
    if not path.exists():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    good, errors = {}, []
    for _, profile, errs in iter_file(path):
        if profile is not None:
            good[profile.id] = profile
        errors.extend(errs)
    m = _matcher(threads=get_settings().embed_threads or os.cpu_count() or 1)
    sidecar = path.with_name(path.name + ".emb.npz")
    if sidecar.exists():  # precomputed vectors shipped beside a file (the bundled sample)
        import_vectors(m.embedder, sidecar)
    store = AlertStore(get_settings().data_dir)
    try:
        with tqdm(total=len(good), unit="profile", desc="indexing", disable=args.quiet) as bar:
            alerts.upsert(m, store, list(good.values()), progress=bar.update)  # and alerts subscribers
        hits, misses = getattr(m.embedder, "hits", 0), getattr(m.embedder, "misses", 0)
    finally:
        m.close(), store.close()
    for e in errors:
        print(f"{path}:{e['line']}: {e['field']}: {e['reason']}", file=sys.stderr)
    bad_lines = len({e["line"] for e in errors})
    print(f"indexed {len(good)} profiles, rejected {bad_lines} lines "
          f"({hits} texts from the embedding cache, {misses} encoded)")
    return 1 if errors else 0


def cmd_partners(args) -> int:
    with _matcher(read=True) as m:
        _print_results(m.partners(args.id, k=args.k, filters=_filters(args), lang=args.lang, explain=True),
                       args.json)
    return 0


def cmd_consortium(args) -> int:
    with _matcher(read=True) as m:
        group = m.consortium(args.id, size=args.size, lang=args.lang)
    if args.json:
        print(group.model_dump_json(by_alias=True))
        return 0
    print(f"group of {len(group.members)} from {', '.join(group.countries)} · weakest pair "
          f"{group.weakest_pair:.3f} · mean {group.mean_pair:.3f}")
    for p in group.members:
        print(f"  {p.id:<16} {p.name} — {p.school.name}, {p.school.country} · {', '.join(p.languages)}")
    for pair in group.pairs:
        print(f"  {pair.a} ↔ {pair.b}: {pair.score:.3f} · " + " · ".join(r.message for r in pair.reasons))
    return 0


def cmd_search(args) -> int:
    with _matcher(read=True) as m:
        req = SearchRequest(text=args.text, filters=_filters(args), k=args.k, lang=args.lang)
        _print_results(m.search(req, explain=True), args.json)
    return 0


def cmd_get(args) -> int:
    with _matcher(read=True) as m:
        print(m.get(args.id).model_dump_json(by_alias=True, indent=None if args.json else 2))
    return 0


def cmd_delete(args) -> int:
    with _matcher() as m:
        m.delete(args.id)
        CampaignStore(get_settings().data_dir).erase(args.id)  # and from campaign results
        store = AlertStore(get_settings().data_dir)
        alerts.erase_profile(m, store, args.id)   # its subscription, its alerts, alerts naming it
        store.close()
        print(f"deleted {args.id}")
    return 0


def cmd_stats(args) -> int:
    with _matcher(read=True) as m:
        print(json.dumps(m.stats(), indent=2))
    return 0


def cmd_export_vectors(args) -> int:
    """Write FILE.emb.npz beside a profiles file so `index` needs no encoding for it."""
    path = Path(args.path)
    profiles, _ = load_file(path)
    m = _matcher(threads=get_settings().embed_threads or os.cpu_count() or 1)
    try:
        texts = [t for p in profiles for _, t in text.units(p)]
        n = export_vectors(m.embedder, texts, path.with_name(path.name + ".emb.npz"))
    finally:
        m.close()
    print(f"wrote {n} vectors to {path.name}.emb.npz")
    return 0


def cmd_serve(args) -> int:
    check_open_mode(get_settings(), args.host)  # no keys: loopback only
    os.environ["TWINMATCH_WORKERS"] = str(args.workers)  # the worker processes read settings anew
    # Our JSON access log (api/observability.py) replaces uvicorn's, which would log raw paths.
    options = dict(factory=True, host=args.host, port=args.port, log_level="info", access_log=False)
    if args.workers < 2:
        uvicorn.run("api.main:create_app", **options)
        return 0
    options.pop("host"), options.pop("port")
    return workers.run(args.host, args.port, args.workers, options)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--country", action="append", help="ISO code; repeat for several")
    p.add_argument("--subject", action="append")
    p.add_argument("--language", action="append")
    p.add_argument("--age", help="pupil ages FROM-TO, e.g. 7-11")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--lang", help="language of the explanations (en, pt, ro, es, fr, de, it, pl)")
    p.add_argument("--json", action="store_true", help="print exactly the API's JSON")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="twinmatch", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="index a JSONL or CSV file of profiles")
    p.add_argument("path")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_index)
    p = sub.add_parser("partners", help="ranked, explained partners for a profile")
    p.add_argument("id")
    p.add_argument("--same-country", action="store_true", help="also partners from the same country")
    _add_filters(p)
    p.set_defaults(func=cmd_partners)
    p = sub.add_parser("consortium", help="a group of compatible teachers from different countries")
    p.add_argument("id")
    p.add_argument("--size", type=int, default=4)
    p.add_argument("--lang")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_consortium)
    p = sub.add_parser("search", help="free-text search with filters")
    p.add_argument("text")
    _add_filters(p)
    p.set_defaults(func=cmd_search)
    for name, fn, hlp in (("get", cmd_get, "show a stored profile"), ("delete", cmd_delete, "erase a profile")):
        p = sub.add_parser(name, help=hlp)
        p.add_argument("id")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=fn)
    sub.add_parser("stats", help="index size and model").set_defaults(func=cmd_stats)
    p = sub.add_parser("export-vectors", help="ship a file's vectors beside it (PATH.emb.npz)")
    p.add_argument("path")
    p.set_defaults(func=cmd_export_vectors)
    p = sub.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default=get_settings().host)
    p.add_argument("--port", type=int, default=get_settings().port)
    p.add_argument("--workers", type=int, default=get_settings().workers,
                   help="server processes (one writes, the others follow it); about one per core")
    p.set_defaults(func=cmd_serve)
    for module in SUBCOMMANDS:
        module.register(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except DirectoryInUse:  # a write while a server (or another write) holds the directory
        from indexer.holder import refusal
        print(f"error: {refusal(get_settings().data_dir)}", file=sys.stderr)
        return 2
    except MatchingError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # bad option values: one line, not the model's report
        print("error: " + "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: "
                                     f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors()),
              file=sys.stderr)
        return 2
    except ValueError as exc:  # bad option values, e.g. an age range
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and friends
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())

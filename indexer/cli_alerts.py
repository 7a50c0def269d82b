"""`twinmatch alerts ...`: subscribe, list, digest, deliver, simulate and teacher tokens."""
from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx
from tqdm import tqdm

from api.teacher import mint
from indexer.alert_simulation import simulate
from matcher.alerts import digest, match
from matcher.alerts.deliver import deliver_due
from matcher.alerts.store import AlertStore
from matcher.service import build_matcher
from matcher.settings import get_settings

_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str) -> float:
    """`7d`, `24h`, `30m` or `2w` ago, as Unix seconds."""
    m = re.fullmatch(r"(\d+)([mhdw])", text.strip())
    if not m:
        raise ValueError(f"--since {text!r}: use a number and a unit, e.g. 7d, 24h, 30m, 2w")
    return time.time() - int(m.group(1)) * _UNITS[m.group(2)]


def _open():
    settings = get_settings()
    return build_matcher(settings, threads=settings.embed_threads or 1), AlertStore(settings.data_dir)


def cmd_subscribe(args) -> int:
    m, store = _open()
    try:
        s = match.subscribe(m, store, args.id, args.owner, args.frequency, args.max_per_digest, args.k)
    finally:
        m.close(), store.close()
    print(f"{s.profile_id}: {s.frequency} alerts when a newcomer enters its top {s.k}")
    return 0


def cmd_unsubscribe(args) -> int:
    store = AlertStore(get_settings().data_dir)
    try:
        store.unsubscribe(args.id)
    finally:
        store.close()
    print(f"{args.id}: no more alerts")
    return 0


def cmd_list(args) -> int:
    m, store = _open()
    try:
        store.subscription(args.id)
        alerts = store.alerts("profile", args.id)
        partners = m.backend.get_many([a.newcomer for a in alerts])
    finally:
        m.close(), store.close()
    shown = [(a, partners[a.newcomer].profile) for a in alerts if a.newcomer in partners]
    if args.json:
        print(json.dumps([{"id": a.id, "partner": p.public().model_dump(mode="json", by_alias=True),
                           "score": a.score, "reasons": digest.localize(a.reasons, args.lang)}
                          for a, p in shown], ensure_ascii=False))
        return 0
    for a, p in shown:
        print(f"{a.score:.3f}  {p.name or p.id} ({p.id}) — {p.school.name}, {p.school.country}")
        for r in digest.localize(a.reasons, args.lang):
            print(f"      · {r['message']}")
    print(f"(alerts for {args.id}: {len(shown)})")
    return 0


def cmd_digest(args) -> int:
    try:
        since = parse_since(args.since)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m, store = _open()
    try:
        items = digest.build(m, store, since=since, lang=args.lang)
    finally:
        m.close(), store.close()
    if args.format == "html":
        sys.stdout.write(digest.to_html(items))
    else:
        print(json.dumps({"since": since, "digests": items}, ensure_ascii=False, indent=2))
    return 0


def cmd_deliver(args) -> int:
    """Match arrivals a crash left queued, then make one pass over the webhooks due now."""
    m, store = _open()
    try:
        new = match.process(m, store)
        with httpx.Client() as client:
            counts = deliver_due(m, store, client)
    finally:
        m.close(), store.close()
    print(f"{new} new alerts from queued arrivals; webhooks: {counts['sent']} sent, "
          f"{counts['retry']} to retry, {counts['dead']} dead")
    return 0


def cmd_token(args) -> int:
    print(mint(get_settings().teacher_token_secret, args.id, args.ttl))
    return 0


def cmd_simulate(args) -> int:
    dataset = Path(args.dataset)
    grouped = (dataset / "meta.tsv").exists() or (dataset / "qrels.tsv").exists()
    if not (dataset / "profiles.jsonl").exists() or not grouped:
        print(f"error: {dataset} needs profiles.jsonl, and meta.tsv or qrels.tsv for its groups",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="twinmatch-alerts-") as tmp:
        work = Path(args.workdir or tmp)
        settings = get_settings().model_copy(update={"data_dir": work})
        m, store = build_matcher(settings, threads=2), AlertStore(work)
        try:
            with tqdm(desc="arrivals", unit="arrival", leave=False) as bar:
                fig = simulate(m, store, dataset, Path(args.background) if args.background else None,
                               k=args.k, exhaustive=args.exhaustive, searches=args.searches,
                               progress=bar.update)
        finally:
            m.close(), store.close()
    bg = f" · background {args.background}" if args.background else ""
    print(f"dataset {dataset}{bg} · k={args.k} · at most {match.PER_ARRIVAL} alerts per arrival")
    print(fig.table(), end="")
    return 0


def register(sub) -> None:
    p = sub.add_parser("alerts", help="partner alerts: subscribe, list, digest, deliver, simulate")
    a = p.add_subparsers(dest="alerts_command", required=True)
    q = a.add_parser("subscribe", help="alert a teacher when a newcomer enters their top k")
    q.add_argument("id")
    q.add_argument("--frequency", choices=("instant", "daily", "weekly"), default="daily")
    q.add_argument("--max-per-digest", type=int, default=5)
    q.add_argument("-k", type=int, default=10)
    q.add_argument("--owner", default="local", help="the key id that owns the subscription")
    q.set_defaults(func=cmd_subscribe)
    q = a.add_parser("unsubscribe", help="stop a teacher's alerts and erase the pending ones")
    q.add_argument("id")
    q.set_defaults(func=cmd_unsubscribe)
    q = a.add_parser("list", help="a teacher's alerts with their reasons")
    q.add_argument("id")
    q.add_argument("--lang")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_list)
    q = a.add_parser("digest", help="each recipient's digest of a period, for the portal's mailer")
    q.add_argument("--since", default="7d", help="period: 30m, 24h, 7d, 2w")
    q.add_argument("--lang", help="language of the digest: any of the reasons' 37 (pt, pt-BR, lt, ...); "
                                  "others get English, and the digest says which it is in")
    q.add_argument("--format", choices=("json", "html"), default="json")
    q.set_defaults(func=cmd_digest)
    q = a.add_parser("deliver", help="match queued arrivals, then one pass over due webhooks")
    q.set_defaults(func=cmd_deliver)
    q = a.add_parser("token", help="a teacher token for one profile (what the portal mints)")
    q.add_argument("id")
    q.add_argument("--ttl", type=int, default=3600, help="seconds")
    q.set_defaults(func=cmd_token)
    q = a.add_parser("simulate", help="alert recall, precision and alerts per arrival on a dataset")
    q.add_argument("dataset", help="folder with profiles.jsonl, and meta.tsv or qrels.tsv (its groups)")
    q.add_argument("--background", help="more profiles indexed first, e.g. indexer/data/sample.jsonl")
    q.add_argument("-k", type=int, default=10)
    q.add_argument("--exhaustive", action="store_true", help="also scan every subscriber's own top k "
                   "(and run every saved search)")
    q.add_argument("--searches", type=int, default=0, metavar="N",
                   help="also save N searches: the first words of an idea of each group's first member, "
                   "then of other indexed teachers")
    q.add_argument("--workdir", help="index folder (default: a temporary one)")
    q.set_defaults(func=cmd_simulate)

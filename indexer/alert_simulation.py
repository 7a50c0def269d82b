"""The arrival simulation: every project member but one is indexed and subscribed, then the last one joins.

On a dataset folder with `profiles.jsonl` and either `meta.tsv` (profile_id, text_lang, kind,
group) or `qrels.tsv` (groups: the profiles its top grade joins, as cross-validation folds them):
each group's members but its last (in file order) are indexed with every other profile of the
dataset and an optional background file, and subscribed (k=10); then each group's last member
is written through `matcher.alerts.match.upsert`, one at a time, as it would arrive.

- alert recall: of the members already there, the share alerted about their new partner;
- alert precision: of all alerts sent, the share naming a member of the recipient's own project;
- alerts per arrival, and the time to match one arrival (after its profile is written);
- with `exhaustive`, the subscribers that a full scan (every subscriber's own top k) would have
  alerted before the per-arrival cap, to show what the cheap reverse lookup misses;
- with `searches` = N, N saved searches (k as above, no filters): one per group for the first
  eight words of its first member's first idea (a title would name that teacher, and searches
  that name a teacher always run), then the same of other indexed teachers in file order. It
  counts the saved searches each arrival runs (those whose stored figures cannot tell:
  matcher/alerts/saved_searches.py) and their alerts, and with `exhaustive` runs every saved
  search after each arrival, to count the ones whose results hold the newcomer but that were
  not alerted, and the alerts whose search does not hold it.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.ingest import load_file
from matcher.alerts import match
from matcher.alerts.store import AlertStore
from matcher.embeddings.cache import import_vectors
from matcher.evaluation import groups_from_qrels, read_qrels
from models import SearchRequest


@dataclass
class Figures:
    arrivals: int = 0
    existing_members: int = 0
    alerted_members: int = 0
    alerts: int = 0
    true_alerts: int = 0
    exhaustive_reach: int = 0          # subscribers whose own top k holds the newcomer (before the cap)
    exhaustive_true: int = 0
    cheap_reach: int = 0               # of those, how many the reverse lookup found (before the cap)
    queries: int = 0                   # ranked partner lists the matching asked for
    ms: list[float] = field(default_factory=list)
    saved: int = 0                     # saved searches, when simulated
    searches_run: int = 0              # saved searches run (their stored figures cannot tell)
    search_alerts: int = 0
    search_reach: int = 0              # exhaustive: (saved search, arrival) pairs whose results hold it
    search_missed: int = 0             # of those, not alerted (the bound, or either cap)
    search_wrong: int = 0              # exhaustive: saved-search alerts whose results do not hold it

    def table(self) -> str:
        p = lambda a, b: f"{a / b:.3f}" if b else "-"  # noqa: E731
        rows = [("arrivals", str(self.arrivals)), ("members already there", str(self.existing_members)),
                ("alert recall", p(self.alerted_members, self.existing_members)),
                ("alert precision", p(self.true_alerts, self.alerts)),
                ("alerts per arrival", p(self.alerts, self.arrivals)),
                ("partner lists per arrival", p(self.queries, self.arrivals)),
                ("matching p50 / p95 ms", f"{np.percentile(self.ms, 50):.1f} / {np.percentile(self.ms, 95):.1f}"
                 if self.ms else "-")]
        if self.exhaustive_reach:
            rows += [("exhaustive: top-k recall (no cap)", p(self.exhaustive_true, self.existing_members)),
                     ("reverse lookup finds of exhaustive", p(self.cheap_reach, self.exhaustive_reach))]
        if self.saved:
            rows += [("saved searches", str(self.saved)),
                     ("saved searches run per arrival", p(self.searches_run, self.arrivals)),
                     ("saved-search alerts per arrival", p(self.search_alerts, self.arrivals))]
            if self.search_reach:
                rows += [("exhaustive: saved searches whose results hold the newcomer", str(self.search_reach)),
                         ("of those, not alerted (the bound or a cap)", str(self.search_missed)),
                         ("saved-search alerts whose results do not hold the newcomer", str(self.search_wrong))]
        return "| figure | value |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows) + "\n"


class CountingMatcher:
    """A matcher that counts the ranked partner lists asked of it (`lists`): the cost unit of
    alert matching, for the simulation and bench/alerts.py."""

    def __init__(self, m):
        self._m, self.lists = m, 0

    def ranked(self, *args, **kwargs):
        self.lists += 1
        return self._m.ranked(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._m, name)


def read_groups(dataset: Path, order: list[str]) -> dict[str, list[str]]:
    """Members of each group of two or more: meta.tsv's members in its order, else the groups
    of qrels.tsv's top grade (`evaluation.groups_from_qrels`) in `order` (profiles.jsonl's)."""
    groups: dict[str, list[str]] = {}
    if (dataset / "meta.tsv").exists():
        with open(dataset / "meta.tsv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row["kind"] == "member" and row["group"] not in ("", "-"):
                    groups.setdefault(row["group"], []).append(row["profile_id"])
    else:
        group_of = groups_from_qrels(read_qrels(dataset / "qrels.tsv"))
        for pid in order:
            if pid in group_of:
                groups.setdefault(group_of[pid], []).append(pid)
    return {g: ids for g, ids in groups.items() if len(ids) >= 2}


def _load(m, path: Path) -> list:
    sidecar = path.with_name(path.name + ".emb.npz")
    if sidecar.exists():
        import_vectors(m.embedder, sidecar)
    profiles, _ = load_file(path)
    return profiles


def simulate(m, store: AlertStore, dataset: Path, background: Path | None = None, k: int = 10,
             exhaustive: bool = False, searches: int = 0, progress=None) -> Figures:
    profiles = {p.id: p for p in _load(m, dataset / "profiles.jsonl")}
    groups = read_groups(dataset, list(profiles))
    last = {ids[-1]: g for g, ids in groups.items() if ids[-1] in profiles}
    group_of = {pid: g for g, ids in groups.items() for pid in ids}
    first = [p for pid, p in profiles.items() if pid not in last]
    if background is not None:
        first += [p for p in _load(m, background) if p.id not in last and p.id not in profiles]
    m.upsert(first)
    for g, ids in groups.items():
        for pid in ids[:-1]:
            match.subscribe(m, store, pid, "simulation", "weekly", 5, k)
    fig, counting = Figures(), CountingMatcher(m)
    if searches:
        firsts = [profiles[ids[0]] for ids in groups.values()]
        taken = {p.id for p in firsts}
        for p in [*firsts, *(p for p in first if p.id not in taken)]:
            if fig.saved >= searches:
                break
            if p.ideas:
                req = {"text": " ".join(p.ideas[0].text.split()[:8]), "k": k}
                match.save_search(m, store, "simulation", req, "weekly", 5)
                fig.saved += 1
    alerted: set[str] = set()                   # the saved searches the latest arrival alerted

    def seen(found: list, run: set[str]) -> None:
        alerted.clear(), alerted.update(a.recipient for a in found if a.kind == "search")
        fig.searches_run += len(run)
        fig.search_alerts += sum(a.kind == "search" for a in found)

    for pid, g in last.items():
        members = [x for x in groups[g][:-1] if x in profiles]
        store.queue([pid])                      # what match.upsert does, with the matching timed alone
        m.upsert([profiles[pid]])
        t0 = time.perf_counter()
        match.process(counting, store, [pid], seen=seen)
        fig.ms.append(1000 * (time.perf_counter() - t0))
        alerts = [a for a in store.alerts("profile") if a.newcomer == pid]
        fig.arrivals += 1
        fig.existing_members += len(members)
        fig.alerts += len(alerts)
        fig.true_alerts += sum(group_of.get(a.recipient) == g for a in alerts)
        fig.alerted_members += len({a.recipient for a in alerts} & set(members))
        if exhaustive:  # every subscriber's own top k, now that the newcomer is indexed
            reach = {s for s in store.subscriptions()
                     if any(x == pid for x, _ in m.ranked(s, k)[1])}
            fig.exhaustive_reach += len(reach)
            fig.exhaustive_true += len(reach & set(members))
            me = m.record(pid)
            pool = set(match.reachable(m, store, me, m.keyword_leg(me, m.hard_filter(me.profile, None))))
            fig.cheap_reach += len(reach & pool)
            for s in store.searches():
                held = any(r.profile.id == pid for r in m.search(SearchRequest.model_validate(s.request)).results)
                fig.search_reach += held
                fig.search_missed += held and s.id not in alerted
                fig.search_wrong += not held and s.id in alerted
        if progress:
            progress(1)
    fig.queries = counting.lists
    return fig


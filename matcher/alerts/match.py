"""Reverse matching: the subscribed teachers and saved searches that a new or changed profile reaches.

A newcomer N alerts subscriber S only when N is in S's own `partners(S, k)` list, so an alert
never names anyone S would not see. Running that query for every subscriber on every write
would cost one partner query per subscriber; instead:

1. N's own partner list, ordered by the learned probability and `POOL` deep, names the
   subscribers N can reach: the hard constraints (country, shared language, overlapping ages)
   and the probability are symmetric, so a teacher who would rank N highly is high in N's list.
2. Each subscription keeps the score of the k-th partner in its list (`kth`). S would score N
   with the pair's probability times N's responsiveness (matcher/ranking.py), known without
   S's query; a subscriber for whom that is below `SLACK` x kth is skipped.
3. The rest, best fits first, are confirmed by the subscriber's own `partners(S, k)`, which
   also refreshes the stored kth; at most `PER_ARRIVAL` teachers are alerted and at most
   `MAX_CONFIRM` queries run per arrival, which bounds its cost.

Saved searches are found the same way round: the backend keeps each one's filters as a standing
filter (on OpenSearch, a percolator query), so one `percolate` call names the saved searches
whose filters the newcomer passes, and only those run their search. The text is not part of the
standing filter: the search is multilingual, and a newcomer who writes the same idea in another
language shares no word with it.
"""
from __future__ import annotations

import time
from typing import Callable

from matcher import constraints, ranking
from matcher.alerts.store import Alert, AlertStore, SavedSearch, alert_id
from matcher.backends.types import CandidateFilter, Record
from matcher.errors import ProfileNotFound
from matcher.features import today_days
from models import Profile, SearchRequest

POOL = 50             # depth of the newcomer's own partner list that names reachable subscribers
# Confirm a subscriber when its score for N is >= SLACK x its stored k-th score. Below 1 because
# a stored k-th score can be higher than today's: responsiveness fades with inactivity (about
# 0.6 % a week) and partners leave; it is refreshed whenever the subscriber is confirmed.
SLACK = 0.98
# Teachers alerted per arriving profile, best fits first. Among the 2,000-teacher sample, 4 sends
# 3.02 alerts an arrival for an alert recall of 0.709 (3: 2.52 and 0.652; 5: 3.36 and 0.738;
# docs/alerts.md).
PER_ARRIVAL = 4
MAX_CONFIRM = 10      # confirming partner queries per arriving profile
PER_ARRIVAL_SEARCHES = 10  # saved searches alerted per arriving profile, best scores first
IGNORE_STEP = 10      # unacknowledged alerts after which instant webhooks stop (digests only)


def relevant_change(old: Profile | None, new: Profile) -> bool:
    """A new profile, or one whose ideas, languages or pupil ages changed."""
    if old is None:
        return True
    ideas = lambda p: [(i.title, i.text) for i in p.ideas]  # noqa: E731
    return (ideas(old) != ideas(new) or sorted(old.languages) != sorted(new.languages)
            or old.age_groups != new.age_groups)


def upsert(matcher, store: AlertStore, profiles: list[Profile],
           progress: Callable[[int], None] | None = None) -> list[str]:
    """`matcher.upsert` with alerts: arrivals are queued before the write and matched after it."""
    arriving = []
    if store.has_subscribers():
        old = matcher.backend.get_many([p.id for p in profiles])
        arriving = [p.id for p in profiles if relevant_change(old[p.id].profile if p.id in old else None, p)]
        store.queue(arriving)
    done = matcher.upsert(profiles, progress=progress)
    process(matcher, store, arriving)
    return done


def process(matcher, store: AlertStore, ids: list[str] | None = None) -> int:
    """Match queued arrivals (`ids`, or every pending one); returns how many alerts are new."""
    new = 0
    for pid in store.pending() if ids is None else ids:
        alerts, push, kth = arrival(matcher, store, pid)
        new += store.commit_arrival(pid, alerts, push, kth)
    return new


def arrival(matcher, store: AlertStore, pid: str) -> tuple[list[Alert], set[str], dict[str, float]]:
    """The alerts one arrival raises, the ids of those to push by webhook now, and the k-th
    scores of the subscribers it confirmed."""
    try:
        me = matcher.record(pid)
    except ProfileNotFound:  # erased since it was queued
        return [], set(), {}
    now, kth = time.time(), {}
    alerts = reach_teachers(matcher, store, me, now, kth) + reach_searches(matcher, store, me, now)
    push = set()
    for a in alerts:
        rec = store.subscription(a.recipient) if a.kind == "profile" else store.search(a.recipient)
        if rec.frequency == "instant" and store.count_between(a.kind, a.recipient, rec.acked, now) < IGNORE_STEP:
            push.add(a.id)
    return alerts, push, kth


def kth_score(matcher, profile_id: str, k: int) -> float:
    """The score of the k-th partner in the teacher's own list; 0 when the list is shorter."""
    _, top, _ = matcher.ranked(profile_id, k)
    return top[k - 1][1] if len(top) >= k else 0.0


def reach_teachers(matcher, store: AlertStore, me: Record, now: float, kth: dict[str, float]) -> list[Alert]:
    """Alerts for subscribed teachers about the newcomer `me`; fills `kth` with the k-th scores
    it saw on the way. Lists are ranked, not explained: only an alert's own pair gets its reasons."""
    pid = me.profile.id
    _, pool, _ = matcher.ranked(pid, POOL, mode="model", me=me)
    lift = float(ranking.responsiveness(matcher.teachers([me]), today_days())[0])
    subs = store.subscriptions(ids=[sid for sid, _ in pool])
    out: list[Alert] = []
    for sid, prob in pool:                          # best fits first
        s = subs.get(sid)
        if s is None or (s.kth is not None and prob * lift < SLACK * s.kth):
            continue
        if len(kth) >= MAX_CONFIRM:
            break
        theirs, top, _ = matcher.ranked(s.profile_id, s.k)
        kth[s.profile_id] = top[s.k - 1][1] if len(top) >= s.k else 0.0
        hit = next((x for x in top if x[0] == pid), None)
        if hit is not None:
            shown = matcher.result(theirs, me, hit[1], None)
            out.append(Alert(alert_id("profile", s.profile_id, pid), "profile", s.profile_id, s.owner, pid,
                             shown.score, [x.model_dump() for x in shown.reasons], now))
            if len(out) >= PER_ARRIVAL:
                break
    return out


def standing_filter(s: SavedSearch) -> CandidateFilter:
    """The filters a saved search's results pass, as the search itself applies them."""
    return constraints.for_search(SearchRequest.model_validate(s.request).filters).filter()


def sync_standing(matcher, store: AlertStore) -> None:
    """Make the backend's standing filters those of the stored saved searches: a write that
    failed half-way, or a backend that was replaced, leaves none missing and none extra."""
    want = {s.id: s for s in store.searches()}
    have = matcher.backend.standing_keys()
    matcher.backend.drop_standing(sorted(have - want.keys()))
    for sid in sorted(want.keys() - have):
        matcher.backend.put_standing(sid, standing_filter(want[sid]))
    store.standing_synced = True


def erase_profile(matcher, store: AlertStore, profile_id: str) -> None:
    """The profile's alert data erased (`AlertStore.erase_profile`), with the standing filters of
    the searches its teacher saved."""
    matcher.backend.drop_standing(store.erase_profile(profile_id))


def reach_searches(matcher, store: AlertStore, me: Record, now: float) -> list[Alert]:
    """Alerts for the saved searches whose filters the newcomer passes and whose own results,
    run now, hold it; best scores first."""
    if not store.standing_synced:
        sync_standing(matcher, store)
    passed = matcher.backend.percolate(me)
    hits: list[tuple[float, SavedSearch, list[dict]]] = []
    for s in store.searches():
        if s.id not in passed:
            continue
        req = SearchRequest.model_validate(s.request)
        hit = next((x for x in matcher.search(req).results if x.profile.id == me.profile.id), None)
        if hit is not None:
            hits.append((hit.score, s, [x.model_dump() for x in hit.reasons]))
    hits.sort(key=lambda h: -h[0])
    pid = me.profile.id
    return [Alert(alert_id("search", s.id, pid), "search", s.id, s.owner, pid, score, reasons, now)
            for score, s, reasons in hits[:PER_ARRIVAL_SEARCHES]]

"""Reverse matching: the subscribed teachers and saved searches that a new or changed profile reaches.

A newcomer N alerts subscriber S only when N is in S's own `partners(S, k)` list, so an alert
never names anyone S would not see. Running that query for every subscriber on every write
would cost one partner query per subscriber; instead:

1. S's list can hold N only if N is in S's candidate pool. Each subscription keeps what it
   took to enter that pool (`reach_vec`, `reach_kw`: the least cosine and BM25 score among its
   two retrieval legs' hits). One matrix product of N's rows with every subscriber's vector
   query, held in memory (`SubscriberQueries`), names the subscribers whose vector leg N
   enters; N's own keyword leg names those whose keyword leg it likely enters (BM25 is not
   symmetric, step 3 checks it). Only these, under N's hard constraints (which are symmetric:
   country, shared language, overlapping ages), are scored.
2. Each subscription keeps the score of the k-th partner in its list (`kth`) and its links:
   its best candidates by the pair model, with their probabilities. S would score N with the
   pair's probability, raised by N's paths through those links (matcher/bridges.py), times N's
   responsiveness (matcher/ranking.py), known without S's query; a subscriber for whom that
   is below `SLACK` x kth is skipped.
3. A subscriber whose vector leg N does not enter (by the cosine to S's current row) needs N's
   BM25 for S's own text, from the backend, to reach `reach_kw`; otherwise it is skipped
   (`out_of_pool`).
4. The rest, best fits first, are confirmed by the subscriber's own `partners(S, k)`, which
   also refreshes the stored figures; at most `PER_ARRIVAL` teachers are alerted, none that N
   fits less than `FLOOR` x as well as the first, and at most `MAX_CONFIRM` queries run per
   arrival, which bounds its cost.

An arrival thus costs N's keyword leg, not its vector leg: at 1M profiles the vector leg is
the slower (p95 41 against 22 ms) and its top 250 would name the subscribers only roughly.

Saved searches are found the same way round, in matcher/alerts/saved_searches.py: one
`percolate` call names those whose filters N passes, and each one's stored candidates place N.
They are checked while N's keyword leg runs on another thread.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import Future
from typing import Callable

import numpy as np

from matcher import bridges, ranking, text
from matcher import model as learned
from matcher.alerts.saved_searches import Bound, bound, reach_searches, run_search
from matcher.alerts.store import Alert, AlertStore, SavedSearch, Standing, Subscription, alert_id
from matcher.alerts.subscribers import REACH_MARGIN, subscriber_queries
from matcher.backends.types import CandidateFilter, Record
from matcher.errors import ProfileNotFound
from matcher.features import Teachers, today_days
from models import Profile, SearchRequest

# Confirm a subscriber when its score for N is >= SLACK x its stored k-th score. Below 1 because
# a stored k-th score can be higher than today's: responsiveness fades with inactivity (about
# 0.6 % a week) and partners leave; it is refreshed whenever the subscriber is confirmed.
SLACK = 0.98
# Teachers alerted per arriving profile, best fits first, none under FLOOR x the first one's fit.
# A fourth goes out only where the newcomer fits it nearly as well: on the real-project set among
# the sample, 0.851 of the members alerted against 0.837 with a cap of 3, at 2.88 an arrival.
PER_ARRIVAL = 4
FLOOR = 0.45
MAX_CONFIRM = 10      # confirming partner queries per arriving profile
IGNORE_STEP = 10      # unacknowledged alerts after which instant webhooks stop (digests only)


def relevant_change(old: Profile | None, new: Profile) -> bool:
    """A new profile, or one whose ideas, interests, languages or pupil ages changed: what its
    candidate pool and its vector query are made of."""
    if old is None:
        return True
    ideas = lambda p: [(i.title, i.text) for i in p.ideas]  # noqa: E731
    return (ideas(old) != ideas(new) or old.interests != new.interests
            or sorted(old.languages) != sorted(new.languages) or old.age_groups != new.age_groups)


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


def process(matcher, store: AlertStore, ids: list[str] | None = None,
            seen: Callable[[list[Alert], set[str]], None] | None = None) -> int:
    """Match queued arrivals (`ids`, or every pending one); returns how many alerts are new.
    `seen`, when given, gets each arrival's alerts and the ids of the saved searches it ran
    (the simulation and the benchmark count them)."""
    store.follow_ranking(fingerprint(matcher))
    new = 0
    for pid in store.pending() if ids is None else ids:
        alerts, push, standing, probes, ran = arrival(matcher, store, pid)
        new += store.commit_arrival(pid, alerts, push, standing, probes)
        if seen is not None:
            seen(alerts, ran)
    return new


def fingerprint(matcher) -> str:
    """The partner and search models' weights and the paths' settings, which the stored k-th
    scores, links and bounds come from."""
    return (matcher.scorer.model.fingerprint() + learned.load(learned.SEARCH_MODEL_FILE).fingerprint()
            + f"/{bridges.BRIDGES}/{bridges.BRIDGE_WEIGHT}")


def arrival(matcher, store: AlertStore,
            pid: str) -> tuple[list[Alert], set[str], dict[str, Standing], dict[str, Bound], set[str]]:
    """The alerts one arrival raises, the ids of those to push by webhook now, the fresh figures
    of the subscribers whose lists it read, the saved searches' new bounds and the ids of those
    it ran."""
    try:
        me = matcher.record(pid)
    except ProfileNotFound:  # erased since it was queued
        return [], set(), {}, {}, set()
    now, standing = time.time(), {}
    own = store.subscriptions(ids=[pid]).get(pid)
    if own is not None:     # a subscriber whose profile changed: its own list changed with it
        standing[pid] = measure(matcher, pid, own.k)[2]
    probes: dict[str, Bound] = {}
    ran: set[str] = set()
    flt = matcher.hard_filter(me.profile, None)
    by_keyword = matcher.keyword_leg(me, flt)   # on another core while the saved searches are checked
    found = reach_searches(matcher, store, me, now, probes, ran)
    alerts = reach_teachers(matcher, store, me, now, standing, flt, by_keyword) + found
    push = set()
    for a in alerts:
        rec = store.subscription(a.recipient) if a.kind == "profile" else store.search(a.recipient)
        if rec.frequency == "instant" and store.count_between(a.kind, a.recipient, rec.acked, now) < IGNORE_STEP:
            push.add(a.id)
    return alerts, push, standing, probes, ran


def measure(matcher, profile_id: str, k: int) -> tuple[Record, list[tuple[str, float]], Standing]:
    """A teacher's record, its first `k` partners (ids and scores) and the figures its
    subscription keeps: the k-th score (0 when the list is shorter), what it took to enter
    the pool, and its links (its best candidates by the pair model, with their probabilities)."""
    c, top = matcher.ranked(profile_id, k)
    links = json.dumps([[c.pool.ids[i], round(float(c.direct[i]), 6)] for i in c.links.at])
    return c.me, top, (top[k - 1][1] if len(top) >= k else 0.0, c.reach.vector, c.reach.keyword, links)


def subscribe(matcher, store: AlertStore, profile_id: str, owner: str, frequency: str,
              max_per_digest: int, k: int) -> Subscription:
    """Subscribe a teacher, with the figures of its own list (`measure`); raises
    ProfileNotFound for an unknown profile."""
    kth, vec, kw, links = measure(matcher, profile_id, k)[2]
    store.follow_ranking(fingerprint(matcher))
    return store.subscribe(profile_id, owner, frequency, max_per_digest, k, kth, (vec, kw), links)


def outside(cosine: float, bm25: float, reach_vec: float, reach_kw: float) -> bool:
    """A newcomer stays out of a pool whose last fill took `reach_vec` and `reach_kw` (`Reach`):
    its cosine to the vector query is more than `REACH_MARGIN` under the least that entered, and
    its BM25 for the text is 0 or under `SLACK` x the least that entered."""
    return cosine < reach_vec - REACH_MARGIN and (bm25 <= 0.0 or bm25 < SLACK * reach_kw)


def out_of_pool(matcher, me: Record, pool: Teachers, subs: list[Subscription]) -> set[str]:
    """The subscribers (all in `pool`) whose own candidate pool the newcomer `me` stays out of
    (`outside`); BM25 is asked only where the cosine leaves it out. A subscriber without stored
    reach is kept."""
    at = {pid: i for i, pid in enumerate(pool.ids)}
    near = matcher.reach_scores(me, matcher.vector_queries(pool))
    far = [s for s in subs if s.reach_vec is not None and s.reach_kw is not None
           and outside(near[at[s.profile_id]], 0.0, s.reach_vec, s.reach_kw)]
    if not far:
        return set()
    recs = matcher.backend.get_many([s.profile_id for s in far])
    far = [s for s in far if s.profile_id in recs]
    profiles = [recs[s.profile_id].profile for s in far]
    bm25 = matcher.backend.keyword_scores(me, [text.keyword_text(p) for p in profiles],
                                          [text.main_language(p) for p in profiles])
    return {s.profile_id for s, kw in zip(far, bm25)
            if outside(near[at[s.profile_id]], kw, s.reach_vec, s.reach_kw)}


def reachable(matcher, store: AlertStore, me: Record, by_keyword: Future) -> list[str]:
    """The teachers an arrival checks: the subscribers whose own vector leg the newcomer enters
    (`SubscriberQueries`), and the matches of the newcomer's keyword leg (`Matcher.keyword_leg`
    under its hard filter; the subscribers among them are those whose keyword leg it is likeliest
    to enter)."""
    entered = subscriber_queries(store).entered(matcher, store, me)
    return list(dict.fromkeys([*entered, *(c.id for c in by_keyword.result())]))


def reach_teachers(matcher, store: AlertStore, me: Record, now: float, standing: dict[str, Standing],
                   flt: CandidateFilter, by_keyword: Future) -> list[Alert]:
    """Alerts for subscribed teachers about the newcomer `me`, whose hard filter is `flt` and whose
    keyword leg `by_keyword` runs; fills `standing` with the figures of the lists it read. Lists
    are ranked, not explained: only an alert's own pair gets its reasons."""
    pid = me.profile.id
    subs = store.subscriptions(ids=reachable(matcher, store, me, by_keyword))
    subs.pop(pid, None)
    if not subs:
        return []
    mine = matcher.teachers([me])
    pool = matcher.backend.features(list(subs), flt)     # the hard constraints are symmetric
    if not len(pool):
        return []
    direct = matcher.scorer.score(mine, pool)[1][0]
    prob = bridges.combine(direct, through_links(matcher, mine, pool, direct, subs))
    lift = float(ranking.responsiveness(mine, today_days())[0])
    fits = [(subs[pool.ids[i]], prob[i]) for i in np.argsort(-prob, kind="stable")     # best fits first
            if subs[pool.ids[i]].kth is None or prob[i] * lift >= SLACK * subs[pool.ids[i]].kth]
    outside = out_of_pool(matcher, me, pool, [s for s, _ in fits])
    out: list[Alert] = []
    read, best = 0, None
    for s, p in fits:
        if s.profile_id in outside:
            continue
        if read >= MAX_CONFIRM or (best is not None and p < FLOOR * best):
            break
        theirs, top, standing[s.profile_id] = measure(matcher, s.profile_id, s.k)
        read += 1
        hit = next((x for x in top if x[0] == pid), None)
        if hit is not None:
            best = p if best is None else best
            shown = matcher.result(theirs, me, hit[1], None)
            out.append(Alert(alert_id("profile", s.profile_id, pid), "profile", s.profile_id, s.owner, pid,
                             shown.score, [x.model_dump() for x in shown.reasons], now))
            if len(out) >= PER_ARRIVAL:
                break
    return out


def through_links(matcher, mine: Teachers, pool: Teachers, direct: np.ndarray,
                  subs: dict[str, Subscription]) -> np.ndarray:
    """Per subscriber of `pool`, the newcomer's (`mine`) best path through the subscriber's
    stored links (matcher/bridges.py): max p(S, B) p(B, N). The newcomer's pair probabilities
    `direct` give p(B, N) for the linked teachers in the pool; the others are scored in one block."""
    new = mine.ids[0]
    links = [json.loads(subs[pid].links or "[]") for pid in pool.ids]
    at = {pid: i for i, pid in enumerate(pool.ids)}
    away = sorted({b for ls in links for b, _ in ls if b not in at and b != new})
    known = matcher.backend.features(away, CandidateFilter(open_only=False)) if away else None
    far = dict(zip(known.ids, matcher.scorer.score(mine, known)[1][0])) if known else {}
    near = lambda b: direct[at[b]] if b in at else far.get(b, 0.0)  # noqa: E731
    return np.array([max((p * near(b) for b, p in ls if b != new), default=0.0) for ls in links])


def erase_profile(matcher, store: AlertStore, profile_id: str) -> None:
    """The profile's alert data erased (`AlertStore.erase_profile`), with the standing filters of
    the searches its teacher saved."""
    matcher.backend.drop_standing(store.erase_profile(profile_id))


def save_search(matcher, store: AlertStore, owner: str, request: dict, frequency: str,
                max_per_digest: int) -> SavedSearch:
    """Save a search with its bound: it runs once, as a subscription's k-th score is measured
    when it is made."""
    req = SearchRequest.model_validate(request)
    limits = bound(run_search(matcher, req)[1])
    store.follow_ranking(fingerprint(matcher))
    return store.save_search(owner, request, frequency, max_per_digest, limits)

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

Saved searches are found the same way round: the backend keeps each one's filters as a standing
filter (on OpenSearch, a percolator query), so one `percolate` call names the saved searches
whose filters the newcomer passes. The text is multilingual, so it is not part of the standing
filter; each search keeps its last run's candidates with their scores (`bound`), among which
the newcomer's own scores place it on the search's page or off it (`placements`). A search runs
only where no stored figure can tell (`reach_searches`), at most `MAX_SEARCH_RUNS` an arrival.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Callable, NamedTuple

import numpy as np

from matcher import bridges, constraints, ranking, search, text
from matcher import model as learned
from matcher.alerts.store import Alert, AlertStore, SavedSearch, Standing, Subscription, alert_id
from matcher.alerts.subscribers import REACH_MARGIN, subscriber_queries
from matcher.backends.types import CandidateFilter, Record
from matcher.errors import ProfileNotFound
from matcher.features import Teachers, today_days
from models import Profile, ResultList, SearchRequest

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
MAX_SEARCH_RUNS = 10  # saved searches run per arriving profile
PER_ARRIVAL_SEARCHES = 10  # saved searches alerted per arriving profile, best scores first
# A saved search runs for a newcomer placed on its page by a cosine less than EDGE over the least
# that entered its pool: that least rises as newcomers enter (runs left out some 0.0001 over it).
EDGE = 0.001
IGNORE_STEP = 10      # unacknowledged alerts after which instant webhooks stop (digests only)


# A saved search's bound, as stored: its expanded and own text vectors (float32 bytes), each
# candidate's model probability and BM25 score (float32 pairs), the cosine that joins its
# feedback, and the least cosine and BM25 that entered its pool (`Reach`).
Bound = tuple[bytes | None, bytes | None, float | None, float | None, float | None]
NO_BOUND: Bound = (None, None, None, None, None)


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
    alerts = reach_teachers(matcher, store, me, now, standing) + reach_searches(matcher, store, me, now, probes, ran)
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


def reachable(matcher, store: AlertStore, me: Record, flt: CandidateFilter) -> list[str]:
    """The teachers an arrival checks: the subscribers whose own vector leg the newcomer enters
    (`SubscriberQueries`), and the newcomer's keyword leg's matches under its hard filter `flt`
    (the subscribers among them are those whose keyword leg it is likeliest to enter)."""
    by_keyword = matcher.keyword_leg(me, flt)
    entered = subscriber_queries(store).entered(matcher, store, me)
    return list(dict.fromkeys([*entered, *(c.id for c in by_keyword.result())]))


def reach_teachers(matcher, store: AlertStore, me: Record, now: float,
                   standing: dict[str, Standing]) -> list[Alert]:
    """Alerts for subscribed teachers about the newcomer `me`; fills `standing` with the figures
    of the lists it read. Lists are ranked, not explained: only an alert's own pair gets its reasons."""
    pid = me.profile.id
    flt = matcher.hard_filter(me.profile, None)
    subs = store.subscriptions(ids=reachable(matcher, store, me, flt))
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


def reach_searches(matcher, store: AlertStore, me: Record, now: float, probes: dict[str, Bound],
                   ran: set[str]) -> list[Alert]:
    """Alerts for the saved searches whose filters the newcomer passes and whose first page
    holds it, best scores first. The newcomer's place among a search's stored candidates decides
    (`placements`); a search without a bound, or whose place only a run can tell, runs (those
    with a bound first, at most `MAX_SEARCH_RUNS`). Fills `probes` with the new bounds of the
    searches whose filters it passes, and `ran` with the ids of those it ran."""
    if not store.standing_synced:
        sync_standing(matcher, store)
    passed = matcher.backend.percolate(me)
    found = store.searches(ids=sorted(passed))
    placed = placements(matcher, me, found)
    hits: list[tuple[float, SavedSearch, list[dict]]] = []
    out = {sid for sid, at in placed.items() if at.ahead == sys.maxsize}    # most: nothing to do
    for s in sorted((s for s in found if s.id not in out), key=lambda s: s.id not in placed):  # bound first
        at = placed.get(s.id)
        req = SearchRequest.model_validate(s.request)
        end = req.offset + req.k
        if at is None or at.ahead < 0 or (at.edge and at.ahead < end):
            if len(ran) >= MAX_SEARCH_RUNS:     # left for the next arrival that passes it to run
                if at is not None:
                    probes[s.id] = NO_BOUND
                continue
            results, c = run_search(matcher, req)
            probes[s.id] = bound(c)
            ran.add(s.id)
            hit = next((x for x in results.results if x.profile.id == me.profile.id), None)
        else:
            if at.scores is not None:                        # it joins the stored candidates
                probes[s.id] = (s.probe, at.scores, s.join_at, s.reach_vec, s.reach_kw)
            page = req.offset <= at.ahead < end
            q = np.frombuffer(s.probe, np.float32)[:matcher.backend.dim]
            hit = search.result(me, q, at.key, req) if page else None
        if hit is not None:
            hits.append((hit.score, s, [x.model_dump() for x in hit.reasons]))
    return [Alert(alert_id("search", s.id, me.profile.id), "search", s.id, s.owner, me.profile.id, score, reasons, now)
            for score, s, reasons in sorted(hits, key=lambda h: -h[0])[:PER_ARRIVAL_SEARCHES]]


def bound(c: search.SearchCandidates | None) -> Bound:
    """A saved search's bound from one run. None for a search without text (it lists the newest
    profiles) or one that names a teacher (the partner model ranks it)."""
    if c is None or c.named is not None or c.raw is None:
        return NO_BOUND
    vectors = np.concatenate([np.asarray(c.q, np.float32), np.asarray(c.raw, np.float32)])
    scores = np.stack([c.prob, c.feats["bm25"] * c.kw_best], axis=1).astype(np.float32)
    return vectors.tobytes(), scores.tobytes(), c.join, c.reach.vector, c.reach.keyword


def fused_keys(scores: np.ndarray, prob: float, bm25: float) -> np.ndarray:
    """The fused keys (`search.fusion`) of a search's stored candidates `scores` (`bound`'s pairs,
    float32), then last of a newcomer with the search model's `prob` and BM25 `bm25`, as one
    search over them all gives them: BM25 over the best of all, ties against the newcomer."""
    both = np.vstack([scores, np.array([[prob, bm25]], np.float32)]).astype(np.float64)
    return search.fusion(both[:, 0], both[:, 1] / (both[:, 1].max() or 1.0))


def place(scores: np.ndarray, prob: float, bm25: float) -> tuple[int, float]:
    """The place a newcomer would take among a search's stored candidates (`fused_keys`): the
    number fused ahead of it, and its own key."""
    keys = fused_keys(scores, prob, bm25)
    return int((keys[:-1] > keys[-1]).sum()), float(keys[-1])


def run_search(matcher, req: SearchRequest) -> tuple[ResultList, search.SearchCandidates | None]:
    """A saved search's page, as `POST /v1/search` gives it, and the candidates of its bound."""
    return search.ranked(matcher, req, search.search_query(matcher, req).filter())


def save_search(matcher, store: AlertStore, owner: str, request: dict, frequency: str,
                max_per_digest: int) -> SavedSearch:
    """Save a search with its bound: it runs once, as a subscription's k-th score is measured
    when it is made."""
    req = SearchRequest.model_validate(request)
    limits = bound(run_search(matcher, req)[1])
    store.follow_ranking(fingerprint(matcher))
    return store.save_search(owner, request, frequency, max_per_digest, limits)


class Placed(NamedTuple):
    """Where a newcomer stands in a saved search, by the search's last run (`placements`)."""
    ahead: int              # stored candidates fused ahead of it; -1 where only a run can tell
    scores: bytes | None    # the stored candidates' scores with its own added; None if it stays out
    key: float = 0.0        # its fused key among them, the score its result would show
    edge: bool = False      # it enters the pool by a cosine less than EDGE over the least


def placements(matcher, me: Record, found: list[SavedSearch]) -> dict[str, Placed]:
    """Where the newcomer stands in each saved search with a stored bound. Only a run can tell
    (`ahead` -1) where the newcomer changes the search: it is at least as near to the text as
    the last of the `search.FEEDBACK` profiles that expand it. A newcomer under both legs' least
    stays out (`ahead` maxsize). One that enters the pool gets the number of stored candidates
    its search-model probability (computed for these alone) and BM25 leave fused ahead of it
    (`place`), its key, and joins the stored candidates; its BM25 counts only where the keyword
    leg takes it, as in the search. One that enters by a cosine less than `EDGE` over the least
    that entered, without a keyword match that enters, is at the edge: on the page only if the
    search, run, takes it in. Past twice the pool size in stored candidates, a search runs afresh."""
    known = [s for s in found if s.probe is not None and len(s.probe) == 8 * matcher.backend.dim
             and s.scores is not None and s.reach_vec is not None and len(s.scores) // 8 <= 2 * matcher.pool_size]
    if not known:
        return {}
    q, raw = np.hsplit(np.stack([np.frombuffer(s.probe, np.float32) for s in known]), 2)
    near = (raw @ me.vectors.T).max(axis=1) if len(me.vectors) else np.full(len(known), -1.0)
    enters = matcher.reach_scores(me, matcher.scorer.centred(q))
    bm25 = [kw if kw > 0.0 and kw >= s.reach_kw else 0.0 for s, kw in    # a keyword leg's miss has none
            zip(known, matcher.backend.keyword_scores(me, [s.request.get("text", "") for s in known]))]
    entered = [bool(kw) or e >= s.reach_vec for s, kw, e in zip(known, bm25, enters)]
    inside = [i for i, s in enumerate(known) if entered[i] and near[i] < s.join_at]
    prob = np.zeros(len(known))         # the search model's, where the newcomer enters the pool
    if inside:
        prob[inside] = search.probabilities(matcher, q[inside], raw[inside], matcher.teachers([me]))
    out: dict[str, Placed] = {}
    for s, n, ent, e, p, kw in zip(known, near, entered, enters, prob, bm25):
        if n >= s.join_at:
            out[s.id] = Placed(-1, None)
        elif not ent:
            out[s.id] = Placed(sys.maxsize, None)
        else:
            ahead, key = place(np.frombuffer(s.scores, np.float32).reshape(-1, 2), p, kw)
            out[s.id] = Placed(ahead, s.scores + np.array([p, kw], np.float32).tobytes(), key,
                               not kw and e < s.reach_vec + EDGE)
    return out

"""Reverse matching: who a new or changed profile alerts, and that no alert names someone outside
the recipient's own top k."""
from __future__ import annotations

import pytest

from matcher import text
from matcher.alerts import match, subscribers
from matcher.alerts.store import Alert, alert_id
from matcher.service import Reach
from models import Profile
from tests.fakes import profile


def _subscribe(m, store, pid, k=10, frequency="daily"):
    match.subscribe(m, store, pid, "k1", frequency, 5, k)


def _add(m, store, *dicts):
    match.upsert(m, store, [Profile.model_validate(d) for d in dicts])


def _recipients(store, newcomer):
    return sorted(a.recipient for a in store.alerts("profile") if a.newcomer == newcomer)


def test_a_newcomer_alerts_the_subscribers_whose_top_k_it_enters(world, store):
    for pid in ("pt1", "ro1"):
        _subscribe(world, store, pid, k=1)
    _add(world, store, profile("pl1", "PL", "recycling"))
    # pt1's best partner is now pl1 (de1 is as good a fit, but pl1 is new); ro1's top 1 stays pt1 or de1
    top_pt1 = world.partners("pt1", k=1).results[0].profile.id
    assert _recipients(store, "pl1") == (["pt1"] if top_pt1 == "pl1" else [])
    for a in store.alerts("profile"):
        assert a.newcomer in {r.profile.id for r in world.partners(a.recipient, k=1).results}


def test_an_alert_carries_the_recipients_own_reasons(world, store):
    _subscribe(world, store, "pt1")
    _add(world, store, profile("pl1", "PL", "recycling"))
    [a] = store.alerts("profile", "pt1")
    mine = next(r for r in world.partners("pt1", k=10).results if r.profile.id == "pl1")
    assert a.score == mine.score
    assert [r["code"] for r in a.reasons] == [r.code for r in mine.reasons]


def test_no_alert_for_someone_outside_the_top_k(make_matcher, store):
    m = make_matcher([profile("pt1", "PT", "recycling"), profile("de1", "DE", "recycling"),
                      profile("es1", "ES", "recycling")])
    _subscribe(m, store, "pt1", k=2)
    _add(m, store, profile("ro1", "RO", "robots"))           # another theme: ranks third for pt1
    assert "ro1" not in {r.profile.id for r in m.partners("pt1", k=2).results}
    assert _recipients(store, "ro1") == []


def test_unsubscribed_teachers_get_nothing_and_no_subscribers_means_no_work(world, store):
    _add(world, store, profile("pl1", "PL", "recycling"))
    assert store.alerts("profile") == [] and store.pending() == []


def test_each_arrival_alerts_at_most_per_arrival_teachers_best_first(make_matcher, store, monkeypatch):
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR")
    m = make_matcher([profile(f"t{i}", c, "recycling") for i, c in enumerate(countries)])
    for i in range(len(countries)):
        _subscribe(m, store, f"t{i}")
    monkeypatch.setattr(match, "PER_ARRIVAL", 3)
    _add(m, store, profile("new", "HR", "recycling"))
    got = _recipients(store, "new")
    assert len(got) == 3
    order = [r.profile.id for r in m.partners("new", k=10).results]
    assert got == sorted(order[:3])           # the newcomer's best fits, which all have it in their top k


def test_an_arrival_alerts_no_one_it_fits_far_worse_than_its_best(make_matcher, store, monkeypatch):
    """A newcomer on recycling enters the top 10 of a recycling teacher and of a robots teacher
    with few other candidates; it fits the robots one less than FLOOR x as well, so only the
    recycling teacher hears of it."""
    m = make_matcher([profile("pt1", "PT", "recycling"), profile("ro1", "RO", "robots")])
    for pid in ("pt1", "ro1"):
        _subscribe(m, store, pid)
    fit = {r.profile.id: r.score for r in m.partners("pt1", k=10).results}
    assert fit == {"ro1": fit["ro1"]}                       # ro1 is pt1's only candidate
    _add(m, store, profile("hr1", "HR", "recycling"))
    mine = {r.profile.id: r.score for r in m.partners("hr1", k=10).results}
    assert mine["ro1"] < match.FLOOR * mine["pt1"]
    assert "hr1" in {r.profile.id for r in m.partners("ro1", k=10).results}
    assert _recipients(store, "hr1") == ["pt1"]
    monkeypatch.setattr(match, "FLOOR", 0.0)
    _add(m, store, profile("hr2", "HR", "recycling"))
    assert _recipients(store, "hr2") == ["pt1", "ro1"]


def test_confirming_queries_per_arrival_are_capped_and_refresh_the_kth_score(make_matcher, store, monkeypatch):
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR")
    m = make_matcher([profile(f"t{i}", c, "recycling") for i, c in enumerate(countries)])
    for i in range(len(countries)):
        store.subscribe(f"t{i}", "k1", "daily", 5, 3, None)          # no k-th score known yet
    monkeypatch.setattr(match, "MAX_CONFIRM", 2)
    calls = []
    ranked = m.ranked
    monkeypatch.setattr(m, "ranked", lambda pid, *a, **kw: calls.append(pid) or ranked(pid, *a, **kw))
    _add(m, store, profile("new", "HR", "recycling"))
    # the newcomer's own pool is scored without ranking a list; each confirmation ranks one
    assert len(calls) == 2 and "new" not in calls and len(_recipients(store, "new")) <= 2
    refreshed = {s: sub.kth for s, sub in store.subscriptions().items() if sub.kth is not None}
    assert sorted(refreshed) == sorted(calls)
    for s, kth in refreshed.items():
        assert kth == pytest.approx(m.partners(s, k=3).results[2].score, abs=1e-6)


def test_an_arrival_scores_only_subscribed_teachers(make_matcher, store, monkeypatch):
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR")
    m = make_matcher([profile(f"t{i}", c, "recycling") for i, c in enumerate(countries)])
    for pid in ("t1", "t4"):
        store.subscribe(pid, "k1", "daily", 5, 10, None)
    scored = []
    score = m.scorer.score
    monkeypatch.setattr(m.scorer, "score", lambda a, b, *h, **kw: scored.append(list(b.ids)) or score(a, b, *h, **kw))
    monkeypatch.setattr(match, "MAX_CONFIRM", 0)      # the newcomer's own scoring alone
    _add(m, store, profile("new", "HR", "recycling"))
    assert [sorted(ids) for ids in scored] == [["t1", "t4"]]
    assert len(m.candidate_ids(m.record("new"))) == len(countries)     # the whole pool, for scale


def test_an_arrival_no_subscriber_is_compatible_with_scores_nothing(make_matcher, store, monkeypatch):
    m = make_matcher([profile("pt1", "PT", "recycling"), profile("de1", "DE", "robots", languages=["de"])])
    store.subscribe("de1", "k1", "daily", 5, 10, None)   # no language shared with the newcomer
    scored = []
    score = m.scorer.score
    monkeypatch.setattr(m.scorer, "score", lambda a, b, *h, **kw: scored.extend(b.ids) or score(a, b, *h, **kw))
    _add(m, store, profile("new", "RO", "recycling", languages=["ro", "en"]))
    assert scored == [] and store.alerts("profile") == []
    assert "pt1" in m.candidate_ids(m.record("new"))              # the pool held an unsubscribed teacher


def test_a_subscribers_score_for_the_newcomer_is_known_without_its_query(make_matcher, store):
    """The newcomer's pair probability, raised by its paths through the subscriber's stored links
    (matcher/bridges.py), times its responsiveness: what the subscriber's own list gives it."""
    from matcher import bridges, ranking
    from matcher.features import today_days

    both = [{"title": t, "text": f"A project about {t} with pupils"} for t in ("recycling", "robots")]
    m = make_matcher([profile("t0", "PT", "recycling"), profile("t1", "RO", ideas=both),
                      profile("t2", "DE", "robots"), profile("t3", "FR", "recycling"), profile("t4", "ES", "music")])
    for i in range(5):
        _subscribe(m, store, f"t{i}")
    m.upsert([Profile.model_validate(profile("new", "HR", "robots"))])
    me, subs = m.record("new"), store.subscriptions()
    pool = m.backend.features(sorted(subs), m.hard_filter(me.profile, None))
    direct = m.scorer.score(m.teachers([me]), pool)[1][0]
    paths = match.through_links(m, m.teachers([me]), pool, direct, subs)
    lift = ranking.responsiveness(m.teachers([me]), today_days())[0]
    at = {pid: i for i, pid in enumerate(pool.ids)}
    assert direct[at["t0"]] < 1e-6 and paths[at["t0"]] > 0.01    # recycling reaches robots through t1
    for sid in pool.ids:
        theirs = dict(m.ranked(sid, 10)[1])
        expect = bridges.combine(direct[at[sid]], paths[at[sid]]) * lift
        assert theirs["new"] == pytest.approx(expect, rel=1e-5, abs=1e-9), sid


def test_a_subscriber_whose_kth_score_the_newcomer_misses_costs_no_query(make_matcher, store, monkeypatch):
    countries = ("PT", "RO", "DE", "FR")
    m = make_matcher([profile(f"t{i}", c, "recycling") for i, c in enumerate(countries)])
    m.upsert([Profile.model_validate(profile("new", "HR", "recycling"))])
    store.follow_ranking(match.fingerprint(m))      # the k-th scores below come from these weights
    for i in range(len(countries)):
        theirs = dict(m.ranked(f"t{i}", 10)[1])
        # a k-th score 5 % above what the subscriber would give the newcomer: it cannot enter
        store.subscribe(f"t{i}", "k1", "daily", 5, 3, 1.05 * theirs["new"])
    calls = []
    ranked = m.ranked
    monkeypatch.setattr(m, "ranked", lambda pid, *a, **kw: calls.append(pid) or ranked(pid, *a, **kw))
    store.queue(["new"])
    match.process(m, store, ["new"])
    assert calls == [] and _recipients(store, "new") == []


def test_a_pools_reach_is_the_least_score_each_full_leg_let_in(make_matcher):
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR", "HR")
    m = make_matcher([profile(f"t{i}", c, ("recycling", "music")[i % 2]) for i, c in enumerate(countries)])
    me = m.record("t0")
    flt = m.hard_filter(me.profile, None)
    m.pool_size = 4                                 # both legs full: 4 by vector, 2 by BM25
    vec = m.backend.vector_search(m._query_row(me), flt, 4)
    kw = m.backend.keyword_search(text.keyword_text(me.profile), flt, 2, lang=text.main_language(me.profile))
    assert len(vec) == 4 and len(kw) == 2
    assert m.candidates(me).reach == Reach(min(c.score for c in vec), min(c.score for c in kw))
    m.pool_size = 100                               # fewer than asked: the legs let anyone in
    assert m.candidates(me).reach == Reach(-1.0, 0.0)


def test_reach_scores_are_the_cosines_of_each_teachers_own_vector_leg(make_matcher):
    countries = ("PT", "RO", "DE", "FR", "ES")
    m = make_matcher([profile(f"t{i}", c, "recycling") for i, c in enumerate(countries)])
    new = m.record("t0")
    pool = m.candidates(new).pool
    near = m.reach_scores(new, m.vector_queries(pool))
    assert len(pool) == len(countries) - 1
    for i, pid in enumerate(pool.ids):
        theirs = m.record(pid)
        leg = {c.id: c.score for c in m.backend.vector_search(m._query_row(theirs),
                                                              m.hard_filter(theirs.profile, None), 100)}
        assert near[i] == pytest.approx(leg["t0"], abs=1e-5), pid


@pytest.mark.parametrize("k", [2, 3])
def test_subscribers_whose_pool_the_newcomer_cannot_enter_are_not_scored_and_lose_no_alert(
        make_matcher, store, monkeypatch, k):
    """Small full pools (4 by vector, 2 by BM25) among 8 teachers a theme, and k-th scores
    unknown: only what it took to enter each subscriber's pool keeps subscribers from being
    scored, and the alerts are exactly the subscribers whose own top k holds the newcomer."""
    themes = ("recycling", "music", "robots")
    words = ("garden", "sea", "city", "bottles", "songs", "river", "coding", "paper")

    def varied(pid, country, i):     # distinct texts: no two candidates tie
        idea = f"A project about {themes[i % 3]} with pupils, {words[i % 8]} and {words[(3 * i + 1) % 8]}"
        return profile(pid, country, themes[i % 3], ideas=[{"title": themes[i % 3], "text": idea}])
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR", "HR", "BE", "NL", "AT",
                 "IE", "DK", "LU", "MT", "CY", "BG", "LV", "EE", "IS", "NO", "RS", "AL")
    m = make_matcher([varied(f"t{i}", c, i) for i, c in enumerate(countries)])
    m.pool_size = 4
    for i in range(len(countries)):
        _subscribe(m, store, f"t{i}", k=k)
    monkeypatch.setattr(match, "PER_ARRIVAL", 100)
    monkeypatch.setattr(match, "FLOOR", 0.0)
    monkeypatch.setattr(match, "MAX_CONFIRM", 100)
    scored: dict[str, set[str]] = {}
    score = m.scorer.score
    monkeypatch.setattr(m.scorer, "score", lambda a, b, *h, **kw: scored.setdefault(a.ids[0], set(b.ids))
                        and score(a, b, *h, **kw) or score(a, b, *h, **kw))
    total, unscored = 0, 0
    for j, c in enumerate(("SE", "FI", "CZ", "SK", "SI", "LT")):
        for pid, s in store.subscriptions().items():     # forget the k-th scores: reach alone decides
            store.subscribe(pid, "k1", "daily", 5, k, None, (s.reach_vec, s.reach_kw))
        new = f"n{j}"
        scored.clear()
        _add(m, store, varied(new, c, j + 5))
        exhaustive = {s for s in store.subscriptions() if new in dict(m.ranked(s, k)[1])}
        assert exhaustive <= scored[new]
        assert _recipients(store, new) == sorted(exhaustive)
        total += len(exhaustive)
        unscored += len(store.subscriptions()) - len(scored[new])
    assert total > 0 and unscored > 0                    # neither side of the comparison was empty


def test_an_arrival_does_not_search_the_newcomers_vector_leg(make_matcher, store, monkeypatch):
    """The subscribers' own vector queries, in memory, name those the newcomer reaches by vector."""
    countries = ("PT", "RO", "DE", "FR")
    m = make_matcher([profile(f"t{i}", c, "recycling") for i, c in enumerate(countries)])
    for i in range(len(countries)):
        _subscribe(m, store, f"t{i}")
    searched = []
    vector_search = m.backend.vector_search
    monkeypatch.setattr(m.backend, "vector_search", lambda *a: searched.append(a) or vector_search(*a))
    monkeypatch.setattr(match, "MAX_CONFIRM", 0)      # no subscriber's list either
    _add(m, store, profile("new", "HR", "recycling"))
    assert searched == []


def test_the_subscribers_queries_in_memory_follow_subscriptions_and_their_profiles(make_matcher, store,
                                                                                   monkeypatch):
    m = make_matcher([profile("pt1", "PT", "recycling"), profile("de1", "DE", "robots"),
                      profile("fr1", "FR", "music")])
    read = []
    features = m.backend.features
    monkeypatch.setattr(m.backend, "features", lambda ids, flt: read.append(list(ids)) or features(ids, flt))
    queries = subscribers.SubscriberQueries()
    newcomer = m.record("de1")
    assert queries.entered(m, store, newcomer) == []
    store.subscribe("fr1", "k1", "daily", 5, 10, None, (0.9, 0.0))   # only a near twin enters
    store.subscribe("pt1", "k1", "daily", 5, 10, None)              # reach unknown: always checked
    assert queries.entered(m, store, newcomer) == ["pt1"]
    store.subscribe("pt1", "k1", "daily", 5, 10, None, (0.9, 0.0))
    assert queries.entered(m, store, newcomer) == []
    m.upsert([Profile.model_validate(profile("pt1", "PT", "robots"))])
    assert queries.entered(m, store, newcomer) == []                # nothing told it yet
    store.commit_arrival("pt1", [], standing={"pt1": (0.0, 0.9, 0.0, "[]")})   # its own arrival
    assert queries.entered(m, store, newcomer) == ["pt1"]            # read again: now a twin
    store.unsubscribe("pt1")
    assert queries.entered(m, store, newcomer) == []
    assert read == [[], ["fr1", "pt1"], ["pt1"], ["pt1"], []]        # only what changed is read again


def test_only_new_profiles_and_changed_ideas_interests_languages_or_ages_are_matched(world, store):
    _subscribe(world, store, "pt1")
    pl = profile("pl1", "PL", "recycling")
    _add(world, store, pl)
    assert len(store.alerts("profile")) == 1
    old = Profile.model_validate(pl)
    assert not match.relevant_change(old, Profile.model_validate({**pl, "name": "Renamed"}))
    assert match.relevant_change(old, Profile.model_validate({**pl, "languages": ["en", "pl"]}))
    assert match.relevant_change(old, Profile.model_validate({**pl, "age_groups": [{"from": 12, "to": 15}]}))
    assert match.relevant_change(old, Profile.model_validate({**pl, "interests": ["astronomy"]}))
    _add(world, store, {**pl, "ideas": [{"title": "recycling", "text": "recycling plastic at school"}]})
    assert len(store.alerts("profile")) == 1 and store.pending() == []
    store.queue(["unrelated"])             # a queued id that is no longer indexed is dropped quietly
    assert match.process(world, store) == 0 and store.pending() == []


def test_instant_alerts_stop_pushing_to_a_teacher_who_ignores_them(world, store, monkeypatch):
    _subscribe(world, store, "pt1", frequency="instant")
    store.set_webhook("k1", "http://127.0.0.1:9/hook")
    monkeypatch.setattr(match, "IGNORE_STEP", 2)
    for n in range(2):   # two earlier alerts, never acknowledged
        store.commit_arrival("x", [Alert(alert_id("profile", "pt1", f"old{n}"), "profile", "pt1", "k1", f"old{n}",
                                         0.5, [], 0.0 + store.subscription("pt1").acked + 0.001)])
    alerts, push, *_ = match.arrival(world, store, "de1")
    assert [a.recipient for a in alerts] == ["pt1"] and push == set()
    store.ack("profile", "pt1")
    alerts, push, *_ = match.arrival(world, store, "de1")
    assert push == {alerts[0].id}


@pytest.mark.parametrize("k", [3, 4, 6])
def test_alerts_are_exactly_the_subscribers_whose_own_top_k_holds_the_newcomer(make_matcher, store, monkeypatch, k):
    themes = ("recycling", "music", "robots")
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR", "HR")
    m = make_matcher([profile(f"t{i}", c, themes[i % 3]) for i, c in enumerate(countries)])
    for i in range(len(countries)):
        _subscribe(m, store, f"t{i}", k=k)
    monkeypatch.setattr(match, "PER_ARRIVAL", 100)
    monkeypatch.setattr(match, "FLOOR", 0.0)
    total = 0
    for j, c in enumerate(("BE", "NL", "AT", "SE")):
        new = f"n{j}"
        _add(m, store, profile(new, c, themes[j % 3], ages=((7, 11), (12, 14))))
        exhaustive = sorted(s for s in store.subscriptions()
                            if new in {r.profile.id for r in m.partners(s, k=k).results})
        assert _recipients(store, new) == exhaustive
        total += len(exhaustive)
    assert total > 0                                     # the comparison above was not empty


def test_a_new_model_makes_every_subscriber_checked_again(world, store, monkeypatch):
    """k-th scores from other weights are forgotten: a subscriber whose stored score no newcomer
    could reach under the old model is confirmed with its own list under the new one."""
    _subscribe(world, store, "pt1")
    store.commit_arrival("none", [], standing={"pt1": (2.0, -1.0, 0.0, "[]")})  # out of reach of any probability
    world.upsert([Profile.model_validate(profile("pl1", "PL", "recycling"))])
    store.queue(["pl1"])
    match.process(world, store, ["pl1"])
    assert _recipients(store, "pl1") == []
    monkeypatch.setattr(match, "fingerprint", lambda m: "other weights")
    store.queue(["pl1"])
    match.process(world, store, ["pl1"])
    assert _recipients(store, "pl1") == ["pt1"]
    assert store.subscription("pt1").kth < 1.0


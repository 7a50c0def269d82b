"""The alert store: durable subscriptions, an outbox unique per (recipient, newcomer), erasure."""
from __future__ import annotations

import time

import pytest

from matcher.alerts.store import Alert, AlertStore, alert_id
from matcher.errors import SavedSearchNotFound, SubscriptionNotFound


def _alert(recipient: str, newcomer: str, owner: str = "k1", kind: str = "profile") -> Alert:
    return Alert(alert_id(kind, recipient, newcomer), kind, recipient, owner, newcomer, 0.5,
                 [{"code": "new_profile", "message": "m", "details": {}}], time.time())


def test_subscriptions_survive_a_reopen(tmp_path):
    s = AlertStore(tmp_path)
    s.subscribe("pt1", "k1", "weekly", 3, 10, 0.4)
    s.save_search("k1", {"text": "robots", "filters": {}, "k": 10}, "daily", 5)
    s.close()
    again = AlertStore(tmp_path)
    sub = again.subscription("pt1")
    assert (sub.owner, sub.frequency, sub.max_per_digest, sub.k, sub.kth) == ("k1", "weekly", 3, 10, 0.4)
    assert [x.request["text"] for x in again.searches(owner="k1")] == ["robots"]
    assert again.searches(owner="k2") == []
    again.close()


def test_a_store_written_before_the_search_bound_opens_and_keeps_its_searches(tmp_path):
    import json
    import sqlite3
    db = sqlite3.connect(tmp_path / "alerts.sqlite")
    db.execute("CREATE TABLE searches (id TEXT PRIMARY KEY, owner TEXT NOT NULL, request TEXT NOT NULL, "
               "frequency TEXT NOT NULL, max_per_digest INTEGER NOT NULL, created REAL NOT NULL, acked REAL NOT NULL)")
    db.execute("INSERT INTO searches VALUES ('s1', 'k1', ?, 'daily', 5, 1.0, 1.0)",
               (json.dumps({"text": "robots", "k": 10}),))
    db.commit(), db.close()
    s = AlertStore(tmp_path)
    old = s.search("s1")
    assert (old.request["text"], old.probe, old.scores, old.join_at) == ("robots", None, None, None)
    s.commit_arrival("x", [], probes={"s1": (b"\0" * 8, b"\1" * 8, 0.8, 0.3, 2.5)})
    new = s.search("s1")
    assert (new.probe, new.scores, new.join_at, new.reach_vec, new.reach_kw) == (b"\0" * 8, b"\1" * 8, 0.8, 0.3, 2.5)
    s.close()


def test_a_store_with_the_k_th_probability_bound_drops_it_and_keeps_its_searches(tmp_path):
    """Searches bounded by their k-th probability alone keep their request; with no candidates'
    scores stored they run on the next arrival that passes their filters, which stores them."""
    import json
    import sqlite3
    db = sqlite3.connect(tmp_path / "alerts.sqlite")
    db.execute("CREATE TABLE searches (id TEXT PRIMARY KEY, owner TEXT NOT NULL, request TEXT NOT NULL, "
               "frequency TEXT NOT NULL, max_per_digest INTEGER NOT NULL, created REAL NOT NULL, "
               "acked REAL NOT NULL, probe BLOB, kth REAL, kw_best REAL, join_at REAL)")
    db.execute("INSERT INTO searches VALUES ('s1', 'k1', ?, 'daily', 5, 1.0, 1.0, ?, 0.3, 2.0, 0.9)",
               (json.dumps({"text": "robots", "k": 10}), b"\0" * 8))
    db.commit(), db.close()
    s = AlertStore(tmp_path)
    old = s.search("s1")
    assert (old.request["text"], old.probe, old.scores, old.join_at) == ("robots", b"\0" * 8, None, 0.9)
    added = s.save_search("k1", {"text": "music", "k": 5}, "daily", 5, (b"\2" * 8, b"\3" * 8, 0.7, 0.2, 0.0))
    assert (added.scores, added.join_at, added.reach_vec, added.reach_kw) == (b"\3" * 8, 0.7, 0.2, 0.0)
    s.close()


def test_a_store_written_before_the_pool_reach_opens_and_keeps_its_subscriptions(tmp_path):
    import sqlite3
    db = sqlite3.connect(tmp_path / "alerts.sqlite")
    db.execute("CREATE TABLE subscriptions (profile_id TEXT PRIMARY KEY, owner TEXT NOT NULL, "
               "frequency TEXT NOT NULL, max_per_digest INTEGER NOT NULL, k INTEGER NOT NULL, kth REAL, "
               "created REAL NOT NULL, acked REAL NOT NULL)")
    db.execute("INSERT INTO subscriptions VALUES ('pt1', 'k1', 'daily', 5, 10, 0.4, 1.0, 1.0)")
    db.commit(), db.close()
    s = AlertStore(tmp_path)
    old = s.subscription("pt1")
    assert (old.owner, old.kth, old.reach_vec, old.reach_kw, old.changed, old.links) == \
        ("k1", 0.4, None, None, 0, None)
    s.commit_arrival("x", [], standing={"pt1": (0.5, 0.31, 7.5, '[["pl1", 0.8]]')})
    now = s.subscription("pt1")
    assert (now.kth, now.reach_vec, now.reach_kw, now.links) == (0.5, 0.31, 7.5, '[["pl1", 0.8]]')
    s.subscribe("pl1", "k1", "daily", 5, 10, 0.2, (0.4, 3.0))
    assert (s.subscription("pl1").reach_vec, s.subscription("pl1").reach_kw) == (0.4, 3.0)
    count, ids, changed = s.subscriber_changes(0)      # pt1's first measured reach marks it too
    assert (count, ids, sorted(changed)) == (2, {"pt1", "pl1"}, ["pl1", "pt1"])
    assert (changed["pt1"].changed, changed["pl1"].changed) == (1, 2)
    s.close()


def test_an_arrival_committed_twice_adds_each_alert_once(store):
    store.subscribe("pt1", "k1", "instant", 5, 10, None)
    store.queue(["pl1"])
    assert store.pending() == ["pl1"]
    assert store.commit_arrival("pl1", [_alert("pt1", "pl1")]) == 1
    assert store.pending() == []
    assert store.commit_arrival("pl1", [_alert("pt1", "pl1"), _alert("pt1", "pl1")]) == 0
    assert [a.newcomer for a in store.alerts("profile", "pt1")] == ["pl1"]


def test_pushes_only_to_owners_with_a_webhook(store):
    store.set_webhook("k1", "http://127.0.0.1:9/hook")
    a, b = _alert("pt1", "pl1", owner="k1"), _alert("ro1", "pl1", owner="k2")
    store.commit_arrival("pl1", [a, b], push={a.id, b.id})
    assert [d["alert_id"] for d in store.deliveries()] == [a.id]


def test_erasing_a_profile_removes_its_subscription_its_alerts_and_alerts_naming_it(store):
    store.subscribe("pt1", "k1", "daily", 5, 10, None)
    store.subscribe("ro1", "k1", "daily", 5, 10, None)
    store.set_webhook("k1", "http://127.0.0.1:9/hook")
    named = _alert("ro1", "pt1")
    store.commit_arrival("x", [_alert("pt1", "pl1"), named, _alert("ro1", "de1")], push={named.id})
    own = store.save_search("teacher:pt1", {"text": "robots", "filters": {}, "k": 10}, "daily", 5)
    other = store.save_search("nss", {"text": "robots", "filters": {}, "k": 10}, "daily", 5)
    store.commit_arrival("y", [_alert(own.id, "de1", kind="search"), _alert(other.id, "de1", kind="search")])
    store.queue(["pt1"])
    store.erase_profile("pt1")
    with pytest.raises(SubscriptionNotFound):
        store.subscription("pt1")
    assert store.alerts("profile", "pt1") == []
    assert [a.newcomer for a in store.alerts("profile", "ro1")] == ["de1"]
    assert store.deliveries() == []          # the delivery of the alert naming pt1 went with it
    assert store.pending() == []
    assert [x.id for x in store.searches()] == [other.id]     # the teacher's own saved search is gone
    assert [a.recipient for a in store.alerts("search")] == [other.id]


def test_a_saved_search_is_visible_to_its_owner_only(store):
    s = store.save_search("k1", {"text": "robots", "filters": {}, "k": 10}, "daily", 5)
    with pytest.raises(SavedSearchNotFound):
        store.search(s.id, owner="k2")
    with pytest.raises(SavedSearchNotFound):
        store.delete_search(s.id, "k2")
    store.delete_search(s.id, "k1")
    assert store.searches() == []


def test_scores_of_other_ranking_weights_are_forgotten(tmp_path):
    """A k-th score or bound computed with other weights does not compare with today's
    probabilities: when the models change, every one is dropped and measured again on use."""
    s = AlertStore(tmp_path)
    s.subscribe("pt1", "k1", "weekly", 3, 10, 0.4)
    sid = s.save_search("k1", {"text": "robots", "k": 10}, "daily", 5, (b"\0" * 8, b"\1" * 8, 0.9, 0.3, 1.0)).id
    assert s.follow_ranking("v1")                       # a store that never named its weights
    assert s.subscription("pt1").kth is None and s.search(sid).probe is None
    s.commit_arrival("x", [], standing={"pt1": (0.5, 0.3, 4.0, "[]")}, probes={sid: (b"\0" * 8, b"\1" * 8, 0.9, 0.3, 1.0)})
    s.close()
    s = AlertStore(tmp_path)
    assert not s.follow_ranking("v1")                   # the same weights: kept
    assert s.subscription("pt1").kth == 0.5 and s.search(sid).scores == b"\1" * 8
    assert s.follow_ranking("v2")
    assert s.subscription("pt1").kth is None
    # what entered the pool comes from the retrieval legs, not from the weights: kept
    assert (s.subscription("pt1").reach_vec, s.subscription("pt1").reach_kw) == (0.3, 4.0)
    got = s.search(sid)
    assert (got.probe, got.scores, got.join_at, got.reach_vec, got.reach_kw) == (None,) * 5
    assert s.subscription("pt1").frequency == "weekly" and s.search(sid).request["text"] == "robots"
    s.close()


def test_a_subscriber_is_marked_changed_when_its_profile_or_unknown_reach_is_measured(tmp_path):
    """Processes read again only the subscribers marked since they last looked: a subscriber
    whose own profile changed (its arrival carries its own figures) or whose reach was not known;
    a confirmation that refreshes a known reach marks nothing."""
    s = AlertStore(tmp_path)
    s.subscribe("pt1", "k1", "daily", 5, 10, 0.4, (0.3, 2.0))
    s.subscribe("pl1", "k1", "daily", 5, 10, None)                 # reach unknown
    start = s.subscribers_changed()
    s.commit_arrival("x", [], standing={"pt1": (0.5, 0.35, 2.5, "[]")})
    assert s.subscribers_changed() == start
    s.commit_arrival("y", [], standing={"pl1": (0.5, 0.31, 7.5, "[]"), "pt1": (0.5, 0.36, 2.5, "[]")})
    assert list(s.subscriber_changes(start)[2]) == ["pl1"]
    now = s.subscribers_changed()
    s.commit_arrival("pt1", [], standing={"pt1": (0.6, 0.37, 2.6, "[]")})   # pt1's own arrival
    assert list(s.subscriber_changes(now)[2]) == ["pt1"]
    s.commit_arrival("z", [], standing={"pl1": (0.5, 0.32, 7.5, "[]")})     # known now: nothing to mark
    assert s.subscribers_changed() == now + 1
    s.close()

"""Webhooks: signed POSTs to a local receiver, retries with backoff, then the dead-letter list."""
from __future__ import annotations

import httpx
import pytest

from matcher.alerts import deliver, match
from matcher.alerts.deliver import BACKOFF_S, deliver_due, verify
from models import Profile
from tests.alerts.receiver import Receiver
from tests.fakes import profile


@pytest.fixture
def pushed(world, store):
    """pt1 subscribed for instant alerts by key k1; pl1 arrives and raises one pushed alert."""
    match.subscribe(world, store, "pt1", "k1", "instant", 5, 10)
    return world, store


def _arrive(m, store):
    match.upsert(m, store, [Profile.model_validate(profile("pl1", "PL", "recycling"))])


def test_a_pushed_alert_is_signed_and_sent_once(pushed):
    m, store = pushed
    with Receiver() as rx, httpx.Client() as client:
        secret = store.set_webhook("k1", rx.url)
        _arrive(m, store)
        assert deliver_due(m, store, client) == {"sent": 1, "retry": 0, "dead": 0}
        assert deliver_due(m, store, client, now=10**10) == {"sent": 0, "retry": 0, "dead": 0}
    [call] = rx.calls
    h = call["headers"]
    assert verify(secret, h["x-twinmatch-timestamp"], call["raw"], h["x-twinmatch-signature"])
    assert not verify("another secret", h["x-twinmatch-timestamp"], call["raw"], h["x-twinmatch-signature"])
    assert call["json"]["partner"]["id"] == "pl1" and "email" not in call["json"]["partner"]
    assert call["json"]["recipient"] == "pt1" and call["json"]["reasons"]
    assert h["x-twinmatch-alert-id"] == call["json"]["id"]


def test_failures_back_off_then_go_to_the_dead_letters(pushed):
    m, store = pushed
    with Receiver(statuses=[500] * (len(BACKOFF_S) + 1)) as rx, httpx.Client() as client:
        store.set_webhook("k1", rx.url)
        _arrive(m, store)
        now = 1e12
        for wait in BACKOFF_S:
            assert deliver_due(m, store, client, now=now)["retry"] == 1
            assert deliver_due(m, store, client, now=now + wait - 1) == {"sent": 0, "retry": 0, "dead": 0}
            now += wait
        assert deliver_due(m, store, client, now=now)["dead"] == 1
    assert len(rx.calls) == len(BACKOFF_S) + 1
    [dead] = store.deliveries(owner="k1", status="dead")
    assert dead["attempts"] == len(BACKOFF_S) + 1 and dead["last_error"] == "HTTP 500"
    with Receiver() as rx, httpx.Client() as client:   # fixed: retry the dead letters
        store.set_webhook("k1", rx.url)
        assert store.retry_dead("k1") == 1
        assert deliver_due(m, store, client)["sent"] == 1
    assert store.deliveries(status="dead") == []


def test_an_unreachable_receiver_is_retried(pushed, monkeypatch):
    m, store = pushed
    store.set_webhook("k1", "http://127.0.0.1:9/hook")       # the discard port: nothing listens
    _arrive(m, store)
    monkeypatch.setattr(deliver, "TIMEOUT_S", 1.0)
    with httpx.Client() as client:
        assert deliver_due(m, store, client, now=1e12)["retry"] == 1
    [d] = store.deliveries(owner="k1")
    assert d["status"] == "pending" and d["next_at"] == 1e12 + BACKOFF_S[0]


def test_daily_subscribers_are_not_pushed(world, store):
    store.subscribe("pt1", "k1", "daily", 5, 10, None)
    store.set_webhook("k1", "http://127.0.0.1:9/hook")
    _arrive(world, store)
    assert store.alerts("profile", "pt1") and store.deliveries() == []

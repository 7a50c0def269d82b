"""Partner alerts on the OpenSearch backend: the same reverse matching against a real node."""
from __future__ import annotations

import uuid

import pytest

from matcher.alerts import match
from matcher.alerts.store import AlertStore
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.service import Matcher
from models import Profile
from tests.fakes import ThemeEmbedder, profile

pytestmark = pytest.mark.opensearch

THEMES = ("recycling", "music", "robots")
WORDS = ("garden", "sea", "city", "bottles", "songs", "river", "coding", "paper")


def _varied(pid: str, country: str, i: int) -> Profile:
    """Distinct texts, so that no two candidates tie."""
    idea = f"A project about {THEMES[i % 3]} with pupils, {WORDS[i % 8]} and {WORDS[(3 * i + 1) % 8]}"
    return Profile.model_validate(profile(pid, country, THEMES[i % 3],
                                          ideas=[{"title": THEMES[i % 3], "text": idea}]))


@pytest.fixture
def matcher(opensearch_url):
    emb = ThemeEmbedder()
    backend = OpenSearchBackend(opensearch_url, f"tm-test-{uuid.uuid4().hex[:12]}", emb.dim, timeout=10.0)
    m = Matcher(backend, emb)
    yield m
    for name in [*backend.versions(), backend.meta_index, backend.contacts_index, backend.standing_index]:
        backend.client.indices.delete(index=name, ignore_unavailable=True)
    m.close()


@pytest.mark.parametrize("pool", [4, 250])
def test_alerts_are_the_subscribers_whose_own_top_k_holds_the_newcomer(matcher, tmp_path, monkeypatch, pool):
    """With full pools (4 by vector, 2 by BM25) the stored reach decides who is checked; with
    pools of 250 every subscriber's pool is open."""
    countries = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR", "HR", "BE", "NL", "AT",
                 "IE", "DK", "LU", "MT", "CY", "BG", "LV", "EE", "IS", "NO", "RS", "AL")
    matcher.upsert([_varied(f"t{i}", c, i) for i, c in enumerate(countries)])
    matcher.pool_size = pool
    store = AlertStore(tmp_path)
    k = 3
    for i in range(len(countries)):
        match.subscribe(matcher, store, f"t{i}", "k1", "daily", 5, k)
    monkeypatch.setattr(match, "PER_ARRIVAL", 100)
    monkeypatch.setattr(match, "FLOOR", 0.0)
    monkeypatch.setattr(match, "MAX_CONFIRM", 100)
    total = 0
    for j, c in enumerate(("SE", "FI", "CZ", "SK")):
        new = f"n{j}"
        match.upsert(matcher, store, [_varied(new, c, j + 5)])
        exhaustive = sorted(s for s in store.subscriptions() if new in dict(matcher.ranked(s, k)[1]))
        assert sorted(a.recipient for a in store.alerts("profile") if a.newcomer == new) == exhaustive
        total += len(exhaustive)
    assert total > 0
    store.close()

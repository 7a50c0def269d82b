"""Congruence: the same profiles in the embedded backend and in OpenSearch give the same top-10
through the matcher (qdrant-client's congruence tests, applied to our two backends).

Runs on the real node of tests/opensearch_node.py (or OPENSEARCH_URL).
"""
from __future__ import annotations

import pytest

from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.opensearch.backend import OpenSearchBackend
from matcher.evaluation import Query, ranking_of
from models import Profile
from tests.fakes import THEMES, ThemeEmbedder, profile

pytestmark = pytest.mark.opensearch

COUNTRIES = ("PT", "FR", "DE", "ES", "IT", "PL", "FI", "NL")
SUBJECTS = (("Music",), ("Art",), ("Biology",), ("Music", "Art"), ("History",))


def dataset() -> list[Profile]:
    out = []
    for i in range(60):
        theme = THEMES[i % len(THEMES)]
        extra = THEMES[(i * 7 + 3) % len(THEMES)]
        p = profile(f"p{i:02d}", COUNTRIES[i % len(COUNTRIES)], theme, subjects=SUBJECTS[i % 5],
                    ages=((6 + i % 8, 10 + i % 8),), languages=("en", "fr") if i % 3 else ("en",),
                    interests=[f"{extra} club"], last_active=f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}")
        # Unique texts: identical ones would embed identically and tie, and ties may break
        # differently in two engines without either being wrong.
        p["ideas"][0]["text"] = f"A project about {theme} with pupils of class {i}"
        p["ideas"].append({"title": extra, "text": f"An exchange on {extra} and {theme} for class {i}"})
        out.append(Profile.model_validate(p))
    return out


@pytest.fixture
def pair(tmp_path, index_name, opensearch_url):
    from matcher.service import Matcher
    emb = ThemeEmbedder()
    local = Matcher(EmbeddedBackend(tmp_path, emb.dim), emb)
    remote_backend = OpenSearchBackend(opensearch_url, index_name, emb.dim, timeout=10.0)
    remote = Matcher(remote_backend, emb)
    data = dataset()
    local.upsert(data)
    remote.upsert(data)
    yield local, remote, data
    for name in [*remote_backend.versions(), remote_backend.meta_index, remote_backend.contacts_index,
                 remote_backend.standing_index]:
        remote_backend.client.indices.delete(index=name, ignore_unavailable=True)


def _top10(m, pid: str, mode: str) -> list[str]:
    """The shipped rankings through the API's path; the evaluation baselines over the same pool."""
    if mode in ("full", "model"):
        return [r.profile.id for r in m.partners(pid, k=10, mode=mode).results]
    return ranking_of(Query(pid, {}, m.candidates(m.record(pid))), mode)[:10]


@pytest.mark.parametrize("mode", ["full", "model", "vector", "filters"])
def test_same_top10(pair, mode):
    local, remote, data = pair
    for p in data[::7]:
        a, b = _top10(local, p.id, mode), _top10(remote, p.id, mode)
        assert a == b, f"{p.id} ({mode}): embedded {a} != opensearch {b}"


def test_same_scores(pair):
    local, remote, data = pair
    a = local.partners(data[0].id, k=10)
    b = remote.partners(data[0].id, k=10)
    assert [round(r.score, 3) for r in a.results] == [round(r.score, 3) for r in b.results]


def test_same_saved_search_alerts(pair, tmp_path):
    """Saved searches find the same newcomers: the percolator on OpenSearch, the stored
    filters tested one by one in the embedded backend."""
    from matcher.alerts import match
    from matcher.alerts.store import AlertStore
    local, remote, _ = pair
    searches = [{"text": "robots", "filters": {"country": ["PT", "FR"]}, "k": 10},
                {"text": "music club", "filters": {"age": "8-9", "language": ["fr"]}, "k": 10},
                {"text": "water", "filters": {"subject": ["Biology", "History"]}, "k": 10},
                {"text": "poetry", "k": 10}]
    newcomers = [Profile.model_validate(profile(f"n{i}", c, t, subjects=s, ages=((7, 12),), languages=langs))
                 for i, (c, t, s, langs) in enumerate([("PT", "robots", ("Art",), ("en",)),
                                                       ("FR", "music", ("Music",), ("en", "fr")),
                                                       ("ES", "water", ("Biology",), ("en",)),
                                                       ("DE", "poetry", ("History",), ("en",))])]
    got = []
    for name, m in (("local", local), ("remote", remote)):
        store = AlertStore(tmp_path / f"alerts-{name}")
        ids = {store.save_search("nss", s, "daily", 10).id: n for n, s in enumerate(searches)}
        match.upsert(m, store, newcomers)
        got.append(sorted((ids[a.recipient], a.newcomer) for a in store.alerts("search")))
        store.close()
    assert got[0] == got[1]
    assert {n for _, n in got[0]} >= {"n0", "n2"}   # each reached by a search that names its theme

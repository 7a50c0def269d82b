"""The alert routes: who may subscribe, the alert arriving end to end, saved searches, erasure."""
from __future__ import annotations

import time

import pytest

from api.teacher import mint
from tests.api.conftest import WIDGET_ORIGIN

SECRET = "portal-and-twinmatch-share-this"
NEWCOMER = {"id": "es-recycle", "name": "Lucía Gómez", "email": "lucia@school.example",
            "school": {"id": "es-s9", "name": "IES Reciclaje", "country": "ES", "type": "lower-secondary"},
            "subjects": ["Environmental Education"], "age_groups": [{"from": 12, "to": 15}],
            "languages": ["es", "en"], "interests": ["reciclaje"],
            "ideas": [{"title": "Reciclar en la escuela",
                       "text": "Con mis alumnos queremos separar los residuos de la escuela, reciclar papel y "
                               "plástico y hacer campañas sobre el medio ambiente."}],
            "last_active": "2026-10-01"}


@pytest.fixture
def api(make_client, keys):
    c = make_client(api_keys=keys["_records"], teacher_token_secret=SECRET, alerts_deliver_every=0)
    c.keys = keys
    return c


def _h(api, role: str, **extra) -> dict:
    return {"X-API-Key": api.keys[role], **extra}


def _teacher(pid: str, ttl: int = 600, now: float | None = None, **extra) -> dict:
    return {"Authorization": f"Bearer {mint(SECRET, pid, ttl, now=now)}", **extra}


def test_search_and_widget_keys_never_subscribe_anyone(api):
    body = {"frequency": "daily"}
    assert api.put("/v1/profiles/ro-recycle/alerts", json=body).status_code == 401
    assert api.put("/v1/profiles/ro-recycle/alerts", json=body, headers=_h(api, "search")).status_code == 403
    r = api.put("/v1/profiles/ro-recycle/alerts", json=body, headers=_h(api, "widget", Origin=WIDGET_ORIGIN))
    assert r.status_code == 403
    r = api.post("/v1/saved-searches", json={"text": "recycling"}, headers=_h(api, "widget", Origin=WIDGET_ORIGIN))
    assert r.status_code == 403
    assert api.put("/v1/profiles/ro-recycle/alerts", json=body, headers=_h(api, "write")).status_code == 200


def test_a_teacher_token_acts_on_its_own_profile_only(api):
    assert api.put("/v1/profiles/ro-recycle/alerts", json={}, headers=_teacher("ro-recycle")).status_code == 200
    r = api.put("/v1/profiles/pt-recycle/alerts", json={}, headers=_teacher("ro-recycle"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "access_denied"
    expired = _teacher("ro-recycle", ttl=60, now=time.time() - 120)
    assert api.get("/v1/profiles/ro-recycle/alerts", headers=expired).status_code == 401
    forged = {"Authorization": "Bearer " + mint("another secret", "ro-recycle")}
    assert api.get("/v1/profiles/ro-recycle/alerts", headers=forged).status_code == 401
    assert api.put("/v1/alerts/webhook", json={"url": "https://x.example/h"},
                   headers=_teacher("ro-recycle")).status_code == 401        # not an API key
    listed = api.get("/v1/alerts/subscriptions", headers=_teacher("ro-recycle")).json()
    assert [s["profile_id"] for s in listed] == ["ro-recycle"]
    assert api.get("/v1/alerts/subscriptions", headers=_h(api, "write")).json() == []


def test_each_teacher_token_has_the_write_scopes_rate_limit(make_client, keys):
    c = make_client(api_keys=keys["_records"], teacher_token_secret=SECRET, alerts_deliver_every=0,
                    rate_limits={"write": "3/minute"})
    ro, pt = _teacher("ro-recycle"), _teacher("pt-recycle")
    assert [c.get("/v1/profiles/ro-recycle/alerts", headers=ro).status_code for _ in range(3)] == [404] * 3
    r = c.get("/v1/profiles/ro-recycle/alerts", headers=ro)
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
    assert c.put("/v1/profiles/pt-recycle/alerts", json={}, headers=pt).status_code == 200   # its own budget


def test_bad_teacher_tokens_count_as_requests_without_a_valid_key(make_client, keys):
    c = make_client(api_keys=keys["_records"], teacher_token_secret=SECRET, alerts_deliver_every=0,
                    unauthenticated_limit="3/minute")
    forged = {"Authorization": "Bearer " + mint("another secret", "ro-recycle")}
    assert [c.get("/v1/profiles/ro-recycle/alerts", headers=forged).status_code for _ in range(3)] == [401] * 3
    assert c.get("/v1/profiles/ro-recycle/alerts", headers=forged).status_code == 429
    # a valid key from the same address is not refused (404: ro-recycle has no subscription)
    assert c.get("/v1/profiles/ro-recycle/alerts", headers={"X-API-Key": keys["write"]}).status_code == 404


def test_a_matching_newcomer_raises_an_alert_with_reasons(api):
    r = api.put("/v1/profiles/ro-recycle/alerts", json={"frequency": "instant", "k": 10}, headers=_h(api, "write"))
    assert r.json() == {"profile_id": "ro-recycle", "frequency": "instant", "max_per_digest": 5, "k": 10}
    assert api.get("/v1/profiles/ro-recycle/alerts", headers=_h(api, "write")).json() == {"alerts": []}
    assert api.put("/v1/profiles/es-recycle", json=NEWCOMER, headers=_h(api, "write")).status_code == 200
    [alert] = api.get("/v1/profiles/ro-recycle/alerts?lang=pt", headers=_teacher("ro-recycle")).json()["alerts"]
    assert alert["partner"]["id"] == "es-recycle" and "email" not in alert["partner"]
    mine = api.get("/v1/profiles/ro-recycle/partners?k=10&lang=pt", headers=_h(api, "search")).json()["results"]
    listed = next(x for x in mine if x["profile"]["id"] == "es-recycle")
    assert alert["score"] == listed["score"]
    assert [x["message"] for x in alert["reasons"]] == [x["message"] for x in listed["reasons"]]
    # writing the same profile again raises nothing new
    api.put("/v1/profiles/es-recycle", json=NEWCOMER, headers=_h(api, "write"))
    assert len(api.get("/v1/profiles/ro-recycle/alerts", headers=_h(api, "write")).json()["alerts"]) == 1
    assert api.post("/v1/profiles/ro-recycle/alerts/seen", headers=_teacher("ro-recycle")).status_code == 204


def test_deleting_a_profile_erases_its_subscription_and_the_alerts_naming_it(api):
    w = _h(api, "write")
    api.put("/v1/profiles/ro-recycle/alerts", json={}, headers=w)
    api.put("/v1/profiles/pt-recycle/alerts", json={}, headers=w)
    api.put("/v1/profiles/es-recycle", json=NEWCOMER, headers=w)
    assert api.get("/v1/profiles/ro-recycle/alerts", headers=w).json()["alerts"]
    assert api.delete("/v1/profiles/es-recycle", headers=w).status_code == 204
    assert api.get("/v1/profiles/ro-recycle/alerts", headers=w).json() == {"alerts": []}
    store = api.app.state.alerts
    assert [a for a in store.alerts("profile") if a.newcomer == "es-recycle"] == []
    api.put("/v1/profiles/es-recycle", json=NEWCOMER, headers=w)
    assert api.delete("/v1/profiles/ro-recycle", headers=w).status_code == 204
    r = api.get("/v1/profiles/ro-recycle/alerts", headers=w)
    assert r.status_code == 404 and r.json()["error"]["code"] == "subscription_not_found"
    assert store.alerts("profile", "ro-recycle") == []
    assert [s["profile_id"] for s in api.get("/v1/alerts/subscriptions", headers=w).json()] == ["pt-recycle"]


def test_deleting_a_profile_erases_the_searches_its_teacher_saved_and_their_filters(api):
    w, backend = _h(api, "write"), api.app.state.matcher.backend
    mine = api.post("/v1/saved-searches", json={"text": "reciclaje"}, headers=_teacher("ro-recycle")).json()["id"]
    other = api.post("/v1/saved-searches", json={"text": "reciclaje"}, headers=w).json()["id"]
    assert backend.standing_keys() == {mine, other}
    assert api.delete("/v1/profiles/ro-recycle", headers=w).status_code == 204
    assert [s.id for s in api.app.state.alerts.searches()] == [other]
    assert backend.standing_keys() == {other}


def test_saved_searches_belong_to_their_key(api):
    w, a = _h(api, "write"), _h(api, "admin")
    r = api.post("/v1/saved-searches", json={"text": "reciclaje plástico escuela",
                                             "filters": {"country": ["ES"]}}, headers=w)
    assert r.status_code == 201
    sid = r.json()["id"]
    assert [s["id"] for s in api.get("/v1/saved-searches", headers=w).json()] == [sid]
    assert api.get("/v1/saved-searches", headers=a).json() == []
    assert api.get(f"/v1/saved-searches/{sid}/alerts", headers=a).status_code == 404
    api.put("/v1/profiles/es-recycle", json=NEWCOMER, headers=w)
    [alert] = api.get(f"/v1/saved-searches/{sid}/alerts?lang=es", headers=w).json()["alerts"]
    assert alert["partner"]["id"] == "es-recycle" and alert["reasons"][0]["code"] == "matches_search"
    assert api.post(f"/v1/saved-searches/{sid}/alerts/seen", headers=a).status_code == 404
    assert api.post(f"/v1/saved-searches/{sid}/alerts/seen", headers=w).status_code == 204
    assert api.delete(f"/v1/saved-searches/{sid}", headers=a).status_code == 404
    assert api.delete(f"/v1/saved-searches/{sid}", headers=w).status_code == 204
    assert api.get("/v1/saved-searches", headers=w).json() == []


def test_a_saved_search_keeps_its_filters_in_the_backend_until_deleted(api):
    backend, w = api.app.state.matcher.backend, _h(api, "write")
    sid = api.post("/v1/saved-searches", json={"text": "reciclaje", "filters": {"country": ["ES"]}},
                   headers=w).json()["id"]
    assert backend.standing_keys() == {sid}
    saved = api.app.state.alerts.search(sid)                 # its bound is measured as it is saved
    assert saved.probe is not None and saved.scores is not None and saved.join_at is not None
    from matcher.backends.types import CandidateFilter
    stored = backend.get_many(backend.filter_ids(CandidateFilter(open_only=False), 50)).values()
    elsewhere = next(r for r in stored if r.profile.school.country != "ES")
    assert backend.percolate(elsewhere) == set()
    api.put("/v1/profiles/es-recycle", json=NEWCOMER, headers=w)
    assert backend.percolate(api.app.state.matcher.record("es-recycle")) == {sid}
    assert api.delete(f"/v1/saved-searches/{sid}", headers=w).status_code == 204
    assert backend.standing_keys() == set()


def test_a_saved_search_the_backend_cannot_keep_is_not_saved(api, monkeypatch):
    from matcher.errors import BackendUnavailable

    def down(*_a, **_k):
        raise BackendUnavailable("the cluster is not reachable")
    monkeypatch.setattr(api.app.state.matcher.backend, "put_standing", down)
    w = _h(api, "write")
    r = api.post("/v1/saved-searches", json={"text": "reciclaje"}, headers=w)
    assert r.status_code == 503 and "not reachable" in r.json()["error"]["message"]
    assert api.get("/v1/saved-searches", headers=w).json() == []


def test_a_teacher_token_is_answered_with_cors_on_widget_sites_only(api):
    """The widget's "alert me" button sends the token alone, no widget key, from a widget site."""
    pre = {"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    r = api.options("/v1/saved-searches", headers=pre)
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    assert "Authorization" in r.headers["access-control-allow-headers"]
    body = {"text": "recycling", "filters": {"country": ["ES"]}, "frequency": "weekly"}
    r = api.post("/v1/saved-searches", json=body, headers=_teacher("ro-recycle", Origin=WIDGET_ORIGIN))
    assert r.status_code == 201 and r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    r = api.get("/v1/saved-searches", headers=_teacher("ro-recycle", Origin=WIDGET_ORIGIN))
    assert r.json()[0]["text"] == "recycling" and r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    # a refused token is readable there too, so the widget can say why
    expired = _teacher("ro-recycle", ttl=60, now=time.time() - 120, Origin=WIDGET_ORIGIN)
    r = api.post("/v1/saved-searches", json=body, headers=expired)
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    # no other origin, and no route a token does not admit
    evil = "https://evil.example"
    assert api.options("/v1/saved-searches", headers={**pre, "Origin": evil}).status_code == 403
    r = api.post("/v1/saved-searches", json=body, headers=_teacher("ro-recycle", Origin=evil))
    assert r.status_code == 201 and "access-control-allow-origin" not in r.headers
    r = api.post("/v1/search", json={"text": "recycling"}, headers=_teacher("ro-recycle", Origin=WIDGET_ORIGIN))
    assert r.status_code == 401
    r = api.get("/v1/profiles/ro-recycle", headers=_teacher("ro-recycle", Origin=WIDGET_ORIGIN))
    assert r.status_code == 401 and "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("body", [{"frequency": "hourly"}, {"max_per_digest": 0}, {"k": 500}])
def test_bad_subscriptions_are_422(api, body):
    r = api.put("/v1/profiles/ro-recycle/alerts", json=body, headers=_h(api, "write"))
    assert r.status_code == 422 and r.json()["error"]["details"]


def test_an_unknown_profile_cannot_subscribe(api):
    r = api.put("/v1/profiles/nobody/alerts", json={}, headers=_h(api, "write"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "profile_not_found"


def test_webhooks_are_https_except_on_loopback(api):
    w = _h(api, "write")
    assert api.put("/v1/alerts/webhook", json={"url": "http://example.org/h"}, headers=w).status_code == 422
    r = api.put("/v1/alerts/webhook", json={"url": "https://example.org/h"}, headers=w)
    assert r.status_code == 200 and len(r.json()["secret"]) > 20
    assert api.get("/v1/alerts/webhook", headers=w).json() == {"url": "https://example.org/h", "secret": None}
    assert api.get("/v1/alerts/dead-letters", headers=w).json() == []

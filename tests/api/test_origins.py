"""Widget keys: public search keys that work only from their listed origins, server side and by CORS."""
from __future__ import annotations

WIDGET_ORIGIN = "https://www.etwinning.pt"  # as in conftest.py

SEARCH = {"text": "recycling", "k": 3}


def test_widget_key_from_its_origin_gets_results_and_cors(secured, keys):
    r = secured.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["widget"], "Origin": WIDGET_ORIGIN})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    assert "Origin" in r.headers["vary"]


def test_widget_key_from_another_origin_or_none_is_refused(secured, keys):
    for headers in ({"Origin": "https://evil.example"}, {}, {"Origin": "null"},
                    {"Origin": WIDGET_ORIGIN + ".evil.example"}):
        r = secured.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["widget"], **headers})
        assert r.status_code == 403, headers
        assert "access-control-allow-origin" not in r.headers


def test_widget_key_holds_only_search(secured, keys):
    r = secured.get("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["widget"], "Origin": WIDGET_ORIGIN})
    assert r.status_code == 200 and "email" not in r.json()
    r = secured.delete("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["widget"], "Origin": WIDGET_ORIGIN})
    assert r.status_code == 403


def test_preflight_for_a_listed_origin(secured):
    r = secured.options("/v1/search", headers={"Origin": WIDGET_ORIGIN,
                                               "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "x-api-key, content-type"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    assert "X-API-Key" in r.headers["access-control-allow-headers"]
    assert "POST" in r.headers["access-control-allow-methods"]


def test_preflight_for_an_unlisted_origin_is_refused(secured):
    r = secured.options("/v1/search", headers={"Origin": "https://evil.example",
                                               "Access-Control-Request-Method": "POST"})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers


def test_server_keys_work_without_origin_but_never_get_cors(secured, keys):
    r = secured.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["search"], "Origin": WIDGET_ORIGIN})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_open_mode_grants_no_cors(make_client):
    c = make_client()
    r = c.options("/v1/search", headers={"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert r.status_code == 403
    r = c.post("/v1/search", json=SEARCH, headers={"Origin": WIDGET_ORIGIN})
    assert "access-control-allow-origin" not in r.headers

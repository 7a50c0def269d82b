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
        assert r.json()["error"]["code"] == "access_denied" and "results" not in r.json()
        # the refusal is readable by the asking page (so its widget can say why), nothing else is
        origin = headers.get("Origin")
        expected = origin if origin and origin != "null" else None
        assert r.headers.get("access-control-allow-origin") == expected, headers


def test_auth_errors_on_widget_routes_carry_cors_for_the_asking_origin(secured, keys):
    other = "https://other.example"
    cases = [("post", "/v1/search", {}, 401),                                 # no key
             ("get", "/v1/taxonomy", {"X-API-Key": "tm_0000_nope"}, 401),       # unknown key
             ("post", "/v1/search", {"X-API-Key": "tm_0000_nope"}, 401),
             ("get", "/v1/taxonomy", {"X-API-Key": keys["widget"]}, 403),       # key not issued for `other`
             ("post", "/v1/search", {"X-API-Key": keys["widget"]}, 403)]
    for method, path, headers, status in cases:
        kw = {"json": SEARCH} if method == "post" else {}
        r = getattr(secured, method)(path, headers={"Origin": other, **headers}, **kw)
        assert r.status_code == status, (path, headers, r.text)
        assert r.headers["access-control-allow-origin"] == other
        assert "Origin" in r.headers["vary"]
    # the taxonomy stays public without a key, and answers a valid key from its origin
    assert secured.get("/v1/taxonomy").status_code == 200
    r = secured.get("/v1/taxonomy", headers={"Origin": WIDGET_ORIGIN, "X-API-Key": keys["widget"]})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    # other routes keep their refusals unreadable cross-origin
    r = secured.get("/v1/profiles/pt-recycle", headers={"Origin": other, "X-API-Key": keys["widget"]})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers


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


def test_preflight_for_an_unlisted_origin_is_refused_except_on_widget_routes(secured):
    r = secured.options("/v1/profiles/pt-recycle", headers={"Origin": "https://evil.example",
                                                            "Access-Control-Request-Method": "GET"})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    # the widget's routes are preflighted for any origin so that their refusal can be read
    for path, method in (("/v1/search", "POST"), ("/v1/taxonomy", "GET")):
        r = secured.options(path, headers={"Origin": "https://evil.example",
                                           "Access-Control-Request-Method": method})
        assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "https://evil.example"


def test_server_keys_work_without_origin_but_never_get_cors(secured, keys):
    r = secured.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["search"], "Origin": WIDGET_ORIGIN})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_open_mode_grants_no_cors(make_client):
    c = make_client()
    r = c.options("/v1/search", headers={"Origin": WIDGET_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert r.status_code == 403
    r = c.post("/v1/search", json=SEARCH, headers={"Origin": WIDGET_ORIGIN})
    assert "access-control-allow-origin" not in r.headers

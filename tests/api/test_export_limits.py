"""A search-scope key (the public widget's) cannot copy the directory: closed profiles stay
hidden, paging stops at the search depth, and a daily quota caps its requests."""
from __future__ import annotations

import pytest

CLOSED = "ie-closed"


@pytest.mark.parametrize("path", [f"/v1/profiles/{CLOSED}", f"/v1/profiles/{CLOSED}/partners",
                                  f"/v1/profiles/{CLOSED}/consortium?size=2"])
def test_a_closed_profile_is_not_found_with_a_search_key(secured, keys, path):
    r = secured.get(path, headers={"X-API-Key": keys["search"]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "profile_not_found"
    assert "Aoife" not in r.text


def test_a_closed_profile_is_readable_with_the_read_scope(secured, keys):
    r = secured.get(f"/v1/profiles/{CLOSED}", headers={"X-API-Key": keys["read"]})
    assert r.status_code == 200 and r.json()["open_to_partners"] is False
    assert secured.get("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["search"]}).status_code == 200


def test_search_keys_page_only_to_the_search_depth(secured, keys):
    search, read = {"X-API-Key": keys["search"]}, {"X-API-Key": keys["read"]}
    deep = {"text": "", "k": 10, "offset": 191}
    r = secured.post("/v1/search", json=deep, headers=search)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["max_offset_plus_k"] == 200
    assert "201" in r.json()["error"]["message"]
    assert secured.post("/v1/search", json=deep | {"offset": 190}, headers=search).status_code == 200
    assert secured.post("/v1/search", json=deep, headers=read).status_code == 200
    r = secured.get("/v1/profiles/pt-recycle/partners?k=100&offset=101", headers=search)
    assert r.status_code == 422
    assert secured.get("/v1/profiles/pt-recycle/partners?k=100&offset=100", headers=search).status_code == 200


def test_a_daily_quota_beside_the_rate(make_client, keys):
    c = make_client(api_keys=keys["_records"], rate_limits={"search": "100/minute;3/day"})
    h = {"X-API-Key": keys["search"]}
    for _ in range(3):
        assert c.post("/v1/search", json={"text": "recycling", "k": 1}, headers=h).status_code == 200
    r = c.post("/v1/search", json={"text": "recycling", "k": 1}, headers=h)
    assert r.status_code == 429 and "3 per 1 day" in r.json()["error"]["message"]
    assert int(r.headers["Retry-After"]) > 3600


def test_the_default_search_limits_include_a_daily_quota():
    from matcher.settings import Settings
    assert Settings().rate_limits["search"] == "600/minute;10000/day"

"""Per-key rate limits: 429 with Retry-After, counted per key and per scope."""
from __future__ import annotations

SEARCH = {"text": "recycling", "k": 1}


def test_over_the_limit_gets_429_with_retry_after(make_client, keys):
    c = make_client(api_keys=keys["_records"], rate_limits={"search": "3/minute", "write": "100/minute"})
    own = {"X-API-Key": keys["search"]}
    assert [c.post("/v1/search", json=SEARCH, headers=own).status_code for _ in range(3)] == [200] * 3
    r = c.post("/v1/search", json=SEARCH, headers=own)
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # Another key has its own budget; the same key's other scopes too.
    assert c.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["read"]}).status_code == 200
    assert c.post("/v1/profiles/bulk", json=[], headers={"X-API-Key": keys["write"]}).status_code == 200


def test_refused_requests_do_not_spend_the_budget(make_client, keys):
    c = make_client(api_keys=keys["_records"], rate_limits={"search": "2/minute"})
    for _ in range(5):
        assert c.post("/v1/search", json=SEARCH, headers={"X-API-Key": "nope"}).status_code == 401
    assert c.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["search"]}).status_code == 200

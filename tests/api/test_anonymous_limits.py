"""Requests without a valid key are rate-limited per client address; X-Forwarded-For counts
only from a trusted proxy."""
from __future__ import annotations

from starlette.testclient import TestClient

SEARCH = {"text": "recycling", "k": 1}


def _from(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def test_keyless_requests_get_429_past_the_limit_per_address(make_client, keys):
    c = make_client(api_keys=keys["_records"], unauthenticated_limit="3/minute")
    a, b = _from(c.app, "192.0.2.1"), _from(c.app, "192.0.2.2")
    assert [a.post("/v1/search", json=SEARCH).status_code for _ in range(3)] == [401] * 3
    r = a.post("/v1/search", json=SEARCH, headers={"X-API-Key": "tm_nothere_wrong"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
    assert b.post("/v1/search", json=SEARCH).status_code == 401           # its own budget
    assert a.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["search"]}).status_code == 200
    assert a.get("/healthz").status_code == 200                           # no key needed, not limited


def test_forwarded_for_counts_only_from_a_trusted_proxy(make_client, keys):
    c = make_client(api_keys=keys["_records"], unauthenticated_limit="2/minute", trusted_proxies=["10.0.0.0/8"])
    proxy, direct = _from(c.app, "10.1.2.3"), _from(c.app, "192.0.2.7")

    def via(client, xff):
        return client.post("/v1/search", json=SEARCH, headers={"X-Forwarded-For": xff}).status_code

    # Behind the proxy, each client has its own budget (a spoofed first hop does not matter).
    assert [via(proxy, "203.0.113.5"), via(proxy, "1.1.1.1, 203.0.113.5"), via(proxy, "203.0.113.5")] == [401, 401, 429]
    assert via(proxy, "203.0.113.6") == 401
    # A client that is not a trusted proxy cannot pick its own address.
    assert [via(direct, "198.51.100.1"), via(direct, "198.51.100.2"), via(direct, "198.51.100.3")] == [401, 401, 429]

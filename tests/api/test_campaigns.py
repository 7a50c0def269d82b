"""API round trip: create, poll, matches as JSON and CSV; errors use the one error shape."""
from __future__ import annotations

import time


def _wait(client, cid, h):
    for _ in range(300):
        st = client.get(f"/v1/campaigns/{cid}", headers=h).json()
        if st["status"] in ("done", "failed"):
            return st
        time.sleep(0.1)
    raise AssertionError("campaign did not finish")


def test_round_trip(secured, keys, mini_profiles):
    h = {"X-API-Key": keys["campaign"]}
    ids = [p["id"] for p in mini_profiles]
    r = secured.post("/v1/campaigns", json={"cohort": ids, "partners": "1-2"}, headers=h)
    assert r.status_code == 202, r.text
    st = _wait(secured, r.json()["id"], h)
    assert st["status"] == "done", st
    assert st["summary"]["participants"] == len(ids)
    r = secured.get(f"/v1/campaigns/{st['id']}/matches", headers=h)
    assert r.status_code == 200 and r.json()["matches"]
    assert "@" not in r.text
    r = secured.get(f"/v1/campaigns/{st['id']}/matches", headers=h | {"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("a,b,")


def test_errors(secured, keys):
    h = {"X-API-Key": keys["campaign"]}
    r = secured.post("/v1/campaigns", json={"cohort": ["nobody", "nobody2"]}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_query"
    assert secured.get("/v1/campaigns/abc123", headers=h).json()["error"]["code"] == "campaign_not_found"
    r = secured.post("/v1/campaigns", json={"cohort": ["a", "b"]}, headers={"X-API-Key": keys["search"]})
    assert r.status_code == 403

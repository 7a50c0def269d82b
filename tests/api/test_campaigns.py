"""API round trip: create, poll, matches as JSON and CSV; errors use the one error shape."""
from __future__ import annotations

import time

from tests.api.campaign_wait import wait_for_campaign


def test_round_trip(secured, keys, mini_profiles):
    h = {"X-API-Key": keys["campaign"]}
    ids = [p["id"] for p in mini_profiles]
    r = secured.post("/v1/campaigns", json={"cohort": ids, "partners": "1-2"}, headers=h)
    assert r.status_code == 202, r.text
    st = wait_for_campaign(secured, r.json()["id"], h)
    assert st["status"] == "done", st
    assert st["summary"]["participants"] == len(ids)
    r = secured.get(f"/v1/campaigns/{st['id']}/matches", headers=h)
    assert r.status_code == 200 and r.json()["matches"]
    assert "@" not in r.text
    r = secured.get(f"/v1/campaigns/{st['id']}/matches", headers=h | {"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("a_name,a_school,a_country,")
    assert "@" not in r.text   # a campaign key without the read scope gets no e-mails


def test_errors(secured, keys):
    h = {"X-API-Key": keys["campaign"]}
    r = secured.post("/v1/campaigns", json={"cohort": ["nobody", "nobody2"]}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_query"
    assert secured.get("/v1/campaigns/abc123", headers=h).json()["error"]["code"] == "campaign_not_found"
    r = secured.post("/v1/campaigns", json={"cohort": ["a", "b"]}, headers={"X-API-Key": keys["search"]})
    assert r.status_code == 403


def _hijack(profile: dict) -> dict:
    """An existing teacher's profile with someone else's name and e-mail, closed to partners."""
    return profile | {"name": "Mallory", "email": "mallory@example.org", "open_to_partners": False}


def test_a_campaign_key_cannot_write_profiles_through_inline_profiles(secured, keys, mini_profiles):
    victim, other = mini_profiles[0], mini_profiles[1]
    h = {"X-API-Key": keys["campaign"]}
    r = secured.post("/v1/campaigns", json={"profiles": [_hijack(victim)], "cohort": [other["id"]]}, headers=h)
    assert r.status_code == 403, r.text
    assert "write" in r.json()["error"]["message"]
    time.sleep(0.3)  # a job, had one started, would have written by now
    stored = secured.get(f"/v1/profiles/{victim['id']}", headers={"X-API-Key": keys["admin"]}).json()
    assert (stored["name"], stored.get("email"), stored["open_to_partners"]) == \
        (victim.get("name", ""), victim.get("email"), victim.get("open_to_partners", True))
    assert secured.get("/v1/campaigns", headers=h).json() == []


def test_inline_profiles_need_the_write_scope_and_spend_its_rate_limit(make_client, keys, mini_profiles):
    from api.security import new_key
    key, rec = new_key(["campaign", "write"], name="organiser")
    client = make_client(api_keys=keys["_records"] + [rec.as_dict()],
                         rate_limits={"campaign": "100/minute", "write": "1/minute"})
    h = {"X-API-Key": key}
    body = {"profiles": [mini_profiles[0] | {"name": "Renamed"}], "cohort": [mini_profiles[1]["id"]]}
    r = client.post("/v1/campaigns", json=body, headers=h)
    assert r.status_code == 202, r.text
    wait_for_campaign(client, r.json()["id"], h)
    stored = client.get(f"/v1/profiles/{mini_profiles[0]['id']}", headers={"X-API-Key": keys["admin"]})
    assert stored.json()["name"] == "Renamed"
    r = client.post("/v1/campaigns", json=body, headers=h)
    assert r.status_code == 429 and "'write'" in r.json()["error"]["message"]
    # A cohort of indexed ids alone needs only the campaign scope.
    r = client.post("/v1/campaigns", json={"cohort": [p["id"] for p in mini_profiles[:3]]}, headers=h)
    assert r.status_code == 202, r.text


def test_a_campaign_is_readable_only_by_the_key_that_created_it_and_admins(make_client, keys, mini_profiles):
    from api.security import new_key
    other, rec = new_key(["campaign"], name="other organiser")
    client = make_client(api_keys=keys["_records"] + [rec.as_dict()])
    mine, theirs, admin = ({"X-API-Key": k} for k in (keys["campaign"], other, keys["admin"]))
    r = client.post("/v1/campaigns", json={"cohort": [p["id"] for p in mini_profiles]}, headers=mine)
    cid = r.json()["id"]
    assert wait_for_campaign(client, cid, mine)["status"] == "done"
    assert [c["id"] for c in client.get("/v1/campaigns", headers=mine).json()] == [cid]
    assert client.get("/v1/campaigns", headers=theirs).json() == []
    for path in (f"/v1/campaigns/{cid}", f"/v1/campaigns/{cid}/matches"):
        r = client.get(path, headers=theirs)
        assert r.status_code == 404 and r.json()["error"]["code"] == "campaign_not_found", path
        assert client.get(path, headers=admin).status_code == 200
    assert [c["id"] for c in client.get("/v1/campaigns", headers=admin).json()] == [cid]

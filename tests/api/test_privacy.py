"""The private-field rule and erasure: e-mail only for read/admin on GET, and DELETE forgets everywhere."""
from __future__ import annotations

import sqlite3

import pytest

from matcher import text
from matcher.embeddings.cache import text_key
from models import Profile


def test_email_only_for_read_and_admin_on_get(secured, keys):
    for role, sees in (("read", True), ("admin", True), ("search", False)):
        body = secured.get("/v1/profiles/pt-recycle", headers={"X-API-Key": keys[role]}).json()
        assert ("email" in body) is sees, role
        assert body.get("email", "pt-recycle@school.example") == "pt-recycle@school.example"


@pytest.mark.parametrize("role", ["admin", "read"])
def test_email_never_in_search_or_partners_even_for_admin(secured, keys, role):
    h = {"X-API-Key": keys[role]}
    for r in (secured.post("/v1/search", json={"text": "recycling", "k": 50}, headers=h),
              secured.post("/v1/search", json={"k": 50}, headers=h),
              secured.get("/v1/profiles/pt-recycle/partners?k=50&same_country=true", headers=h),
              secured.put("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["admin"]},
                          json=secured.get("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["admin"]}).json())):
        assert r.status_code == 200, r.text
        assert "@" not in r.text and '"email"' not in r.text


def test_email_never_in_campaign_or_consortium_results_even_for_admin(secured, keys, mini_profiles):
    """Campaign status, matches as JSON, the report, the campaign list and consortia hold public
    fields only; the matches CSV, written for organisers to contact both teachers, carries
    e-mails for a key with the read scope (docs/campaigns.md)."""
    import time

    h = {"X-API-Key": keys["admin"]}
    r = secured.post("/v1/campaigns", json={"cohort": [p["id"] for p in mini_profiles], "partners": "1-2"},
                     headers=h)
    assert r.status_code == 202, r.text
    cid = r.json()["id"]
    for _ in range(300):
        status = secured.get(f"/v1/campaigns/{cid}", headers=h)
        if status.json()["status"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert status.json()["status"] == "done", status.text
    bodies = [status.text,
              secured.get(f"/v1/campaigns/{cid}/matches", headers=h).text,
              secured.get(f"/v1/campaigns/{cid}/report", headers=h).text,
              secured.get("/v1/campaigns", headers=h).text,
              secured.get("/v1/profiles/pt-recycle/consortium?size=3", headers=h).text]
    assert "ro-recycle" in bodies[1]  # the matches really hold profiles
    for body in bodies:
        assert "@school.example" not in body and '"email"' not in body
    csv = secured.get(f"/v1/campaigns/{cid}/matches", headers=h | {"Accept": "text/csv"}).text
    assert ",a_email," in csv.splitlines()[0] and "@school.example" in csv   # admin holds the read scope


def _rows_with(data_dir, pid: str) -> list[str]:
    """Every (file, table, column) of every SQLite file in the data directory holding `pid`."""
    found = []
    for path in data_dir.rglob("*.sqlite"):
        db = sqlite3.connect(path)
        try:
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                cols = [c[1] for c in db.execute(f"PRAGMA table_info('{table}')")]
                for col in cols:
                    q = f"SELECT COUNT(*) FROM '{table}' WHERE CAST(\"{col}\" AS TEXT) = ? " \
                        f"OR CAST(\"{col}\" AS TEXT) LIKE ?"
                    if db.execute(q, (pid, f'%"{pid}"%')).fetchone()[0]:
                        found.append(f"{path.name}:{table}.{col}")
        finally:
            db.close()
    return found


def test_erasure_removes_the_profile_from_every_store_index_and_cache(secured, keys, data_dir):
    admin = {"X-API-Key": keys["admin"]}
    doomed = Profile.model_validate(secured.get("/v1/profiles/ro-recycle", headers=admin).json())
    texts = [t for _, t in text.units(doomed)]
    app = secured.app
    m = app.state.matcher
    assert m.backend.keyword.search("ro-recycle" and doomed.ideas[0].text, _no_filter(), 500)
    assert _rows_with(data_dir, "ro-recycle")

    assert secured.delete("/v1/profiles/ro-recycle", headers=admin).status_code == 204

    assert secured.get("/v1/profiles/ro-recycle", headers=admin).status_code == 404
    assert secured.get("/v1/profiles/ro-recycle/partners", headers=admin).status_code == 404
    assert secured.delete("/v1/profiles/ro-recycle", headers=admin).status_code == 404
    # Its own words no longer find it, in free text or as anyone's partner.
    r = secured.post("/v1/search", json={"text": doomed.ideas[0].text, "k": 100}, headers=admin)
    assert "ro-recycle\"" not in r.text
    for other in ("pt-recycle", "pl-recycle", "gr-recycle"):
        r = secured.get(f"/v1/profiles/{other}/partners?k=100&same_country=true", headers=admin)
        assert '"ro-recycle"' not in r.text
    # Every derived index agrees: no keyword document, no vector rows, no filter column.
    ids = {pid for pid, _ in m.backend.keyword.search(doomed.ideas[0].text, _no_filter(), 500)}
    assert "ro-recycle" not in ids
    assert m.backend.keyword.count() == m.backend.count() == len(m.backend.slot)
    assert "ro-recycle" not in m.backend.slot
    live_rows = int((m.backend.vectors.owner[:m.backend.vectors.n] >= 0).sum())
    assert live_rows == sum(len(r.vectors) for recs in m.backend.scan() for r in recs)
    # The embedding cache forgot its texts, and no SQLite row anywhere holds its id.
    cache = sqlite3.connect(data_dir / "embeddings.sqlite")
    keys_left = {k for (k,) in cache.execute("SELECT key FROM emb")}
    assert not keys_left & {text_key(t) for t in texts}
    assert _rows_with(data_dir, "ro-recycle") == []


def test_erasure_survives_a_restart(make_client, keys, data_dir):
    c = make_client(api_keys=keys["_records"])
    assert c.delete("/v1/profiles/ro-recycle", headers={"X-API-Key": keys["write"]}).status_code == 204
    c.__exit__(None, None, None)
    c2 = make_client(api_keys=keys["_records"])
    assert c2.get("/v1/profiles/ro-recycle", headers={"X-API-Key": keys["read"]}).status_code == 404
    m = c2.app.state.matcher
    assert m.backend.keyword.count() == m.backend.count()


def _no_filter():
    from matcher.backends.types import CandidateFilter
    return CandidateFilter(open_only=False)

"""DELETE leaves no copy of an erased teacher in the data directory: not in SQLite's WALs, not
in the embedding cache, not in campaign results (on disk or through the API)."""
from __future__ import annotations

import sqlite3

from matcher.embeddings.cache import text_key
from tests.api.campaign_wait import wait_for_campaign

IDEA = "Zorblaxian garden mosaics painted by quxwobbly pupils on Saturdays"
UNIT = f"Zorblaxian mosaics. {IDEA}"  # what is embedded and cached (matcher.text.units)


def _victim(base: dict) -> dict:
    return base | {"id": "zz-victim", "name": "Quxwobbly Fernsthal", "email": "fernsthal@school.example",
                   "ideas": [{"title": "Zorblaxian mosaics", "text": IDEA}]}


def _found(data_dir, needles: list[bytes]) -> dict[str, list[bytes]]:
    out = {}
    for f in sorted(data_dir.rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            hits = [n for n in needles if n in data]
            if hits:
                out[str(f.relative_to(data_dir))] = hits
    return out


def test_delete_leaves_no_copy_in_the_data_directory(secured, keys, data_dir, mini_profiles):
    admin, camp = {"X-API-Key": keys["admin"]}, {"X-API-Key": keys["campaign"]}
    victim = _victim(mini_profiles[1])  # another's fields: it has partners in the cohort
    assert secured.put("/v1/profiles/zz-victim", json=victim, headers=admin).status_code == 200
    r = secured.post("/v1/campaigns", json={"cohort": [p["id"] for p in mini_profiles] + ["zz-victim"],
                                            "partners": "1-3"}, headers=camp)
    cid = r.json()["id"]
    assert wait_for_campaign(secured, cid, camp)["status"] == "done"
    before = secured.get(f"/v1/campaigns/{cid}/matches", headers=camp).text
    assert "zz-victim" in before
    with sqlite3.connect(data_dir / "embeddings.sqlite") as db:
        (vec,), = db.execute("SELECT vec FROM emb WHERE key = ?", (text_key(UNIT),)).fetchall()
    needles = [b"zz-victim", b"Quxwobbly", b"quxwobbly", b"Zorblaxian", b"fernsthal@school.example",
               text_key(UNIT), bytes(vec[:64])]
    assert _found(data_dir, needles)  # the probe sees the copies that a write leaves

    assert secured.delete("/v1/profiles/zz-victim", headers=admin).status_code == 204
    # Writes after the delete must not bring anything back either.
    later = mini_profiles[2] | {"name": "Later"}
    assert secured.put(f"/v1/profiles/{later['id']}", json=later, headers=admin).status_code == 200

    assert _found(data_dir, needles) == {}
    matches = secured.get(f"/v1/campaigns/{cid}/matches", headers=camp)
    assert "zz-victim" not in matches.text and "Zorblaxian" not in matches.text
    csv = secured.get(f"/v1/campaigns/{cid}/matches", headers=camp | {"Accept": "text/csv"})
    assert "zz-victim" not in csv.text


def test_a_campaign_running_during_the_delete_stores_no_trace(secured, keys, mini_profiles):
    """The result is written after the erased id is gone: it is redacted on the way in."""
    from matcher.campaign.store import CampaignStore
    result = {"matches": [{"a": "zz-victim", "b": "pt-recycle", "score": 0.9, "reasons": []},
                          {"a": "ro-recycle", "b": "pt-recycle", "score": 0.8, "reasons": []}],
              "groups": [{"members": ["zz-victim", "ro-s1", "pl-s1"], "countries": ["PT", "RO", "PL"]}],
              "unmatched": [{"id": "zz-victim", "country": "PT"},
                            {"id": "gr-s1", "country": "GR", "near_miss": {"id": "zz-victim"}}]}
    store: CampaignStore = secured.app.state.campaigns
    st = store.create({})
    store.put_result(st.id, result, present=lambda ids: [i for i in ids if i != "zz-victim"])
    store.update(st.id, status="done")
    stored = store.result(st.id)
    assert "zz-victim" not in str(stored)
    assert [m["a"] for m in stored["matches"]] == ["ro-recycle"]
    assert stored["groups"][0] == {"members": ["ro-s1", "pl-s1"], "countries": ["RO", "PL"]}
    assert stored["unmatched"] == [{"id": "gr-s1", "country": "GR", "near_miss": None}]


def test_the_keyword_index_copy_lasts_until_its_segment_is_rebuilt(make_client, keys, data_dir, mini_profiles):
    """Loaded in one batch with others, the erased document shares a tantivy segment that keeps
    its id and words until a merge; rebuilding the keyword index (docs/operations.md) purges them."""
    admin = {"X-API-Key": keys["admin"]}
    c = make_client(api_keys=keys["_records"])
    batch = [_victim(mini_profiles[1])] + [p | {"id": f"zz-other-{n}"} for n, p in enumerate(mini_profiles[2:6])]
    assert c.post("/v1/profiles/bulk", json=batch, headers=admin).json()["loaded"] == 5
    assert c.delete("/v1/profiles/zz-victim", headers=admin).status_code == 204
    needles = [b"zz-victim", b"Quxwobbly", b"quxwobbly", b"Zorblaxian", b"zorblaxian", b"fernsthal"]
    left = _found(data_dir, needles)
    assert left and all(path.startswith("keyword/") for path in left), left  # the documented copy only
    c.__exit__(None, None, None)

    import shutil
    shutil.rmtree(data_dir / "keyword")  # the documented purge: the server rebuilds it from SQLite
    c = make_client(api_keys=keys["_records"])
    assert _found(data_dir, needles) == {}
    r = c.post("/v1/search", json={"text": mini_profiles[2]["ideas"][0]["text"], "k": 20}, headers=admin)
    assert "zz-other-1" in r.text

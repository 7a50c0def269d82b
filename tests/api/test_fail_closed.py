"""Keys are required unless TWINMATCH_AUTH=off says otherwise, and that is said loudly."""
from __future__ import annotations

import logging

from api.security import new_key, write_keys_file, KeyRecord

SEARCH = {"text": "recycling", "k": 1}


def test_a_keys_file_that_disappears_while_running_opens_nothing(make_client, data_dir, keys):
    admin = KeyRecord.from_dict(next(r for r in keys["_records"] if r["name"] == "admin"))
    write_keys_file(data_dir / "keys.json", [admin])
    c = make_client(auth=True)
    assert c.get("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["admin"]}).json()["email"]
    (data_dir / "keys.json").unlink()
    for method, path in (("GET", "/v1/profiles/pt-recycle"), ("DELETE", "/v1/profiles/pt-recycle"),
                         ("GET", "/metrics")):
        r = c.request(method, path)
        assert r.status_code == 401, (method, path, r.status_code)
        assert "email" not in r.text
    assert c.get("/v1/profiles/pt-recycle", headers={"X-API-Key": keys["admin"]}).status_code == 401


def test_no_keys_at_all_refuses_every_keyed_request(make_client, caplog):
    with caplog.at_level(logging.WARNING, logger="twinmatch.security"):
        c = make_client(auth=True)
    assert "no API keys are configured" in caplog.text
    r = c.post("/v1/search", json=SEARCH)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert c.get("/v1/profiles/pt-recycle").status_code == 401
    assert c.get("/healthz").status_code == 200


def test_a_loopback_server_behind_a_proxy_is_not_open(make_client):
    """The address the server listens on says nothing about who reaches it: no key, no access."""
    from starlette.testclient import TestClient
    c = make_client(auth=True)
    local = TestClient(c.app, base_url="http://127.0.0.1")
    assert local.post("/v1/search", json=SEARCH, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401


def test_auth_off_is_explicit_and_logged_loudly(make_client, caplog):
    with caplog.at_level(logging.WARNING, logger="twinmatch.security"):
        c = make_client(auth=False)
    assert "AUTHENTICATION IS OFF (TWINMATCH_AUTH=off)" in caplog.text
    assert c.get("/v1/profiles/pt-recycle").json()["email"]


def test_auth_reads_off_from_the_environment(monkeypatch, tmp_path):
    from matcher.settings import Settings
    monkeypatch.setenv("TWINMATCH_AUTH", "off")
    assert Settings(data_dir=tmp_path).auth is False
    monkeypatch.delenv("TWINMATCH_AUTH")
    assert Settings(data_dir=tmp_path).auth is True

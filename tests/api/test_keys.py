"""API keys: 401 without a valid key, 403 outside its scope, hashes only at rest, open local mode."""
from __future__ import annotations

import json

import pytest

from api.security import KeyStore, check_open_mode, hash_key, new_key, write_keys_file
from indexer.cli import main as cli
from matcher.errors import MatchingError
from matcher.settings import Settings

SEARCH = {"text": "recycling", "k": 3}


def test_missing_and_unknown_keys_get_401_with_the_error_shape(secured, keys):
    r = secured.post("/v1/search", json=SEARCH)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    forged = keys["admin"][:-4] + "AAAA"  # right id, wrong secret
    for bad in ("nonsense", forged, "tm_000000000000_x"):
        r = secured.post("/v1/search", json=SEARCH, headers={"X-API-Key": bad})
        assert r.status_code == 401, bad


def test_key_in_header_or_bearer(secured, keys):
    assert secured.post("/v1/search", json=SEARCH, headers={"X-API-Key": keys["search"]}).status_code == 200
    r = secured.post("/v1/search", json=SEARCH, headers={"Authorization": f"Bearer {keys['search']}"})
    assert r.status_code == 200


@pytest.mark.parametrize("role,method,path,body,status", [
    ("search", "put", "/v1/profiles/pt-recycle", {}, 403),
    ("search", "delete", "/v1/profiles/pt-recycle", None, 403),
    ("search", "post", "/v1/profiles/bulk", [], 403),
    ("write", "post", "/v1/search", SEARCH, 403),
    ("write", "get", "/v1/profiles/pt-recycle/partners", None, 403),
    ("campaign", "get", "/v1/profiles/pt-recycle", None, 403),
    ("search", "get", "/metrics", None, 403),
    ("search", "get", "/v1/profiles/pt-recycle/partners", None, 200),
    ("write", "post", "/v1/profiles/bulk", [], 200),
    ("admin", "get", "/metrics", None, 200),
    ("admin", "post", "/v1/search", SEARCH, 200),
])
def test_scopes(secured, keys, role, method, path, body, status):
    kw = {"headers": {"X-API-Key": keys[role]}}
    if body is not None:
        kw["json"] = body
    r = secured.request(method.upper(), path, **kw)
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["error"]["code"] == "access_denied"


def test_health_and_taxonomy_need_no_key(secured):
    assert secured.get("/healthz").status_code == 200
    assert secured.get("/readyz").status_code == 200
    assert secured.get("/v1/taxonomy").status_code == 200


def test_open_mode_without_keys(make_client):
    c = make_client()
    assert c.post("/v1/search", json=SEARCH).status_code == 200
    assert c.get("/v1/profiles/pt-recycle").json()["email"]  # every scope, locally


def test_open_mode_refuses_non_loopback_hosts(tmp_path):
    s = Settings(data_dir=tmp_path, auth=False)
    for host in ("127.0.0.1", "localhost", "::1"):
        check_open_mode(s, host)
    with pytest.raises(MatchingError, match="TWINMATCH_ALLOW_OPEN"):
        check_open_mode(s, "0.0.0.0")
    check_open_mode(Settings(data_dir=tmp_path, auth=False, allow_open=True), "0.0.0.0")
    check_open_mode(Settings(data_dir=tmp_path), "0.0.0.0")  # keys required: nothing is open


def test_serve_on_all_interfaces_without_keys_exits_with_a_clear_message(tmp_path, monkeypatch, capsys):
    from matcher.settings import get_settings
    monkeypatch.setenv("TWINMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TWINMATCH_AUTH", "off")
    get_settings.cache_clear()
    try:
        assert cli(["serve", "--host", "0.0.0.0"]) == 2
    finally:
        get_settings.cache_clear()
    assert "TWINMATCH_AUTH=off" in capsys.readouterr().err


def test_open_mode_answers_loopback_servers_only(make_client):
    c = make_client()
    c.app.router  # noqa: B018 - the app is started
    # A server socket on a public address (what `uvicorn --host 0.0.0.0` sees) is refused.
    from starlette.testclient import TestClient
    public = TestClient(c.app, base_url="http://192.0.2.10")
    assert public.post("/v1/search", json=SEARCH).status_code == 403
    local = TestClient(c.app, base_url="http://127.0.0.1")
    assert local.post("/v1/search", json=SEARCH).status_code == 200


def test_cli_create_list_revoke_and_live_reload(make_client, data_dir, monkeypatch, capsys):
    from matcher.settings import get_settings
    monkeypatch.setenv("TWINMATCH_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    try:
        assert cli(["keys", "create", "--scope", "search", "--scope", "read", "--name", "portal"]) == 0
        out = capsys.readouterr().out
        key = out.splitlines()[0]
        stored = (data_dir / "keys.json").read_text()
        assert key not in stored and key.split("_", 2)[2] not in stored and hash_key(key) in stored
        assert oct((data_dir / "keys.json").stat().st_mode & 0o777) == "0o600"
        c = make_client(auth=True)
        assert c.get("/v1/profiles/pt-recycle", headers={"X-API-Key": key}).json()["email"]
        assert cli(["keys", "list"]) == 0
        kid = key.split("_", 2)[1]
        listing = capsys.readouterr().out
        assert kid in listing and key not in listing
        assert cli(["keys", "revoke", kid]) == 0
        # The running app re-reads the file: the key stops working, and no keys left is not open.
        r = c.get("/v1/profiles/pt-recycle", headers={"X-API-Key": key})
        assert r.status_code == 401
        assert c.get("/v1/profiles/pt-recycle").status_code == 401
        assert cli(["keys", "create", "--scope", "write", "--origin", "https://a.example"]) == 2
    finally:
        get_settings.cache_clear()


def test_keys_file_and_settings_combine(tmp_path):
    k1, r1 = new_key(["search"])
    k2, r2 = new_key(["admin"])
    write_keys_file(tmp_path / "keys.json", [r1])
    store = KeyStore(Settings(data_dir=tmp_path, api_keys=[r2.as_dict()]))
    assert store.lookup(k1).scopes == ("search",) and store.lookup(k2).scopes == ("admin",)
    assert json.loads((tmp_path / "keys.json").read_text())["keys"][0]["hash"].startswith("sha256:")


def test_a_corrupt_keys_file_stops_the_start(tmp_path):
    (tmp_path / "keys.json").write_text("{not json")
    with pytest.raises(MatchingError, match="keys file"):
        KeyStore(Settings(data_dir=tmp_path))

"""Key records are validated the same from every source, and a keys file broken while the
server runs neither opens it, nor locks keys out, nor shows a path."""
from __future__ import annotations

import json
import logging

import pytest

from api.security import KeyRecord, KeyStore, hash_key, new_key, write_keys_file
from matcher.errors import MatchingError
from matcher.settings import Settings

SEARCH = {"text": "recycling", "k": 1}


def test_a_corrupt_keys_file_at_start_refuses_to_start(tmp_path):
    from api.main import create_app
    (tmp_path / "keys.json").write_text("{not json")
    with pytest.raises(MatchingError, match="keys file"):
        create_app(Settings(data_dir=tmp_path))


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_keys_file_broken_while_running_keeps_the_last_good_keys(make_client, data_dir, keys):
    search = KeyRecord.from_dict(next(r for r in keys["_records"] if r["name"] == "search"))
    write_keys_file(data_dir / "keys.json", [search])
    c = make_client(auth=True)
    h = {"X-API-Key": keys["search"]}
    assert c.post("/v1/search", json=SEARCH, headers=h).status_code == 200
    (data_dir / "keys.json").write_text('{"keys": [{"id": "x"')  # a half-written file
    logger, seen = logging.getLogger("twinmatch.security"), _Collect()
    logger.addHandler(seen)
    try:
        r = c.post("/v1/search", json=SEARCH, headers=h)
        r2 = c.post("/v1/search", json=SEARCH)
    finally:
        logger.removeHandler(seen)
    assert r.status_code == 200, r.text
    assert r2.status_code == 401 and str(data_dir) not in r2.text and "keys.json" not in r2.text
    assert len(seen.messages) == 1 and "keeping the keys read before" in seen.messages[0]  # once, not per request


def _origin_bound(scopes) -> dict:
    key = "tm_abc123abc123_secret"
    return {"id": "abc123abc123", "hash": hash_key(key), "scopes": scopes, "origins": ["https://a.example"]}


@pytest.mark.parametrize("scopes", [["write"], ["admin"], ["search", "read"], ["campaign"]])
def test_origin_bound_keys_hold_only_search_from_every_source(tmp_path, scopes):
    rec = _origin_bound(scopes)
    with pytest.raises(ValueError, match="only the search scope"):
        KeyRecord.from_dict(rec)
    with pytest.raises(MatchingError, match="only the search scope"):
        KeyStore(Settings(data_dir=tmp_path, api_keys=[rec]))  # TWINMATCH_API_KEYS
    (tmp_path / "keys.json").write_text(json.dumps({"keys": [rec]}))  # a hand-edited file
    with pytest.raises(MatchingError, match="only the search scope"):
        KeyStore(Settings(data_dir=tmp_path))


def test_an_origin_bound_search_key_is_accepted(tmp_path):
    assert KeyRecord.from_dict(_origin_bound(["search"])).origins == ("https://a.example",)
    _, rec = new_key(["search"], ["https://b.example"])
    assert KeyStore(Settings(data_dir=tmp_path, api_keys=[rec.as_dict()])).configured

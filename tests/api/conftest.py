"""API fixtures: an app over a copy of the mini index, with keys of every kind."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.security import new_key
from matcher.settings import Settings

WIDGET_ORIGIN = "https://www.etwinning.pt"


@pytest.fixture
def keys() -> dict[str, str]:
    """Plain keys by role; the app only ever sees their hashes."""
    out, records = {}, []
    for role, scopes, origins in (("search", ["search"], []), ("read", ["search", "read"], []),
                                  ("write", ["write"], []), ("admin", ["admin"], []),
                                  ("campaign", ["campaign"], []),
                                  ("widget", ["search"], [WIDGET_ORIGIN])):
        key, rec = new_key(scopes, origins, name=role)
        out[role] = key
        records.append(rec.as_dict())
    out["_records"] = records
    return out


@pytest.fixture
def make_client(data_dir):
    """`make_client(**settings)` -> a started TestClient; closed at teardown. Without `api_keys`
    or `auth` it runs open (TWINMATCH_AUTH=off), as on a developer's machine."""
    opened = []

    def _make(**overrides) -> TestClient:
        from api.main import create_app
        overrides.setdefault("auth", "api_keys" in overrides)
        settings = Settings(data_dir=data_dir, **overrides)
        c = TestClient(create_app(settings))
        c.__enter__()
        opened.append(c)
        return c

    yield _make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def secured(make_client, keys) -> TestClient:
    return make_client(api_keys=keys["_records"])


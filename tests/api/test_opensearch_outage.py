"""The API on the real OpenSearch node while the node dies and comes back: 503 with Retry-After
within 2 s, then answers again by itself, with no restart of the API."""
from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from matcher.settings import Settings
from models import Profile

pytestmark = pytest.mark.opensearch


def test_node_outage_is_503_then_recovers(opensearch_node, mini_profiles, tmp_path):
    if opensearch_node is None:
        pytest.skip("needs the node this run started (OPENSEARCH_URL is somebody else's)")
    settings = Settings(data_dir=tmp_path, backend="opensearch", opensearch_url=opensearch_node.url,
                        opensearch_index=f"tm-test-{uuid.uuid4().hex[:12]}", embedder="hash", auth=False)
    with TestClient(create_app(settings)) as client:
        client.app.state.matcher.upsert([Profile.model_validate(p) for p in mini_profiles])
        url = "/v1/profiles/pt-recycle/partners?k=5"
        assert client.get(url).status_code == 200

        opensearch_node.kill()
        for path in (url, "/v1/profiles/pt-recycle"):
            t0 = time.monotonic()
            r = client.get(path)
            assert time.monotonic() - t0 < 2.0
            assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1, r.text
            assert "Traceback" not in r.text

        opensearch_node.start()   # same port and data directory
        deadline = time.monotonic() + 60
        while (status := client.get(url).status_code) != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status == 200
        assert [x["profile"]["id"] for x in client.get(url).json()["results"]]

"""Shared fixtures: a small multilingual index built with the real offline embedder."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from matcher.settings import Settings, get_settings
from tests.opensearch_node import Node, NodeUnavailable, must_run

DATA = Path(__file__).parent / "data"


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def mini_profiles() -> list[dict]:
    return load_jsonl(DATA / "mini.jsonl")


@pytest.fixture(scope="session")
def _mini_index(tmp_path_factory, mini_profiles) -> Path:
    """Index the mini set once per session; tests get their own copy of the directory."""
    from matcher.service import build_matcher
    from models import Profile

    base = tmp_path_factory.mktemp("mini-index")
    m = build_matcher(Settings(data_dir=base))
    m.upsert([Profile.model_validate(p) for p in mini_profiles])
    m.close()
    return base


@pytest.fixture
def data_dir(tmp_path, _mini_index) -> Path:
    target = tmp_path / "data"
    shutil.copytree(_mini_index, target)
    return target


@pytest.fixture
def settings(data_dir, monkeypatch) -> Settings:
    monkeypatch.setenv("TWINMATCH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TWINMATCH_AUTH", "off")  # the `client` fixture runs open, on loopback
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def matcher(settings):
    from matcher.service import build_matcher
    m = build_matcher(settings)
    yield m
    m.close()


@pytest.fixture
def client(settings):
    from fastapi.testclient import TestClient

    from api.main import create_app
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def make_matcher(tmp_path):
    """Build small indexes with the deterministic theme embedder; all are closed afterwards."""
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.service import Matcher
    from models import Profile
    from tests.fakes import ThemeEmbedder

    opened = []

    def _make(dicts: list[dict]) -> Matcher:
        emb = ThemeEmbedder()
        m = Matcher(EmbeddedBackend(tmp_path / f"idx{len(opened)}", emb.dim), emb)
        m.upsert([Profile.model_validate(d) for d in dicts])
        opened.append(m)
        return m

    yield _make
    for m in opened:
        m.close()


@pytest.fixture(scope="session")
def opensearch_node(tmp_path_factory):
    """One real OpenSearch node for the whole run (tests/opensearch_node.py), stopped at the end.

    Where it cannot be built or started its tests skip, saying why; in CI they fail instead.
    With OPENSEARCH_URL set, the tests use that cluster and this fixture yields None.
    """
    if os.environ.get("OPENSEARCH_URL"):
        yield None
        return
    node = Node(tmp_path_factory.mktemp("opensearch-node"))
    try:
        node.start()
    except NodeUnavailable as exc:
        if must_run():
            pytest.fail(f"CI needs the real OpenSearch node: {exc}", pytrace=False)
        pytest.skip(str(exc))
    # Test indexes refresh every 200 ms instead of every second: each `refresh=wait_for` write
    # waits for the next refresh, and the suite makes a few hundred of them.
    httpx.put(f"{node.url}/_index_template/twinmatch-tests", timeout=30.0, json={
        "index_patterns": ["tm-test-*"],
        "template": {"settings": {"index": {"refresh_interval": "200ms"}}}}).raise_for_status()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def opensearch_url(opensearch_node) -> str:
    return os.environ.get("OPENSEARCH_URL") or opensearch_node.url

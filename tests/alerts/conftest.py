"""Alert fixtures: a theme-embedder index with an alert store beside it."""
from __future__ import annotations

import pytest

from matcher.alerts.store import AlertStore
from tests.api.conftest import keys, make_client  # noqa: F401  (the API tests' fixtures, shared)
from tests.fakes import profile


@pytest.fixture
def store(tmp_path):
    s = AlertStore(tmp_path / "alerts")
    yield s
    s.close()


@pytest.fixture
def world(make_matcher):
    """Four teachers in four countries: two on recycling, one on music, one on robots."""
    return make_matcher([profile("pt1", "PT", "recycling"), profile("ro1", "RO", "music"),
                         profile("de1", "DE", "recycling"), profile("fr1", "FR", "robots")])

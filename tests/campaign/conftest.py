"""A small cohort indexed with the theme embedder, so scores and constraints are under test control."""
from __future__ import annotations

import pytest

from matcher.backends.embedded import EmbeddedBackend
from matcher.service import Matcher
from models import Profile
from tests.fakes import ThemeEmbedder, profile


@pytest.fixture
def make_matcher(tmp_path):
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


@pytest.fixture
def cohort_dicts() -> list[dict]:
    """Twenty compatible-ish teachers over five countries, plus one of each kind of misfit."""
    out = []
    countries = ["PT", "PL", "GR", "IT", "RO"]
    themes = ["music", "recycling", "robots", "history"]
    for i in range(20):
        out.append(profile(f"t{i:02d}", countries[i % 5], themes[i % 4],
                           languages=("en", "fr") if i % 3 else ("en",), ages=((7 + i % 3, 12),)))
    out.append(profile("closed", "ES", "music", open_to_partners=False))
    out.append(profile("icelandic", "IS", "music", languages=("is",)))
    out.append(profile("oldies", "FR", "music", ages=((60, 70),)))
    return out

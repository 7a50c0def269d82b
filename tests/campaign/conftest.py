"""A small cohort indexed with the theme embedder, so scores and constraints are under test control."""
from __future__ import annotations

import pytest

from tests.fakes import profile


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

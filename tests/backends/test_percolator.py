"""The embedded percolator's columns agree with `CandidateFilter.accepts`, filter by filter."""
import numpy as np

from matcher.backends.embedded.percolator import Percolator
from matcher.backends.types import CandidateFilter
from models import AgeRange
from tests.backends.conformance import FILTERS, profile, varied

COUNTRIES, LANGS, SUBJECTS = ["PT", "FR", "RO", "PL", "UA"], ["pt", "en", "fr", "ro", "uk"], ["Art", "Mathematics / Geometry", "History"]
TYPES = ["primary", "upper-secondary", "vocational"]


def _some(rng, values: list[str]) -> list[str] | None:
    """None (no constraint), an empty choice, or one to three values."""
    r = rng.random()
    if r < 0.4:
        return None
    if r < 0.45:
        return []
    return [str(v) for v in rng.choice(values, int(rng.integers(1, 4)), replace=False)]


def _filters(rng, n: int) -> dict[str, CandidateFilter]:
    out = {}
    for i in range(n):
        ages = None if rng.random() < 0.4 else [] if rng.random() < 0.05 else [
            AgeRange(from_=int(lo), to=int(lo) + int(rng.integers(0, 4)))
            for lo in rng.integers(3, 18, int(rng.integers(1, 3)))]
        out[f"f{i}"] = CandidateFilter(
            countries=_some(rng, COUNTRIES), languages=_some(rng, LANGS), subjects=_some(rng, SUBJECTS),
            school_types=_some(rng, TYPES), ages=ages, open_only=bool(rng.random() < 0.7),
            exclude_countries=_some(rng, COUNTRIES) or [] if rng.random() < 0.2 else [],
            exclude_schools=["s-1"] if rng.random() < 0.1 else [],
            exclude_ids=["p-2"] if rng.random() < 0.1 else [])
    return out


def test_random_filters_and_profiles_agree_with_accepts():
    rng = np.random.default_rng(3)
    filters = _filters(rng, 400)
    perc = Percolator(filters)
    passed = 0
    for i in range(150):
        lo = int(rng.integers(3, 18))
        p = profile(f"p-{i % 4}", str(rng.choice(COUNTRIES)), school=f"s-{i % 3}", stype=str(rng.choice(TYPES)),
                    langs=tuple(_some(rng, LANGS) or ["en"]), subjects=tuple(_some(rng, SUBJECTS) or ()),
                    ages=(f"{lo}-{lo + int(rng.integers(0, 3))}",),
                    open_=bool(rng.random() < 0.8))
        want = {k for k, f in filters.items() if f.accepts(p)}
        assert perc.matches(p) == want, p
        passed += len(want)
    assert 0 < passed < 150 * len(filters)       # the draw both keeps and drops


def test_conformance_filters_agree_with_accepts():
    perc = Percolator(FILTERS)
    for p in varied():
        assert perc.matches(p) == {k for k, f in FILTERS.items() if f.accepts(p)}, p.id


def test_no_filters_match_nothing():
    assert Percolator({}).matches(varied()[0]) == set()

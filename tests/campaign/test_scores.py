"""Scores an organiser reads: the report's mean is the listed pairs' mean, and --min-score holds.

On the bundled sample with the real embedder (its shipped vectors: nothing is encoded), where
pair scores spread out, unlike the theme embedder's near-certain pairs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.ingest import load_file
from matcher.campaign.report import render
from matcher.campaign.run import run_campaign
from matcher.settings import Settings

SAMPLE = Path(__file__).parents[2] / "indexer" / "data" / "sample.jsonl"
COHORT = 240


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from matcher.embeddings.cache import import_vectors
    from matcher.service import build_matcher
    profiles, errors = load_file(SAMPLE)
    assert not errors
    m = build_matcher(Settings(data_dir=tmp_path_factory.mktemp("sample")))
    import_vectors(m.embedder, SAMPLE.with_name(SAMPLE.name + ".emb.npz"))
    m.upsert(profiles[:COHORT])
    assert getattr(m.embedder, "misses", 0) == 0
    yield m, [p.id for p in profiles[:COHORT]]
    m.close()


def _histogram(page: str) -> list[tuple[float, float, int]]:
    """The report's histogram bars as (from, to, count)."""
    return [(float(a), float(b), int(n)) for a, b, n in re.findall(r"<title>([\d.]+)-([\d.]+): (\d+)</title>", page)]


@pytest.mark.parametrize("mode", [{}, {"groups": 4}], ids=["pairs", "groups of 4"])
def test_the_mean_score_is_the_mean_of_the_listed_pairs(sample, mode):
    m, ids = sample
    res = run_campaign(m, ids, **mode)
    scores = [x.score for x in res.matches]
    assert len(scores) > 50
    mean = sum(scores) / len(scores)
    assert res.summary.mean_score == pytest.approx(mean, abs=1e-6)
    assert res.summary.total_score == pytest.approx(sum(scores), abs=1e-3)
    assert min(scores) <= mean <= max(scores)
    page = render(res, m.backend.get_many(ids))
    shown = float(re.search(r'data-kpi="mean" data-value="([\d.]+)"><b>([\d.]+)</b>', page).group(1))
    assert shown == pytest.approx(mean, abs=1e-6)
    assert float(re.search(r'data-kpi="mean" data-value="[\d.]+"><b>([\d.]+)</b>', page).group(1)) == round(mean, 3)
    bars = [(a, b) for a, b, n in _histogram(page) if n]
    assert sum(n for *_, n in _histogram(page)) == len(scores)
    assert bars[0][0] <= mean <= bars[-1][1]                      # within the drawn distribution
    line = float(re.search(r'<line class="mean" data-value="([\d.]+)"', page).group(1))
    assert line == pytest.approx(mean, abs=1e-6)
    if mode:  # a group's figures come from the same pair scores the CSV lists
        for g in res.groups:
            mine = [x.score for x in res.matches if x.group == g.id]
            assert g.mean_pair == pytest.approx(sum(mine) / len(mine), abs=1e-5)
            assert g.weakest_pair == pytest.approx(min(mine), abs=1e-6)


@pytest.mark.parametrize("mode", [{"partners": (1, 3)}, {"groups": 3}], ids=["pairs", "groups of 3"])
def test_no_pair_below_the_minimum_score_is_proposed(sample, mode):
    m, ids = sample
    floor = 0.1
    loose = run_campaign(m, ids, **mode)
    assert any(x.score < floor for x in loose.matches)             # the floor has something to refuse
    res = run_campaign(m, ids, min_score=floor, **mode)
    assert res.matches and res.min_score == floor
    assert min(x.score for x in res.matches) >= floor
    for g in res.groups:
        assert g.weakest_pair >= floor
    if "groups" not in mode:
        below = [u for u in res.unmatched if u.reason == "below_min_score"]
        assert below and all(u.near_miss.failed == ["min_score"] and u.near_miss.score < floor for u in below)
    assert res.summary.matched < loose.summary.matched                 # fewer, better pairs
    page = render(res, m.backend.get_many(ids), lang="fr")
    assert "Score minimum : 0,100" in page

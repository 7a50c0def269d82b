"""Paging a long result list: pages of 10 and of 100 give one order, without repeats or gaps."""
from __future__ import annotations

import pytest

from indexer.sample import generate
from models import Filters, SearchRequest

N = 650


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.service import Matcher
    from models import Profile
    from tests.fakes import ThemeEmbedder

    emb = ThemeEmbedder()
    m = Matcher(EmbeddedBackend(tmp_path_factory.mktemp("paging"), emb.dim), emb)
    m.upsert([Profile.model_validate(d) for d in generate(N, seed=3)])
    yield m
    m.close()


def _walk(m, size: int, upto: int, **req) -> tuple[list[str], set[int]]:
    ids, totals = [], set()
    for offset in range(0, upto, size):
        res = m.search(SearchRequest(k=size, offset=offset, **req))
        ids += [r.profile.id for r in res.results]
        totals.add(res.total)
    return ids, totals


def test_a_600_result_list_pages_alike_by_10_and_by_100(big):
    by10, totals10 = _walk(big, 10, 600)
    by100, totals100 = _walk(big, 100, 600)
    assert len(by10) == 600 and by10 == by100
    assert len(set(by10)) == 600                 # no teacher twice, so none skipped either
    assert totals10 == totals100 and len(totals10) == 1    # total does not move as you page
    assert 600 <= totals10.pop() <= N                      # teachers open to partners


def test_a_filtered_text_search_pages_alike(big):
    req = {"text": "recycling plastic waste at school", "filters": Filters(language=["en"])}
    first = big.search(SearchRequest(k=100, **req))
    upto = first.total
    assert upto >= 30
    by10, totals10 = _walk(big, 10, upto, **req)
    by100, totals100 = _walk(big, 100, upto, **req)
    assert by10 == by100 and len(set(by10)) == len(by10) == upto
    assert totals10 == totals100 == {first.total}

"""Filter columns: the sampled selectivity estimate follows writes, and so does every search."""
from __future__ import annotations

import numpy as np

from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.backends.embedded.columns import _COUNTRY, Columns
from matcher.backends.embedded.selection import Selection
from matcher.backends.types import CandidateFilter
from tests.backends.conformance import DIM, profile, rec, unit

N = 20_000   # over 4 x Selection.SAMPLE: estimates come from the sample


def _doc(country: str) -> dict:
    return profile("x", country).model_dump(mode="json", by_alias=True)


def _expected(cols: Columns, country: str) -> float:
    """The sampled share the slow way: gathered from the full columns at the sample's slots."""
    at = cols.sample(Selection.SAMPLE)
    alive = cols.alive[at]
    return float((alive & (cols.country[at] == _COUNTRY[country])).sum()) / int(alive.sum())


def test_the_sampled_estimate_follows_every_write():
    cols = Columns()
    pt, de = _doc("PT"), _doc("DE")
    for slot in range(N):
        cols.set_doc(slot, pt)
    flt = CandidateFilter(countries=["DE"], open_only=False)
    assert Selection(cols, flt).estimate() == 0.0
    sample = np.unique(cols.sample(Selection.SAMPLE))
    for slot in sample[: len(sample) // 2]:      # a write to slots the sample holds
        cols.set_doc(int(slot), de)
    share = Selection(cols, flt).estimate()
    assert 0.3 < share < 0.7
    assert share == _expected(cols, "DE")
    for slot in sample[: len(sample) // 4]:      # erased profiles leave the estimate
        cols.clear(int(slot))
    share = Selection(cols, flt).estimate()
    assert share == _expected(cols, "DE")
    assert 0.2 < share < 0.5


def test_a_search_binds_the_filter_to_the_columns_as_they_are_then(tmp_path):
    """Nothing about a filter is kept between searches: a write between two searches with
    equal filters, or with the very same filter object, is seen by the second."""
    b = EmbeddedBackend(tmp_path / "d", DIM)
    try:
        flt = CandidateFilter(countries=["PT"], open_only=False)
        b.upsert([rec(profile("a", "PT"), unit(1))])
        assert b.filter_ids(flt, 10) == ["a"] and b.mem.selection(flt).estimate() == 1.0
        b.upsert([rec(profile("b", "PL"), unit(1, 1)), rec(profile("c", "PT"), unit(0, 1))])
        assert sorted(b.filter_ids(flt, 10)) == ["a", "c"]
        assert b.mem.selection(flt).estimate() == 2 / 3
        b.delete(["a"])
        assert b.filter_ids(CandidateFilter(countries=["PT"], open_only=False), 10) == ["c"]
    finally:
        b.close()


def test_the_sample_is_kept_while_the_columns_grow_a_little():
    """New profiles past the sample's slots leave it and its gathered rows as they are, until the
    columns have grown by SAMPLE_REDRAW; the estimate stays the sample's exact share throughout."""
    from matcher.backends.embedded.columns import SAMPLE_REDRAW

    cols = Columns()
    pt, de = _doc("PT"), _doc("DE")
    for slot in range(N):
        cols.set_doc(slot, pt)
    flt = CandidateFilter(countries=["DE"], open_only=False)
    sample = cols.sample(Selection.SAMPLE).copy()
    gathered = cols.sampled(Selection.SAMPLE)
    grown = N + int(N * SAMPLE_REDRAW) - 1
    for slot in range(N, grown):
        cols.set_doc(slot, de)
    assert np.array_equal(cols.sample(Selection.SAMPLE), sample)
    assert cols.sampled(Selection.SAMPLE) is gathered
    assert Selection(cols, flt).estimate() == 0.0 == _expected(cols, "DE")
    cols.set_doc(int(sample[0]), de)                 # a slot inside the sample: its row is read again
    assert Selection(cols, flt).estimate() == _expected(cols, "DE") > 0.0
    for slot in range(grown, grown + 2):
        cols.set_doc(slot, de)
    assert not np.array_equal(cols.sample(Selection.SAMPLE), sample)   # drawn again over every slot
    assert cols.sampled(Selection.SAMPLE) is not gathered
    assert Selection(cols, flt).estimate() == _expected(cols, "DE")

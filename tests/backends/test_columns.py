"""Filter columns: the sampled selectivity estimate follows writes, and both legs share it."""
from __future__ import annotations

import threading

import numpy as np

from matcher.backends.types import CandidateFilter
from matcher.backends.embedded.columns import _COUNTRY, Columns
from matcher.backends.embedded.selection import Selection
from matcher.backends.embedded.backend import EmbeddedBackend
from tests.backends.conformance import profile

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


def test_both_retrieval_legs_share_one_selection(tmp_path):
    b = EmbeddedBackend(tmp_path / "d", 8)
    try:
        flt = CandidateFilter(countries=["PT"])
        got, start = [], threading.Barrier(4)

        def leg():
            start.wait()
            got.append(b.mem.selection(flt))

        threads = [threading.Thread(target=leg) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == 4 and all(s is got[0] for s in got)
        assert b.mem.selection(CandidateFilter(countries=["PT"])) is not got[0]   # another query's filter
    finally:
        b.close()

"""A filter bound to the filter columns: a cheap selectivity estimate, the full mask on demand."""
from __future__ import annotations

import numpy as np

from matcher.backends.embedded.columns import Columns
from matcher.backends.types import CandidateFilter


class Selection:
    """What one search asks of a filter (vector_search.Selection), each part computed once,
    when first asked. One search uses it, on one thread, under the backend's read lock."""

    SAMPLE = 4096

    def __init__(self, cols: Columns, flt: CandidateFilter, exclude_slots: list[int] = ()):
        self.cols, self.flt, self.exclude = cols, flt, list(exclude_slots)
        self._mask: np.ndarray | None = None
        self._estimate: float | None = None

    def mask(self) -> np.ndarray:
        if self._mask is None:
            self._mask = self.cols.mask(self.flt, self.exclude)
        return self._mask

    def test(self, slots: np.ndarray) -> np.ndarray:
        return self.cols.test(self.flt, slots, self.exclude)

    def estimate(self) -> float:
        """Share of live profiles that pass, from a fixed sample (exact on small stores)."""
        if self._estimate is None:
            n = self.cols.n
            if n <= 4 * self.SAMPLE:
                self._estimate = float(self.mask().sum()) / max(1, int(self.cols.alive[:n].sum()))
            else:
                self._estimate = self._sampled_share()
        return self._estimate

    def _sampled_share(self) -> float:
        sample, sub = self.cols.sample(self.SAMPLE), self.cols.sampled(self.SAMPLE)
        passing = sub.evaluate(self.flt, slice(0, len(sample)))
        if self.exclude:
            passing &= ~np.isin(sample, self.exclude)
        return float(passing.sum()) / max(1, int(sub.alive.sum()))

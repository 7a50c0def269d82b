"""How the embedded backend runs a filtered BM25 query: which part of the filter tantivy applies.

Filter clauses add nothing to the score, so every plan gives the same list. The fully
filtered query intersects long posting lists (4x the time of an unfiltered one at 1M
profiles), so a plan first asks for more hits with only a cheap part of the filter and
checks them against the filter columns; the full query runs only when too few pass.

- A broad filter: its exclusions only, a few times k over its share. A partner query
  excludes the teacher's own country, where most texts in their language are: without the
  exclusions, half the partner queries at 1M found too few hits and ran the full query too.
- A narrow filter with countries: the countries and exclusions, 8k hits. A partner query's
  ages, languages and open flag cost more to intersect than to check (at 1M with Sweden,
  this first query takes 40 % of the full one's time).
"""
from __future__ import annotations

import math
from typing import Callable

from matcher.backends.embedded.keyword import KeywordIndex
from matcher.backends.types import Candidate, CandidateFilter

OVERSAMPLE = 2.0        # unfiltered hits asked per wanted hit, before dividing by the filter's share
# Above this many hits, the filtered query is cheaper than checking them: its cost grows with the
# index, a checked hit's does not. A partner query's filter passes a third to a half of the
# profiles, so it asks 600-1,100 hits. Checking them instead of the filtered query, partner query
# p50: 14.4 against 12.8 ms at 100k profiles, 22.4 against 25.2 ms at 1M.
POST_FILTER_MAX = 400
POST_FILTER_SHARE = 1 / 500   # of the indexed profiles, when that is more: 2,000 hits at 1M
NARROW_ASK = 8          # hits per wanted one when a narrow filter's countries go first


def cheap_part(flt: CandidateFilter, countries: bool = False) -> CandidateFilter:
    """The filter's exclusions (and its countries if asked): cheap clauses for a first query."""
    return CandidateFilter(countries=flt.countries if countries else None,
                           exclude_countries=flt.exclude_countries, exclude_schools=flt.exclude_schools,
                           exclude_ids=flt.exclude_ids, open_only=False)


def search(index: KeywordIndex, text: str, flt: CandidateFilter, k: int, lang: str | None,
           share: float, passing: Callable[[list[str]], list[str]], profiles: int = 0) -> list[Candidate]:
    """Best `k` by BM25 among profiles passing `flt`; `share` estimates the share of the
    `profiles` indexed that pass, and `passing` keeps the ids that pass, checked against the columns."""
    if k <= 0:
        return []
    ask = math.ceil(OVERSAMPLE * k / max(share, 1e-6))
    first = None
    if ask <= max(POST_FILTER_MAX, int(profiles * POST_FILTER_SHARE)):
        first = cheap_part(flt)
    elif flt.countries is not None:
        first, ask = cheap_part(flt, countries=True), NARROW_ASK * k
    if first is not None:
        hits = index.search(text, first, ask, lang)
        ok = set(passing([pid for pid, _ in hits]))
        passed = [Candidate(pid, score) for pid, score in hits if pid in ok]
        if len(passed) >= k or len(hits) < ask:  # enough, or nothing else matched at all
            return passed[:k]
    return [Candidate(pid, score) for pid, score in index.search(text, flt, k, lang)]

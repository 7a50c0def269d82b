"""Facet counts per country, language, pupil-age band and subject, from the feature columns of a query's set."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

import numpy as np

from matcher.backends.base import SearchBackend
from matcher.constraints import Query, passes
from matcher.errors import InvalidQuery
from matcher.features import SUBJECT_INDEX, Teachers, age_bits
from models import AgeRange, Facets, FacetValue, facet_names, taxonomy
from models.explain import AGE_BANDS
from models.languages import ISO_639_1

# Counts stop at this many teachers of a set, the most recently active (what one OpenSearch
# page holds; the empty-text search's total stops there too).
CAP = 10_000
_COUNTRIES = list(taxonomy.countries())
_SUBJECTS = sorted(SUBJECT_INDEX, key=SUBJECT_INDEX.get)


def parse(names: str | list[str] | None) -> list[str]:
    """`country,age` or a list of names -> the facets asked for; InvalidQuery names any unknown one
    (an empty name too)."""
    if names is None:
        return []
    items = [x.strip() for x in names.split(",")] if isinstance(names, str) else list(names)
    try:
        return facet_names(items)
    except ValueError as exc:
        raise InvalidQuery(str(exc), details=[{"field": "facets", "reason": str(exc)}]) from exc


def population(backend: SearchBackend, flt) -> tuple[Teachers, bool]:
    """The columns of up to CAP teachers passing `flt`, and whether there were more."""
    ids = backend.filter_ids(flt, CAP)
    return backend.features(ids, flt), len(ids) >= CAP


def _bit_counts(bits: np.ndarray, width: int) -> np.ndarray:
    """Rows holding each bit of a (n,) or (n, words) uint64 bitmask, for bits [0, width)."""
    if not len(bits):
        return np.zeros(width, np.int64)
    raw = np.ascontiguousarray(np.asarray(bits, "<u8").reshape(len(bits), -1)).view(np.uint8)
    return np.unpackbits(raw, axis=1, bitorder="little").sum(axis=0, dtype=np.int64)[:width]


def counts(t: Teachers, dim: str, ranges: list[AgeRange] = (), rows: np.ndarray | None = None) -> dict[str, int]:
    """Teachers of `t` (those where `rows` is True, when given) per value of `dim`; for ages, per
    band and per range in `ranges`. Only the columns are read, never the vector rows."""
    at = slice(None) if rows is None else rows
    if dim == "country":
        n = np.bincount(t.country[at], minlength=len(_COUNTRIES))
        return {c: int(n[i]) for i, c in enumerate(_COUNTRIES)}
    if dim == "language":
        n = _bit_counts(t.langs[at], len(ISO_639_1))
        return {c: int(n[i]) for i, c in enumerate(ISO_639_1)}
    if dim == "subject":
        n = _bit_counts(t.subjects[at], len(_SUBJECTS))
        return {s: int(n[i]) for i, s in enumerate(_SUBJECTS)}
    bands = [AgeRange(**{"from": a, "to": b}) for a, b in AGE_BANDS]
    bands += [r for r in ranges if str(r) not in {str(b) for b in bands}]
    ages = t.ages[at]
    return {str(r): int(((ages & age_bits([r])) != 0).any(-1).sum()) for r in bands}


# A facet counts what choosing one of its values would return: its own filter never applies;
# choosing countries lifts the other-country rule and chosen ages replace the teacher's own,
# so those rules go too; chosen languages only narrow the shared-language rule, which stays.
_LIFTS_RULE = {"country", "age"}


def facets(backend: SearchBackend, q: Query, names: list[str]) -> Facets:
    """The facets `names` of query `q`, from one read of the columns of the widest set they need."""
    if not names:
        return Facets()
    drop = [n for n in names if n in _LIFTS_RULE]
    t, capped = population(backend, q.filter(drop=drop, relax=names))
    out: dict[str, list[FacetValue]] = {}
    for name in names:
        others = np.ones(len(t), bool)
        for dim in names:
            if dim != name and dim in q.parts:
                others &= passes(t, q.parts[dim])
        chosen = q.parts.get(name)
        picked = _chosen(chosen)
        got = counts(t, name, picked if name == "age" else (), rows=others)
        rule = q.rule(name) if name == "language" else None
        if rule is not None:   # only the shared languages can be chosen
            got = {c: n for c, n in got.items() if c in rule.fields["languages"]}
        out[name] = _listed(got, {str(x) for x in picked}, by_count=name != "age")
    return Facets(**out, capped=capped)


def _chosen(c) -> list:
    """The values the searcher chose for a dimension (its filter's), else none."""
    if c is None or c.kind != "filter":
        return []
    key = {"country": "countries", "language": "languages", "age": "ages", "subject": "subjects"}[c.dim]
    return list(c.fields.get(key) or [])


def _listed(got: dict[str, int], chosen: set[str], by_count: bool) -> list[FacetValue]:
    items = [(v, n) for v, n in got.items() if n > 0 or v in chosen]
    if by_count:
        items.sort(key=lambda x: (-x[1], x[0]))
    return [FacetValue(value=v, count=n) for v, n in items]


class Cache:
    """Facets by query for a short while. The widget asks for the same filters' counts with each
    new set of words, and each count reads the set's columns (on OpenSearch, through its
    documents); a change in the number of profiles starts afresh, an edited profile shows within
    TTL seconds."""
    TTL, SIZE = 30.0, 256

    def __init__(self):
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, tuple[float, Facets]] = OrderedDict()

    def facets(self, backend: SearchBackend, q: Query, names: list[str]) -> Facets:
        key = (repr(q), tuple(names), backend.count())
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and now - hit[0] < self.TTL:
                self._items.move_to_end(key)
                return hit[1]
        got = facets(backend, q, names)
        with self._lock:
            self._items[key] = (now, got)
            while len(self._items) > self.SIZE:
                self._items.popitem(last=False)
        return got

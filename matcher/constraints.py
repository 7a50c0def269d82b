"""A query's hard rules and filters one dimension at a time, so each can be counted, lifted or explained."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from matcher.backends.types import CandidateFilter
from matcher.features import Teachers, age_bits, lang_bits, subject_bits
from models import Filters, Profile, taxonomy

# The order in which an empty list is explained: the asking teacher's rules come first, as
# they hold for every query of theirs, then what the searcher chose.
DIMENSIONS = ("country", "language", "age", "subject", "school_type")
Kind = Literal["rule", "filter"]

_COUNTRY = {c: i for i, c in enumerate(taxonomy.countries())}
_STYPE = {t: i for i, t in enumerate(taxonomy.school_types())}


@dataclass(frozen=True)
class Constraint:
    """One dimension's clause: the CandidateFilter fields it sets, whether it is the asking
    teacher's hard rule or the searcher's filter, and the rule a filter takes the place of.

    A filter either narrows its rule (languages: only shared ones can be chosen) or replaces it
    (countries lift "another country", chosen pupil ages stand for the teacher's own)."""
    dim: str
    kind: Kind
    fields: dict = field(hash=False)
    rule: "Constraint | None" = None
    narrows: bool = False


@dataclass
class Query:
    """What every candidate of a query must pass: `base` (identity, school, the open flag) and
    one constraint per dimension that has one, in DIMENSIONS order."""
    base: dict
    parts: dict[str, Constraint]

    def filter(self, drop=(), relax=()) -> CandidateFilter:
        """The CandidateFilter of this query less the dimensions in `drop`; a filter in `relax`
        gives way to the rule it narrowed or replaced (or to nothing)."""
        kw = dict(self.base)
        for dim, c in self.parts.items():
            if dim in drop:
                continue
            if dim in relax and c.kind == "filter":
                c = c.rule
            if c is not None:
                kw.update(c.fields)
        return CandidateFilter(**kw)

    def rule(self, dim: str) -> Constraint | None:
        """The hard rule of `dim`, whether or not a filter stands in its place."""
        c = self.parts.get(dim)
        return c if c is None or c.kind == "rule" else c.rule


def for_partner(me: Profile, filters: Filters | None) -> Query:
    """A partner query's constraints: another school and country (unless lifted), a shared
    working language, overlapping pupil ages, and the filters."""
    f = filters or Filters()
    parts: dict[str, Constraint] = {}
    abroad = None if f.allow_same_country else Constraint(
        "country", "rule", {"exclude_countries": [me.school.country]})
    if f.country is not None:   # countries asked for lift "another country"
        parts["country"] = Constraint("country", "filter", {"countries": f.country}, rule=abroad)
    elif abroad is not None:
        parts["country"] = abroad
    langs = Constraint("language", "rule", {"languages": me.languages})
    parts["language"] = Constraint("language", "filter", {
        "languages": sorted(set(f.language) & set(me.languages))}, rule=langs, narrows=True) if f.language else langs
    ages = Constraint("age", "rule", {"ages": me.age_groups})
    parts["age"] = Constraint("age", "filter", {"ages": f.age_ranges}, rule=ages) if f.age_ranges else ages
    _add_filters(parts, f, with_rules=False)
    return Query({"exclude_schools": [me.school.id], "exclude_ids": [me.id]}, _ordered(parts))


def for_search(filters: Filters) -> Query:
    """A search's constraints: its filters only (a search naming a profile uses `for_partner`)."""
    parts: dict[str, Constraint] = {}
    _add_filters(parts, filters, with_rules=True)
    return Query({}, _ordered(parts))


def _add_filters(parts: dict, f: Filters, with_rules: bool) -> None:
    if with_rules and f.country is not None:
        parts["country"] = Constraint("country", "filter", {"countries": f.country})
    if with_rules and f.language is not None:
        parts["language"] = Constraint("language", "filter", {"languages": f.language})
    if with_rules and f.age_ranges:
        parts["age"] = Constraint("age", "filter", {"ages": f.age_ranges})
    if f.subject is not None:
        parts["subject"] = Constraint("subject", "filter", {"subjects": f.subject})
    if f.school_type is not None:
        parts["school_type"] = Constraint("school_type", "filter", {"school_types": f.school_type})


def _ordered(parts: dict[str, Constraint]) -> dict[str, Constraint]:
    return {d: parts[d] for d in DIMENSIONS if d in parts}


def passes(t: Teachers, c: Constraint | None) -> np.ndarray:
    """Which teachers in `t` pass `c`, from the columns (as `CandidateFilter.accepts` decides)."""
    ok = np.ones(len(t), bool)
    if c is None:
        return ok
    fl = c.fields
    if fl.get("countries") is not None:
        ok &= np.isin(t.country, [_COUNTRY[x] for x in fl["countries"] if x in _COUNTRY])
    if fl.get("exclude_countries"):
        ok &= ~np.isin(t.country, [_COUNTRY[x] for x in fl["exclude_countries"] if x in _COUNTRY])
    if fl.get("languages") is not None:
        ok &= ((t.langs & lang_bits(fl["languages"])) != 0).any(-1)
    if fl.get("ages") is not None:
        ok &= ((t.ages & age_bits(fl["ages"])) != 0).any(-1)
    if fl.get("subjects") is not None:
        ok &= (t.subjects & subject_bits(fl["subjects"])[0]) != 0
    if fl.get("school_types") is not None:
        ok &= np.isin(t.stype, [_STYPE[x] for x in fl["school_types"] if x in _STYPE])
    return ok

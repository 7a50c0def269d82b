"""Explanations in responses: reasons, facet counts, and why a list is empty."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FACETS = ("country", "language", "age", "subject")
# Pupil-age bands of the age facet (the widget's age choices); a chosen range outside them is
# counted as a value of its own.
AGE_BANDS = ((3, 6), (7, 11), (12, 15), (16, 19))

Constraint = Literal["open", "country", "language", "age", "subject", "school_type", "text"]


class Reason(BaseModel):
    code: str = Field(description="Stable reason code, e.g. shared_languages.")
    message: str
    details: dict = Field(default_factory=dict)


class FacetValue(BaseModel):
    value: str = Field(description="A country code, language code, pupil ages FROM-TO or subject, "
                                   "as the filter of the same name takes it.")
    count: int = Field(description="Teachers the query returns with this value chosen for the facet alone.")


class Facets(BaseModel):
    """Teachers per value in the query's compatible set (hard rules and filters applied, the
    text not). Disjunctive: a facet ignores its own filter, so each count is what choosing that
    value would return and several values can be chosen at once; choosing countries lifts the
    other-country rule and chosen ages stand for the teacher's own, so those facets count
    without them. Values chosen in the filter are listed even at 0; the age facet lists its
    bands in order, the others by count."""
    country: list[FacetValue] | None = None
    language: list[FacetValue] | None = None
    age: list[FacetValue] | None = None
    subject: list[FacetValue] | None = None
    capped: bool = Field(default=False, description=(
        "The set held more teachers than are counted (10,000, the most recently active): "
        "the counts are lower bounds."))


class Step(BaseModel):
    constraint: Constraint = Field(description="open: teachers open to partners, other than the asking one")
    kind: Literal["rule", "filter"] = Field(description="rule: the asking teacher's hard constraint; "
                                                        "filter: what the searcher chose")
    count: int = Field(description="Teachers left once this and every earlier step apply.")


class WhyEmpty(Reason):
    """Why `results` is empty: the constraint that left nobody (`code` and a localized
    `message`), the counts step by step, and changes that would find teachers, best first."""
    constraint: Constraint
    kind: Literal["rule", "filter"]
    steps: list[Step]
    suggestions: list[Reason] = Field(description="Each with details.count, the teachers it would find.")
    capped: bool = Field(default=False, description="Some count reached 10,000 and stopped there.")

"""Domain models: teacher profiles in, public profiles and explained results out."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema,
                      field_validator, model_validator)

from models import taxonomy
from models.explain import FACETS, Facets, FacetValue, Reason, Step, WhyEmpty
from models.languages import INDEX as ISO_INDEX

# Limits keep one profile from dominating memory or the embedder (see README, "Bad input").
MAX_TEXT = 5000
# A query's text is embedded on every search, so it is capped far lower than a profile's texts:
# 500 characters embed in ~0.13 s of English and ~1 s of one-token-a-character text (CJK, emoji)
# on one core (docs/operations.md, "Limits that stop abuse").
MAX_QUERY_TEXT = 500
MAX_IDEAS = 20
MAX_LIST = 50

SchoolType = Literal["pre-primary", "primary", "lower-secondary", "upper-secondary",
                     "vocational", "special-needs", "other"]

__all__ = [
    "AgeRange", "Idea", "School", "Profile", "ProfilePublic", "Filters", "SearchRequest",
    "Reason", "Result", "ResultList", "ItemStatus", "BulkResult", "MAX_TEXT", "CountryCode",
    "LanguageCode", "SubjectName", "Facets", "FacetValue", "Step", "WhyEmpty",
    "MAX_QUERY_TEXT", "field_errors",
]


def field_errors(errors: list[dict], line: int | None = None, whole: str = "(profile)") -> list[dict]:
    """pydantic errors as {field, reason} (and `line` when given), with dotted field paths; the
    input that failed is left out, since it may hold an e-mail. `whole` names an error of the
    object itself, which has no field path."""
    out = []
    for e in errors:
        field = ".".join(str(part) for part in e.get("loc", ())) or whole
        item = {"field": field, "reason": str(e.get("msg", "")).removeprefix("Value error, ")}
        out.append({"line": line, **item} if line is not None else item)
    return out


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgeRange(_Strict):
    from_: int = Field(alias="from", ge=0, le=99, strict=True)  # strict: not true/false or 7.0
    to: int = Field(ge=0, le=99, strict=True)
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> "AgeRange":
        if self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) must not exceed 'to' ({self.to})")
        return self

    def overlap(self, other: "AgeRange") -> int:
        """Number of shared years (0 when disjoint)."""
        return max(0, min(self.to, other.to) - max(self.from_, other.from_) + 1)

    def __str__(self) -> str:
        return f"{self.from_}-{self.to}"

    @classmethod
    def parse(cls, text: str) -> "AgeRange":
        """Parse '7-11' (or a single age '7')."""
        parts = [p.strip() for p in text.replace("–", "-").split("-")]
        if len(parts) == 1:
            parts = parts * 2
        if len(parts) != 2 or not all(p.isdigit() and len(p) <= 2 for p in parts):
            raise ValueError(f"age range {text!r} is not of the form FROM-TO, e.g. 7-11")
        low, high = int(parts[0]), int(parts[1])
        if low > high:   # one line for a person, not the model's error report
            raise ValueError(f"age range {text!r} runs backwards: 'from' ({low}) must not exceed 'to' ({high})")
        return cls(**{"from": low, "to": high})


class Idea(_Strict):
    title: str | None = Field(default=None, max_length=300)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    lang: str | None = Field(default=None, description="Detected language (ISO 639-1); set by the indexer.")


class School(_Strict):
    id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    country: str
    city: str | None = Field(default=None, max_length=200)
    type: SchoolType

    @field_validator("country")
    @classmethod
    def _known_country(cls, v: str) -> str:
        code = v.strip().upper()
        if code not in taxonomy.countries():
            raise ValueError(f"unknown country {v!r}; use an ISO 3166-1 alpha-2 code of the "
                             "46 eTwinning countries (XK = Kosovo, PS = Palestine)")
        return code


def _lang_code(v: str) -> str:
    code = v.strip().lower()
    if code not in ISO_INDEX:
        raise ValueError(f"language {v!r} is not an ISO 639-1 code such as 'en' or 'pt'")
    return code


# Each item is checked on its own, so every unknown subject of a list is reported with its index.
Subject = Annotated[str, AfterValidator(taxonomy.canonical_subject)]
# A pragmatic address check: one @, no spaces, a dot in the domain (what the portals send).
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


class ProfileBase(_Strict):
    """Fields every profile shares, public or private."""
    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")
    name: str = Field(default="", max_length=200)
    school: School
    subjects: list[Subject] = Field(default_factory=list, max_length=MAX_LIST)
    age_groups: list[AgeRange] = Field(min_length=1, max_length=MAX_LIST)
    languages: list[str] = Field(min_length=1, max_length=MAX_LIST)
    interests: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    ideas: list[Idea] = Field(default_factory=list, max_length=MAX_IDEAS)
    experience: int | None = Field(default=None, ge=0, le=10000)
    last_active: dt.date | None = None
    open_to_partners: bool = True
    response_rate: float | None = Field(default=None, ge=0, le=1)

    @property
    def years(self) -> int:
        """Pupil ages taught as a bitmask (bit n = age n): overlap is `a & b`, its size `.bit_count()`."""
        mask = 0
        for r in self.age_groups:
            mask |= ((1 << (r.to - r.from_ + 1)) - 1) << r.from_
        return mask

    @field_validator("subjects")
    @classmethod
    def _subjects(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(_lang_code(x) for x in v))

    @field_validator("interests")
    @classmethod
    def _interests(cls, v: list[str]) -> list[str]:
        for item in v:
            if len(item) > 300:
                raise ValueError("an interest is longer than 300 characters")
        return [i.strip() for i in v if i.strip()]


class Profile(ProfileBase):
    """A teacher's full profile as stored; `email` is private."""
    email: Annotated[str, WithJsonSchema({"type": "string", "maxLength": 320, "pattern": EMAIL.pattern})] | None = \
        Field(default=None, max_length=320)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not EMAIL.match(v):
            raise ValueError("not an e-mail address of the form name@domain")
        return v

    def public(self) -> "ProfilePublic":
        """The public fields. They were validated when this profile was, so they are shared, not
        validated again (5.4 against 13.5 us for a dump and validate; every result makes one)."""
        return ProfilePublic.model_construct(_fields_set=self.model_fields_set - {"email"},
                                             **{name: getattr(self, name) for name in ProfilePublic.model_fields})


class ProfilePublic(ProfileBase):
    """What any search, partners or widget response may show."""


# Shapes the schema can state; the validators below check the codes against the taxonomy, and
# their messages (which name the valid codes) are the ones a client sees.
CountryCode = Annotated[str, WithJsonSchema({"type": "string", "pattern": "^\\s*[A-Za-z]{2}\\s*$"})]
LanguageCode = Annotated[str, WithJsonSchema({"type": "string", "pattern": "^\\s*[A-Za-z]{2}\\s*$"})]
SubjectName = Annotated[str, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200})]


class Filters(_Strict):
    country: list[CountryCode] | None = None
    subject: list[Annotated[SubjectName, AfterValidator(taxonomy.canonical_subject)]] | None = None
    language: list[LanguageCode] | None = None
    age: AgeRange | list[AgeRange] | None = Field(default=None, description=(
        "Pupil ages: one range or several (teachers overlapping any); \"7-11\" also works."))
    school_type: list[SchoolType] | None = None
    allow_same_country: bool = Field(default=False, strict=True)  # JSON true/false only, not 0/"yes"

    @field_validator("country", "subject", "language", mode="before")
    @classmethod
    def _listify(cls, v):
        if isinstance(v, str):
            return [v]
        return v

    @field_validator("country")
    @classmethod
    def _countries(cls, v):
        return None if v is None else [School._known_country(c) for c in v]

    @field_validator("language")
    @classmethod
    def _langs(cls, v):
        return None if v is None else [_lang_code(x) for x in v]

    @field_validator("age", mode="before")
    @classmethod
    def _age(cls, v):
        if isinstance(v, str):
            return AgeRange.parse(v)
        if isinstance(v, list):
            return [AgeRange.parse(x) if isinstance(x, str) else x for x in v]
        return v

    @property
    def age_ranges(self) -> list[AgeRange] | None:
        """The chosen pupil ages as a list; None when none are chosen."""
        if not self.age:
            return None
        return list(self.age) if isinstance(self.age, list) else [self.age]


class SearchRequest(_Strict):
    # The cap counts what was sent, as the schema's maxLength does; stripped after.
    text: Annotated[str, StringConstraints(strip_whitespace=False)] = Field(default="", max_length=MAX_QUERY_TEXT, description=(
        f"Free text in any language, at most {MAX_QUERY_TEXT} characters; empty lists the "
        "profiles that pass the filters, newest first."))
    filters: Filters = Field(default_factory=Filters)
    # strict: JSON true/false or 10.0 are not counts (the schema says integer)
    k: int = Field(default=10, ge=1, le=100, strict=True)
    offset: int = Field(default=0, ge=0, le=1000, strict=True)
    lang: str | None = Field(default=None, description="Language for the reasons' messages.")
    profile_id: str | None = Field(default=None, max_length=200, description=(
        "The searching teacher's profile, when known: their hard constraints apply (another "
        "school and country, a shared working language, overlapping pupil ages)."))

    facets: list[Annotated[str, WithJsonSchema({"type": "string", "enum": list(FACETS)})]] = Field(
        default_factory=list, max_length=len(FACETS), description=(
            "Counts to return with the results: any of country, language, age, subject "
            "(a list, or one comma-separated string)."))

    @field_validator("text")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()  # after the length check

    @field_validator("facets", mode="before")
    @classmethod
    def _split_facets(cls, v):
        return [x.strip() for x in v.split(",")] if isinstance(v, str) else v

    @field_validator("facets")
    @classmethod
    def _known_facets(cls, v: list[str]) -> list[str]:
        return facet_names(v)


class Result(BaseModel):
    profile: ProfilePublic
    score: float
    reasons: list[Reason]


class ResultList(BaseModel):
    results: list[Result]
    total: int
    facets: Facets | None = Field(default=None, description="The counts asked for with `facets`.")
    why_empty: WhyEmpty | None = Field(default=None, description=(
        "When nothing matches (total 0): the rule or filter that emptied the list, with counts "
        "and suggestions."))


def facet_names(names: list[str]) -> list[str]:
    """The facets asked for, each once; ValueError naming every unknown one."""
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {', '.join(map(repr, unknown))}; facets are {', '.join(FACETS)}")
    return list(dict.fromkeys(names))


class ItemStatus(BaseModel):
    id: str | None
    status: Literal["ok", "error"]
    line: int | None = None
    errors: list[dict] = Field(default_factory=list)


class BulkResult(BaseModel):
    loaded: int
    rejected: int
    items: list[ItemStatus]

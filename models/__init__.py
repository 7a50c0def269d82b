"""Domain models: teacher profiles in, public profiles and explained results out."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, Strict, ConfigDict, Field, StringConstraints, WithJsonSchema,
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
# What a profile id may hold: it appears in URL paths and file names.
PROFILE_ID = r"^[A-Za-z0-9_.:\-]+$"
MAX_LIST = 50

# The spaces a code or a required text may carry around it: these six, as JSON Schema's regexes
# and Python's str.strip() would disagree on the rest of Unicode's.
WS = " \t\n\r\f\v"
_WS_CLASS = "[ \\t\\n\\r\\f\\v]"


SchoolType = Literal["pre-primary", "primary", "lower-secondary", "upper-secondary",
                     "vocational", "special-needs", "other"]

__all__ = [
    "AgeRange", "Idea", "School", "Profile", "ProfilePublic", "Filters", "SearchRequest",
    "Reason", "Result", "ResultList", "ItemStatus", "BulkResult", "MAX_TEXT", "CountryCode",
    "LanguageCode", "SubjectName", "Facets", "FacetValue", "Step", "WhyEmpty",
    "MAX_QUERY_TEXT", "field_errors", "PROFILE_ID", "json_int", "JsonFloat", "WS",
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


def _any_case(words) -> str:
    """A JSON Schema pattern matching exactly `words` in any letter case, spaces around allowed
    (what the validators accept; JSON Schema regexes have no case-insensitive flag)."""
    def word(w: str) -> str:
        return "".join(f"[{c.upper()}{c.lower()}]" if c.upper() != c.lower() else re.escape(c) for c in w)
    return f"^{_WS_CLASS}*(?:" + "|".join(word(w) for w in sorted(words)) + f"){_WS_CLASS}*$"


# The codes the validators accept, stated exactly in the schema; the validators' messages (which
# name the valid codes) are the ones a client sees.
CountryCode = Annotated[str, WithJsonSchema({"type": "string", "pattern": _any_case(taxonomy.countries()),
                                             "description": "ISO 3166-1 alpha-2, any case"})]
LanguageCode = Annotated[str, WithJsonSchema({"type": "string", "pattern": _any_case(ISO_INDEX),
                                              "description": "ISO 639-1, any case"})]
# Reference labels; any case and the localized names of GET /v1/taxonomy are accepted too (a
# pattern of every alias in every case would be some 200 kB of schema).
SubjectName = Annotated[str, WithJsonSchema({"type": "string", "enum": taxonomy.subjects(),
                                             "description": "a reference label of GET /v1/taxonomy"})]


def _integral(v):
    """7.0 as 7: JSON Schema's integer includes it. true, "7" and 7.5 stay for the strict check."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def json_int(**limits):
    """A JSON integer within `limits` (ge, le), as the schema's "integer" reads: 7 or 7.0, never
    true/false, "7" or 7.5. The limits come before the validator so that the schema states them."""
    return Annotated[int, Strict(), Field(**limits), BeforeValidator(_integral)]


# A JSON number: 0.5 or 1, never true/false or "0.5".
JsonFloat = Annotated[float, Strict()]


def _iso_date(v):
    """A date as the schema's format says, "2026-03-01", not a number of seconds."""
    if isinstance(v, (int, float)):
        raise ValueError("a date is a string YYYY-MM-DD")
    return v


def _stripped(v: str) -> str:
    return v.strip(WS)


def _not_blank(v: str) -> str:
    if not v:
        raise ValueError("must not be blank")
    return v


def free_text(min_length: int = 0, max_length: int | None = None):
    """A string whose limits count what was sent, as the schema's do, stripped after; a required
    one (min_length 1) must hold more than spaces, which the schema states as a pattern."""
    if min_length:
        return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                         Field(json_schema_extra={"pattern": "[^ \\t\\n\\r\\f\\v]"}), AfterValidator(_stripped),
                         AfterValidator(_not_blank)]
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_stripped)]


class _Strict(BaseModel):
    # Strings are not stripped before their checks: the schema's lengths and patterns count what
    # was sent. Free text is stripped after them (see `free_text`); codes are normalised by their validators.
    model_config = ConfigDict(extra="forbid")


class AgeRange(_Strict):
    from_: json_int(ge=0, le=99) = Field(alias="from")
    to: json_int(ge=0, le=99)
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
        parts = [p.strip(WS) for p in text.replace("–", "-").split("-")]
        if len(parts) == 1:
            parts = parts * 2
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 2 for p in parts):
            raise ValueError(f"age range {text!r} is not of the form FROM-TO, e.g. 7-11")
        low, high = int(parts[0]), int(parts[1])
        if low > high:   # one line for a person, not the model's error report
            raise ValueError(f"age range {text!r} runs backwards: 'from' ({low}) must not exceed 'to' ({high})")
        return cls(**{"from": low, "to": high})


class Idea(_Strict):
    title: free_text(max_length=300) | None = None
    text: free_text(min_length=1, max_length=MAX_TEXT)
    lang: str | None = Field(default=None, description="Detected language (ISO 639-1); set by the indexer.")


class School(_Strict):
    id: free_text(min_length=1, max_length=200)
    name: free_text(min_length=1, max_length=300)
    country: CountryCode
    city: free_text(max_length=200) | None = None
    type: SchoolType

    @field_validator("country")
    @classmethod
    def _known_country(cls, v: str) -> str:
        code = v.strip(WS).upper()
        if code not in taxonomy.countries():
            raise ValueError(f"unknown country {v!r}; use an ISO 3166-1 alpha-2 code of the "
                             "46 eTwinning countries (XK = Kosovo, PS = Palestine)")
        return code


def _lang_code(v: str) -> str:
    code = v.strip(WS).lower()
    if code not in ISO_INDEX:
        raise ValueError(f"language {v!r} is not an ISO 639-1 code such as 'en' or 'pt'")
    return code


# Each item is checked on its own, so every unknown subject of a list is reported with its index.
Subject = Annotated[SubjectName, AfterValidator(taxonomy.canonical_subject)]
# A pragmatic address check: one @, no spaces, a dot in the domain (what the portals send).
EMAIL = re.compile(r"^[^@ \t\n\r\f\v]+@[^@ \t\n\r\f\v.]+(\.[^@ \t\n\r\f\v.]+)+$")


class ProfileBase(_Strict):
    """Fields every profile shares, public or private."""
    id: str = Field(min_length=1, max_length=200, pattern=PROFILE_ID)
    name: free_text(max_length=200) = ""
    school: School
    subjects: list[Subject] = Field(default_factory=list, max_length=MAX_LIST)
    age_groups: list[AgeRange] = Field(min_length=1, max_length=MAX_LIST)
    languages: list[LanguageCode] = Field(min_length=1, max_length=MAX_LIST)
    interests: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    ideas: list[Idea] = Field(default_factory=list, max_length=MAX_IDEAS)
    experience: json_int(ge=0, le=10000) | None = None
    last_active: Annotated[dt.date, BeforeValidator(_iso_date)] | None = None
    open_to_partners: bool = Field(default=True, strict=True)  # JSON true/false only
    response_rate: JsonFloat | None = Field(default=None, ge=0, le=1)

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
        if v is not None and not EMAIL.fullmatch(v):
            raise ValueError("not an e-mail address of the form name@domain")
        return v

    def public(self) -> "ProfilePublic":
        """The public fields. They were validated when this profile was, so they are shared, not
        validated again (5.4 against 13.5 us for a dump and validate; every result makes one)."""
        return ProfilePublic.model_construct(_fields_set=self.model_fields_set - {"email"},
                                             **{name: getattr(self, name) for name in ProfilePublic.model_fields})


class ProfilePublic(ProfileBase):
    """What any search, partners or widget response may show."""


class Filters(_Strict):
    country: list[CountryCode] | None = None
    subject: list[Subject] | None = None
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
    k: json_int(ge=1, le=100) = 10
    offset: json_int(ge=0, le=1000) = 0
    lang: str | None = Field(default=None, description="Language for the reasons' messages.")
    profile_id: str | None = Field(default=None, max_length=200, pattern=PROFILE_ID, description=(
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

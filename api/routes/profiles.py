"""Profiles: create, bulk load, read, erase, partners and contacts."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints, ValidationError, WithJsonSchema

from api.deps import AlertStoreDep, MatcherDep, PrincipalDep, check_depth, run_search, search_slot, visible
from api.forward import writes
from api.security import require
from matcher.alerts import match as alerts
from matcher.consortium import Consortium
from matcher import facets as facet_counts
from matcher.errors import InvalidProfile, InvalidQuery
from models import (PROFILE_ID, BulkResult, CountryCode, Filters, ItemStatus, LanguageCode, Profile, ProfilePublic, ResultList,
                    SubjectName, field_errors)

router = APIRouter(prefix="/v1/profiles", tags=["profiles"])
ProfileId = Annotated[str, Path(min_length=1, max_length=200, pattern=PROFILE_ID)]
MAX_BULK = 1000
_FACET = "(country|language|age|subject)"
FACETS_PATTERN = rf"^\s*{_FACET}\s*(,\s*{_FACET}\s*)*$"


def _profile(data: Any, expected_id: str | None = None) -> Profile:
    try:
        p = Profile.model_validate(data)
    except ValidationError as exc:
        raise InvalidProfile("the profile is not valid", details=field_errors(exc.errors())) from exc
    if expected_id is not None and p.id != expected_id:
        raise InvalidProfile(f"the body's id {p.id!r} differs from the path's {expected_id!r}",
                             details=[{"field": "id", "reason": "must equal the id in the path"}])
    return p


AgeText = Annotated[str, StringConstraints(max_length=10), WithJsonSchema(
    {"type": "string", "maxLength": 10, "pattern": r"^[ \t\n\r\f\v]*[0-9]{1,2}[ \t\n\r\f\v]*([-–][ \t\n\r\f\v]*[0-9]{1,2}[ \t\n\r\f\v]*)?$"})]


async def partner_filters(
    country: Annotated[list[CountryCode] | None, Query(description="ISO country codes to keep")] = None,
    subject: Annotated[list[SubjectName] | None, Query()] = None,
    language: Annotated[list[LanguageCode] | None, Query()] = None,
    age: Annotated[list[AgeText] | None, Query(
        description="pupil ages FROM-TO, e.g. 7-11; repeat for several (teachers overlapping any)")] = None,
    same_country: Annotated[bool, Query(description="also partners from the same country")] = False,
) -> Filters:
    try:
        return Filters(country=country, subject=subject, language=language, age=age,
                       allow_same_country=same_country)
    except ValidationError as exc:
        raise InvalidQuery("invalid filter", details=field_errors(exc.errors())) from exc


# The body is read as a dict and validated here (errors name fields without a `body.` prefix and
# carry the invalid_profile code); the schema still says it is a Profile.
PROFILE_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Profile"}}}}}


@router.put("/{profile_id}", response_model=ProfilePublic, dependencies=[Depends(require("write"))],
            openapi_extra=PROFILE_BODY)
@writes
def put_profile(profile_id: ProfileId, matcher: MatcherDep, alert_store: AlertStoreDep,
                body: dict = Body(...)) -> ProfilePublic:
    """Create or replace a profile (idea languages are detected on the way in); subscribed
    teachers it now ranks highly for are alerted (docs/alerts.md)."""
    p = _profile(body, profile_id)
    alerts.upsert(matcher, alert_store, [p])
    return p.public()


@router.post("/bulk", response_model=BulkResult, dependencies=[Depends(require("write"))])
@writes
def bulk(matcher: MatcherDep, alert_store: AlertStoreDep,
         body: list[dict] = Body(..., max_length=MAX_BULK)) -> BulkResult:
    """Load many profiles; every item gets its own status and the good ones are stored. An id
    may appear once a body: a repeat is an error item, so `loaded` counts stored profiles."""
    items, good, first = [], [], {}
    for n, raw in enumerate(body):
        try:
            p = Profile.model_validate(raw)
        except ValidationError as exc:
            rid = raw.get("id") if isinstance(raw.get("id"), str) else None
            errs = [e | {"index": n} for e in field_errors(exc.errors())]
            items.append(ItemStatus(id=rid, status="error", errors=errs))
            continue
        if p.id in first:
            items.append(ItemStatus(id=p.id, status="error", errors=[{
                "field": "id", "index": n, "reason": f"item {first[p.id]} of this body has the same id"}]))
            continue
        first[p.id] = n
        good.append(p)
        items.append(ItemStatus(id=p.id, status="ok"))
    if good:
        alerts.upsert(matcher, alert_store, good)
    return BulkResult(loaded=len(good), rejected=len(body) - len(good), items=items)


@router.get("/{profile_id}", response_model=Profile | ProfilePublic,
            dependencies=[Depends(require("search"))])
def get_profile(profile_id: ProfileId, matcher: MatcherDep, principal: PrincipalDep):
    """A stored profile; the e-mail, and profiles closed to partners at all, only for keys with
    the read or admin scope."""
    p = visible(matcher, principal, profile_id)
    return p if principal.sees_private else p.public()


@router.delete("/{profile_id}", status_code=204, dependencies=[Depends(require("write"))])
@writes
def delete_profile(profile_id: ProfileId, request: Request, matcher: MatcherDep,
                   alert_store: AlertStoreDep) -> Response:
    """Erase a profile from every store, index and cache, from campaign results, with its alert
    subscription, its alerts and every alert that names it."""
    matcher.delete(profile_id)
    request.app.state.campaigns.erase(profile_id)
    alerts.erase_profile(matcher, alert_store, profile_id)
    return Response(status_code=204)


@router.get("/{profile_id}/partners", response_model=ResultList,
            dependencies=[Depends(require("search")), Depends(search_slot)])
async def partners(profile_id: ProfileId, request: Request, matcher: MatcherDep, principal: PrincipalDep,
                   filters: Annotated[Filters, Depends(partner_filters)],
                   k: Annotated[int, Query(ge=1, le=100)] = 10,
                   offset: Annotated[int, Query(ge=0, le=1000)] = 0,
                   lang: Annotated[str | None, Query(max_length=8, description="language of the reasons")] = None,
                   facets: Annotated[str | None, Query(max_length=100, description=(
                       "counts to return: any of country, language, age, subject, comma-separated"),
                       json_schema_extra={"pattern": FACETS_PATTERN})] = None,
                   ) -> ResultList:
    """Ranked, explained partners from other countries for this profile; an empty list says why
    (`why_empty`)."""
    check_depth(request, principal, offset, k)
    names = facet_counts.parse(facets)

    def find() -> ResultList:
        if not principal.sees_private:
            visible(matcher, principal, profile_id)
        return matcher.partners(profile_id, k=k, offset=offset, filters=filters, lang=lang, facets=names,
                                explain=True)
    return await run_search(matcher, find)


# In the shared thread pool, not on the one search thread (api.deps.run_search): its search over
# groups takes up to 81 ms at 100k profiles, long enough to hold back the process's partner queries.
@router.get("/{profile_id}/consortium", response_model=Consortium,
            dependencies=[Depends(require("search"))])
def consortium(profile_id: ProfileId, matcher: MatcherDep, principal: PrincipalDep,
               size: Annotated[int, Query(ge=2, le=6, description="teachers in the group, this one included")] = 4,
               lang: Annotated[str | None, Query(max_length=8)] = None) -> Consortium:
    """A group of `size` teachers from `size` countries where every pair is compatible."""
    visible(matcher, principal, profile_id)
    return matcher.consortium(profile_id, size=size, lang=lang)


class ContactIn(BaseModel):
    to: str = Field(min_length=1, max_length=200, pattern=PROFILE_ID)
    answered: bool = Field(default=False, strict=True)


@router.post("/{profile_id}/contacts", status_code=204, dependencies=[Depends(require("write"))])
@writes
def contact(profile_id: ProfileId, body: ContactIn, matcher: MatcherDep) -> Response:
    """Record that `profile_id` contacted `to` (and whether it answered)."""
    matcher.contact(profile_id, body.to, body.answered)
    return Response(status_code=204)

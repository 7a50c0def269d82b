"""Partner alerts: a teacher's subscription and alerts, and saved searches with theirs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api import teacher
from api.deps import AlertStoreDep, MatcherDep
from api.forward import writes
from api.routes.profiles import ProfileId
from api.security import get_principal, presented_key, require, teacher_of
from matcher.alerts import digest, match
from matcher.alerts.saved_searches import standing_filter
from matcher.alerts.store import Alert, SavedSearch, Subscription
from matcher.errors import AccessDenied
from models import MAX_QUERY_TEXT, Filters, ProfilePublic, Reason, SearchRequest, json_int

router = APIRouter(tags=["alerts"])
SearchId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-f0-9]+$")]
Frequency = Literal["instant", "daily", "weekly"]
Lang = Annotated[str | None, Query(max_length=8, description="language of the reasons")]


@dataclass(frozen=True)
class Caller:
    """Who manages alerts: a key with the write scope, or a teacher token for one profile."""
    owner: str
    profile_id: str | None = None      # set for a teacher token: the only profile it may act on

    def check(self, profile_id: str) -> None:
        if self.profile_id is not None and self.profile_id != profile_id:
            raise AccessDenied("a teacher token acts only on its own profile")


async def caller(request: Request) -> Caller:
    """A teacher token, or a key with the write scope: a search-only (widget) key never subscribes."""
    token = presented_key(request.headers)
    if token and token.startswith(teacher.PREFIX):
        t = teacher_of(request, token)
        return Caller(t.owner, t.profile_id)
    principal = await require("write")(request, await get_principal(request))
    return Caller(principal.name)


CallerDep = Annotated[Caller, Depends(caller)]


class SubscriptionIn(BaseModel):
    frequency: Frequency = "daily"
    max_per_digest: json_int(ge=1, le=20) = Field(5, description="alerts shown per digest, best first")
    k: json_int(ge=1, le=50) = Field(10, description="alert when a newcomer enters the top k of /partners")


class SubscriptionOut(BaseModel):
    profile_id: str
    frequency: Frequency
    max_per_digest: int
    k: int


class SavedSearchIn(SubscriptionIn):
    text: str = Field("", max_length=MAX_QUERY_TEXT)
    filters: Filters = Field(default_factory=Filters)


class SavedSearchOut(SavedSearchIn):
    id: str


class AlertOut(BaseModel):
    id: str
    partner: ProfilePublic
    score: float
    reasons: list[Reason]
    created: float = Field(description="Unix seconds")


class AlertList(BaseModel):
    alerts: list[AlertOut]


def _sub_out(s: Subscription) -> SubscriptionOut:
    return SubscriptionOut(profile_id=s.profile_id, frequency=s.frequency, max_per_digest=s.max_per_digest, k=s.k)


def _search_out(s: SavedSearch) -> SavedSearchOut:
    r = s.request
    return SavedSearchOut(id=s.id, text=r["text"], filters=r["filters"], k=r["k"], frequency=s.frequency,
                          max_per_digest=s.max_per_digest)


def _alert_list(matcher, alerts: list[Alert], lang: str | None) -> AlertList:
    recs = matcher.backend.get_many([a.newcomer for a in alerts])
    return AlertList(alerts=[AlertOut(id=a.id, partner=recs[a.newcomer].profile.public(), score=a.score,
                                      reasons=digest.localize(a.reasons, lang), created=a.created)
                             for a in alerts if a.newcomer in recs])


@router.put("/v1/profiles/{profile_id}/alerts", response_model=SubscriptionOut)
@writes
def subscribe(profile_id: ProfileId, body: SubscriptionIn, who: CallerDep, matcher: MatcherDep,
              store: AlertStoreDep) -> SubscriptionOut:
    """Opt in to alerts about new partners who enter this profile's top k."""
    who.check(profile_id)
    s = match.subscribe(matcher, store, profile_id, who.owner, body.frequency, body.max_per_digest,
                        body.k)                       # an unknown profile: ProfileNotFound, a 404
    return _sub_out(s)


@router.delete("/v1/profiles/{profile_id}/alerts", status_code=204)
@writes
def unsubscribe(profile_id: ProfileId, who: CallerDep, store: AlertStoreDep) -> Response:
    """Opt out; the profile's pending alerts are erased."""
    who.check(profile_id)
    store.unsubscribe(profile_id)
    return Response(status_code=204)


@router.get("/v1/profiles/{profile_id}/alerts", response_model=AlertList)
def profile_alerts(profile_id: ProfileId, who: CallerDep, matcher: MatcherDep, store: AlertStoreDep,
                   lang: Lang = None, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> AlertList:
    """The profile's alerts, newest first."""
    who.check(profile_id)
    store.subscription(profile_id)
    return _alert_list(matcher, store.alerts("profile", profile_id, limit=limit), lang)


@router.post("/v1/profiles/{profile_id}/alerts/seen", status_code=204)
@writes
def seen(profile_id: ProfileId, who: CallerDep, store: AlertStoreDep) -> Response:
    """The teacher has seen their alerts: they count as read, not ignored (docs/alerts.md)."""
    who.check(profile_id)
    store.subscription(profile_id)
    store.ack("profile", profile_id)
    return Response(status_code=204)


@router.get("/v1/alerts/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(who: CallerDep, store: AlertStoreDep) -> list[SubscriptionOut]:
    """The profile subscriptions made with this key (or this teacher token)."""
    return [_sub_out(s) for s in store.subscriptions(owner=who.owner).values()]


@router.post("/v1/saved-searches", status_code=201, response_model=SavedSearchOut)
@writes
def save_search(body: SavedSearchIn, who: CallerDep, matcher: MatcherDep, store: AlertStoreDep) -> SavedSearchOut:
    """Save a search; new profiles that enter its top k raise alerts for the caller."""
    req = SearchRequest(text=body.text, filters=body.filters, k=body.k).model_dump(mode="json", by_alias=True)
    s = match.save_search(matcher, store, who.owner, req, body.frequency, body.max_per_digest)
    try:
        matcher.backend.put_standing(s.id, standing_filter(s))
    except Exception:
        store.delete_search(s.id, who.owner)   # not kept half: the caller sees the error and nothing saved
        raise
    return _search_out(s)


@router.get("/v1/saved-searches", response_model=list[SavedSearchOut])
def list_searches(who: CallerDep, store: AlertStoreDep) -> list[SavedSearchOut]:
    """The caller's saved searches, oldest first."""
    return [_search_out(s) for s in store.searches(owner=who.owner)]


@router.delete("/v1/saved-searches/{search_id}", status_code=204)
@writes
def delete_search(search_id: SearchId, who: CallerDep, matcher: MatcherDep, store: AlertStoreDep) -> Response:
    """Delete one of the caller's saved searches and its alerts."""
    store.search(search_id, who.owner)          # 404 for another key's search, before any change
    matcher.backend.drop_standing([search_id])
    store.delete_search(search_id, who.owner)
    return Response(status_code=204)


@router.get("/v1/saved-searches/{search_id}/alerts", response_model=AlertList)
def search_alerts(search_id: SearchId, who: CallerDep, matcher: MatcherDep, store: AlertStoreDep,
                  lang: Lang = None, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> AlertList:
    """The saved search's alerts, newest first."""
    store.search(search_id, who.owner)
    return _alert_list(matcher, store.alerts("search", search_id, limit=limit), lang)


@router.post("/v1/saved-searches/{search_id}/alerts/seen", status_code=204)
@writes
def search_seen(search_id: SearchId, who: CallerDep, store: AlertStoreDep) -> Response:
    """The owner has seen the saved search's alerts: they count as read, not ignored."""
    store.search(search_id, who.owner)
    store.ack("search", search_id)
    return Response(status_code=204)

"""Campaigns: create (runs in a background thread), status and progress, matches as JSON or CSV, the report."""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from api.deps import MatcherDep, PrincipalDep
from api.forward import in_writer, writes
from api.jobs import Jobs
from api.security import Principal, authorize, require
from matcher.campaign.report import render
from matcher.campaign.run import STAGES, run_campaign
from matcher.campaign.store import CampaignStatus, CampaignStore, participants
from matcher.campaign.table import to_csv
from matcher.errors import InvalidProfile, InvalidQuery, ShuttingDown
from matcher.reasons import reason
from models import PROFILE_ID, JsonFloat, Profile, field_errors, json_int

log = logging.getLogger("twinmatch.campaigns")
router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
CampaignId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9]+$")]
MAX_COHORT = 20_000
MAX_INLINE = 1000


class _ProfileSchema:
    """Gives a raw dict a Profile's schema: the route validates each inline profile itself, so that
    an error names the item's index."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return handler(Profile.__pydantic_core_schema__)


class CampaignIn(BaseModel):
    # The schema says what the validator below says: cohort ids, inline profiles, or both.
    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["cohort"]}, {"required": ["profiles"]}]})

    cohort: list[Annotated[str, Field(min_length=1, max_length=200, pattern=PROFILE_ID)]] = Field(default_factory=list, min_length=1,
                                                                max_length=MAX_COHORT)
    # Each item is validated as a Profile in the route, so that errors name the item's index.
    profiles: list[Annotated[dict, _ProfileSchema()]] = Field(default_factory=list, min_length=1, max_length=MAX_INLINE,
                                 description="profiles to index first (needs the write scope as well, "
                                             "and spends the write rate limit); they join the cohort")
    partners: str = Field("1-3", pattern=r"^(?:[1-9]|10)-(?:[1-9]|10)$", description="MIN-MAX partners each, 1 <= MIN <= MAX <= 10")
    groups: json_int(ge=3, le=5) | None = Field(None, description="consortia of this size instead of pairs")
    max_per_country: json_int(ge=1, le=10) | None = None
    min_score: JsonFloat | None = Field(None, ge=0, le=1, description="propose no pair scoring below this, "
                                                                 "even if a participant then has fewer partners")
    top_k: json_int(ge=3, le=200) = 30

    @field_validator("partners")
    @classmethod
    def _order(cls, v: str) -> str:
        lo, hi = (int(x) for x in v.split("-"))
        if not 1 <= lo <= hi <= 10:
            raise ValueError("partners must be MIN-MAX with 1 <= MIN <= MAX <= 10")
        return v

    @model_validator(mode="after")
    def _someone(self) -> "CampaignIn":
        if not self.cohort and not self.profiles:
            raise ValueError("give cohort ids, inline profiles, or both")
        return self


def campaign_store(request: Request) -> CampaignStore:
    """One store per app; the first use after start marks jobs of a dead process failed."""
    app = request.app
    store = getattr(app.state, "campaigns", None)
    if store is None:
        store = CampaignStore(app.state.settings.data_dir)
        store.recover()
        app.state.campaigns = store
    return store


StoreDep = Annotated[CampaignStore, Depends(campaign_store)]


def jobs(request: Request) -> Jobs:
    """The app's background jobs (the lifespan stops and awaits them at shutdown)."""
    app = request.app
    if getattr(app.state, "jobs", None) is None:  # an app used without its lifespan
        app.state.jobs = Jobs()
    return app.state.jobs


JobsDep = Annotated[Jobs, Depends(jobs)]


def _job(store: CampaignStore, cid: str, matcher, profiles: list[Profile], ids: list[str], body: CampaignIn,
         running: Jobs):
    stage = "index" if profiles else "load"
    try:
        store.update(cid, status="running", stage=stage)
        if profiles:
            matcher.upsert(profiles)
        lo, hi = (int(x) for x in body.partners.split("-"))

        def progress(now: str, frac: float) -> None:
            nonlocal stage
            stage = now
            running.check()   # a shutdown stops the job between blocks of its work
            if frac in (0.0, 1.0):  # stage boundaries only: a file write per block would be wasteful
                at = STAGES.index(now) + frac
                store.update(cid, stage=now, progress=round(min(1.0, at / len(STAGES)), 3))

        res = run_campaign(matcher, ids, partners=(lo, hi), groups=body.groups, top_k=body.top_k,
                           max_per_country=body.max_per_country, progress=progress, min_score=body.min_score)
        store.put_result(cid, res.model_dump(mode="json"), present=lambda ids: matcher.backend.get_many(ids))
        store.update(cid, status="done", stage="done", progress=1.0, summary=res.summary.model_dump())
    except ShuttingDown:
        store.update(cid, status="failed", error=f"interrupted: the service shut down while the campaign "
                                                 f"was running (stage {stage}); create it again")
    except Exception as exc:  # the job must end in a state a client can read
        log.exception("campaign %s failed", cid)
        store.update(cid, status="failed", error=getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")


@router.post("", status_code=202, response_model=CampaignStatus, dependencies=[Depends(require("campaign"))])
@writes
def create(body: CampaignIn, request: Request, principal: PrincipalDep, matcher: MatcherDep,
           store: StoreDep, running: JobsDep) -> CampaignStatus:
    """Start a campaign; poll GET /v1/campaigns/{id} until status is done or failed."""
    if body.profiles:  # they are written to the shared index, as PUT would write them
        authorize(request, principal, "write", "inline profiles are written to the shared index")
    profiles, errors = [], []
    for n, raw in enumerate(body.profiles):
        try:
            profiles.append(Profile.model_validate(raw))
        except ValidationError as exc:
            errors.extend(e | {"index": n} for e in field_errors(exc.errors()))
    if errors:
        raise InvalidProfile("some inline profiles are not valid", details=errors)
    ids = list(dict.fromkeys([*body.cohort, *(p.id for p in profiles)]))
    inline = {p.id for p in profiles}
    known = matcher.backend.get_many([i for i in ids if i not in inline])
    missing = [i for i in ids if i not in inline and i not in known]
    if missing:
        raise InvalidQuery(f"{len(missing)} cohort ids are not indexed", details=[
            {"field": "cohort", "reason": "not indexed", "id": i} for i in missing[:50]])
    if len(ids) < 2:
        raise InvalidQuery("a campaign needs at least two participants")
    running.check()
    st = store.create(body.model_dump(exclude={"profiles", "cohort"}) | {"participants": len(ids)},
                      owner=principal.name)
    running.start(f"campaign-{st.id}", _job, store, st.id, matcher, profiles, ids, body, running)
    return st


def _owner(principal: Principal) -> str | None:
    """Whose campaigns a key sees: its own; an admin key every one."""
    return None if principal.can("admin") else principal.name


@router.get("", response_model=list[CampaignStatus], dependencies=[Depends(require("campaign"))])
@in_writer
def list_campaigns(store: StoreDep, principal: PrincipalDep) -> list[CampaignStatus]:
    """The key's campaigns (an admin key's: every campaign), newest first."""
    return store.list(_owner(principal))


@router.get("/{campaign_id}", response_model=CampaignStatus, dependencies=[Depends(require("campaign"))])
@in_writer
def status(campaign_id: CampaignId, store: StoreDep, principal: PrincipalDep) -> CampaignStatus:
    """Status, stage and progress (0-1) of a campaign this key created."""
    return store.get(campaign_id, _owner(principal))


Lang = Annotated[str | None, Query(max_length=8, description="language of the reasons and the report")]


def _profiles(matcher, res: dict) -> dict:
    """The participants' current profiles (names, schools, e-mails): results never store them."""
    return matcher.backend.get_many(participants(res))


@router.get("/{campaign_id}/matches", dependencies=[Depends(require("campaign"))],
            responses={200: {"content": {"text/csv": {}}}})
@in_writer
def matches(campaign_id: CampaignId, store: StoreDep, principal: PrincipalDep, matcher: MatcherDep,
            accept: Annotated[str | None, Header()] = None, lang: Lang = None):
    """The finished campaign's matches, groups and unmatched participants; with `Accept: text/csv`
    the matches as CSV with both teachers' names, schools and countries (and e-mails for a key
    with the read scope). Reasons are in `lang`."""
    res = store.result(campaign_id, _owner(principal))
    if lang:
        for m in res["matches"]:
            m["reasons"] = [reason(r["code"], lang, **r["details"]).model_dump() for r in m.get("reasons", [])]
    if accept and "text/csv" in accept:
        return Response(to_csv(res, _profiles(matcher, res), lang, emails=principal.can("read")),
                        media_type="text/csv")
    return {k: res[k] for k in ("summary", "matches", "groups", "unmatched", "stages")}


# Errors keep the JSON error shape: only the 200 answer is HTML.
@router.get("/{campaign_id}/report", dependencies=[Depends(require("campaign"))], response_model=None,
            responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}})
def report(campaign_id: CampaignId, store: StoreDep, principal: PrincipalDep, matcher: MatcherDep,
           lang: Lang = None) -> HTMLResponse:
    """The finished campaign's report for its organisers: one self-contained HTML page in `lang`
    listing every partnership with names, schools and countries (never e-mails)."""
    res = store.result(campaign_id, _owner(principal))
    return HTMLResponse(render(res, _profiles(matcher, res), lang))


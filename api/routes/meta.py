"""Taxonomy, health and readiness."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request

from api.deps import MatcherDep
from api.security import get_principal, key_store, presented_key
from models import taxonomy

router = APIRouter(tags=["meta"])


@lru_cache(maxsize=1)
def _i18n() -> dict:
    path = Path(taxonomy.__file__).with_name("taxonomy_i18n.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


async def presented_key_is_valid(request: Request) -> None:
    """The taxonomy is public, but a key sent with it must still be valid from the calling origin:
    the widget loads the taxonomy first, so its webmaster learns of a wrong key before any search."""
    if presented_key(request.headers) is not None and key_store(request.app).configured:
        await get_principal(request)


@router.get("/v1/taxonomy", dependencies=[Depends(presented_key_is_valid)])
def get_taxonomy(lang: str | None = Query(default=None, max_length=8,
                                           description="localize labels, e.g. pt; English otherwise")):
    """Subjects, countries and school types, with labels in `lang` where we have them."""
    lang = (lang or "en").lower()[:2]
    names = _i18n()
    subj = names.get("subjects", {}).get(lang, {})
    ctry = names.get("countries", {}).get(lang, {})
    styp = names.get("school_types", {}).get(lang, {})
    return {
        "lang": lang,
        "subjects": [{"id": s, "label": subj.get(s, s)} for s in taxonomy.subjects()],
        "countries": [{"code": c, "name": ctry.get(c, n)} for c, n in taxonomy.countries().items()],
        "school_types": [{"id": t, "label": styp.get(t, t)} for t in taxonomy.school_types()],
        "partner_countries": taxonomy.taxonomy()["partner_countries"],
    }


@router.get("/healthz")
async def healthz():
    """Liveness: the process answers (on the event loop, so a busy thread pool cannot delay it)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(matcher: MatcherDep):
    """Readiness: the backend answers (503 when it does not)."""
    return {"status": "ready", **matcher.stats()}

"""Free-text partner search with filters."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from api.deps import MatcherDep, PrincipalDep, check_depth, run_search, search_slot
from api.forward import reads
from api.security import require
from models import ResultList, SearchRequest

router = APIRouter(tags=["search"])


@router.post("/v1/search", response_model=ResultList, dependencies=[Depends(require("search")), Depends(search_slot)])
@reads
async def search(req: SearchRequest, request: Request, matcher: MatcherDep, principal: PrincipalDep) -> ResultList:
    """Teachers matching `text` (any language) and the filters; public fields only. Keys
    without the read scope page to `offset + k` <= 200 (TWINMATCH_SEARCH_DEPTH). `facets` adds
    counts; an empty list says why (`why_empty`)."""
    check_depth(request, principal, req.offset, req.k)
    return await run_search(matcher, matcher.search, req, explain=True)

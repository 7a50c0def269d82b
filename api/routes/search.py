"""Free-text partner search with filters."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import MatcherDep, run_search, search_slot
from api.security import require
from models import ResultList, SearchRequest

router = APIRouter(tags=["search"])


@router.post("/v1/search", response_model=ResultList, dependencies=[Depends(require("search")), Depends(search_slot)])
async def search(req: SearchRequest, matcher: MatcherDep) -> ResultList:
    """Teachers matching `text` (any language) and the filters; public fields only."""
    return await run_search(matcher, matcher.search, req)

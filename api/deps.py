"""Annotated dependencies, so route signatures read cleanly."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.security import Principal, get_principal
from matcher.service import Matcher
from matcher.settings import Settings


# Dependencies that only read app state are `async def`: FastAPI runs a plain `def` dependency
# in its thread pool, a hop that cost more than the work (bench/ANALYSIS.md).

async def get_matcher(request: Request) -> Matcher:
    return request.app.state.matcher


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


MatcherDep = Annotated[Matcher, Depends(get_matcher)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]

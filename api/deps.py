"""Annotated dependencies, so route signatures read cleanly."""
from __future__ import annotations

from typing import Annotated, Callable, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.security import Principal, get_principal
from matcher.alerts.store import AlertStore
from matcher.service import Matcher
from matcher.settings import Settings

T = TypeVar("T")


# Dependencies that only read app state are `async def`: FastAPI runs a plain `def` dependency
# in its thread pool, a hop that cost more than the work (bench/ANALYSIS.md).

async def get_matcher(request: Request) -> Matcher:
    return request.app.state.matcher


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_alert_store(request: Request) -> AlertStore:
    store = getattr(request.app.state, "alerts", None)
    if store is None:  # an app used without its lifespan (a bare TestClient)
        store = request.app.state.alerts = AlertStore(request.app.state.settings.data_dir)
    return store


MatcherDep = Annotated[Matcher, Depends(get_matcher)]
AlertStoreDep = Annotated[AlertStore, Depends(get_alert_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def run_search(matcher: Matcher, fn: Callable[..., T], *args, **kwargs) -> T:
    """Call one of `matcher`'s searches: on the event loop when it is CPU work (the embedded
    store), on a thread when it waits on the network (OpenSearch).

    On threads, a process under load ran dozens of CPU-bound searches at once, all wanting
    the GIL: at 140 mixed requests/s against 100k profiles on 2 cores, 19 of 8,400 requests
    timed out and p99 was 3.5 s (bench/load.py). On the loop, one at a time per process (the
    BM25 leg still beside the vector search): none, p99 0.9 s (docs/operations.md, Load).
    """
    if matcher.backend.waits_on_network:
        return await run_in_threadpool(fn, *args, **kwargs)
    return fn(*args, **kwargs)

"""Annotated dependencies, so route signatures read cleanly."""
from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Callable, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.security import LOCAL, Principal, get_principal
from matcher.alerts.store import AlertStore
from matcher.errors import InvalidQuery, ProfileNotFound, RateLimited
from matcher.service import Matcher
from matcher.settings import Settings

T = TypeVar("T")


# Dependencies that only read app state are `async def`: FastAPI runs a plain `def` dependency
# in its thread pool, a hop that costs more than the work (~0.2 ms a request).

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


def check_depth(request: Request, principal: Principal, offset: int, k: int) -> None:
    """A key without the read scope pages only to `search_depth` (offset + k): paging every
    query to the end would copy the directory in a few dozen requests."""
    depth = request.app.state.settings.search_depth
    if not principal.sees_private and offset + k > depth:
        raise InvalidQuery(f"offset + k is {offset + k}; this key pages to result {depth} at most: "
                           "narrow the query or the filters",
                           details=[{"field": "offset", "reason": f"offset + k must not exceed {depth}",
                                     "max_offset_plus_k": depth}])


def visible(matcher: Matcher, principal: Principal, profile_id: str):
    """The profile, if `principal` may see it: a profile closed to partners exists only for keys
    with the read scope (for the others it is not found, as if it were not there)."""
    p = matcher.get(profile_id)
    if not p.open_to_partners and not principal.sees_private:
        raise ProfileNotFound(profile_id)
    return p


SEARCH_NICE = 5  # the search thread's nice value above the process's: the loop runs first


def _lower_priority() -> None:
    """Linux schedules threads one by one: a higher nice value for this thread alone lets the
    event loop (health checks, cheap routes) run first on a busy machine."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + SEARCH_NICE))
    except (AttributeError, OSError):  # not Linux, or not allowed: same priority as the loop
        pass


@functools.lru_cache(maxsize=1)
def search_executor() -> ThreadPoolExecutor:
    """The process's one thread for CPU-bound searches, built on first use."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="twinmatch-search", initializer=_lower_priority)


async def search_slot(request: Request, principal: PrincipalDep):
    """Hold one of the key's `searches_in_flight` places in this process for the request.

    Searches queue for the one search thread; a key over its share gets 429 at once rather
    than a place in that queue, so one key's slow searches cannot hold back everyone's for
    long. Open local mode is not limited. (Runs on the event loop: no lock needed.)
    """
    if principal is LOCAL:
        yield
        return
    counts: dict[str, int] | None = getattr(request.app.state, "searches_in_flight", None)
    if counts is None:
        counts = request.app.state.searches_in_flight = {}
    limit = request.app.state.settings.searches_in_flight
    if counts.get(principal.name, 0) >= limit:
        raise RateLimited(f"this key already has {limit} searches in progress; retry when one ends",
                          retry_after=1)
    counts[principal.name] = counts.get(principal.name, 0) + 1
    try:
        yield
    finally:
        counts[principal.name] -= 1
        if not counts[principal.name]:
            del counts[principal.name]


async def run_search(matcher: Matcher, fn: Callable[..., T], *args, **kwargs) -> T:
    """Call one of `matcher`'s searches off the event loop, so that a slow one (a long query
    to embed) never holds back `/healthz` or the process's cheap requests.

    CPU work (the embedded store) goes to one thread per process, so searches run one at a
    time: dozens at once in the thread pool all want the GIL, and a process past its capacity
    then answers none of them in time (bench/load.py). Searches that wait on the network
    (OpenSearch) use the shared thread pool, many at once.
    """
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)  # keeps the request id
    if matcher.backend.waits_on_network:
        return await run_in_threadpool(call)
    return await asyncio.get_running_loop().run_in_executor(search_executor(), call)

"""Where the API runs a search: on the event loop for CPU work, on a thread for network waits."""
from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest

from api.deps import run_search
from matcher.backends.embedded import EmbeddedBackend
from matcher.backends.opensearch import OpenSearchBackend
from matcher.errors import ProfileNotFound


def _where(waits_on_network: bool) -> tuple[int, int]:
    """(the event loop's thread, the thread the search ran on)."""
    matcher = SimpleNamespace(backend=SimpleNamespace(waits_on_network=waits_on_network))

    async def main() -> tuple[int, int]:
        return threading.get_ident(), await run_search(matcher, threading.get_ident)
    return asyncio.run(main())


def test_cpu_bound_searches_run_on_the_event_loop():
    loop, ran = _where(waits_on_network=False)
    assert ran == loop


def test_searches_that_wait_on_the_network_run_on_a_thread():
    loop, ran = _where(waits_on_network=True)
    assert ran != loop


def test_each_backend_says_which_it_is():
    assert EmbeddedBackend.waits_on_network is False
    assert OpenSearchBackend.waits_on_network is True


def test_errors_reach_the_caller_either_way():
    def missing(pid: str):
        raise ProfileNotFound(pid)
    for network in (False, True):
        matcher = SimpleNamespace(backend=SimpleNamespace(waits_on_network=network))
        with pytest.raises(ProfileNotFound):
            asyncio.run(run_search(matcher, missing, "tm-x"))
